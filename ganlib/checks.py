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
import torch
from torch import nn


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


def check_networks_fit(generator: nn.Module, discriminator: nn.Module, data: Any) -> None:
    """ValueError unless G, D and a data sampler fit together: the sample shape, the classes, the sampler's API."""
    require(
        isinstance(generator, nn.Module) and isinstance(getattr(generator, "z_dim", None), int),
        "generator",
        type(generator).__name__,
        "an nn.Module with an int attribute z_dim",
    )
    require(isinstance(discriminator, nn.Module), "discriminator", type(discriminator).__name__, "an nn.Module")
    require(
        callable(getattr(data, "sample", None)) and hasattr(data, "to"),
        "data",
        type(data).__name__,
        "a sampler with sample(n, generator) and to(device), see ganlib.data",
    )
    n_classes = getattr(generator, "n_classes", 0)
    require(
        getattr(discriminator, "n_classes", 0) == n_classes,
        "discriminator",
        f"n_classes={getattr(discriminator, 'n_classes', 0)}",
        f"n_classes={n_classes}, as the generator's",
    )
    probe, labels = data.to("cpu").sample(2, torch.Generator().manual_seed(0))
    for name, module, attribute in (
        ("generator", generator, "out_shape"),
        ("discriminator", discriminator, "in_shape"),
    ):
        shape = getattr(module, attribute, None)
        require(
            shape is None or tuple(probe.shape[1:]) == tuple(shape),
            name,
            f"{attribute}={shape}",
            f"the data's sample shape {tuple(probe.shape[1:])}",
        )
    data_classes = getattr(data, "n_classes", None if labels is None else n_classes)
    require(
        not n_classes or (labels is not None and data_classes is not None and data_classes <= n_classes),
        "data",
        f"{type(data).__name__} with {'no labels' if labels is None else f'{data_classes} classes'}",
        f"a labelled data set with at most n_classes={n_classes} classes, for conditional networks",
    )
