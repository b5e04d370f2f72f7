"""Argument checks that fail early with a message a reader can act on, instead of a deep torch traceback.

Numbers arrive from notebooks as Python or NumPy scalars (a slider, `np.linspace`, `np.float64`): both are
accepted and turned into Python numbers, so nothing NumPy-typed reaches a checkpoint. Booleans are not
numbers here, although Python counts True as 1.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


def require(condition: bool, name: str, value: Any, accepted: str) -> None:
    """Raise ValueError naming the parameter, the value received and what is accepted, unless `condition` holds."""
    if not condition:
        raise ValueError(f"{name}={value!r} is not accepted: expected {accepted}")


def is_int(value: object) -> bool:
    """A Python or NumPy integer, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def is_number(value: object) -> bool:
    """A finite-or-infinite real number (Python or NumPy), not a bool and not NaN."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_) and not math.isnan(value)


def as_int(value: Any, name: str, accepted: str, low: int | None = None, high: int | None = None) -> int:
    """`value` as a Python int within [low, high] (either bound may be None), else ValueError naming `name`."""
    require(is_int(value) and (low is None or value >= low) and (high is None or value <= high), name, value, accepted)
    return int(value)


def as_float(value: Any, name: str, accepted: str, low: float | None = None, high: float | None = None) -> float:
    """`value` as a finite Python float within [low, high], else ValueError naming `name`."""
    ok = is_number(value) and math.isfinite(value)
    require(ok and (low is None or value >= low) and (high is None or value <= high), name, value, accepted)
    return float(value)
