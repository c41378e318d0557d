from __future__ import annotations

import io

import pytest

from layerscope_scrub.plan import Timeline
from layerscope_scrub.report import Tally, human_bytes


def test_tally_counts_by_record_type():
    tally = Tally.of([Timeline("/r/tenants/a/timelines/1/", 2, 4096),
                      Timeline("/r/tenants/b/timelines/2/", 1, 10)])
    for record in [
        {"record": "problem", "check": "x", "file": "/r/tenants/a/timelines/1/L1"},
        {"record": "layer", "file": "/r/tenants/a/timelines/1/L1", "errors": 2, "warnings": 1},
        {"record": "layer", "file": "/r/tenants/a/timelines/1/L2", "errors": 0, "warnings": 0},
        {"record": "unreadable", "file": "/r/tenants/b/timelines/2/L3", "unreadable": "reset"},
        {"record": "timeline", "timeline": "/r/tenants/b/timelines/2/", "errors": 1, "warnings": 0},
        {"record": "total", "total": True, "files": 2, "errors": 3, "warnings": 1, "infos": 4},
    ]:
        tally.add(record)
    a, b = tally.tenants["a"], tally.tenants["b"]
    assert (a.timelines, a.layers, a.bytes, a.errors, a.warnings, a.unreadable) == (1, 2, 4096, 2, 1, 0)
    assert (b.timelines, b.layers, b.bytes, b.errors, b.warnings, b.unreadable) == (1, 0, 10, 1, 0, 1)
    assert (tally.files, tally.errors, tally.warnings, tally.infos, tally.unreadable) == (2, 3, 1, 4, 1)
    out = io.StringIO()
    tally.table(out)
    assert out.getvalue().splitlines() == [
        "tenant  timelines  layers     bytes  errors  warnings  unreadable",
        "a               1       2  4.00 KiB       2         1           0",
        "b               1       0      10 B       1         0           1",
    ]


def test_an_unknown_record_type_is_refused():
    with pytest.raises(ValueError, match="unknown record type 'layers'"):
        Tally().add({"record": "layers"})


@pytest.mark.parametrize("n,text", [(0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"),
                                    (5 * 2**30, "5.00 GiB"), (3 * 2**50, "3072.00 TiB")])
def test_human_bytes(n, text):
    assert human_bytes(n) == text
