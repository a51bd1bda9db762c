"""map_in_order: the same results, in the same order, on one process or several; a worker's
errors come back as they were raised, and a worker that dies stops the build instead of
leaving it waiting."""

from __future__ import annotations

import os

import pytest

from sitegen.errors import FrontMatterError, SourceLocation
from sitegen.parallel import WorkerError, can_fork, map_in_order

pytestmark = pytest.mark.skipif(not can_fork(), reason="workers are forked processes")


def scaled(factor: int, item: int) -> tuple[int, int]:
    return item, factor * item * item


@pytest.mark.parametrize("count", [0, 1, 47, 48, 500, 3001])
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_in_item_order(count, jobs):
    items = list(range(count))
    assert map_in_order(scaled, items, 3, jobs) == [(i, 3 * i * i) for i in items]


def test_consume_sees_each_result_once_in_order_and_on_done_counts_them():
    seen, done = [], []
    kept = map_in_order(scaled, list(range(1000)), 1, 2, on_done=done.append, consume=lambda i, v: seen.append((i, v)))
    assert kept == []
    assert seen == [(i, (i, i * i)) for i in range(1000)]
    assert sum(done) == 1000 and len(done) > 2


def slow_first(_, item: int) -> int:
    if item < 64:
        sum(range(20_000))  # the first batch finishes after later ones
    return item


def test_order_holds_when_later_batches_finish_first():
    assert map_in_order(slow_first, list(range(2000)), None, 2) == list(range(2000))


def pid_of(_, item: int) -> tuple[int, int]:
    return item, os.getpid()


@pytest.mark.parametrize("together", [0, 1, 300, 999, 1000, 5000])
def test_the_first_items_together_run_in_one_worker_and_results_keep_their_order(together):
    done: list[int] = []
    results = map_in_order(pid_of, list(range(1000)), None, 2, on_done=done.append, together=together)
    assert [item for item, _ in results] == list(range(1000))
    first = {pid for _, pid in results[:together]}
    assert len(first) == (1 if together else 0)
    assert os.getpid() not in {pid for _, pid in results}
    if 0 < together < 1000:
        assert done[0] == together and len({pid for _, pid in results}) == 2


def source_error_at(_, item: int) -> int:
    if item == 777:
        raise FrontMatterError(SourceLocation("content/stories/x.md", 4), "title: must be text", "quote it")
    return item


def test_a_source_error_in_a_worker_is_raised_again_here():
    with pytest.raises(FrontMatterError) as caught:
        map_in_order(source_error_at, list(range(1000)), None, 2)
    problem = caught.value.to_problem()
    assert (problem.location.path, problem.location.line, problem.message) == ("content/stories/x.md", 4, "title: must be text")


def bug_at(_, item: int) -> int:
    if item == 500:
        raise ZeroDivisionError("a bug")
    return item


def test_any_other_error_names_the_worker_traceback():
    with pytest.raises(WorkerError, match="ZeroDivisionError: a bug"):
        map_in_order(bug_at, list(range(1000)), None, 2)


def dies_at(_, item: int) -> int:
    if item == 900:
        os._exit(7)
    return item


def test_a_worker_that_dies_stops_the_map_with_its_exit_code():
    with pytest.raises(WorkerError, match="exit code 7"):
        map_in_order(dies_at, list(range(2000)), None, 2)


def test_no_worker_outlives_the_map():
    import multiprocessing

    map_in_order(scaled, list(range(2000)), 1, 2)
    with pytest.raises(WorkerError):
        map_in_order(dies_at, list(range(2000)), None, 2)
    with pytest.raises(FrontMatterError):
        map_in_order(source_error_at, list(range(1000)), None, 2)
    assert multiprocessing.active_children() == []
