"""What runs on a Dask worker: one `layerctl check --json` over a batch of timelines.

layerctl is started through a guard process (GUARD, run with the worker's Python): the guard
starts layerctl and kills it when the guard's stdin reaches end of file, which happens when the
worker holding the other end exits for any reason, SIGKILL included. The guard is
single-threaded when it starts layerctl, so layerctl's parent-death signal (set in the child
before exec) follows the guard itself: killing the guard kills layerctl too. No code runs
between fork and exec in the worker, whose many threads make that unsafe.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import dataclass

GUARD = r"""
import ctypes, os, signal, subprocess, sys, threading
def die_with_guard():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
try:
    child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, preexec_fn=die_with_guard)
except OSError as e:
    print(f"layerscope-scrub: {sys.argv[1]}: cannot run layerctl: {e.strerror}", file=sys.stderr)
    sys.exit(127)
def watch():
    sys.stdin.buffer.read()  # returns at end of file: the worker is gone
    child.kill()
threading.Thread(target=watch, daemon=True).start()
rc = child.wait()
os._exit(128 - rc if rc < 0 else rc)  # at once: the watcher still blocks in its read
"""

#: The guard's exit status when layerctl cannot be started.
EXIT_NOT_RUN = 127


@dataclass(frozen=True)
class BatchResult:
    """layerctl's exit status and output for one batch."""

    rc: int
    out: str
    err: str


def run_guarded(args: list[str]) -> BatchResult:
    """Runs `args` under the guard; stdin stays open (the guard's lifeline) until it exits."""
    with subprocess.Popen([sys.executable, "-c", GUARD, *args], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        err: list[bytes] = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
        reader.start()
        out = proc.stdout.read()
        reader.join()
        rc = proc.wait()
    return BatchResult(rc, out.decode("utf-8", "replace"), b"".join(err).decode("utf-8", "replace"))


def check_batch(layerctl: str, timelines: list[str], jobs: int, redact: bool = False) -> BatchResult:
    """Checks a batch of timelines with `jobs` layers in flight (`redact`: layerctl's --redact,
    so that no value, page or record bytes reach the report)."""
    return run_guarded([layerctl, "check", "--json", *(["--redact"] if redact else []),
                        "--jobs", str(jobs), *timelines])
