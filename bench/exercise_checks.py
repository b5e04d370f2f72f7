"""How long each exercise's check takes: the reference solution (every test case runs) and the untouched stub.

Target: under 2 s per check on a 2-core CPU, so a reader never waits on a verdict. Prints one row per exercise
and the load average, since a busy machine's times are not a quiet one's.

    OMP_NUM_THREADS=1 .venv/bin/python bench/exercise_checks.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time

import torch

from ganlib.exercises import CodeExercise
from ganlib.exercises.notebook import chapter_exercises


def _answer(source: str):
    namespace = {"torch": torch}
    exec(source, namespace)
    if "prediction" in namespace:
        return namespace["prediction"]
    return [v for k, v in namespace.items() if callable(v) and k != "torch" and not k.startswith("__")][-1]


def _seconds(call, repeats: int) -> float:
    """The slowest of `repeats` calls, output silenced."""
    slowest = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            call()
        slowest = max(slowest, time.perf_counter() - start)
    return slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{'exercise':42s} {'solution (s)':>13s} {'stub (s)':>9s}")
    worst = 0.0
    for chapter, name, exercise in chapter_exercises():
        answer = _answer(exercise.solution_code)
        if isinstance(exercise, CodeExercise):
            solved = _seconds(lambda e=exercise, a=answer: e.check(a), args.repeats)
            stub = _seconds(lambda e=exercise: e.check(...), args.repeats)
        else:  # a prediction's check compares two numbers; its predict() is what the reader's cell runs
            solved = _seconds(lambda e=exercise, a=answer: e.predict(a), args.repeats)
            stub = _seconds(lambda e=exercise: e.predict(...), args.repeats)
        worst = max(worst, solved, stub)
        print(f"{chapter}.{name:38s} {solved:13.3f} {stub:9.3f}")
    load = os.getloadavg()[0]
    print(f"slowest check: {worst:.3f} s (target < 2 s); load average {load:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
