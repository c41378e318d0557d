"""The command line: options, the Dask client, the report and the exit status."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import threading
from typing import Optional, Sequence, TextIO

from . import EXIT_OK, EXIT_PROBLEM, EXIT_UNFINISHED, ScrubError, worker
from .plan import Timeline, batches, list_timelines
from .report import Tally

log = logging.getLogger("layerscope-scrub")


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="layerscope-scrub",
        description="Check every layer under a region (an s3:// prefix or a local tree in "
                    "Neon's layout) by content, one Dask task per batch of timelines.",
        epilog="Exit status: 0 clean, 1 errors or warnings, 2 the scrub could not finish.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDR",
                       help="a running Dask scheduler (tcp://host:8786)")
    where.add_argument("--local-workers", metavar="N", type=int,
                       help="start a cluster of N worker processes on this machine")
    parser.add_argument("region", metavar="PREFIX",
                        help="s3://bucket/prefix/ or a directory with tenants/ below it")
    parser.add_argument("--out", metavar="FILE", required=True,
                        help="the report: layerctl check's JSON lines, each layer once")
    parser.add_argument("--layerctl", metavar="PATH", default=shutil.which("layerctl"),
                        help="layerctl on every worker (default: the one on PATH)")
    parser.add_argument("--jobs", metavar="N", type=int, default=0,
                        help="layers in flight in each task (default: the worker's cores, "
                             "shared among the local workers)")
    parser.add_argument("--batches", metavar="N", type=int, default=0,
                        help="tasks to split the timelines into (default: 4 per worker thread)")
    parser.add_argument("--shard", metavar="K/N", help="only share K of N of the timelines")
    parser.add_argument("--redact", action="store_true",
                        help="a report that may leave the region: layerctl check --redact (no "
                             "value, page or record bytes)")
    parser.add_argument("--connect-timeout", metavar="SECONDS", type=float, default=30,
                        help="how long to try to reach --scheduler (default: 30)")
    parser.add_argument("-v", "--verbose", action="store_true", help="say what is being done")
    return parser.parse_args(argv)


@contextlib.contextmanager
def dask_client(args: argparse.Namespace):
    """A client of the given scheduler, or of a local cluster closed with it.

    Raises ScrubError when the scheduler cannot be reached in time."""
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if args.local_workers is not None:
            cluster = stack.enter_context(LocalCluster(
                n_workers=args.local_workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(args.scheduler, timeout=args.connect_timeout))
            except (OSError, TimeoutError) as e:
                raise ScrubError(f"{args.scheduler}: cannot reach the Dask scheduler within "
                                 f"{args.connect_timeout:g} s ({e})") from None
        yield client


def scrub(args: argparse.Namespace, layerctl: str, timelines: list[Timeline],
          report: TextIO) -> tuple[Tally, int]:
    """Runs the batches on Dask and writes the report; returns the tally and how many batches
    could not finish."""
    from distributed import as_completed, progress

    import cloudpickle

    # The workers need not have this package: the task's code travels with it.
    cloudpickle.register_pickle_by_value(worker)
    tally = Tally.of(timelines)
    unfinished = 0
    with dask_client(args) as client:
        jobs = args.jobs
        if args.local_workers is not None and not jobs:
            jobs = max(1, (os.cpu_count() or 1) // args.local_workers)
        threads = sum(client.nthreads().values()) or 1
        work = batches(timelines, args.batches or 4 * threads)
        log.info("%d timeline(s) in %d batch(es) on %d worker thread(s)", len(timelines),
                 len(work), threads)
        futures = [client.submit(worker.check_batch, layerctl, paths, jobs or (os.cpu_count() or 1),
                                 args.redact, pure=False) for paths in work]
        batch_of = {f.key: paths for f, paths in zip(futures, work)}
        bar = None
        if sys.stdout.isatty() and futures:
            bar = threading.Thread(target=progress, args=(futures,),
                                   kwargs={"notebook": False, "multi": False}, daemon=True)
            bar.start()
        for future in as_completed(futures):
            try:
                result: worker.BatchResult = future.result()
            except Exception as e:  # a batch Dask gave up on (e.g. KilledWorker after retries)
                unfinished += 1
                print(f"layerscope-scrub: a batch of {len(batch_of[future.key])} timeline(s) "
                      f"could not finish: {e}", file=sys.stderr)
                continue
            for line in result.out.splitlines():
                record = json.loads(line)
                tally.add(record)
                if record.get("record") != "total":
                    report.write(line + "\n")
            report.flush()
            if result.rc not in (EXIT_OK, EXIT_PROBLEM):
                unfinished += 1
                sys.stderr.write(result.err)
        if bar is not None:
            bar.join(timeout=5)
    return tally, unfinished


def run(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("layerscope-scrub: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO if args.verbose else logging.WARNING)
    if not args.layerctl:
        raise ScrubError("layerctl is not on PATH (install the layerctl package or give --layerctl)")
    if args.local_workers is not None and args.local_workers < 1:
        raise ScrubError("--local-workers: expected at least 1")
    if args.jobs < 0 or args.batches < 0:
        raise ScrubError("--jobs and --batches take a positive number")
    layerctl = os.path.abspath(args.layerctl) if os.sep in args.layerctl else args.layerctl
    timelines = list_timelines(layerctl, args.region, args.shard)
    log.info("%s: %d timeline(s) listed", args.region, len(timelines))
    try:
        report = open(args.out, "w", encoding="utf-8")
    except OSError as e:
        raise ScrubError(f"{args.out}: cannot write the report: {e.strerror}") from None
    with report:
        tally, unfinished = scrub(args, layerctl, timelines, report)
        report.write(json.dumps({"record": "total", "total": True, "files": tally.files,
                                 "errors": tally.errors, "warnings": tally.warnings,
                                 "infos": tally.infos}, separators=(",", ":")) + "\n")
    print()
    tally.table(sys.stdout)
    print(f"{len(timelines)} timeline(s), {tally.files} layer(s) checked: {tally.errors} "
          f"error(s), {tally.warnings} warning(s), {tally.unreadable} unreadable; report: {args.out}")
    if unfinished or tally.unreadable:
        return EXIT_UNFINISHED
    return EXIT_PROBLEM if tally.errors or tally.warnings else EXIT_OK


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the scrub; every reason it cannot go on is one line on stderr and exit status 2."""
    try:
        return run(argv)
    except ScrubError as e:
        print(f"layerscope-scrub: {e}", file=sys.stderr)
        return EXIT_UNFINISHED
    except KeyboardInterrupt:
        print("layerscope-scrub: interrupted", file=sys.stderr)
        return EXIT_UNFINISHED
