#pragma once

#include <layerscope/io/remote.h>
#include <layerscope/check/validate.h>
#include <layerscope/format/layer.h>
#include <layerscope/index/tree_shape.h>
#include <layerscope/write/edit.h>

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace layerscope::ui {

/// One open layer file: owns its read-only mapping and, once loaded on a worker thread, the
/// index's TreeShape. Models and widgets hold non-owning pointers to it.
class LayerDocument : public QObject
{
    Q_OBJECT
public:
    /// Maps `path` read-only and decodes the summary (O(1)). A damaged file still opens, in a
    /// reduced view (see damage()); only a file that cannot be read at all (missing,
    /// permissions, not a regular file) returns null, with `error` naming the file and why.
    /// A URL (s3://, http://, https://) opens the object in place: one ranged GET for the
    /// summary; pages are fetched when first shown (see RemoteSource).
    static std::unique_ptr<LayerDocument> open(const QString &path, QString *error);
    /// Cancels a running load and waits for it.
    ~LayerDocument() override;

    const Layer &layer() const { return m_layer; }
    /// Why the file opened only in a reduced view (empty for a layer that opens normally).
    const QStringList &damage() const { return m_damage; }
    /// The file as it was when opened (size, inode, mtime, block 0 hash): edits refuse to
    /// write over a file that no longer matches it.
    const FileIdentity &identity() const { return m_identity; }
    QString path() const { return m_path; }
    /// The remote object behind the document (s3://, http(s)://), or null for a local file.
    /// A remote document is read-only: edits refuse it.
    const std::shared_ptr<RemoteSource> &remote() const { return m_remote; }
    QString fileName() const;
    /// Null until the shape is loaded.
    const TreeShape *shape() const { return m_shape.get(); }
    bool isLoading() const { return m_watcher.isRunning(); }
    QString loadError() const { return m_loadError; }

    /// Walks the index on a worker thread (Qt Concurrent), reporting progress; a new call
    /// cancels the previous one, whose result is then dropped (generation token).
    void startLoading();
    void cancelLoading();
    /// Validates the whole file on a worker thread (pages: opt-in Postgres page checks);
    /// a new call cancels the previous one. Null report until done.
    void startValidation(bool pages);
    const ValidationReport *report() const { return m_report.get(); }
    std::shared_ptr<const ValidationReport> sharedReport() const { return m_report; }
    bool isValidating() const { return m_validation.isRunning(); }
    void cancelValidation() { m_validation.cancel(); }

    /// Test seam: sleeps this long per index node on the worker (makes cancellation testable).
    void setNodeDelayForTesting(int microseconds) { m_nodeDelayUs = microseconds; }

signals:
    void loadProgress(int percent);
    void shapeReady();
    void loadFailed(const QString &message);
    void validationProgress(int percent);
    void validationReady();

private:
    struct LoadResult
    {
        quint64 generation = 0;
        std::shared_ptr<const TreeShape> shape;
        QString error;
    };
    LayerDocument(QString path, Layer layer, FileIdentity identity);
    /// The document over an opened source: refuses an empty one, opens a damaged one in a
    /// reduced view (damage() says why). `shown` is the path or display URL.
    static std::unique_ptr<LayerDocument> fromSource(const QString &shown,
                                                     std::shared_ptr<const ByteSource> source,
                                                     const std::string &fileName,
                                                     FileIdentity identity, QString *error);
    void onFinished();

    QString m_path;
    Layer m_layer;
    FileIdentity m_identity;
    std::shared_ptr<RemoteSource> m_remote;
    QStringList m_damage;
    std::shared_ptr<const TreeShape> m_shape;
    QString m_loadError;
    quint64 m_generation = 0;
    int m_nodeDelayUs = 0;
    QFutureWatcher<LoadResult> m_watcher;
    struct ValidationResult
    {
        quint64 generation = 0;
        std::shared_ptr<const ValidationReport> report;
    };
    std::shared_ptr<const ValidationReport> m_report;
    quint64 m_validationGeneration = 0;
    QFutureWatcher<ValidationResult> m_validation;
};

} // namespace layerscope::ui
