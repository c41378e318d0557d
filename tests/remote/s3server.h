#pragma once

// The remote tests' world: a real S3-compatible server (s3rver, pinned in
// tests/remote/package.json) on 127.0.0.1 at a free port, and a fault-injecting HTTP proxy in
// front of it that logs every request. Both stop with the object that started them. Nothing
// here reaches any address but 127.0.0.1.

#include <QByteArray>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <arpa/inet.h>
#include <atomic>
#include <mutex>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace testremote {

/// A port nobody listens on right now.
inline quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

/// Connects to 127.0.0.1:port; -1 on failure.
inline int connectLocal(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool sendAll(int fd, const char *p, std::size_t n)
{
    while (n) {
        const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        p += w;
        n -= std::size_t(w);
    }
    return true;
}

/// One HTTP/1.1 exchange with Connection: close; the whole response (headers and body).
inline QByteArray exchange(quint16 port, const QByteArray &request)
{
    const int fd = connectLocal(port);
    if (fd < 0)
        return {};
    sendAll(fd, request.constData(), std::size_t(request.size()));
    QByteArray out;
    char buf[65536];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
        out.append(buf, n);
    ::close(fd);
    return out;
}

/// The test credentials: the server knows this secret for key id S3RVER; no output may show
/// the secret or the session token.
const QByteArray kSecret = "s3cr3t-never-printed-9f8e7d";
const QByteArray kToken = "t0ken-never-printed-1a2b3c";

/// How many signed requests the server checked with AWS's signer, and how many it refused.
struct Signatures
{
    int verified = -1, rejected = -1, unsignedRequests = -1;
};

/// s3rver with one bucket, on 127.0.0.1, behind tests/remote/s3front.js, which checks every
/// signed request's SigV4 signature with AWS's own signer (403 when it does not match, or
/// when the request time is off the server's clock, which `clockOffsetSeconds` moves).
class S3Server
{
public:
    /// `tls`: also serve HTTPS (tlsEndpoint()) with this certificate and key (PEM files).
    struct Tls
    {
        QString cert, key;
    };
    explicit S3Server(const QString &bucket, int clockOffsetSeconds = 0, const Tls &tls = {})
        : m_bucket(bucket)
    {
        m_port = freePort();
        QStringList args{QStringLiteral(LAYERSCOPE_SOURCE_DIR "/tests/remote/s3front.js"),
                         "--port",
                         QString::number(m_port),
                         "--dir",
                         m_dir.path(),
                         "--bucket",
                         bucket,
                         "--keys",
                         "S3RVER:" + QString::fromUtf8(kSecret),
                         "--clock-offset-seconds",
                         QString::number(clockOffsetSeconds)};
        if (!tls.cert.isEmpty()) {
            m_tlsPort = freePort();
            args << "--tls-port" << QString::number(m_tlsPort) << "--tls-cert" << tls.cert
                 << "--tls-key" << tls.key;
        }
        m_proc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_proc.start(QStringLiteral("node"), args);
        if (!m_proc.waitForStarted(10000))
            return;
        for (int i = 0; i < 200; ++i) { // until it answers
            if (exchange(m_port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1")) {
                m_ok = true;
                break;
            }
            QTest::qWait(50);
        }
    }
    ~S3Server()
    {
        m_proc.kill();
        m_proc.waitForFinished(5000);
    }
    bool ok() const { return m_ok; }
    quint16 port() const { return m_port; }
    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    /// The same store over HTTPS (when started with a certificate).
    QString tlsEndpoint() const { return QStringLiteral("https://127.0.0.1:%1").arg(m_tlsPort); }

    /// The server's signature counts so far.
    Signatures signatures() const
    {
        const QByteArray r = exchange(m_port,
                                      "GET /__signatures HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      "Connection: close\r\n\r\n");
        const QJsonObject o = QJsonDocument::fromJson(r.mid(r.indexOf("\r\n\r\n") + 4)).object();
        return {o["verified"].toInt(-1), o["rejected"].toInt(-1), o["unsigned"].toInt(-1)};
    }

    /// PUT of `body` at `key`; true on 200.
    bool put(const QString &key, const QByteArray &body) const
    {
        const QByteArray req = "PUT /" + m_bucket.toUtf8() + "/" + key.toUtf8()
                               + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                 "Content-Type: application/octet-stream\r\nContent-Length: "
                               + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        return exchange(m_port, req).startsWith("HTTP/1.1 200");
    }

private:
    QString m_bucket;
    QTemporaryDir m_dir;
    QProcess m_proc;
    quint16 m_port = 0, m_tlsPort = 0;
    bool m_ok = false;
};

/// What the proxy does to the requests it forwards, counted from 1 over GETs with a Range.
struct Fault
{
    enum Kind { None, Reset, Status503, Status500, ShortBody, Stall, Replace } kind = None;
    int from = 1;           ///< the first ranged GET it hits
    int count = 1;          ///< how many in a row (-1: all from `from` on)
    QString replaceKey;     ///< Replace: the key PUT anew (with replaceBody) before forwarding
    QByteArray replaceBody;
    int delayMs = 0;        ///< every request waits this long before it is forwarded (a slow store)
};

/// A logged request.
struct Logged
{
    QByteArray method, path, range;
    QByteArray authorization; ///< the Authorization header as sent (SigV4: names the key id)
    qint64 bodyBytes = 0; ///< body bytes sent to the client
};

/// A fault-injecting HTTP proxy in front of the server: one thread per connection, every
/// request forwarded with Connection: close, the response buffered, then passed on, damaged
/// as the fault says.
class FaultProxy
{
public:
    FaultProxy(const S3Server &server, Fault fault) : m_server(server), m_fault(std::move(fault))
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr *>(&a), sizeof a);
        ::listen(m_listen, 64);
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_accept = std::thread([this] { acceptLoop(); });
    }
    ~FaultProxy()
    {
        m_stop = true;
        ::shutdown(m_listen, SHUT_RDWR);
        ::close(m_listen);
        m_accept.join();
        std::vector<std::thread> workers;
        {
            std::lock_guard lock(m_m);
            workers.swap(m_workers);
        }
        for (auto &t : workers)
            t.join();
    }
    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    std::vector<Logged> log() const
    {
        std::lock_guard lock(m_m);
        return m_log;
    }
    /// Requests the fault was applied to.
    int hits() const
    {
        std::lock_guard lock(m_m);
        return m_hits;
    }
    int gets() const
    {
        int n = 0;
        for (const Logged &l : log())
            n += l.method == "GET";
        return n;
    }

private:
    void acceptLoop()
    {
        while (!m_stop) {
            const int c = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0)
                return;
            std::lock_guard lock(m_m);
            m_workers.emplace_back([this, c] { serve(c); });
        }
    }

    void serve(int client)
    {
        for (;;) { // requests on this connection until the client or a fault closes it
            QByteArray req;
            char buf[8192];
            while (!req.contains("\r\n\r\n")) {
                const ssize_t n = ::recv(client, buf, sizeof buf, 0);
                if (n <= 0) {
                    ::close(client);
                    return;
                }
                req.append(buf, n);
            }
            const QList<QByteArray> lines = req.left(req.indexOf("\r\n\r\n")).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            Logged l;
            l.method = first.value(0);
            l.path = first.value(1);
            for (const QByteArray &h : lines)
                if (h.toLower().startsWith("range:"))
                    l.range = h.mid(6).trimmed();
                else if (h.toLower().startsWith("authorization:"))
                    l.authorization = h.mid(14).trimmed();
            int nth = 0;
            {
                std::lock_guard lock(m_m);
                if (!l.range.isEmpty())
                    nth = ++m_ranged;
            }
            const bool hit = m_fault.kind != Fault::None && nth >= m_fault.from
                             && (m_fault.count < 0 || nth < m_fault.from + m_fault.count);
            if (hit) {
                std::lock_guard lock(m_m);
                ++m_hits;
            }
            if (m_fault.delayMs)
                QThread::msleep(m_fault.delayMs);
            if (hit && m_fault.kind == Fault::Replace)
                m_server.put(m_fault.replaceKey, m_fault.replaceBody);
            QByteArray upstreamReq = req;
            upstreamReq.replace("Connection: keep-alive", "Connection: close");
            if (!upstreamReq.contains("Connection: close"))
                upstreamReq.insert(upstreamReq.indexOf("\r\n") + 2, "Connection: close\r\n");
            QByteArray resp = exchange(m_server.port(), upstreamReq);
            const int split = resp.indexOf("\r\n\r\n") + 4;
            QByteArray head = resp.left(split), body = resp.mid(split);
            bool close = false;
            if (hit) {
                switch (m_fault.kind) {
                case Fault::Status503:
                    head = "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n";
                    body = "<Error><Code>SlowDown</Code><Message>Please reduce your request "
                           "rate.</Message></Error>";
                    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
                    break;
                case Fault::Status500:
                    head = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
                    body.clear();
                    break;
                case Fault::Reset:
                    body = body.left(body.size() / 3);
                    close = true;
                    break;
                case Fault::ShortBody: // full Content-Length announced, half sent, then closed
                    body = body.left(body.size() / 2);
                    close = true;
                    break;
                case Fault::Stall:
                    QThread::msleep(4000);
                    close = true;
                    body.clear();
                    head.clear();
                    break;
                default:
                    break;
                }
            }
            head.replace("Connection: close", "Connection: keep-alive");
            l.bodyBytes = body.size();
            {
                std::lock_guard lock(m_m);
                m_log.push_back(l);
            }
            if (hit && m_fault.kind == Fault::Reset) {
                const linger lg{1, 0}; // RST, not FIN
                ::setsockopt(client, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            }
            if (!sendAll(client, head.constData(), std::size_t(head.size()))
                || !sendAll(client, body.constData(), std::size_t(body.size())) || close) {
                ::close(client);
                return;
            }
        }
    }

    const S3Server &m_server;
    Fault m_fault;
    int m_listen = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_accept;
    mutable std::mutex m_m;
    std::vector<std::thread> m_workers;
    std::vector<Logged> m_log;
    int m_ranged = 0;
    int m_hits = 0;
};

} // namespace testremote
