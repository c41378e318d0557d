// Neon's own record kinds applied to pages (Neon's apply_neon), with expected bytes worked out
// from PostgreSQL's layouts by hand, and whole chains read from a generated timeline.
#include "timelinefixture.h"

#include <layerscope/timeline/redo.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace layerscope;

namespace {
Key vm(std::uint32_t blk)
{
    return Key::fromFields(0, 1663, 16384, 2619, 2, blk);
}
Key slru(std::uint32_t kind, std::uint32_t seg, std::uint32_t blk)
{
    return Key::fromFields(1, kind, 1, seg, 0, blk);
}
ByteVector filled(std::size_t len, std::uint8_t fill)
{
    return ByteVector(len, fill);
}
// A VM page that is not new: pd_upper (bytes 14..15) = 0x2000.
ByteVector vmPage(std::uint8_t fill)
{
    ByteVector p(8192, fill);
    std::fill(p.begin(), p.begin() + 24, std::uint8_t(0));
    p[15] = 0x20;
    return p;
}
// `page` with the bytes at `at` replaced.
ByteVector patched(ByteVector page, std::size_t at, std::initializer_list<std::uint8_t> bytes)
{
    std::copy(bytes.begin(), bytes.end(), page.begin() + std::ptrdiff_t(at));
    return page;
}
} // namespace

Q_DECLARE_METATYPE(layerscope::Key)
Q_DECLARE_METATYPE(layerscope::NeonWalRecord)
Q_DECLARE_METATYPE(layerscope::ByteVector)

class TestRedo : public QObject
{
    Q_OBJECT
private slots:
    void apply_data();
    void apply();
    void refuses_data();
    void refuses();
    void redoChainOutcomes();
    void chainFromTimeline_data();
    void chainFromTimeline();
};

void TestRedo::apply_data()
{
    QTest::addColumn<Key>("key");
    QTest::addColumn<NeonWalRecord>("record");
    QTest::addColumn<ByteVector>("before");
    QTest::addColumn<ByteVector>("after");
    // Heap block 5: map byte 5/4 = 1, bit offset (5 % 4) * 2 = 2; flags 3 clear bits 2..3 of 0xFF.
    // The page LSN becomes 1/2345678 (high word, then low word, each little-endian).
    QTest::newRow("vm-clear-new-heap-block")
        << vm(0) << NeonWalRecord{wal::ClearVisibilityMapFlags{5, std::nullopt, 3}} << vmPage(0xFF)
        << patched(patched(vmPage(0xFF), 24 + 1, {0xF3}),
                   0,
                   {0x01, 0, 0, 0, 0x78, 0x56, 0x34, 0x02});
    // Heap block 32672 + 9 is on map page 1: byte 9/4 = 2, offset 2; flag 1 only.
    QTest::newRow("vm-clear-old-heap-block-on-page-1")
        << vm(1) << NeonWalRecord{wal::ClearVisibilityMapFlags{std::nullopt, 32672 + 9, 1}}
        << vmPage(0xFF)
        << patched(patched(vmPage(0xFF), 24 + 2, {0xFB}),
                   0,
                   {0x01, 0, 0, 0, 0x78, 0x56, 0x34, 0x02});
    // A new page (pd_upper 0) keeps its LSN. Heap blocks 0 and 1 lose flag 2: FF → FD → F5.
    QTest::newRow("vm-clear-new-page-keeps-lsn")
        << vm(0) << NeonWalRecord{wal::ClearVisibilityMapFlags{0, 1, 2}}
        << patched(filled(8192, 0xFF), 14, {0, 0})
        << patched(filled(8192, 0xFF),
                   14,
                   {0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF5});
    // Truncation keeps bytes 0..9 of the map, the low 4 bits of byte 10, and zeroes the rest.
    QTest::newRow("vm-truncate") << vm(0) << NeonWalRecord{wal::TruncateVisibilityMap{10, 4}}
                                 << vmPage(0xFF) << [] {
                                        ByteVector p = vmPage(0xFF);
                                        std::fill(p.begin() + 24 + 11, p.end(), std::uint8_t(0));
                                        p[24 + 10] = 0x0F;
                                        return p;
                                    }();
    // XID 3*32768 + 10 is on clog page 3: byte 10/4 = 2, shift (10 % 4) * 2 = 4, committed = 1.
    // The commit timestamp (BE) follows the page.
    QTest::newRow("clog-commit-appends-timestamp")
        << slru(0, 0, 3)
        << NeonWalRecord{wal::ClogSetCommitted{{3 * 32768 + 10}, 0x0102030405060708}}
        << filled(8192, 0) << [] {
               ByteVector p = patched(filled(8192, 0), 2, {0x10});
               for (std::uint8_t b : {1, 2, 3, 4, 5, 6, 7, 8})
                   p.push_back(b);
               return p;
           }();
    QTest::newRow("clog-commit-replaces-timestamp")
        << slru(0, 0, 0) << NeonWalRecord{wal::ClogSetCommitted{{0, 1}, 9}} << filled(8200, 0xAA)
        << patched(patched(filled(8200, 0xAA), 0, {0xA5}), 8192, {0, 0, 0, 0, 0, 0, 0, 9});
    // Aborted = 2 at XID 7 of page 33 (segment 1, block 1): byte 1, shift 6.
    QTest::newRow("clog-abort-segment-1")
        << slru(0, 1, 1) << NeonWalRecord{wal::ClogSetAborted{{33 * 32768 + 7}}} << filled(8192, 0)
        << patched(filled(8192, 0), 1, {0x80});
    // Multixact 2048 + 5 is on offsets page 1, entry 5: bytes 20..23, little-endian.
    QTest::newRow("multixact-offset")
        << slru(2, 0, 1) << NeonWalRecord{wal::MultixactOffsetCreate{2048 + 5, 0xA1B2C3D4}}
        << filled(8192, 0) << patched(filled(8192, 0), 20, {0xD4, 0xC3, 0xB2, 0xA1});
    // Member offsets 5 and 6: group 1 (flags at 20), flag bytes 1 and 2, xids at 28 and 32.
    QTest::newRow("multixact-members")
        << slru(1, 0, 0) << NeonWalRecord{wal::MultixactMembersCreate{5, {{100, 2}, {101, 3}}}}
        << filled(8192, 0)
        << patched(filled(8192, 0), 20, {0, 2, 3, 0, 0, 0, 0, 0, 100, 0, 0, 0, 101, 0, 0, 0});
    QTest::newRow("aux-file-is-a-no-op")
        << Key::fromFields(3, 0, 0, 0, 0, 2)
        << NeonWalRecord{wal::AuxFile{"pg_logical/x", ByteVector{1}}} << filled(10, 7)
        << filled(10, 7);
    QTest::newRow("test-record-appends")
        << Key::fromFields(0, 1663, 1, 2, 0, 0)
        << NeonWalRecord{wal::Test{"xy", false, false, std::string("ab")}} << ByteVector{'a', 'b'}
        << ByteVector{'a', 'b', 'x', 'y'};
}

void TestRedo::apply()
{
    QFETCH(Key, key);
    QFETCH(NeonWalRecord, record);
    QFETCH(ByteVector, before);
    QFETCH(ByteVector, after);
    QVERIFY(appliesInNeon(record));
    ByteVector page = before;
    const std::string error = applyNeonRecord(key, Lsn{0x0000000102345678}, record, page);
    QVERIFY2(error.empty(), error.c_str());
    QCOMPARE(page.size(), after.size());
    for (std::size_t i = 0; i < page.size(); ++i)
        if (page[i] != after[i])
            QFAIL(qPrintable(
                QStringLiteral("byte %1: %2, expected %3").arg(i).arg(page[i]).arg(after[i])));
}

void TestRedo::refuses_data()
{
    QTest::addColumn<Key>("key");
    QTest::addColumn<NeonWalRecord>("record");
    QTest::addColumn<int>("pageLen");
    QTest::addColumn<QString>("reason");
    QTest::newRow("vm-record-on-main-fork")
        << Key::fromFields(0, 1663, 16384, 2619, 0, 0)
        << NeonWalRecord{wal::ClearVisibilityMapFlags{5, std::nullopt, 3}} << 8192
        << "fork 0, not the visibility map";
    QTest::newRow("vm-heap-block-of-another-map-page")
        << vm(1) << NeonWalRecord{wal::ClearVisibilityMapFlags{5, std::nullopt, 3}} << 8192
        << "belongs to map block 0, but the key is block 1";
    QTest::newRow("vm-record-on-slru-key")
        << slru(0, 0, 0) << NeonWalRecord{wal::TruncateVisibilityMap{1, 1}} << 8192
        << "no relation block";
    QTest::newRow("vm-truncate-beyond-page")
        << vm(0) << NeonWalRecord{wal::TruncateVisibilityMap{8168, 0}} << 8192
        << "beyond its 8192 bytes";
    QTest::newRow("clog-xid-of-another-page")
        << slru(0, 0, 3) << NeonWalRecord{wal::ClogSetAborted{{5}}} << 8192
        << "XID 5 belongs to segment 0 block 0, but the key is segment 0 block 3";
    QTest::newRow("clog-record-on-members")
        << slru(1, 0, 0) << NeonWalRecord{wal::ClogSetCommitted{{5}, 0}} << 8192
        << "MultiXactMembers page, not Clog";
    QTest::newRow("clog-short-page")
        << slru(0, 0, 0) << NeonWalRecord{wal::ClogSetCommitted{{40}, 0}} << 4
        << "byte 10 of the page is beyond its 4 bytes";
    QTest::newRow("multixact-offset-on-clog")
        << slru(0, 0, 1) << NeonWalRecord{wal::MultixactOffsetCreate{2053, 1}} << 8192
        << "Clog page, not MultiXactOffsets";
    QTest::newRow("multixact-members-of-another-page")
        << slru(1, 0, 0) << NeonWalRecord{wal::MultixactMembersCreate{1636, {{1, 1}}}} << 8192
        << "member offset 1636 belongs to segment 0 block 1";
    QTest::newRow("postgres-record")
        << vm(0) << NeonWalRecord{wal::Postgres{false, ByteVector(30, 0)}} << 8192
        << "only Postgres can apply it";
}

void TestRedo::refuses()
{
    QFETCH(Key, key);
    QFETCH(NeonWalRecord, record);
    QFETCH(int, pageLen);
    QFETCH(QString, reason);
    ByteVector page(std::size_t(pageLen), 0);
    const QString error = QString::fromStdString(applyNeonRecord(key, Lsn{0x10}, record, page));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void TestRedo::redoChainOutcomes()
{
    const Key key = slru(0, 0, 0);
    const auto value = [](auto v) { return Value{std::move(v)}; };
    const auto at = [](std::uint64_t lsn, Value v) {
        return ChainValue{0, {}, Lsn{lsn}, 0, std::move(v)};
    };
    const Value base = value(ByteVector(8192, 0));
    const Value commit1 = value(NeonWalRecord{wal::ClogSetCommitted{{1}, 0}});
    const Value abort2 = value(NeonWalRecord{wal::ClogSetAborted{{2}}});
    const Value pg = value(NeonWalRecord{wal::Postgres{false, ByteVector(24, 0)}});
    const Value pgInit = value(NeonWalRecord{wal::Postgres{true, ByteVector(24, 0)}});
    const Value wrongPage = value(NeonWalRecord{wal::ClogSetAborted{{40000}}});

    Redo r = redoChain(key, {at(0x10, base), at(0x20, commit1), at(0x30, abort2)});
    QCOMPARE(int(r.outcome), int(Redo::Outcome::Reconstructed));
    QCOMPARE(r.applied, std::size_t(2));
    QCOMPARE(r.page.size(), std::size_t(8200));
    QCOMPARE(int(r.page[0]), 0x24); // xid 1 committed (01 << 2), xid 2 aborted (10 << 4)

    r = redoChain(key, {at(0x10, base)});
    QCOMPARE(int(r.outcome), int(Redo::Outcome::Reconstructed));
    QCOMPARE(r.applied, std::size_t(0));
    QVERIFY(r.page == base.image());

    // A Postgres record that is no whole XLogRecord stops the replay at it; the page is the
    // one before it (the commit applied), never a half-applied one.
    r = redoChain(key, {at(0x10, base), at(0x20, commit1), at(0x30, pg)});
    QCOMPARE(int(r.outcome), int(Redo::Outcome::Failed));
    QCOMPARE(r.postgres, std::size_t(1));
    QCOMPARE(r.failedAt, std::size_t(2));
    QVERIFY2(QString::fromStdString(r.message).contains("does not decode"), r.message.c_str());
    QCOMPARE(int(r.page[0]), 0x04);

    r = redoChain(key, {at(0x10, pgInit), at(0x20, commit1)});
    QCOMPARE(int(r.outcome), int(Redo::Outcome::Failed));
    QCOMPARE(r.failedAt, std::size_t(0));
    QVERIFY(r.page.empty());

    r = redoChain(key, {at(0x20, commit1)});
    QCOMPARE(int(r.outcome), int(Redo::Outcome::NoBase));
    r = redoChain(key, {});
    QCOMPARE(int(r.outcome), int(Redo::Outcome::NoBase));

    r = redoChain(key, {at(0x10, base), at(0x20, commit1), at(0x30, wrongPage)});
    QCOMPARE(int(r.outcome), int(Redo::Outcome::Failed));
    QCOMPARE(r.failedAt, std::size_t(2));
    QVERIFY(QString::fromStdString(r.message).contains("0/30"));
    QCOMPARE(r.page.size(), std::size_t(8200)); // the page before the failing record
    QCOMPARE(int(r.page[0]), 0x04);
}

void TestRedo::chainFromTimeline_data()
{
    QTest::addColumn<int>("blk");
    QTest::addColumn<QString>("lsn");
    QTest::addColumn<int>("outcome");
    QTest::addColumn<int>("chainLength");
    QTest::addColumn<int>("firstByte");
    QTest::addColumn<int>("pageLen");
    // k0 at 0/125: I1's image (fill 01), then D1's commits of xids 1 (0x110) and 2 (0x120):
    // 01 → 05 (xid 1: 01 << 2) → 15 (xid 2: 01 << 4); the timestamp 7 follows the page.
    QTest::newRow("image-and-two-commits")
        << 0 << "0/125" << int(Redo::Outcome::Reconstructed) << 3 << 0x15 << 8200;
    // k0 at 0/215: I2's image (fill 04) and D2's commit of xid 4 (byte 1, shift 0): byte 0 stays.
    QTest::newRow("newer-image-and-a-commit")
        << 0 << "0/215" << int(Redo::Outcome::Reconstructed) << 2 << 0x04 << 8200;
    // k1 at 0/1FF: D1's will_init image (fill 03) alone.
    QTest::newRow("will-init-image")
        << 1 << "0/1FF" << int(Redo::Outcome::Reconstructed) << 1 << 0x03 << 8192;
    // k5 (clog segment 5) at 0/2FF: no image below, the chain is broken.
    QTest::newRow("broken-chain") << 5 << "0/2FF" << int(Redo::Outcome::NoBase) << 2 << -1 << 0;
}

void TestRedo::chainFromTimeline()
{
    QFETCH(int, blk);
    QFETCH(QString, lsn);
    QFETCH(int, outcome);
    QFETCH(int, chainLength);
    QFETCH(int, firstByte);
    QFETCH(int, pageLen);
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    const Key key = timelinefixture::k(std::uint32_t(blk));
    const ReadPath path = findReadPath(*t, key, *Lsn::parse(lsn.toStdString()));
    auto chain = readChain(*t, path);
    QVERIFY2(chain, chain ? "" : chain.error().message().c_str());
    QCOMPARE(int(chain->size()), chainLength);
    for (std::size_t i = 1; i < chain->size(); ++i)
        QVERIFY((*chain)[i - 1].lsn < (*chain)[i].lsn); // oldest first
    const Redo r = redoChain(key, *chain);
    QCOMPARE(int(r.outcome), outcome);
    QCOMPARE(int(r.page.size()), pageLen);
    if (firstByte >= 0)
        QCOMPARE(int(r.page[0]), firstByte);
}

QTEST_APPLESS_MAIN(TestRedo)
#include "tst_redo.moc"
