"""One call that fixes every random number generator a run touches."""

from __future__ import annotations

import random

import numpy as np
import torch

from ganlib.checks import is_int, require


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA), e.g. before building networks so their init is fixed."""
    require(is_int(seed) and 0 <= seed < 2**32, "seed", seed, "an int in [0, 2**32) (NumPy's range)")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
