// layerctl on objects in a real S3-compatible server (s3rver on 127.0.0.1), through a
// fault-injecting proxy that logs every request.

#include "remotetest.h"
#include "shardedtenant.h"
#include "testutil.h"
#include "timelinefixture.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QThread>

using namespace testremote;

namespace {

const QString kBucket = QStringLiteral("layers");
const QString kPrefix
    = QStringLiteral("pageserver/v1/tenants/0123456789abcdef0123456789abcdef/timelines/"
                     "fedcba9876543210fedcba9876543210/");
const QString kGeneration = QStringLiteral("-00000001");
#ifdef LAYERSCOPE_REMOTE_QUICK
// Under the sanitizers (10x slower): a smaller generated layer, and the command rows on one
// fixture and the generated layer only; every fault row still runs.
const QString kBigSize = QStringLiteral("6M");
constexpr int kFirstLayer = 1;
#else
const QString kBigSize = QStringLiteral("24M");
constexpr int kFirstLayer = 0;
#endif

} // namespace

class TestRemote : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void sameOutputAsLocal_data();
    void sameOutputAsLocal();
    void diffBlobSalvage_data();
    void diffBlobSalvage();
    void requestBudget();
    void checkFetchesEachByteOnce();
    void smallCacheSameAnswer();
    void faults_data();
    void faults();
    void secretsNeverShown();
    void signaturesOfOddKeys_data();
    void signaturesOfOddKeys();
    void clockSkewIsSaid();
    void tls_data();
    void tls();
    void aShardedTenantInTheBucket_data();
    void aShardedTenantInTheBucket();
    void credentialsFromProfile();
    void refusals_data();
    void refusals();
    void timelinePrefix();
    void findReadsOnlyThePath_data();
    void findReadsOnlyThePath();

private:
    QString remote(const QString &name) const
    {
        return "s3://" + kBucket + "/" + kPrefix + name + kGeneration;
    }
    /// A local copy named as the object is (generation suffix included).
    QString local(const QString &name) const { return m_dir.filePath(name + kGeneration); }

    S3Server *m_server = nullptr;
    QTemporaryDir m_dir;
    QStringList m_names; ///< fixture and generated layer names (without the generation)
    QString m_big;       ///< a generated delta of several MiB
    int m_forged = 0;    ///< requests sent with a forged signature, which the server refuses
};

void TestRemote::initTestCase()
{
    m_server = new S3Server(kBucket);
    QVERIFY2(m_server->ok(), "s3rver did not start (run installer/deps.sh: npm ci in tests/remote)");
    QStringList files = testutil::fixtureLayers();
    QProcess synth;
    synth.start(QStringLiteral(LAYERCTL_PATH),
                {"synth", "--kind", "delta", "--size", kBigSize, "--compression", "zstd", m_dir.path()});
    QVERIFY(synth.waitForFinished(120000));
    const QString big = QString::fromUtf8(synth.readAllStandardOutput()).trimmed();
    QVERIFY(QFileInfo(big).size() > 4 << 20);
    files << big;
    m_big = QFileInfo(big).fileName();
    for (const QString &f : files) {
        const QString name = QFileInfo(f).fileName();
        const QByteArray bytes = testutil::readAll(f);
        QVERIFY(m_server->put(kPrefix + name + kGeneration, bytes));
        QFile out(local(name));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        m_names << name;
    }
}

void TestRemote::cleanupTestCase()
{
    // Every request layerctl signed was checked with AWS's signer; only the tests' deliberately
    // forged signatures were refused.
    const Signatures s = m_server->signatures();
    QVERIFY(s.verified >= 0); // the server answered
    QCOMPARE(s.rejected, m_forged);
    delete m_server;
}

// Every read command prints for the object exactly what it prints for the local file, the
// path aside.
void TestRemote::sameOutputAsLocal_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("layer");
    const QStringList commands[] = {{"summary", "--count"},
                                    {"summary", "--json"},
                                    {"tree", "--neon"},
                                    {"tree", "--json"},
                                    {"keys", "--json"},
                                    {"keys", "--limit", "5"},
                                    {"dump"},
                                    {"dump", "--format", "json"},
                                    {"dump", "--format", "pagectl"},
                                    {"check", "--json"},
                                    {"check", "--pages"},
                                    {"stats", "--json"},
                                    {"dissect", "--summary", "--json"},
                                    {"dissect", "--entry", "3"},
                                    {"dissect", "--node", "0", "--problems"}};
    for (int layer = kFirstLayer; layer < 3; ++layer)
        for (const QStringList &c : commands)
            QTest::newRow(qPrintable(QStringLiteral("%1-%2")
                                         .arg(c.join('-').remove("--"))
                                         .arg(layer == 2 ? "generated" : layer ? "fixture-b" : "fixture-a")))
                << c << layer;
}

void TestRemote::sameOutputAsLocal()
{
    QFETCH(QStringList, args);
    QFETCH(int, layer);
    const QString name = m_names[layer];
    const Run a = layerctl(m_server->endpoint(), args + QStringList{local(name)});
    const Run b = layerctl(m_server->endpoint(), args + QStringList{remote(name)});
    QCOMPARE(b.code, a.code);
    QByteArray outA = a.out, outB = b.out;
    outA.replace(local(name).toUtf8(), "PATH");
    outB.replace(remote(name).toUtf8(), "PATH");
    QCOMPARE(outB, outA);
    QVERIFY(!outA.isEmpty());
}

// The commands with two paths or a key: diff (local against remote), blob, salvage (reads
// remote, writes local) give what they give for the local file.
void TestRemote::diffBlobSalvage_data()
{
    QTest::addColumn<int>("layer");
    QTest::newRow("fixture-a") << 0;
    QTest::newRow("fixture-b") << 1;
}

void TestRemote::diffBlobSalvage()
{
    QFETCH(int, layer);
    const QString name = m_names[layer];
    const QString ep = m_server->endpoint();
    const Run same = layerctl(ep, {"diff", local(name), local(name)});
    const Run mixed = layerctl(ep, {"diff", local(name), remote(name)});
    QCOMPARE(mixed.code, 0);
    QCOMPARE(same.code, 0);
    QByteArray out = mixed.out;
    out.replace(remote(name).toUtf8(), local(name).toUtf8());
    QCOMPARE(out, same.out);

    const QJsonObject first
        = QJsonDocument::fromJson(layerctl(ep, {"keys", "--json", "--limit", "1", local(name)}).out)
              .object();
    const QString key = first["key"].toString();
    QVERIFY(!key.isEmpty());
    const Run blobLocal = layerctl(ep, {"blob", "--json", local(name), key});
    const Run blobRemote = layerctl(ep, {"blob", "--json", remote(name), key});
    QCOMPARE(blobRemote.code, blobLocal.code);
    QCOMPARE(blobRemote.out, blobLocal.out);

    QTemporaryDir out1, out2;
    const Run salvageLocal = layerctl(ep, {"salvage", "-q", local(name), out1.filePath("x")});
    const Run salvageRemote = layerctl(ep, {"salvage", "-q", remote(name), out2.filePath("x")});
    QCOMPARE(salvageRemote.code, salvageLocal.code);
    QCOMPARE(testutil::readAll(out2.filePath("x")), testutil::readAll(out1.filePath("x")));
    QVERIFY(!testutil::readAll(out2.filePath("x")).isEmpty());
}

// A summary reads the first block and the index; keys --limit reads the root-to-leaf path.
void TestRemote::requestBudget()
{
    FaultProxy proxy(*m_server, {});
    const Run s = layerctl(proxy.endpoint(), {"summary", remote(m_big)});
    QCOMPARE(s.code, 0);
    const int summaryGets = proxy.gets();
    qint64 fetched = 0;
    for (const Logged &l : proxy.log())
        fetched += l.bodyBytes;
    qInfo("summary of a %lld-byte delta: %d GETs, %lld bytes fetched",
          QFileInfo(local(m_big)).size(), summaryGets, fetched);
    QVERIFY2(summaryGets <= 2, qPrintable(QString::number(summaryGets)));
    QVERIFY(fetched <= 1 << 20);
    QVERIFY2(s.out.contains("entries not counted"), s.out.constData());

    FaultProxy keysProxy(*m_server, {});
    const Run k = layerctl(keysProxy.endpoint(), {"keys", "--limit", "100", remote(m_big)});
    QCOMPARE(k.code, 0);
    QCOMPARE(k.out.count('\n'), 100);
    const Run tree = layerctl(m_server->endpoint(), {"summary", "--json", local(m_big)});
    const int depth = QJsonDocument::fromJson(tree.out).object()["depth"].toInt(
        QRegularExpression("depth (\\d+)").match(QString::fromUtf8(
            layerctl(m_server->endpoint(), {"summary", local(m_big)}).out)).captured(1).toInt());
    qInfo("keys --limit 100: %d GETs (depth %d)", keysProxy.gets(), depth);
    QVERIFY2(keysProxy.gets() <= depth + 2, qPrintable(QString::number(keysProxy.gets())));
}

// check reads every byte of the object once: ranges never overlap and add up to the size.
void TestRemote::checkFetchesEachByteOnce()
{
    FaultProxy proxy(*m_server, {});
    const Run r = layerctl(proxy.endpoint(), {"check", remote(m_big)});
    QCOMPARE(r.code, 0);
    std::vector<std::pair<qint64, qint64>> ranges;
    for (const Logged &l : proxy.log()) {
        QCOMPARE(l.method, QByteArray("GET"));
        const QList<QByteArray> ab = l.range.mid(6).split('-'); // bytes=A-B
        ranges.emplace_back(ab[0].toLongLong(), ab[1].toLongLong());
    }
    std::sort(ranges.begin(), ranges.end());
    const qint64 size = QFileInfo(local(m_big)).size();
    qint64 covered = 0;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (i)
            QVERIFY2(ranges[i].first > ranges[i - 1].second, "two GETs overlap");
        covered += std::min(ranges[i].second, size - 1) - ranges[i].first + 1;
    }
    QVERIFY(covered <= size);
    qInfo("check: %zu GETs, %lld of %lld bytes", ranges.size(), covered, size);
}

// A cache far smaller than the object (blocks evicted and fetched again while the pass goes
// on) changes the cost, never the answer.
void TestRemote::smallCacheSameAnswer()
{
    for (const QStringList &c : {QStringList{"check", "--json"}, QStringList{"dump", "--format", "json"}}) {
        const Run a = layerctl(m_server->endpoint(), c + QStringList{local(m_big)});
        const Run b = layerctl(m_server->endpoint(),
                               QStringList{"--cache-size", "1M"} + c + QStringList{remote(m_big)});
        QCOMPARE(b.code, a.code);
        QByteArray out = b.out;
        out.replace(remote(m_big).toUtf8(), local(m_big).toUtf8());
        QCOMPARE(out, a.out);
    }
}

// Each fault is retried into the right answer, or ends in exit 2 naming the URL and the
// byte range; never a clean verdict from partial bytes, never a hang.
void TestRemote::faults_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("recovers");
    // Ranged GET 1 opens the object; 2 on are the rest (check streams it in 8 MiB runs, so a
    // small layer may need only one more).
    QTest::newRow("reset-once") << int(Fault::Reset) << 2 << 1 << true;
    QTest::newRow("slowdown-twice") << int(Fault::Status503) << 2 << 2 << true;
    QTest::newRow("server-error-once") << int(Fault::Status500) << 2 << 1 << true;
    QTest::newRow("short-body-once") << int(Fault::ShortBody) << 2 << 1 << true;
    QTest::newRow("stall-once") << int(Fault::Stall) << 2 << 1 << true;
    QTest::newRow("slowdown-always") << int(Fault::Status503) << 2 << -1 << false;
    QTest::newRow("reset-always") << int(Fault::Reset) << 2 << -1 << false;
    QTest::newRow("replaced-mid-read") << int(Fault::Replace) << 2 << 1 << false;
}

void TestRemote::faults()
{
    QFETCH(int, kind);
    QFETCH(int, from);
    QFETCH(int, count);
    QFETCH(bool, recovers);
    // Its own copy of the generated layer, so that replacing it leaves the others alone.
    const QString key = kPrefix + "fault-" + QTest::currentDataTag() + "/" + m_big + kGeneration;
    const QByteArray bytes = testutil::readAll(local(m_big));
    QVERIFY(m_server->put(key, bytes));
    Fault f;
    f.kind = Fault::Kind(kind);
    f.from = from;
    f.count = count;
    f.replaceKey = key;
    f.replaceBody = bytes;
    f.replaceBody[9000] = char(f.replaceBody[9000] ^ 0x55); // another object, same size
    FaultProxy proxy(*m_server, f);
    const QString url = "s3://" + kBucket + "/" + key;
    const Run clean = layerctl(m_server->endpoint(), {"check", "--json", local(m_big)});
    const Run r = layerctl(proxy.endpoint(), {"check", "--json", url});
    QVERIFY2(r.code != -2, "layerctl hung");
    QVERIFY2(proxy.hits() >= 1, "the fault was never applied");
    if (recovers) {
        QCOMPARE(r.code, clean.code);
        QByteArray out = r.out;
        out.replace(url.toUtf8(), local(m_big).toUtf8());
        QCOMPARE(out, clean.out);
        return;
    }
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(url.toUtf8()), r.err.constData());
    QVERIFY2(QRegularExpression("bytes \\d+-\\d+").match(QString::fromUtf8(r.err)).hasMatch(),
             r.err.constData());
    if (f.kind == Fault::Replace)
        QVERIFY2(r.err.contains("replaced"), r.err.constData());
}

// Credentials and presigned signatures appear nowhere in what layerctl prints.
void TestRemote::secretsNeverShown()
{
    Fault f;
    f.kind = Fault::Status503;
    f.count = -1;
    FaultProxy proxy(*m_server, f);
    const QStringList urls = {remote(m_names[0]),
                              "s3://" + kBucket + "/missing-object",
                              proxy.endpoint() + "/" + kBucket + "/" + kPrefix + m_names[0] + kGeneration
                                  + "?X-Amz-Signature=" + QString::fromUtf8(kSecret)};
    for (const QString &u : urls)
        for (const QStringList &c : {QStringList{"summary"}, QStringList{"check", "--json"}}) {
            const Run r = layerctl(proxy.endpoint(), c + QStringList{u});
            QCOMPARE(r.code, 2);
            for (const QByteArray &secret : {kSecret, kToken})
                QVERIFY2(!r.out.contains(secret) && !r.err.contains(secret), r.err.constData());
        }
    // The presigned URL's signature is forged: the server refused each of its requests.
    for (const Logged &l : proxy.log())
        m_forged += l.path.contains("X-Amz-Signature=");
}

// Every request layerctl signs is checked by the server with AWS's own signer: object keys with
// characters that URL and signature encodings treat specially, with and without a session
// token, are read and listed without one refusal.
void TestRemote::signaturesOfOddKeys_data()
{
    QTest::addColumn<QString>("dir");
    QTest::addColumn<bool>("token");
    QTest::addColumn<bool>("list"); // s3rver normalises "a/../" in paths, not in prefixes
    const std::pair<const char *, QString> dirs[] = {{"space", "with space"},
                                                     {"plus-equals", "plus+equals="},
                                                     {"percent", "per%25cent%"},
                                                     {"unicode", "unicode-ü-日本"},
                                                     {"tilde-star", "tilde~star*"},
                                                     {"semicolon-comma", "semi;colon,comma"},
                                                     {"dot-dot", "dots/a/.."}};
    for (const auto &[tag, d] : dirs)
        for (bool token : {true, false})
            QTest::addRow("%s-%s", tag, token ? "token" : "no-token")
                << d << token << !d.contains("..");
}

void TestRemote::signaturesOfOddKeys()
{
    QFETCH(QString, dir);
    QFETCH(bool, token);
    QFETCH(bool, list);
    const QString name = m_names[0];
    const QString key = "odd/" + dir + "/" + name + kGeneration;
    QVERIFY(m_server->put(QString::fromUtf8(QUrl::toPercentEncoding(key, "/")),
                          testutil::readAll(local(name))));
    FaultProxy proxy(*m_server, {});
    const Signatures before = m_server->signatures();
    QProcessEnvironment env = awsEnvironment(proxy.endpoint());
    if (!token)
        env.remove("AWS_SESSION_TOKEN");
    auto run = [&env](const QStringList &args) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(LAYERCTL_PATH), args);
        p.waitForFinished(60000);
        return std::pair(p.exitCode(), p.readAllStandardError());
    };
    const auto [code, err] = run({"summary", "--json", "s3://" + kBucket + "/" + key});
    QVERIFY2(code == 0, err.constData());
    if (list) {
        const auto [lsCode, lsErr] = run({"ls", "s3://" + kBucket + "/odd/" + dir + "/"});
        QVERIFY2(lsCode == 0, lsErr.constData());
    }
    const Signatures after = m_server->signatures();
    QCOMPARE(after.rejected, before.rejected);
    QVERIFY(after.verified >= before.verified + (list ? 2 : 1));
    for (const Logged &l : proxy.log())
        QCOMPARE(l.authorization.contains("x-amz-security-token"), token);
}

// A store whose clock is an hour ahead refuses the signature's time: said in one line, with
// how far off this machine's clock is, and not retried.
void TestRemote::clockSkewIsSaid()
{
    S3Server ahead(kBucket, 3600);
    QVERIFY(ahead.ok());
    QVERIFY(ahead.put(kPrefix + m_names[0] + kGeneration, testutil::readAll(local(m_names[0]))));
    const Run r = layerctl(ahead.endpoint(), {"summary", remote(m_names[0])});
    QCOMPARE(r.code, 2);
    const QRegularExpression said("RequestTimeTooSkewed: this machine's clock is (\\d+) s behind "
                                  "the store's; signatures carry the time, fix the clock");
    const QRegularExpressionMatch m = said.match(QString::fromUtf8(r.err));
    QVERIFY2(m.hasMatch(), r.err.constData());
    QVERIFY(std::abs(m.captured(1).toInt() - 3600) < 60);
    QCOMPARE(r.err.count('\n'), 1);
    QCOMPARE(ahead.signatures().rejected, 1);
}

// HTTPS with a self-signed certificate: refused by default with one line saying why, trusted
// through the CA variables the AWS CLI and curl read; a certificate for another host name is
// refused even when its CA is trusted.
void TestRemote::tls_data()
{
    QTest::addColumn<QString>("san");      // the certificate's subjectAltName
    QTest::addColumn<QString>("variable"); // the CA variable set to it (empty: none)
    QTest::addColumn<QString>("said");     // empty: read
    const QString ip = QStringLiteral("IP:127.0.0.1");
    QTest::newRow("self-signed-refused") << ip << ""
                                         << "certificate is not trusted";
    QTest::newRow("aws-ca-bundle") << ip << "AWS_CA_BUNDLE"
                                   << "";
    QTest::newRow("curl-ca-bundle") << ip << "CURL_CA_BUNDLE"
                                    << "";
    QTest::newRow("ssl-cert-file") << ip << "SSL_CERT_FILE"
                                   << "";
    QTest::newRow("another-host-refused") << "DNS:store.example.invalid"
                                          << "AWS_CA_BUNDLE"
                                          << "certificate is for another host name";
}

void TestRemote::tls()
{
    QFETCH(QString, san);
    QFETCH(QString, variable);
    QFETCH(QString, said);
    QTemporaryDir dir;
    const QString cert = dir.filePath("cert.pem"), key = dir.filePath("key.pem");
    QProcess openssl;
    openssl.start("openssl",
                  {"req",
                   "-x509",
                   "-newkey",
                   "rsa:2048",
                   "-nodes",
                   "-days",
                   "1",
                   "-subj",
                   "/CN=layerscope test store",
                   "-addext",
                   "subjectAltName=" + san,
                   "-keyout",
                   key,
                   "-out",
                   cert});
    QVERIFY(openssl.waitForFinished(60000));
    QCOMPARE(openssl.exitCode(), 0);
    S3Server store(kBucket, 0, {cert, key});
    QVERIFY(store.ok());
    QVERIFY(store.put(kPrefix + m_names[0] + kGeneration, testutil::readAll(local(m_names[0]))));
    QProcessEnvironment env = awsEnvironment(store.tlsEndpoint());
    for (const char *v : {"AWS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"})
        env.remove(QString::fromLatin1(v));
    if (!variable.isEmpty())
        env.insert(variable, cert);
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(LAYERCTL_PATH), {"summary", "--json", remote(m_names[0])});
    QVERIFY(p.waitForFinished(60000));
    const QByteArray err = p.readAllStandardError();
    if (said.isEmpty()) {
        QVERIFY2(p.exitCode() == 0, err.constData());
        QVERIFY(store.signatures().verified >= 1);
        return;
    }
    QCOMPARE(p.exitCode(), 2);
    QVERIFY2(err.contains("TLS: the server's " + said.toUtf8()), err.constData());
    QCOMPARE(err.count('\n'), 1);
    QCOMPARE(store.signatures().verified, 0); // nothing was sent
}

// AWS_PROFILE from the shared credentials file when the environment has no keys; every
// request is signed (SigV4) with that profile's key id, secret and region (the server checks
// every signature: the default profile's would fail).
void TestRemote::credentialsFromProfile()
{
    QTemporaryDir dir;
    const QString file = dir.filePath("credentials");
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = x\n\n"
            "[oncall]\naws_access_key_id = S3RVER\naws_secret_access_key = "
            + kSecret
            + "\n"
              "region = eu-central-1\n");
    f.close();
    FaultProxy proxy(*m_server, {});
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                          "AWS_REGION", "AWS_DEFAULT_REGION"})
        env.remove(QString::fromLatin1(v));
    env.insert("AWS_ENDPOINT_URL", proxy.endpoint());
    env.insert("AWS_SHARED_CREDENTIALS_FILE", file);
    env.insert("AWS_PROFILE", "oncall");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(LAYERCTL_PATH), {"summary", "--json", remote(m_names[0])});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(!proxy.log().empty());
    for (const Logged &l : proxy.log()) {
        QVERIFY2(l.authorization.startsWith("AWS4-HMAC-SHA256 Credential=S3RVER/"),
                 l.authorization.constData());
        QVERIFY2(l.authorization.contains("/eu-central-1/s3/aws4_request"), l.authorization.constData());
    }
}

void TestRemote::refusals_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("says");
    QTest::newRow("user-password-in-url")
        << QStringList{"summary", "https://user:pw@127.0.0.1:1/x"} << QByteArray("refused");
    QTest::newRow("edit-a-url") << QStringList{"rewrite-summary", "--lsn", "0/1",
                                               "s3://layers/x"}
                                << QByteArray("download it first");
    QTest::newRow("nothing-listening")
        << QStringList{"summary", "http://127.0.0.1:9/layer"} << QByteArray("http://127.0.0.1:9/layer");
}

void TestRemote::refusals()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, says);
    const Run r = layerctl(m_server->endpoint(), args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(says), r.err.constData());
    QVERIFY(!r.err.contains("pw@"));
}


// ls and check on a prefix: the live index (highest generation) against the listing, then
// every layer validated; the same verdicts as the local directory checked with that index.
void TestRemote::timelinePrefix()
{
    QTemporaryDir clean, damaged;
    uploadTimeline(*m_server, clean.path(), false);
    const QString prefix = "s3://" + kBucket + "/" + kTimeline;
    const Run ls = layerctl(m_server->endpoint(), {"ls", "--json", prefix});
    QVERIFY2(ls.code == 1, ls.err.constData()); // the fixture's planted summary/name disagreement
    const QList<QByteArray> lines = ls.out.trimmed().split('\n');
    int listedLayers = 0;
    for (const QByteArray &l : lines)
        listedLayers += l.contains("\"listed_size\"");
    QCOMPARE(listedLayers, 5); // the five layers of the live index, not the empty older one
    const Run check = layerctl(m_server->endpoint(), {"check", "--json", prefix});
    QCOMPARE(check.code, 1);
    const QJsonObject total = QJsonDocument::fromJson(check.out.trimmed().split('\n').last()).object();
    QCOMPARE(total["total"].toBool(), true);
    QCOMPARE(total["files"].toInt(), 5);
    QVERIFY(!check.out.contains("timeline-index"));

    // Damage the index: wrong size, a layer not listed, a listed layer missing.
    uploadTimeline(*m_server, damaged.path(), true);
    const Run bad = layerctl(m_server->endpoint(), {"check", "--json", prefix});
    QCOMPARE(bad.code, 1);
    int indexProblems = 0;
    for (const QByteArray &l : bad.out.split('\n'))
        indexProblems += l.contains("\"check\":\"timeline-index");
    QVERIFY2(indexProblems >= 3, bad.out.constData());
    QVERIFY2(bad.out.contains("listed in the index but not in the bucket"), bad.out.constData());
    QVERIFY2(bad.out.contains("in the bucket but not listed in the index"), bad.out.constData());
}

// find on a prefix reads the index, then only the layers on the read path.
void TestRemote::findReadsOnlyThePath_data()
{
    QTest::addColumn<int>("blk");
    QTest::addColumn<QString>("lsn");
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("layersRead");
    QTest::newRow("delta-then-image") << 0 << "0/2FF" << 0 << 2;
    QTest::newRow("will-init-record") << 1 << "0/2FF" << 0 << 2;
    QTest::newRow("broken-chain") << 5 << "0/2FF" << 1 << 2;
}

void TestRemote::findReadsOnlyThePath()
{
    QFETCH(int, blk);
    QFETCH(QString, lsn);
    QFETCH(int, code);
    QFETCH(int, layersRead);
    QTemporaryDir local;
    uploadTimeline(*m_server, local.path(), false);
    const QString keyAt = QString::fromStdString(timelinefixture::k(std::uint32_t(blk)).toHex())
                          + '@' + lsn;
    FaultProxy proxy(*m_server, {});
    const QString prefix = "s3://" + kBucket + "/" + kTimeline;
    const Run r = layerctl(proxy.endpoint(), {"find", "--json", prefix, keyAt});
    QCOMPARE(r.code, code);
    // The same chain as on disk.
    const Run onDisk = layerctl(m_server->endpoint(), {"find", "--json", local.path(), keyAt});
    QCOMPARE(QJsonDocument::fromJson(r.out).object()["values"],
             QJsonDocument::fromJson(onDisk.out).object()["values"]);
    QCOMPARE(QJsonDocument::fromJson(r.out).object()["steps"].toArray().size(),
             QJsonDocument::fromJson(onDisk.out).object()["steps"].toArray().size());
    QSet<QByteArray> layerObjects;
    for (const Logged &l : proxy.log())
        if (!l.path.contains("index_part") && !l.path.contains("list-type"))
            layerObjects.insert(l.path);
    QCOMPARE(int(layerObjects.size()), layersRead);
    // page on the prefix rebuilds the same page as on disk, with the same exit status.
    const Run page = layerctl(proxy.endpoint(), {"page", "--json", "--history", prefix, keyAt});
    const Run pageOnDisk = layerctl(m_server->endpoint(), {"page", "--json", "--history", local.path(), keyAt});
    QCOMPARE(page.code, code);
    QCOMPARE(pageOnDisk.code, code);
    if (code == 0) {
        const QJsonObject remote = QJsonDocument::fromJson(page.out).object();
        QCOMPARE(remote["outcome"].toString(), QStringLiteral("reconstructed"));
        // The same steps; the layers' names differ only by the bucket's generation suffix.
        auto steps = [](const QByteArray &out) {
            QJsonArray a = QJsonDocument::fromJson(out).object()["history"].toArray();
            for (auto s : a) {
                QJsonObject o = s.toObject();
                o.remove("layer");
                s = o;
            }
            return a;
        };
        QCOMPARE(steps(page.out), steps(pageOnDisk.out));
        QCOMPARE(steps(page.out).size(), remote["chain_length"].toInt());
        QCOMPARE(remote["page"], QJsonDocument::fromJson(pageOnDisk.out).object()["page"]);
    }
}

// check --recursive over a region of 3 tenants × 2 timelines (one with index disagreements):
// every timeline and every layer once; --shard K/3 splits it into three disjoint parts whose
// union is the whole run.
// The 4-shard tenant (shardedtenant.h) in the bucket, checked from the region's prefix or the
// tenant's (every shard, one listing), reads its stripe from the manifests in the bucket and
// reports exactly what the same tree on disk reports: the stray key and the missing parent
// layer, once each, with their shards, and nothing else above an info.
void TestRemote::aShardedTenantInTheBucket_data()
{
    QTest::addColumn<QString>("below"); // after the region root
    QTest::newRow("region") << "";
    QTest::newRow("tenant-prefix") << "tenants/" + shardedtenant::kTenant;
}

void TestRemote::aShardedTenantInTheBucket()
{
    QFETCH(QString, below);
    QTemporaryDir tree;
    const shardedtenant::Planted planted = shardedtenant::write(tree.path());
    const QString region = QStringLiteral("sharded-%1/").arg(QTest::currentDataTag());
    QDirIterator it(tree.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString f = it.next();
        QVERIFY(m_server->put(region + QDir(tree.path()).relativeFilePath(f), testutil::readAll(f)));
    }
    const QString root = "s3://" + kBucket + "/" + region;
    // Faults by check, with the roots cut: the same on disk and in the bucket.
    auto faults = [](const QByteArray &out, const QString &cut) {
        QStringList found;
        for (const QByteArray &line : out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o["record"] == "problem" && o["severity"] != "info")
                found << QString(o["check"].toString() + " " + o["file"].toString() + ": "
                                 + o["message"].toString())
                             .replace(cut, "ROOT/");
        }
        found.sort();
        return found;
    };
    const Run remote = layerctl(m_server->endpoint(),
                                {"check", "--json", "--recursive", root + below});
    const Run local = layerctl(m_server->endpoint(),
                               {"check", "--json", "--recursive", tree.filePath(below)});
    QCOMPARE(remote.code, 1);
    QCOMPARE(local.code, 1);
    const QStringList inBucket = faults(remote.out, root);
    QCOMPARE(inBucket, faults(local.out, tree.path() + "/"));
    QCOMPARE(inBucket.size(), 2);
    QVERIFY2(inBucket.filter("key-wrong-shard ROOT/" + planted.strayLayer).size() == 1
                 && inBucket.join('\n').contains(
                     QStringLiteral("belongs to shard %1 of 4 (stripe 2 pages)")
                         .arg(planted.strayOwner)),
             qPrintable(inBucket.join('\n')));
    QVERIFY2(inBucket.filter("shard-layer-missing ROOT/" + planted.missingListedBy
                             + planted.missingName)
                     .size()
                 == 1,
             qPrintable(inBucket.join('\n')));
    QVERIFY(inBucket.join('\n').contains("shard " + planted.missingShard + "'s layer"));
    // ls and map take the tenant, or its timeline named without a shard: every shard's copy,
    // listed as on disk.
    const QString copies = below.isEmpty() ? "tenants/" + shardedtenant::kTenant + "/timelines/"
                                                 + shardedtenant::kTimeline
                                           : below;
    Run ls = layerctl(m_server->endpoint(), {"ls", "--json", root + copies});
    Run lsLocal = layerctl(m_server->endpoint(), {"ls", "--json", tree.filePath(copies)});
    QCOMPARE(ls.code, 1); // the parent's missing delta
    QCOMPARE(QString::fromUtf8(ls.out).replace(root, "ROOT/"),
             QString::fromUtf8(lsLocal.out).replace(tree.path() + "/", "ROOT/"));
    QCOMPARE(QJsonDocument::fromJson(ls.out.trimmed().split('\n').last()).object()["copies"].toInt(),
             6);
    const Run map = layerctl(m_server->endpoint(),
                             {"map", root + copies, "--svg", tree.filePath("map.svg")});
    QCOMPARE(map.code, 0);
    QVERIFY2(map.out.startsWith(
                 "6 shard copies, 4 shards, stripe 2 pages (tenant-manifest-00000002.json)"),
             map.out.constData());
}

QTEST_GUILESS_MAIN(TestRemote)
#include "tst_remote.moc"
