"""Run one pure stage function over many items on every core, results in item order.

The stages stay ignorant of this: build.py hands a function, the items and whatever the
function reads besides its item (the Site, the Renderer) to `map_in_order`. Workers are
forked *after* that context exists, so they inherit it instead of receiving a pickled
copy, and only the items' indices travel to them; results travel back pickled. With one
job, few items, or no fork() (Windows, or macOS where forking a threaded process is
unsafe), everything runs in this process, and the output is the same either way.

A worker never raises a SourceError across the process boundary (their constructors do
not survive pickling): it returns a _Failed holding the error's class and Problem, and
the parent raises the same error again here."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .errors import Problem, SitegenError, SourceError

MIN_ITEMS_PER_JOB = 24  # below this, starting workers costs more than it saves


def worker_count(jobs: int) -> int:
    """`jobs` as given on the command line: 0 means one worker per core this process may use."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True)
class _Failed:
    kind: type | None  # the SourceError subclass raised
    problem: Problem | None  # its problem
    message: str  # any other error, with the worker's traceback


class WorkerError(SitegenError):
    """Raised when a worker process failed with an error that is not about the site's sources."""


def map_in_order(func: Callable[[Any, Any], Any], items: Sequence, context: Any, jobs: int,
                 on_done: Callable[[int], None] | None = None,
                 consume: Callable[[int, Any], None] | None = None, together: int = 0) -> list:
    """[func(context, item) for item in items], on up to `jobs` processes (0: every core).
    on_done(n) is called in this process as each batch of n results arrives. With
    `consume`, each result goes to consume(index, result) in order as it arrives, and
    none is kept (the list returned is empty), so big results need not all fit at once.
    The first `together` items go to one worker as one batch, first of all: items whose
    work overlaps and is remembered in the worker (feeds showing the same stories) then
    do that work once, while the other workers start on the rest."""
    results: list = []

    def take(index: int, value: Any) -> None:
        if consume is not None:
            consume(index, value)
        else:
            results.append(value)

    workers = min(worker_count(jobs), max(1, len(items) // MIN_ITEMS_PER_JOB))
    if workers <= 1 or not can_fork():
        for index, item in enumerate(items):
            take(index, func(context, item))
            if on_done is not None:
                on_done(1)
        return results
    # Small batches keep both cores busy to the end and the progress bar moving; large
    # enough ones keep the per-task overhead (a pickle each way) negligible.
    together = min(together, len(items))
    rest = len(items) - together
    batch = max(1, min(64, rest // (workers * 8)), rest // (workers * 64))
    batches = [range(0, together)] if together else []
    batches += [range(start, min(start + batch, len(items))) for start in range(together, len(items), batch)]
    ordered = _forked_batches(batches, (func, items, context), workers)
    try:
        for done, indices in zip(ordered, batches):  # `ordered` first: it runs to its end
            for index, value in zip(indices, done):
                if isinstance(value, _Failed):
                    _raise(value)
                take(index, value)
            if on_done is not None:
                on_done(len(done))
    finally:
        ordered.close()  # stops the workers now if a result raised
    return results


def _forked_batches(batches: list[range], work: tuple, workers: int):
    """Each batch's results, in order, from `workers` forked processes.

    Not multiprocessing.Pool: its worker-watching thread wakes whenever a result waits in
    the pipe, and spun on the parent's core (a profile found the pool's threads busy for
    0.6 s of a 4,000-story build). Here each worker has its own pair of pipes, the parent sleeps in
    wait() until a result arrives, and a worker is sent its next batch as it returns one
    (two in flight each, so none waits for work)."""
    context = multiprocessing.get_context("fork")
    # Objects that exist now are only read by the workers: frozen, the workers' garbage
    # collector neither scans them nor writes to their pages (which would copy them).
    gc.freeze()
    processes, tasks, answers = [], [], []
    finished = False
    try:
        for _ in range(workers):
            task_reader, task_writer = context.Pipe(duplex=False)
            answer_reader, answer_writer = context.Pipe(duplex=False)
            # The worker closes its copies of this process's pipe ends (its own, and the
            # earlier workers'): a task pipe must end when this process closes it.
            others = (*tasks, *answers, task_writer, answer_reader)
            process = context.Process(target=_serve, args=(work, task_reader, answer_writer, others), daemon=True)
            process.start()
            task_reader.close()
            answer_writer.close()
            processes.append(process)
            tasks.append(task_writer)
            answers.append(answer_reader)
        pending: list[list[int]] = [[] for _ in range(workers)]  # batch numbers each worker has, in order
        next_batch = 0

        def send(worker: int) -> None:
            nonlocal next_batch
            if next_batch < len(batches):
                try:
                    tasks[worker].send(batches[next_batch])
                except OSError:  # it died after its last answer
                    processes[worker].join(timeout=1)
                    raise _stopped(processes[worker]) from None
                pending[worker].append(next_batch)
                next_batch += 1

        for worker in list(range(workers)) * 2:
            send(worker)
        arrived: dict[int, list] = {}
        for wanted in range(len(batches)):
            while wanted not in arrived:
                for reader in multiprocessing.connection.wait([answers[w] for w in range(workers) if pending[w]]):
                    worker = answers.index(reader)
                    try:
                        done = reader.recv()
                    except (EOFError, OSError):
                        processes[worker].join(timeout=1)
                        raise _stopped(processes[worker]) from None
                    arrived[pending[worker].pop(0)] = done
                    send(worker)
            yield arrived.pop(wanted)
        finished = True
    finally:
        for task in tasks:
            task.close()  # a worker waiting for its next batch finds the end and exits
        for process in processes:
            if not finished:
                process.terminate()
            process.join()
        gc.unfreeze()


def _stopped(process) -> WorkerError:
    return WorkerError(f"a build worker stopped unexpectedly (exit code {process.exitcode})")


def _serve(work: tuple, tasks, answers, others: tuple) -> None:
    """A worker: batches from `tasks`, results to `answers`, until the parent closes `tasks`
    (or ends: then the pipe ends too)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for connection in others:
        connection.close()
    _install(work)
    while True:
        try:
            indices = tasks.recv()
        except (EOFError, OSError):
            return
        answers.send(_run_batch(indices))


# The only module-level state: set once in each forked worker by _install, never in the
# parent, so that a worker finds the function and what it reads without a pickle.
_work: tuple[Callable, Sequence, Any] | None = None


def _install(work: tuple[Callable, Sequence, Any]) -> None:
    global _work
    _work = work


def _run_batch(indices: range) -> list:
    assert _work is not None
    func, items, context = _work
    out = []
    for index in indices:
        try:
            out.append(func(context, items[index]))
        except SourceError as exc:
            out.append(_Failed(type(exc), exc.to_problem(), ""))
        except Exception as exc:  # noqa: BLE001 - reported in the parent with the worker's traceback
            out.append(_Failed(None, None, "".join(traceback.format_exception(exc)).rstrip()))
    return out


def _raise(failed: _Failed) -> None:
    if failed.kind is not None and failed.problem is not None:
        raise failed.kind(failed.problem.location, failed.problem.message, failed.problem.hint)
    raise WorkerError(f"a build worker failed:\n{failed.message}")
