"""One call that fixes every random number generator a run touches."""

from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA), e.g. before building networks so their init is fixed."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
