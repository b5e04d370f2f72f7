"""Prediction questions: the reader commits to an answer before the cell that measures it runs.

`q.predict(answer)` records the reader's answer; after the measurement, `q.check(measured)` compares it with
the number the notebook has just computed, never with a value written in advance: a numeric prediction is right
within a tolerance of it, an option is right when the measurement falls in its interval (between `edges`), so a
run with other settings or another seed is judged by what it measured.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any

from IPython.display import display

from ganlib.checks import is_number
from ganlib.exercises.code import is_stub
from ganlib.exercises.core import CORRECT, INCORRECT, NOT_ATTEMPTED, Exercise, Note, Verdict


class Prediction(Exercise):
    """A number, right `within` of the measured one; or one of `options`, the i-th right when the measurement lies
    between edges[i - 1] and edges[i] (ascending; the first and last intervals are open)."""

    def __init__(
        self,
        title: str,
        explain: Callable[[float], str],
        hints: tuple[str, ...],
        solution: str,
        reason: str,
        options: tuple[str, ...] = (),
        edges: tuple[float, ...] = (),
        within: float = 0.0,
    ) -> None:
        super().__init__(title, hints, solution, reason)
        if options and (len(edges) != len(options) - 1 or list(edges) != sorted(edges)):
            raise ValueError(f"edges={edges!r} is not accepted: expected {len(options) - 1} ascending numbers")
        if not options and not within > 0:
            raise ValueError(f"within={within!r} is not accepted: a numeric prediction needs a tolerance > 0")
        self.options, self.edges, self.within = tuple(options), tuple(edges), within
        self._explain = explain
        self.prediction: Any = None

    def _problem(self, answer: Any) -> str:
        """What is wrong with the form of an answer ('' when it can be recorded)."""
        if self.options:
            if isinstance(answer, str) and answer.strip().lower() in self.options:
                return ""
            return f"answer with one of {', '.join(repr(o) for o in self.options)} (got {answer!r})"
        if is_number(answer) and math.isfinite(answer):
            return ""
        return f"answer with a number (got {answer!r})"

    @property
    def _answer(self) -> str:
        """The recorded prediction as the reader would write it."""
        return repr(self.prediction) if self.options else f"{self.prediction:.4g}"

    def predict(self, answer: Any) -> Note:
        """Record the reader's prediction (before the measurement); a stub or a malformed answer records nothing."""
        self.prediction = None
        if is_stub(answer):
            text = "replace `...` with your prediction and run the cell again, before the cells below measure it."
        elif problem := self._problem(answer):
            text = f"nothing recorded: {problem}."
        else:
            self.prediction = answer.strip().lower() if self.options else float(answer)
            text = f"you predict {self._answer}. The cells below measure it; the check after them compares."
        note = Note(f"Prediction ({self.title})", text)
        display(note)
        return note

    def check(self, measured: Any) -> Verdict:
        """Compare the recorded prediction with what the notebook measured (`measured`, passed by the notebook)."""
        if self.prediction is None:
            return self._deliver(NOT_ATTEMPTED, f"no prediction was recorded above; {self._explain(measured)}")
        measured = float(measured)
        if self.options:
            correct = self.prediction == self.options[bisect.bisect_right(self.edges, measured)]
        else:
            correct = abs(self.prediction - measured) <= self.within
        verdict = f"you predicted {self._answer}; {self._explain(measured)}"
        return self._deliver(CORRECT if correct else INCORRECT, verdict)
