-- The workload behind the replay oracle (make-wal.sh with ORACLE=1): every heap, heap2, btree,
-- sequence and XLOG record kind that changes a page, on small relations so that the fixture stays
-- small. Run by psql after the starting checkpoint, with autovacuum off.

-- Catalog multi-inserts (pg_attribute), a sequence's first record, a btree build from a populated
-- table (XLOG_FPI pages), an index created empty and grown row by row.
CREATE SEQUENCE s;
CREATE TABLE r (id int, k text, dup text, pad text);
INSERT INTO r SELECT g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text), repeat('d', 180),
                     repeat('p', 30)
  FROM generate_series(1, 60) g;
CREATE INDEX r_id ON r (id);
CREATE INDEX r_k ON r (k);
CREATE INDEX r_dup ON r (dup);
-- Row by row: leaf splits on both sides (k is random), a new root, downlinks into the root,
-- deduplication of the all-equal `dup` keys, heap inserts that start a new page.
INSERT INTO r SELECT g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text), repeat('d', 180),
                     repeat('p', 30)
  FROM generate_series(61, 250) g;
SELECT nextval('s') FROM generate_series(1, 40);

-- COPY: heap2 multi-insert.
CREATE TABLE c (a int, b text);
COPY c FROM PROGRAM 'seq 1 300 | sed "s/$/\tcopied/"';

-- Updates: HOT (pad only) and non-HOT (k is indexed), deletes, a row lock, an in-place update.
UPDATE r SET pad = repeat('q', 30) WHERE id % 10 = 1;
UPDATE r SET k = 'z' || k WHERE id % 25 = 2;
DELETE FROM r WHERE id BETWEEN 150 AND 290;
DELETE FROM r WHERE k < '6';
BEGIN; SELECT id FROM r WHERE id % 50 = 3 FOR UPDATE; COMMIT;
-- Page deletion (half-dead, unlink), btree vacuum with posting-list updates, heap prune, vacuum,
-- visibility, pg_class's in-place statistics, the btree metapage's cleanup fields.
VACUUM r;
-- New rows into freed heap slots whose `dup` TIDs fall inside existing posting lists.
INSERT INTO r SELECT g, 'n' || g, repeat('d', 180), 'p' FROM generate_series(150, 200) g;
-- Speculative insertion (insert + confirm) and its conflict.
CREATE TABLE u (id text PRIMARY KEY, n int, w text);
INSERT INTO u SELECT lpad(g::text, 200, '0'), 0, 'w' FROM generate_series(1, 30) g;
INSERT INTO u VALUES (lpad('31', 200, '0'), 0, 'x') ON CONFLICT DO NOTHING;
INSERT INTO u VALUES (lpad('1', 200, '0'), 0, 'x') ON CONFLICT (id) DO UPDATE SET n = u.n + 1;
-- Version churn on a full leaf of a unique index (n is indexed, so no update is HOT): the
-- btree deletes the dead versions instead of splitting.
CREATE INDEX u_n ON u (n);
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');
UPDATE u SET n = n + 1 WHERE id <= lpad('3', 200, '0');

-- A level of two leaves loses its left one (unlink with the metapage's fast root), then the
-- lone leaf splits under the old root (an insert that updates the metapage).
CREATE TABLE m (v text);
CREATE INDEX m_v ON m (v);
INSERT INTO m SELECT lpad(g::text, 200, '0') FROM generate_series(1, 50) g;
DELETE FROM m WHERE v < lpad('34', 200, '0');
VACUUM m;
INSERT INTO m SELECT lpad(g::text, 200, '0') FROM generate_series(100, 180) g;
-- Freezing, then a second vacuum that finds nothing to do but the visibility map.
VACUUM (FREEZE) r, u, c;
DELETE FROM c WHERE a > 150;
VACUUM c;
SELECT nextval('s') FROM generate_series(1, 40);
-- setval logs the tuple it writes: the sequence's page on disk is then the page its last record
-- makes (nextval logs 32 values ahead and does not log the page it leaves).
SELECT setval('s', 1000);
