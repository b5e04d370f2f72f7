"""The optimizers a trainer offers, and how a learning-rate change reaches one without losing its moments."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from ganlib.checks import require
from ganlib.config import OPTIMIZERS, TrainConfig


def make_optimizer(
    name: str, params: Iterable[nn.Parameter], lr: float, betas: tuple[float, float], fused: bool = False
) -> torch.optim.Optimizer:
    """Adam (with the config's betas), plain SGD or RMSprop; `fused`: one kernel for all of Adam's updates."""
    require(name in OPTIMIZERS, "optimizer", name, f"one of {OPTIMIZERS}")
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, fused=fused)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    return torch.optim.RMSprop(params, lr=lr)


def retune(optimizer: torch.optim.Optimizer, lr: float, betas: tuple[float, float]) -> None:
    """Set a new learning rate (and Adam's betas) in place: the optimizer keeps its moments."""
    for group in optimizer.param_groups:
        group["lr"] = lr
        if "betas" in group:
            group["betas"] = betas


def make_optimizers(
    config: TrainConfig, generator: nn.Module, discriminator: nn.Module, fused: bool = False
) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
    """G's and D's optimizers as `config` says (optimizer, learning rates, betas)."""
    return (
        make_optimizer(config.optimizer, generator.parameters(), config.lr_g, config.betas, fused),
        make_optimizer(config.optimizer, discriminator.parameters(), config.lr_d, config.betas, fused),
    )
