"""The exercise cells of a notebook, and the copies CI runs: answered with the solutions, or left untouched.

An exercise cell is tagged `exercise` and ends with the line that checks it, `ex.NAME.check(...)` or
`ex.NAME.predict(...)`, where `ex` is a chapter module imported as `from ganlib.exercises import ch01 as ex`.
Everything above that line is the reader's; the solved copy replaces it with the exercise's solution, which
lives in ganlib/exercises, so the notebook and the solution cannot drift apart unnoticed: CI runs both.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass

import nbformat

from ganlib.exercises.core import Exercise

TAG = "exercise"
_IMPORT = re.compile(r"^from ganlib\.exercises import (\w+)(?: as (\w+))?\s*(?:#.*)?$", re.MULTILINE)
_LAST_LINE = re.compile(r"^(\w+)\.(\w+)\.(check|predict)\(")


@dataclass(frozen=True)
class ExerciseCell:
    """One exercise cell: its index in the notebook, its exercise, and the line that checks the answer."""

    index: int
    exercise: Exercise
    check_line: str


def chapter_exercises() -> Iterator[tuple[str, str, Exercise]]:
    """(chapter module, name, exercise) for every exercise of every chapter module (ch01, ch04, ...)."""
    package = importlib.import_module("ganlib.exercises")
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if re.fullmatch(r"ch\d\d", m.name)):
        for name, value in vars(importlib.import_module(f"ganlib.exercises.{module}")).items():
            if isinstance(value, Exercise):
                yield module, name, value


def exercise_cells(nb: nbformat.NotebookNode) -> list[ExerciseCell]:
    """The notebook's exercise cells, each resolved to its exercise (ValueError naming a cell that does not)."""
    modules = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            for module, alias in _IMPORT.findall(cell.source):
                modules[alias or module] = importlib.import_module(f"ganlib.exercises.{module}")
    found = []
    for index, cell in enumerate(nb.cells):
        if TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        last = cell.source.rstrip().splitlines()[-1] if cell.source.strip() else ""
        match = _LAST_LINE.match(last)
        exercise = getattr(modules.get(match.group(1)), match.group(2), None) if match else None
        if not isinstance(exercise, Exercise):
            raise ValueError(
                f"cell {index} is tagged {TAG!r} but its last line {last!r} is not `ex.NAME.check(...)` or "
                "`ex.NAME.predict(...)` of an exercise imported with `from ganlib.exercises import chNN as ex`"
            )
        found.append(ExerciseCell(index, exercise, last))
    return found


def expecting(nb: nbformat.NotebookNode, status: str, solved: bool) -> nbformat.NotebookNode:
    """A copy of `nb` whose checks must all say `status` (else the run fails); with `solved`, every exercise
    cell holds its solution instead of the reader's stub."""
    nb = copy.deepcopy(nb)
    for cell in exercise_cells(nb):
        if solved:
            nb.cells[cell.index].source = f"{cell.exercise.solution_code}\n{cell.check_line}"
    setup = nbformat.v4.new_code_cell(f"import ganlib.exercises\n\nganlib.exercises.expect_verdicts({status!r})")
    setup.metadata["tags"] = ["injected-exercise-expectation"]
    nb.cells.insert(0, setup)
    return nb
