#!/usr/bin/env python3
"""Reads the WAL records between two LSNs out of a Postgres 15 pg_wal directory (16 MiB
segments, 8 KiB pages, timeline 1), following records across page boundaries, and writes them
as: b"LSWALREC", then per record: start LSN (u64), end LSN (u64, the byte after the record),
length (u32), the XLogRecord's bytes; integers big-endian.
Usage: wal_records.py PG_WAL START_LSN END_LSN OUT_FILE"""
import os
import struct
import sys

PAGE = 8192
SEG = 16 * 1024 * 1024
XLP_LONG_HEADER = 0x0002


def parse_lsn(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


class Wal:
    def __init__(self, directory):
        self.directory = directory
        self.segments = {}

    def segment(self, segno):
        if segno not in self.segments:
            name = "%08X%08X%08X" % (1, segno // (0x100000000 // SEG), segno % (0x100000000 // SEG))
            with open(os.path.join(self.directory, name), "rb") as f:
                self.segments[segno] = f.read()
        return self.segments[segno]

    def byte_slice(self, pos, n):
        seg = self.segment(pos // SEG)
        off = pos % SEG
        return seg[off:off + n]

    def header_len(self, page_start):
        info = struct.unpack_from("<H", self.byte_slice(page_start, 4), 2)[0]
        return 40 if info & XLP_LONG_HEADER else 24

    def read(self, pos, n):
        """n bytes of the record stream from pos, skipping page headers; returns (bytes, end)."""
        out = bytearray()
        while len(out) < n:
            if pos % PAGE == 0:
                pos += self.header_len(pos)
            take = min(n - len(out), PAGE - pos % PAGE)
            out += self.byte_slice(pos, take)
            pos += take
        return bytes(out), pos


def main():
    directory, start, end, out_path = sys.argv[1], parse_lsn(sys.argv[2]), parse_lsn(sys.argv[3]), sys.argv[4]
    wal = Wal(directory)
    pos = start
    count = 0
    with open(out_path, "wb") as out:
        out.write(b"LSWALREC")
        while pos < end:
            pos = (pos + 7) & ~7
            if pos % PAGE == 0:
                pos += wal.header_len(pos)
            head, _ = wal.read(pos, 4)
            tot_len = struct.unpack("<I", head)[0]
            if tot_len < 24:
                break
            rec, after = wal.read(pos, tot_len)
            out.write(struct.pack(">QQI", pos, after, tot_len))
            out.write(rec)
            count += 1
            pos = after
    print("%d records, %s" % (count, out_path))


if __name__ == "__main__":
    main()
