"""A trainer's state, and checkpoints of it that survive a crash: written to a temporary file, synced, then renamed.

The state is what a run needs to continue bit for bit: weights (and G's moving average), optimizer moments,
the random generator, the step and the config. The divergence guard keeps the same state in memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from ganlib.config import FastPath, TrainConfig
from ganlib.optimizers import make_optimizers
from ganlib.remedies import ema_for


class Trainable(Protocol):
    """What a training state is made of: the attributes of a `ganlib.Trainer` that a checkpoint reads and writes."""

    G: nn.Module
    D: nn.Module
    G_ema: nn.Module | None
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    rng: torch.Generator
    step: int
    config: TrainConfig
    fast: FastPath


def training_state(trainer: Trainable) -> dict[str, Any]:
    """The trainer's weights, optimizer moments, RNG, step and config (references: copy them to keep them)."""
    return {
        "generator": trainer.G.state_dict(),
        "discriminator": trainer.D.state_dict(),
        "generator_ema": None if trainer.G_ema is None else trainer.G_ema.state_dict(),
        "opt_g": trainer.opt_g.state_dict(),
        "opt_d": trainer.opt_d.state_dict(),
        "rng": trainer.rng.get_state(),
        "step": trainer.step,
        "config": trainer.config,
    }


def restore_training_state(trainer: Trainable, state: dict[str, Any]) -> None:
    """Put a `training_state` back into a trainer built like the one it came from."""
    trainer.G.load_state_dict(state["generator"])
    trainer.D.load_state_dict(state["discriminator"])
    trainer.config = state["config"]
    trainer.G_ema = ema_for(trainer.config.ema_decay, None, trainer.G)  # from the restored G, then the saved average
    if trainer.G_ema is not None and state.get("generator_ema") is not None:
        trainer.G_ema.load_state_dict(state["generator_ema"])
    trainer.opt_g, trainer.opt_d = make_optimizers(trainer.config, trainer.G, trainer.D, trainer.fast.fused_adam)
    trainer.opt_g.load_state_dict(state["opt_g"])
    trainer.opt_d.load_state_dict(state["opt_d"])
    trainer.rng.set_state(state["rng"])
    trainer.step = state["step"]


def save_checkpoint(state: dict[str, Any], path: str | Path) -> Path:
    """Write `state` atomically: a reader sees the old checkpoint or the new one, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)
    return path


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint onto the CPU with `weights_only=True`: tensors and plain containers, no code."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint={str(path)!r} does not exist")
    return torch.load(path, map_location="cpu", weights_only=True)
