#include "layerdocument.h"
#include "workerpool.h"

#include <QFileInfo>
#include <QPromise>
#include <QThread>
#include <QtConcurrent>

namespace layerscope::ui {

std::unique_ptr<LayerDocument> LayerDocument::open(const QString &path, QString *error)
{
    auto fail = [error](const QString &shown, const Error &e) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(shown, QString::fromStdString(e.message()));
        return nullptr;
    };
    if (isRemotePath(path.toStdString())) {
        auto parsed = parseObjectUrl(path.toStdString());
        if (!parsed) // shown without a presigned query or credentials
            return fail(path.left(path.indexOf(QLatin1Char('?'))), parsed.error());
        const QString shown = QString::fromStdString(parsed->display);
        auto remote = RemoteSource::open(*parsed, RemoteOptions::interactive());
        if (!remote)
            return fail(shown, remote.error());
        auto doc = fromSource(shown, *remote, parsed->key.substr(parsed->key.rfind('/') + 1),
                              FileIdentity{}, error);
        if (doc)
            doc->m_remote = std::move(remote.value());
        return doc;
    }
    // The identity first (it refuses FIFOs and other non-files without blocking): an edit
    // later refuses to write over a file that is no longer the one read here.
    auto identity = identifyFile(path.toStdString());
    if (!identity)
        return fail(path, identity.error());
    auto mapped = MappedFile::open(path.toStdString());
    if (!mapped)
        return fail(path, mapped.error());
    return fromSource(path, *mapped, QFileInfo(path).fileName().toStdString(), *identity, error);
}

std::unique_ptr<LayerDocument> LayerDocument::fromSource(const QString &shown,
                                                         std::shared_ptr<const ByteSource> source,
                                                         const std::string &fileName,
                                                         FileIdentity identity, QString *error)
{
    if (source->size() == 0) {
        if (error)
            *error = QStringLiteral("%1: the file is empty: there is nothing to show").arg(shown);
        return nullptr;
    }
    auto layer = Layer::open(source);
    if (layer)
        return std::unique_ptr<LayerDocument>(new LayerDocument(shown, std::move(layer.value()), identity));
    // Damaged: open what can be read, in a reduced view, and say what is wrong.
    std::vector<std::string> notes{layer.error().message()};
    Layer damaged = Layer::openDamaged(source, fileName, notes);
    auto doc = std::unique_ptr<LayerDocument>(new LayerDocument(shown, std::move(damaged), identity));
    for (const auto &n : notes)
        doc->m_damage << QString::fromStdString(n);
    doc->m_damage.removeDuplicates();
    return doc;
}

LayerDocument::LayerDocument(QString path, Layer layer, FileIdentity identity)
    : m_path(std::move(path)), m_layer(std::move(layer)), m_identity(identity)
{
    connect(&m_watcher, &QFutureWatcher<LoadResult>::progressValueChanged, this, [this](int v) {
        const int max = m_watcher.progressMaximum();
        emit loadProgress(max > 0 ? int(qint64(v) * 100 / max) : 0);
    });
    connect(&m_watcher, &QFutureWatcher<LoadResult>::finished, this, &LayerDocument::onFinished);
    connect(&m_validation, &QFutureWatcher<ValidationResult>::progressValueChanged, this, [this](int v) {
        const int max = m_validation.progressMaximum();
        emit validationProgress(max > 0 ? int(qint64(v) * 100 / max) : 0);
    });
    connect(&m_validation, &QFutureWatcher<ValidationResult>::finished, this, [this] {
        if (m_validation.future().resultCount() == 0)
            return;  // cancelled
        ValidationResult r = m_validation.result();
        if (r.generation != m_validationGeneration)
            return;  // stale
        m_report = std::move(r.report);
        emit validationReady();
    });
}

LayerDocument::~LayerDocument()
{
    m_watcher.cancel();
    m_validation.cancel();
    m_watcher.waitForFinished();
    m_validation.waitForFinished();
}

void LayerDocument::startValidation(bool pages)
{
    m_validation.cancel();
    const quint64 generation = ++m_validationGeneration;
    const Layer layer = m_layer;
    const std::string name = fileName().toStdString();
    m_validation.setFuture(QtConcurrent::run(workerPool(), [layer, generation, pages, name](QPromise<ValidationResult> &promise) {
        ValidateOptions o;
        o.pages = pages;
        o.fileName = name;
        bool ranged = false;
        o.progress = [&](std::uint64_t done, std::uint64_t total) {
            if (!ranged) {
                promise.setProgressRange(0, int(std::min<std::uint64_t>(total, INT_MAX)));
                ranged = true;
            }
            promise.setProgressValue(int(std::min<std::uint64_t>(done, INT_MAX)));
            return !promise.isCanceled();
        };
        auto report = std::make_shared<ValidationReport>(validateLayer(*layer.source(), o));
        if (!report->cancelled)
            promise.addResult(ValidationResult{generation, std::move(report)});
    }));
}

QString LayerDocument::fileName() const
{
    return QFileInfo(m_path).fileName();
}

void LayerDocument::startLoading()
{
    cancelLoading();
    const quint64 generation = ++m_generation;
    const Layer layer = m_layer;
    const int delayUs = m_nodeDelayUs;
    m_watcher.setFuture(QtConcurrent::run(workerPool(), [layer, generation, delayUs](QPromise<LoadResult> &promise) {
        const BTreeReader tree = layer.tree();
        const std::uint64_t total = std::max<std::uint64_t>(1, tree.indexBlockCount());
        promise.setProgressRange(0, int(std::min<std::uint64_t>(total, INT_MAX)));
        auto shape = buildTreeShape(tree, [&](std::uint64_t done, std::uint64_t) {
            if (delayUs > 0)
                QThread::usleep(static_cast<unsigned long>(delayUs));
            if ((done & 255) == 0 || delayUs > 0)
                promise.setProgressValue(int(std::min<std::uint64_t>(done, INT_MAX)));
            return !promise.isCanceled();
        });
        // A root that cannot be read (a truncated file): show the leaves found by scanning.
        if (!shape && shape.error().kind != ErrorKind::Cancelled)
            shape = buildTreeShapeFromLeaves(tree, *layer.source(), shape.error());
        LoadResult r;
        r.generation = generation;
        if (shape)
            r.shape = std::make_shared<const TreeShape>(std::move(shape.value()));
        else
            r.error = QString::fromStdString(shape.error().message());
        promise.addResult(std::move(r));
    }));
}

void LayerDocument::cancelLoading()
{
    if (m_watcher.isRunning())
        m_watcher.cancel();
}

void LayerDocument::onFinished()
{
    if (m_watcher.future().resultCount() == 0) {
        m_loadError = tr("loading cancelled");
        emit loadFailed(m_loadError);
        return;
    }
    LoadResult r = m_watcher.result();
    if (r.generation != m_generation)
        return;  // stale
    if (!r.shape) {
        m_loadError = r.error;
        emit loadFailed(r.error);
        return;
    }
    m_shape = std::move(r.shape);
    m_loadError.clear();
    emit shapeReady();
}

} // namespace layerscope::ui
