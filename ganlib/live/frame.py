"""One frame of the live view as data: what the models do now and the run's curves, computed once per frame.

The training thread captures a frame between steps, so every number in it belongs to the same step;
whatever shows it (the browser view, the static figure, the readout) draws from it and never asks the trainer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import torch

from ganlib.config import TrainConfig
from ganlib.data import GaussianMixture
from ganlib.evaluation.densities import Curves1D, density_curves_1d
from ganlib.evaluation.plane import Field2D, field_2d, generator_manifold
from ganlib.evaluation.sampling import fixed_samples
from ganlib.history import History
from ganlib.live.curves import RunCurves
from ganlib.train import Trainer

GRID_SAMPLES = 64  # fixed-noise images in the MNIST view, an 8 x 8 grid
HEATMAP_RESOLUTION = 32  # D on a 32 x 32 grid: the browser interpolates it smoothly, at 40% of the cost of 50 x 50
LAYERS = ("real", "fake", "heatmap", "arrows", "manifold")  # what the 2D view can show, each switched on or off


@dataclass(frozen=True)
class LiveFrame:
    """The trainer at one step: its data view, its settings, the recent history and the whole run's curves."""

    step: int
    view: Field2D | Curves1D | torch.Tensor  # for images: (GRID_SAMPLES, 1, 28, 28) on the CPU
    history: History  # the recent rows, as the trainer keeps them
    config: TrainConfig
    curves: dict[str, np.ndarray]  # RunCurves.arrays(): 'step' and each curve since step 1, thinned
    manifold: torch.Tensor | None = None  # 2D data, z_dim <= 2, layer shown: G's image of a z grid (rows, cols, 2)


def capture_frame(
    trainer: Trainer,
    curves: RunCurves | None = None,
    layers: Collection[str] = LAYERS,
    keep_coverage: LiveFrame | None = None,
) -> LiveFrame:
    """What the live view shows of `trainer` now: call it from the thread that trains (or while it is paused).

    `curves` (brought up to this step here) keeps the whole run; without it the curves are the history's rows.
    The manifold is computed only when `layers` shows it. `keep_coverage`: a recent frame whose mode coverage
    (2D) to keep rather than measure again (see field_2d).
    """
    data, manifold = trainer.data, None
    if isinstance(data, GaussianMixture) and data.dim == 2:
        kept = keep_coverage.view if keep_coverage is not None and isinstance(keep_coverage.view, Field2D) else None
        view = field_2d(trainer, n_shown=400, n_arrows=60, resolution=HEATMAP_RESOLUTION, keep_coverage=kept)
        if "manifold" in layers:
            manifold = generator_manifold(trainer)
    elif isinstance(data, GaussianMixture) and data.dim == 1:
        view = density_curves_1d(trainer, n=2000)
    else:
        view = fixed_samples(trainer, GRID_SAMPLES).cpu()
    history = trainer.history.copy()
    curves = RunCurves() if curves is None else curves
    curves.extend(history)
    return LiveFrame(trainer.step, view, history, trainer.config, curves.arrays(), manifold)
