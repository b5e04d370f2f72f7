"""One frame of the live view as data: what the models do now and the run's curves, computed once per frame.

The training thread captures a frame between steps, so every number in it belongs to the same step;
whatever shows it (the static figure, the readout, a browser) draws from it and never asks the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganlib.data import GaussianMixture
from ganlib.evaluation.densities import Curves1D, density_curves_1d
from ganlib.evaluation.plane import Field2D, field_2d
from ganlib.evaluation.sampling import fixed_samples
from ganlib.history import History
from ganlib.train import Trainer

GRID_SAMPLES = 64  # fixed-noise images in the MNIST view, an 8 x 8 grid


@dataclass(frozen=True)
class LiveFrame:
    """The trainer at one step: its data view (a 2D field, 1D curves or an image grid) and a copy of its history."""

    step: int
    view: Field2D | Curves1D | torch.Tensor  # for images: (GRID_SAMPLES, 1, 28, 28) on the CPU
    history: History


def capture_frame(trainer: Trainer) -> LiveFrame:
    """What the live view shows of `trainer` now: call it from the thread that trains (or while it is paused)."""
    data = trainer.data
    if isinstance(data, GaussianMixture) and data.dim == 2:
        view = field_2d(trainer, n_shown=400, n_arrows=60, resolution=50)
    elif isinstance(data, GaussianMixture) and data.dim == 1:
        view = density_curves_1d(trainer, n=2000)
    else:
        view = fixed_samples(trainer, GRID_SAMPLES).cpu()
    return LiveFrame(step=trainer.step, view=view, history=trainer.history.copy())
