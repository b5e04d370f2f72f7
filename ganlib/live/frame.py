"""One frame of the live view as data: what the models do now and the run's curves, computed once per frame.

A frame's numbers all belong to one step: the view is computed from the networks as they were between two
steps (by the training thread, or by the frame process from a copy of their weights: ganlib.live.capture),
and whatever shows it (the browser view, the still figure, the readout) draws from it and never asks the trainer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import torch

from ganlib.config import TrainConfig
from ganlib.data import GaussianMixture
from ganlib.divergence import first_non_finite
from ganlib.evaluation.densities import Curves1D, density_curves_1d
from ganlib.evaluation.plane import Field2D, field_2d, generator_manifold
from ganlib.evaluation.sampling import fixed_samples
from ganlib.history import History
from ganlib.live.curves import RunCurves
from ganlib.train import Trainer

GRID_SAMPLES = 64  # fixed-noise images in the MNIST view, an 8 x 8 grid
HEATMAP_RESOLUTION = 32  # D on a 32 x 32 grid: the browser interpolates it smoothly, at 40% of the cost of 50 x 50
LAYERS = ("real", "fake", "heatmap", "arrows", "manifold")  # what the 2D view can show, each switched on or off
View = Field2D | Curves1D | torch.Tensor  # 2D and 1D mixtures; for images (GRID_SAMPLES, 1, 28, 28) on the CPU


@dataclass(frozen=True)
class LiveFrame:
    """The trainer at one step: its data view, its settings, the recent history and the whole run's curves.

    `problem` says why there is no view (`view` is None then): G's or D's weights hold NaN or inf."""

    step: int
    view: View | None
    history: History  # the recent rows, as the trainer keeps them
    config: TrainConfig
    curves: dict[str, np.ndarray]  # 'step' and each curve since step 1, thinned; 'js_step' and 'js' where measured
    manifold: torch.Tensor | None = None  # 2D data, z_dim <= 2, layer shown: G's image of a z grid (rows, cols, 2)
    problem: str | None = None


def capture_view(
    trainer: Trainer,
    layers: Collection[str] = LAYERS,
    keep_coverage: Field2D | None = None,
    limits: tuple[float, float] | None = None,
) -> tuple[View | None, torch.Tensor | None, str | None]:
    """(view, manifold, problem) of `trainer` now: what the picture shows of the data, computed from its networks.

    Call it between two steps (the thread that trains, a paused trainer, or a frozen copy). The manifold is
    computed only when `layers` shows it. `keep_coverage`: a recent field whose mode coverage and divergence
    (2D) to keep rather than measure again (see field_2d); `limits`: the 2D window (default: the data's).
    """
    problem = broken_networks(trainer)
    if problem is not None:
        return None, None, problem
    data, manifold = trainer.data, None
    if isinstance(data, GaussianMixture) and data.dim == 2:
        kept = keep_coverage if isinstance(keep_coverage, Field2D) else None
        view = field_2d(
            trainer, n_shown=400, n_arrows=60, resolution=HEATMAP_RESOLUTION, keep_coverage=kept, limits=limits
        )
        if "manifold" in layers:
            manifold = generator_manifold(trainer)
    elif isinstance(data, GaussianMixture) and data.dim == 1:
        view = density_curves_1d(trainer, n=2000)
    else:
        view = fixed_samples(trainer, GRID_SAMPLES).cpu()
    return view, manifold, None


def broken_networks(trainer: Trainer) -> str | None:
    """What to say instead of a picture when G's or D's weights hold NaN or inf (None when both are finite).

    Both networks in one check: a frame asks it every time."""
    name = first_non_finite((net, tensor) for net in ("G", "D") for tensor in getattr(trainer, net).parameters())
    if name is None:
        return None
    player = "the generator" if name == "G" else "the discriminator"
    return (
        f"{name}'s weights hold NaN or inf: {player} diverged, so there is nothing to draw. "
        "Lower the learning rates and press reset"
    )


def capture_frame(
    trainer: Trainer,
    curves: RunCurves | None = None,
    layers: Collection[str] = LAYERS,
    keep_coverage: LiveFrame | None = None,
    limits: tuple[float, float] | None = None,
) -> LiveFrame:
    """What the live view shows of `trainer` now, computed in the calling thread (see capture_view).

    `curves` (brought up to this step here) keeps the whole run; without it the curves are the history's rows.
    `keep_coverage`: a recent frame whose mode coverage (2D) to keep rather than measure again.
    """
    kept = keep_coverage.view if keep_coverage is not None else None
    view, manifold, problem = capture_view(trainer, layers, kept, limits)
    history = trainer.history.copy()
    curves = RunCurves() if curves is None else curves
    curves.extend(history)
    return LiveFrame(trainer.step, view, history, trainer.config, curves.arrays(), manifold, problem)
