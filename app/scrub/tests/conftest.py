"""Fixtures for the driver's tests: the package from the source tree, and a stand-in layerctl
(a small script answering --list and check --json with JSON lines written for the test), so
that the driver is tested without a build."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def write_fake_layerctl(path: Path, timelines: list[dict], layer_lines: dict[str, list[dict]],
                        list_rc: int = 0) -> Path:
    """A layerctl that lists `timelines` and, for `check --json --jobs N T...`, prints each
    timeline's lines from `layer_lines`, then a total; exit 1 when any line has errors or
    warnings, 2 when one is unreadable."""
    script = textwrap.dedent(f"""\
        #!{sys.executable}
        import json, sys
        timelines = {json.dumps(timelines)!r}
        layer_lines = {json.dumps(layer_lines)!r}
        args = sys.argv[1:]
        if "--list" in args:
            for t in json.loads(timelines):
                print(json.dumps({{"record": "listing", **t}}))
            if {list_rc}:
                print("cannot list", file=sys.stderr)
            sys.exit({list_rc})
        paths = args[args.index("--jobs") + 2:]
        rc, total = 0, {{"files": 0, "errors": 0, "warnings": 0, "infos": 0}}
        for p in paths:
            for line in json.loads(layer_lines)[p]:
                if "--redact" in args and "message" in line:
                    line = {{**line, "message": "[redacted] " + line["message"]}}
                print(json.dumps(line))
                if line["record"] == "layer":
                    total["files"] += 1
                    total["errors"] += line["errors"]
                    total["warnings"] += line["warnings"]
                    rc = max(rc, 1 if line["errors"] or line["warnings"] else 0)
                if line["record"] == "unreadable":
                    rc = 2
        print(json.dumps({{"record": "total", "total": True, **total}}))
        sys.exit(rc)
        """)
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def region(n: int, warnings_in: int = -1) -> tuple[list[dict], dict[str, list[dict]]]:
    """`n` timelines of one layer each; the one numbered `warnings_in` has a warning."""
    timelines, lines = [], {}
    for i in range(n):
        path = f"/r/tenants/t{i % 2}/timelines/tl{i}/"
        timelines.append({"timeline": path, "relative": path[3:], "layers": 1, "bytes": 1000 * (i + 1)})
        bad = i == warnings_in
        lines[path] = [
            *([{"record": "problem", "check": "value-size", "severity": "warning",
                "message": "m", "offset": 1, "length": 1, "file": path + "L"}] if bad else []),
            {"record": "layer", "file": path + "L", "errors": 0, "warnings": int(bad), "infos": 0},
            {"record": "timeline", "timeline": path, "layers": 1, "errors": 0, "warnings": 0},
        ]
    return timelines, lines


@pytest.fixture
def fake_region(tmp_path):
    def make(n: int, warnings_in: int = -1, list_rc: int = 0) -> Path:
        timelines, lines = region(n, warnings_in)
        return write_fake_layerctl(tmp_path / "layerctl", timelines, lines, list_rc)
    return make


@pytest.fixture
def free_port():
    """A port on 127.0.0.1 that nothing listens on."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


os.environ.setdefault("DASK_DISTRIBUTED__WORKER__DAEMON", "False")
