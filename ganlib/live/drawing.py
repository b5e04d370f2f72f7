"""Data the reader draws: points placed on the 2D view become the centres of a Gaussian mixture the trainer samples.

As in GAN Lab, the reader makes the distribution; here it is a mixture of small Gaussians, one per point, so
everything measured on the ring (modes covered, the warnings, the divergence) works on a drawing as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from ganlib.checks import is_number, require
from ganlib.data import GaussianMixture

DRAWN_STD = 0.1  # each point's spread: a visible blob at the ring's scale, yet narrow enough to count as a mode
MAX_POINTS = 200  # a drawing of more points is a stroke dragged too long; the view stops adding at this many


def drawn_mixture(
    points: Sequence[Sequence[float]], window: tuple[float, float], device: torch.device | str = "cpu"
) -> GaussianMixture:
    """The mixture the trainer samples for the `points` (x, y) drawn inside the square `window` (lo, hi)."""
    require(
        isinstance(points, Sequence) and 1 <= len(points) <= MAX_POINTS,
        "points",
        f"{len(points)} points" if isinstance(points, Sequence) else type(points).__name__,
        f"1 to {MAX_POINTS} (x, y) points",
    )
    lo, hi = window
    for point in points:
        ok = isinstance(point, Sequence) and len(point) == 2 and all(is_number(v) and math.isfinite(v) for v in point)
        require(ok and all(lo <= v <= hi for v in point), "points", point, f"(x, y) pairs inside the window {window}")
    centres = torch.tensor([[float(x), float(y)] for x, y in points], dtype=torch.float32, device=device)
    return GaussianMixture(centres, DRAWN_STD, "drawn")
