"""Argument checks that fail early with a message a reader can act on, instead of a deep torch traceback.

Numbers arrive from notebooks as Python or NumPy scalars (a slider, `np.linspace`, `np.float64`): both are
accepted and turned into Python numbers, so nothing NumPy-typed reaches a checkpoint. Booleans are not
numbers here, although Python counts True as 1.
"""

from __future__ import annotations

import argparse
import math
import numbers
from collections.abc import Callable
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


# ----- tensors ------------------------------------------------------------------------------------------------------
# Two kinds of check, by cost. Shapes and dtypes are read from a tensor's metadata, free on any device: every public
# function checks them, training steps and forward passes included. Values (NaN, a pixel range) need the tensor's
# contents, a device sync on a GPU: they are checked once at a function's boundary (an evaluation, a run's data),
# never inside a step that a training loop repeats. Label ranges are the one exception, and only where the labels
# already sit on the CPU (check_labels): there reading them costs microseconds, and an out-of-range label would
# otherwise index out of bounds deep inside torch.

IMAGE_SHAPE = (1, 28, 28)  # an MNIST digit: what the DCGANs, the classifier and the completion task take
PIXEL_RANGE_HINTS = {(-1.0, 1.0): "for 0..255 images: x / 127.5 - 1", (0.0, 1.0): "for 0..255 images: x / 255"}


def describe(value: Any) -> object:
    """A tensor by its shape and dtype (its values would flood a message), anything else as it is."""
    if isinstance(value, torch.Tensor):
        return f"tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    return value


def check_tensor(
    x: Any,
    name: str,
    shape: tuple[int | None, ...],
    floating: bool = True,
    min_rows: int = 1,
    accepted: str | None = None,
) -> None:
    """ValueError unless `x` is a tensor of `shape` (None: any size) with at least `min_rows` rows (its first
    dimension), of a float dtype (an integer one if not `floating`; never bool). Metadata only: no device sync.
    `accepted` says what is expected in the caller's words (default: the shape, dtype and rows)."""
    if accepted is None:
        dims = ", ".join(("n" if i == 0 else "d") if size is None else str(size) for i, size in enumerate(shape))
        rows = f"{min_rows} row{'' if min_rows == 1 else 's'}"
        kind = "float" if floating else "integer"
        accepted = f"a {kind} tensor of shape ({dims}{',' if len(shape) == 1 else ''}) with at least {rows}"
    ok = isinstance(x, torch.Tensor) and x.ndim == len(shape) and x.dtype != torch.bool and not x.is_complex()
    ok = ok and all(size is None or size == actual for size, actual in zip(shape, x.shape, strict=True))
    require(ok and x.is_floating_point() == floating and len(x) >= min_rows, name, describe(x), accepted)


def check_finite(x: torch.Tensor, name: str) -> None:
    """ValueError unless every value of `x` is finite (a device sync: for boundaries, not training steps)."""
    require(bool(torch.isfinite(x).all()), name, "a tensor holding NaN or inf", "finite values (a diverged run?)")


def check_rows(x: Any, name: str, dim: int | None = None, min_rows: int = 1, like: str = "") -> None:
    """ValueError unless `x` is (n >= min_rows, dim) finite floats: features, latent vectors, points to cluster.
    `like` names the argument whose width `dim` is, for the message."""
    width = "d" if dim is None else f"{dim}{', like ' if like else ''}{like}"
    accepted = f"a (n >= {min_rows}, {width}) tensor of floats"
    check_tensor(x, name, (None, dim), min_rows=min_rows, accepted=accepted)
    check_finite(x, name)


def as_rows(x: Any, name: str, dim: int | None = None, like: str = "") -> torch.Tensor:
    """`x` (n, ...), rows or images, flattened to (n, d) rows and checked by check_rows: for distance searches."""
    require(isinstance(x, torch.Tensor) and x.ndim >= 2, name, describe(x), "(n, d) rows or (n, ...) images")
    rows = x.flatten(1)
    check_rows(rows, name, dim, like=like)
    return rows


def check_images(
    images: Any,
    name: str = "images",
    shape: tuple[int, ...] = IMAGE_SHAPE,
    pixel_range: tuple[float, float] = (-1.0, 1.0),
    min_count: int = 1,
) -> None:
    """ValueError unless `images` are (n >= min_count, *shape) finite floats within `pixel_range`.

    The common mistakes: pixels in 0..255 or 0..1 (a network or classifier then sees saturated images, every one
    read alike), or NaN from a diverged generator.
    """
    check_tensor(images, name, (None, *shape), min_rows=min_count)
    check_finite(images, name)
    low, high = float(images.min()), float(images.max())
    lo, hi = pixel_range
    require(
        low >= lo - 1e-3 and high <= hi + 1e-3,
        name,
        f"pixels in [{low:.3g}, {high:.3g}]",
        f"pixels in [{lo:g}, {hi:g}] ({PIXEL_RANGE_HINTS.get(pixel_range, 'rescale them')})",
    )


def check_labels(y: object, n: int | None, n_classes: int | None, name: str = "y") -> None:
    """Class labels: a 1D integer tensor (of length n, if given) of classes in [0, n_classes) (>= 0 if n_classes is
    None); ValueError naming `name` otherwise. The range is read on the CPU only, where it costs no device sync."""
    ok = isinstance(y, torch.Tensor) and y.ndim == 1 and (n is None or len(y) == n)
    require(
        ok and not y.is_floating_point() and y.dtype != torch.bool,
        name,
        describe(y),
        f"({'n' if n is None else n},) integer class labels",
    )
    if y.device.type == "cpu" and len(y):
        low, high = int(y.min()), int(y.max())
        accepted = "labels >= 0" if n_classes is None else f"labels in [0, {n_classes})"
        require(low >= 0 and (n_classes is None or high < n_classes), name, f"labels in [{low}, {high}]", accepted)


def check_classes_present(labels: torch.Tensor, n_classes: int, name: str = "labels") -> torch.Tensor:
    """The count of each class 0..n_classes-1 among CPU `labels` (checked by check_labels), ValueError if one has
    none: a per-class share, or a few examples of each class, needs every class."""
    counts = torch.bincount(labels, minlength=n_classes)
    missing = (counts == 0).nonzero().flatten().tolist()
    accepted = f"at least one example of each of the {n_classes} classes"
    require(not missing, name, f"no example of classes {missing[:10]}", accepted)
    return counts


def labels_on_cpu(y: object) -> object:
    """`y` on the CPU if it is a tensor, for check_labels to read its range: callers outside the training step
    (sampling, evaluation, clustering) can afford the copy."""
    return y.cpu() if isinstance(y, torch.Tensor) else y


# ----- other arguments ----------------------------------------------------------------------------------------------


def as_seed(value: Any, name: str = "seed") -> int:
    """A seed as a Python int in [0, 2**63): what torch.Generator.manual_seed takes, NumPy integers included."""
    return as_int(value, name, "an int in [0, 2**63)", 0, 2**63 - 1)


def check_instance(value: Any, name: str, kind: type | tuple[type, ...], accepted: str) -> None:
    """ValueError unless `value` is an instance of `kind` (a network, a trainer, a torch.Generator...)."""
    plain = isinstance(value, int | float | str | type(None))  # shown as it is; anything else by its type's name
    require(isinstance(value, kind), name, value if plain else type(value).__name__, accepted)


def number_option(kind: type[int] | type[float], low: float, high: float | None = None) -> Callable[[str], Any]:
    """An argparse `type` for a finite int or float option within [low, high]: `--threads 0` stops with a usage
    error naming the option (and what it accepts), instead of a traceback from deep inside torch."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < low or (high is not None and value > high):
            within = f">= {low:g}" if high is None else f"in [{low:g}, {high:g}]"
            raise argparse.ArgumentTypeError(f"{text!r} is not accepted: expected {kind.__name__} {within}")
        return value

    return parse


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
