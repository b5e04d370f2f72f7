"""Exercises for the reader, checked in the notebook: code to write, predictions to make before a measurement.

`core` holds what they share (Verdict, hints, solution), `code` the code exercises, `prediction` the prediction
questions, `notebook` the exercise cells and CI's two copies of a notebook. One small module per chapter
(`ch01`, ...) holds that chapter's exercises: their test cases, hints and solutions.
"""

from ganlib.exercises.code import CodeExercise, is_stub
from ganlib.exercises.core import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    Exercise,
    Mistake,
    Note,
    Verdict,
    VerdictNotExpected,
    expect_verdicts,
)
from ganlib.exercises.prediction import Prediction

__all__ = [
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "CodeExercise",
    "Exercise",
    "Mistake",
    "Note",
    "Prediction",
    "Verdict",
    "VerdictNotExpected",
    "expect_verdicts",
    "is_stub",
]
