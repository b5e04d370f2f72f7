"""Independent runs trained at once, one process each (notebook 04's results table, notebook 07's seeds).

Small networks gain little from a second CPU thread, so on a CPU with n idle cores n one-thread runs at once
finish in about the time of one. The task functions set their own thread count, so jobs=1 runs them alike here.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from ganlib.checks import is_int, require

Task = TypeVar("Task")
Result = TypeVar("Result")


def map_in_processes(function: Callable[[Task], Result], tasks: Iterable[Task], jobs: int = 1) -> Iterator[Result]:
    """`function` of each task, in order; `jobs` > 1 runs that many at once in spawned processes.

    `function` must be importable (defined at a module's top level) and its tasks and results picklable.
    """
    require(is_int(jobs) and jobs >= 1, "jobs", jobs, "an int >= 1")
    if jobs == 1:
        yield from map(function, tasks)
        return
    with ProcessPoolExecutor(int(jobs), mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(function, tasks)
