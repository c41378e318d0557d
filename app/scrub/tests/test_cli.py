from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parents[1] / "layerscope-scrub"


def scrub(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DRIVER), *args], capture_output=True, text=True,
                          timeout=timeout)


def test_an_unreachable_scheduler_is_exit_2_with_one_line(tmp_path, fake_region, free_port):
    start = time.monotonic()
    r = scrub("--scheduler", f"tcp://127.0.0.1:{free_port}", "--connect-timeout", "2",
              "--layerctl", str(fake_region(2)), "--out", str(tmp_path / "r.jsonl"), "/r")
    assert r.returncode == 2
    assert time.monotonic() - start < 30
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"layerscope-scrub: tcp://127.0.0.1:{free_port}: cannot reach the "
                               "Dask scheduler within 2 s")
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("layerctl,workers,jobs,message", [
    ("/nonexistent/layerctl", "1", "0",
     "layerscope-scrub: /nonexistent/layerctl: cannot run layerctl: No such file or directory"),
    (None, "0", "0", "layerscope-scrub: --local-workers: expected at least 1"),
    (None, "1", "-1", "layerscope-scrub: --jobs and --batches take a positive number"),
])
def test_usage_and_run_failures_are_exit_2_with_one_line(tmp_path, fake_region, layerctl, workers,
                                                         jobs, message):
    r = scrub("--layerctl", layerctl or str(fake_region(1)), "--local-workers", workers,
              "--jobs", jobs, "--out", str(tmp_path / "r.jsonl"), "/r")
    assert (r.returncode, r.stderr.strip()) == (2, message)


def test_an_unlistable_region_is_exit_2(tmp_path, fake_region):
    r = scrub("--local-workers", "1", "--layerctl", str(fake_region(1, list_rc=2)),
              "--out", str(tmp_path / "r.jsonl"), "/r")
    assert (r.returncode, r.stderr.strip()) == (2, "layerscope-scrub: /r: cannot list the timelines: cannot list")


def test_redact_reaches_every_layerctl(tmp_path, fake_region):
    """--redact is passed to each batch's layerctl, whose redacted lines make the report."""
    report = tmp_path / "r.jsonl"
    r = scrub("--local-workers", "1", "--batches", "2", "--redact", "--layerctl",
              str(fake_region(3, 1)), "--out", str(report), "/r")
    assert r.returncode == 1, r.stderr
    problems = [json.loads(line) for line in report.read_text().splitlines()
                if json.loads(line)["record"] == "problem"]
    assert [p["message"] for p in problems] == ["[redacted] m"]


@pytest.mark.parametrize("warnings_in,rc", [(-1, 0), (3, 1)])
def test_a_region_on_a_local_cluster(tmp_path, fake_region, warnings_in, rc):
    """Every timeline's lines once in the report, the total last, the table per tenant."""
    report = tmp_path / "r.jsonl"
    r = scrub("--local-workers", "2", "--batches", "3", "--layerctl", str(fake_region(5, warnings_in)),
              "--out", str(report), "/r")
    assert r.returncode == rc, r.stderr
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert records[-1] == {"record": "total", "total": True, "files": 5, "errors": 0,
                           "warnings": int(warnings_in >= 0), "infos": 0}
    layers = sorted(rec["file"] for rec in records if rec["record"] == "layer")
    assert layers == sorted(f"/r/tenants/t{i % 2}/timelines/tl{i}/L" for i in range(5))
    assert sum(rec["record"] == "problem" for rec in records) == int(warnings_in >= 0)
    table = r.stdout.strip().splitlines()
    assert table[0].split() == ["tenant", "timelines", "layers", "bytes", "errors", "warnings", "unreadable"]
    assert table[1].split()[:3] == ["t0", "3", "3"] and table[2].split()[:3] == ["t1", "2", "2"]
    assert table[-1].startswith("5 timeline(s), 5 layer(s) checked")
