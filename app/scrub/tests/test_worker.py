from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from layerscope_scrub.worker import EXIT_NOT_RUN, run_guarded


def test_output_and_status_pass_through():
    r = run_guarded([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"])
    assert (r.rc, r.out, r.err) == (3, "out\n", "err\n")


def test_a_program_that_cannot_run_is_one_line():
    r = run_guarded(["/nonexistent/layerctl", "check"])
    assert r.rc == EXIT_NOT_RUN
    assert r.err == "layerscope-scrub: /nonexistent/layerctl: cannot run layerctl: No such file or directory\n"


def test_a_signal_is_reported_as_128_plus_it():
    r = run_guarded(["sh", "-c", "kill -TERM $$"])
    assert r.rc == 128 + signal.SIGTERM


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("killed", ["worker", "guard"])
def test_the_child_dies_with_the_worker_or_its_guard(tmp_path: Path, killed: str):
    """A worker (here a thread-rich Python process like Dask's) runs a long child under the
    guard and is SIGKILLed, or the guard is: the child must not stay behind."""
    pidfile = tmp_path / "pid"
    worker_src = f"""
import sys, threading, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from layerscope_scrub.worker import run_guarded
for _ in range(8):  # other threads, as in a Dask worker
    threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
run_guarded(["sh", "-c", "echo $$ > {pidfile}; exec sleep 1000"])
"""
    worker = subprocess.Popen([sys.executable, "-c", worker_src])
    try:
        deadline = time.monotonic() + 20
        while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(pidfile.read_text())
        assert alive(child)
        if killed == "worker":
            os.kill(worker.pid, signal.SIGKILL)
        else:
            guard = int(open(f"/proc/{child}/stat").read().split()[3])
            assert guard != worker.pid
            os.kill(guard, signal.SIGKILL)
        assert wait_gone(child), "the child outlived its worker"
    finally:
        worker.kill()
        worker.wait()
