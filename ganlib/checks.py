"""Argument checks that fail early with a message a reader can act on, instead of a deep torch traceback."""

from __future__ import annotations

from typing import Any


def require(condition: bool, name: str, value: Any, accepted: str) -> None:
    """Raise ValueError naming the parameter, the value received and what is accepted, unless `condition` holds."""
    if not condition:
        raise ValueError(f"{name}={value!r} is not accepted: expected {accepted}")
