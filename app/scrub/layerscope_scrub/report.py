"""The report: layerctl's JSON lines, counted per tenant by their typed `record` field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, TextIO

from .plan import Timeline

TENANT = re.compile(r"tenants/([^/]+)/timelines/([^/]+)")


@dataclass
class TenantRow:
    timelines: int = 0
    layers: int = 0
    bytes: int = 0
    errors: int = 0
    warnings: int = 0
    unreadable: int = 0


@dataclass
class Tally:
    """What the report holds, per tenant and in all."""

    tenants: dict[str, TenantRow] = field(default_factory=dict)
    files: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    unreadable: int = 0

    @classmethod
    def of(cls, timelines: Iterable[Timeline]) -> "Tally":
        tally = cls()
        for t in timelines:
            row = tally.row(t.path)
            row.timelines += 1
            row.bytes += t.bytes
        return tally

    def row(self, path: str) -> TenantRow:
        m = TENANT.search(path)
        return self.tenants.setdefault(m.group(1) if m else "?", TenantRow())

    def add(self, record: dict[str, Any]) -> None:
        """Counts one JSON line of `layerctl check --json` by its `record` type."""
        kind = record.get("record")
        if kind == "total":
            self.files += record["files"]
            self.errors += record["errors"]
            self.warnings += record["warnings"]
            self.infos += record["infos"]
        elif kind == "unreadable":
            self.unreadable += 1
            self.row(record["file"]).unreadable += 1
        elif kind == "layer":
            row = self.row(record["file"])
            row.layers += 1
            row.errors += record["errors"]
            row.warnings += record["warnings"]
        elif kind == "timeline":
            row = self.row(record["timeline"])
            row.errors += record["errors"]
            row.warnings += record["warnings"]
        elif kind != "problem":
            raise ValueError(f"unknown record type {kind!r}")

    def table(self, out: TextIO) -> None:
        """One line per tenant, columns aligned."""
        head = ("tenant", "timelines", "layers", "bytes", "errors", "warnings", "unreadable")
        rows = [(t, r.timelines, r.layers, human_bytes(r.bytes), r.errors, r.warnings,
                 r.unreadable) for t, r in sorted(self.tenants.items())]
        widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
        for row in [head, *rows]:
            out.write("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths))).rstrip() + "\n")


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")
