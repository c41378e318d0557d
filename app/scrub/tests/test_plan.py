from __future__ import annotations

import pytest

from layerscope_scrub import ScrubError
from layerscope_scrub.plan import Timeline, batches, list_timelines


@pytest.mark.parametrize("sizes,count,expected", [
    ([5, 4, 3, 2, 1], 2, [["a", "d", "e"], ["b", "c"]]),
    ([1, 1, 1, 1], 4, [["a"], ["b"], ["c"], ["d"]]),
    ([10, 1], 5, [["a"], ["b"]]),            # no empty batch
    ([], 3, []),
])
def test_batches_balance_bytes_largest_first(sizes, count, expected):
    names = "abcdefgh"
    timelines = [Timeline(names[i], 1, size) for i, size in enumerate(sizes)]
    assert batches(timelines, count) == expected
    assert batches(list(reversed(timelines)), count) == expected  # order does not matter


def test_a_timelines_shard_copies_stay_in_one_batch():
    copies = [Timeline(f"/r/tenants/t-0{n}04/timelines/a/", 1, 100, "tenants/t/timelines/a/")
              for n in range(4)]
    alone = [Timeline("/r/tenants/u/timelines/b/", 1, 150, "tenants/u/timelines/b/"),
             Timeline("/r/tenants/v/timelines/c/", 1, 120, "tenants/v/timelines/c/")]
    result = batches(copies + alone, 3)
    assert result == [[c.path for c in copies], [alone[0].path], [alone[1].path]]
    assert batches(list(reversed(copies + alone)), 3) == result


def test_list_timelines_reads_the_typed_listing(fake_region):
    layerctl = fake_region(3)
    timelines = list_timelines(str(layerctl), "/r")
    assert [t.path for t in timelines] == [f"/r/tenants/t{i % 2}/timelines/tl{i}/" for i in range(3)]
    assert [t.bytes for t in timelines] == [1000, 2000, 3000]


def test_list_failure_is_one_scrub_error(fake_region):
    with pytest.raises(ScrubError, match=r"^/r: cannot list the timelines: cannot list$"):
        list_timelines(str(fake_region(1, list_rc=2)), "/r")


def test_missing_layerctl_is_a_scrub_error(tmp_path):
    with pytest.raises(ScrubError, match="cannot run layerctl: No such file or directory"):
        list_timelines(str(tmp_path / "nowhere"), "/r")


def test_untyped_listing_is_refused(tmp_path):
    old = tmp_path / "layerctl"
    old.write_text('#!/bin/sh\necho \'{"timeline":"/r/x/","layers":1,"bytes":1}\'\n')
    old.chmod(0o755)
    with pytest.raises(ScrubError, match="not a timeline listing"):
        list_timelines(str(old), "/r")
