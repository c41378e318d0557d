#!/usr/bin/env python3
"""Writes the pages of some relations of a stopped Postgres cluster (tablespace 1663) as:
b"LSPAGES1", the LSN they are as of (u64), then per page: spcOid, dbOid, relNumber (u32), fork
(u8), block number (u32), the 8192 bytes; integers big-endian.
Usage: pages.py DB_DIR LSN OUT_FILE RELFILENODE..."""
import os
import struct
import sys

FORKS = {"": 0, "_fsm": 1, "_vm": 2, "_init": 3}


def main():
    db_dir, lsn_text, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    hi, lo = lsn_text.split("/")
    lsn = (int(hi, 16) << 32) | int(lo, 16)
    db = int(os.path.basename(os.path.normpath(db_dir)))
    count = 0
    with open(out_path, "wb") as out:
        out.write(b"LSPAGES1")
        out.write(struct.pack(">Q", lsn))
        for rel in sorted(int(r) for r in sys.argv[4:]):
            for suffix, fork in sorted(FORKS.items(), key=lambda f: f[1]):
                path = os.path.join(db_dir, "%d%s" % (rel, suffix))
                if not os.path.exists(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                for blk in range(len(data) // 8192):
                    out.write(struct.pack(">IIIBI", 1663, db, rel, fork, blk))
                    out.write(data[blk * 8192:(blk + 1) * 8192])
                    count += 1
    print("%d pages, %s" % (count, out_path))


if __name__ == "__main__":
    main()
