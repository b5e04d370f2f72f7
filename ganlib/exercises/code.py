"""Code exercises: the reader writes a function; the check runs it on test cases and names what is wrong.

A chapter's check is a plain function of the reader's function that raises `Mistake("...")` with a message in
plain words, or returns when every case passes. The helpers below run the reader's code (its exceptions become
sentences, never tracebacks) and read what it returned (a scalar, a tensor of a given shape).
"""

from __future__ import annotations

import dis
from collections.abc import Callable
from typing import Any

import torch

from ganlib.checks import is_number
from ganlib.exercises.core import CORRECT, INCORRECT, NOT_ATTEMPTED, Exercise, Mistake, NotAttempted, Verdict

_EMPTY_OPS = {"RESUME", "NOP", "CACHE", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST"}


def is_stub(answer: Any) -> bool:
    """None, `...`, or a function whose body does nothing (a docstring, `...`, `pass`): nothing written yet."""
    if answer is None or answer is Ellipsis:
        return True
    code = getattr(answer, "__code__", None)
    if code is None:
        return False
    instructions = list(dis.get_instructions(code))
    constants_only = all(i.opname != "LOAD_CONST" or i.argval is None for i in instructions)
    return constants_only and all(i.opname in _EMPTY_OPS for i in instructions)


def _copy(value: Any) -> Any:
    """A copy of a tensor argument, so a reader's in-place change cannot spoil the next case (gradients still flow
    back to the original)."""
    return value.clone() if isinstance(value, torch.Tensor) else value


def call(function: Callable, *args: Any, when: str = "") -> Any:
    """`function(*args)` on copies of the arguments; NotImplementedError means not attempted, any other exception
    becomes a Mistake that names it (and `when`: the case it was called on)."""
    try:
        return function(*(_copy(a) for a in args))
    except NotImplementedError as error:
        raise NotAttempted(str(error)) from None
    except Exception as error:  # the reader's code: any failure is reported in words, never as a traceback
        case = f" {when}" if when else ""
        raise Mistake(f"your function raised {type(error).__name__}{case}: {error}") from None


def _shape(shape: tuple[int, ...]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else str(tuple(shape))


def tensor(value: Any, shape: tuple[int, ...], what: str = "your result", finite: bool = True) -> torch.Tensor:
    """`value` as a tensor of `shape` (() for a scalar), finite unless told otherwise, else a Mistake saying what
    it is instead."""
    if isinstance(value, int | float) and not isinstance(value, bool) and shape == ():
        value = torch.tensor(float(value))
    if not isinstance(value, torch.Tensor):
        raise Mistake(f"{what} is of type {type(value).__name__}, but a torch tensor is expected")
    if shape == () and value.numel() == 1:
        value = value.reshape(())
    if tuple(value.shape) != tuple(shape):
        expected = "a scalar (one number for the whole batch)" if shape == () else f"shape {_shape(shape)}"
        raise Mistake(f"{what} has shape {_shape(tuple(value.shape))} but {expected} is expected")
    if finite and not torch.isfinite(value).all():
        raise Mistake(f"{what} contains nan or inf")
    return value


def number(value: Any, what: str = "your result") -> float:
    """`value` (a Python or NumPy number, or a tensor holding one) as a float, else a Mistake saying what it is."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if not is_number(value):
        raise Mistake(f"{what} should be one number, but it is {value!r}")
    return float(value)


def close(a: torch.Tensor, b: torch.Tensor, tolerance: float = 1e-4) -> bool:
    """Equal to within `tolerance`, relative to the size of `b` (and absolute near 0)."""
    return bool(torch.allclose(a.detach().double(), b.detach().double(), rtol=tolerance, atol=tolerance))


class CodeExercise(Exercise):
    """The reader writes a function; `check(function)` runs `checks` on it (see the module's docstring)."""

    def __init__(
        self,
        title: str,
        checks: Callable[[Callable], None],
        hints: tuple[str, ...],
        solution: str,
        reason: str,
        praise: str = "",
    ) -> None:
        super().__init__(title, hints, solution, reason)
        self._checks, self.praise = checks, praise

    def check(self, answer: Any) -> Verdict:
        """Run the reader's function on the test cases: correct, incorrect (saying why) or not attempted."""
        if is_stub(answer):
            return self._deliver(NOT_ATTEMPTED, "write the function in this cell, then run the cell again.")
        if not callable(answer):
            return self._deliver(
                INCORRECT, f"a function is expected (`def ...`), but this is of type {type(answer).__name__}"
            )
        try:
            self._checks(answer)
        except NotAttempted as stub:
            return self._deliver(NOT_ATTEMPTED, f"your function still raises NotImplementedError ({stub}).")
        except Mistake as mistake:
            return self._deliver(INCORRECT, str(mistake))
        except Exception as error:  # what the reader returned defeated a check: say so instead of a traceback
            return self._deliver(
                INCORRECT, f"your function's result could not be used: {type(error).__name__}: {error}"
            )
        return self._deliver(CORRECT, self.praise or "every test case passes.")
