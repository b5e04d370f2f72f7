"""Prediction questions: the reader commits to an answer before the cell that measures it runs.

`q.predict(answer)` records the reader's answer; after the measurement, `q.check(measured)` compares it with
the number the notebook has just computed, never with a value written in advance. The question's `outcome`
turns the measurement into the right answer (an option, or a number), so a run with other settings or
another seed is judged by what it measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from IPython.display import display

from ganlib.checks import is_number
from ganlib.exercises.code import is_stub
from ganlib.exercises.core import CORRECT, INCORRECT, NOT_ATTEMPTED, Exercise, Note, Verdict


class Prediction(Exercise):
    """A question answered with one of `options`, or, when `options` is empty, with a number (`within` of it)."""

    def __init__(
        self,
        title: str,
        outcome: Callable[[Any], Any],
        explain: Callable[[Any], str],
        hints: tuple[str, ...],
        solution: str,
        reason: str,
        options: tuple[str, ...] = (),
        within: float = 0.0,
    ) -> None:
        super().__init__(title, hints, solution, reason)
        if not options and not within > 0:
            raise ValueError(f"within={within!r} is not accepted: a numeric prediction needs a tolerance > 0")
        self.options, self.within = tuple(options), within
        self._outcome, self._explain = outcome, explain
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
        right = self._outcome(measured)
        correct = self.prediction == right if self.options else abs(self.prediction - float(right)) <= self.within
        verdict = f"you predicted {self._answer}; {self._explain(measured)}"
        return self._deliver(CORRECT if correct else INCORRECT, verdict)
