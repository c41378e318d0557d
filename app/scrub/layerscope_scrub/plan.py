"""What to check: the region's timelines, and batches of them of about equal bytes."""

from __future__ import annotations

import heapq
import json
import subprocess
from dataclasses import dataclass
from typing import Optional, Sequence

from . import ScrubError


@dataclass(frozen=True)
class Timeline:
    """A timeline of the region as `layerctl check --recursive --list` lists it."""

    path: str
    layers: int
    bytes: int
    #: The same for every tenant shard's copy of one timeline (layerctl compares the copies
    #: it is given together, so a batch keeps them together).
    copies_of: str = ""


def list_timelines(layerctl: str, region: str, shard: Optional[str] = None) -> list[Timeline]:
    """The region's timelines (one LIST of the whole region, by layerctl).

    Raises ScrubError when layerctl cannot be run or cannot list the region.
    """
    args = [layerctl, "check", "--recursive", "--list"]
    if shard:
        args += ["--shard", shard]
    args.append(region)
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise ScrubError(f"{layerctl}: cannot run layerctl: {e.strerror}") from e
    if proc.returncode != 0:
        raise ScrubError(f"{region}: cannot list the timelines: {proc.stderr.strip()}")
    timelines = []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("record") != "listing":
            raise ScrubError(f"{layerctl}: not a timeline listing: {line[:120]} "
                             "(a layerctl older than this driver?)")
        timelines.append(Timeline(record["timeline"], record["layers"], record["bytes"],
                                  record.get("copies_of", record["timeline"])))
    return timelines


def batches(timelines: Sequence[Timeline], count: int) -> list[list[str]]:
    """At most `count` batches of timeline paths with about equal bytes: each group of copies
    of one timeline (a sharded tenant's shards; one timeline otherwise), largest first, goes
    whole to the batch with the fewest bytes so far. Deterministic."""
    groups: dict[str, list[Timeline]] = {}
    for t in timelines:
        groups.setdefault(t.copies_of or t.path, []).append(t)
    sized = sorted(groups.values(),
                   key=lambda g: (-sum(t.bytes for t in g), min(t.path for t in g)))
    heap: list[tuple[int, int, list[str]]] = [
        (0, i, []) for i in range(max(1, min(count, len(sized))))]
    for group in sized:
        size, i, paths = heapq.heappop(heap)
        paths.extend(sorted(t.path for t in group))
        heapq.heappush(heap, (size + sum(t.bytes for t in group), i, paths))
    return [paths for _, _, paths in sorted(heap, key=lambda b: b[1]) if paths]
