#include "summaryeditcommand.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace layerscope::ui {

SummaryEditCommand::SummaryEditCommand(QString path, Summary before, Summary after,
                                       SafeWriteOptions options, bool rename, Done done)
    : m_path(std::move(path))
    , m_before(before)
    , m_after(after)
    , m_options(std::move(options))
    , m_done(std::move(done))
{
    setText(QObject::tr("Edit summary of %1").arg(QFileInfo(m_path).fileName()));
    m_renamed = rename ? QFileInfo(m_path).dir().filePath(QString::fromStdString(after.impliedName().canonical()))
                       : m_path;
}

void SummaryEditCommand::apply(const Summary &summary, const QString &from, const QString &to)
{
    SafeWriteOptions o = m_options;
    auto id = identifyFile(from.toStdString());
    if (!id) {
        m_ok = false;
        m_done(from, QString::fromStdString(id.error().message()));
        return;
    }
    o.expected = *id;
    if (auto s = writeSummarySafely(from.toStdString(), summary, o); !s) {
        m_ok = false;
        m_done(from, QString::fromStdString(s.error().message()));
        return;
    }
    if (from != to) {
        if (QFile::exists(to) || !QFile::rename(from, to)) {
            m_ok = false;
            m_done(from, QObject::tr("the summary was written, but %1 could not be renamed to %2").arg(from, to));
            return;
        }
    }
    m_ok = true;
    m_done(to, QString());
}

void SummaryEditCommand::redo()
{
    if (m_skipRedo) {
        m_skipRedo = false;
        return;
    }
    apply(m_after, m_path, m_renamed);
}

void SummaryEditCommand::undo()
{
    apply(m_before, m_renamed, m_path);
}

} // namespace layerscope::ui
