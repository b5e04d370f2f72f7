"""A trainer's state, and checkpoints of it that survive a crash: written to a temporary file, synced, then renamed.

The state is what a run needs to continue bit for bit: weights (and G's moving average), optimizer moments,
the random generator, the step and the config. The divergence guard keeps the same state in memory.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import torch
from torch import nn

from ganlib.checks import is_int, require
from ganlib.config import FastPath, TrainConfig
from ganlib.data import GaussianMixture, TensorSampler
from ganlib.history import History
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


CHECKPOINT_KEYS = ("generator", "discriminator", "opt_g", "opt_d", "rng", "step", "config", "history")
TENSOR_KEYS = ("generator", "discriminator", "generator_ema", "opt_g", "opt_d")  # what must hold finite numbers


def data_signature(data: Any) -> str:
    """What a trainer trains on, in words a checkpoint records: a run on the ring loaded into a trainer on the grid
    would train on silently, both taking the same networks."""
    if isinstance(data, GaussianMixture):
        extent = float(data.centres.abs().max())
        return f"{data.name}: {data.n_modes} Gaussians in {data.dim}D, std {data.std:g}, centres within {extent:.4g}"
    if isinstance(data, TensorSampler):
        labels = f"{data.n_classes} classes" if data.n_classes else "no labels"
        return f"{len(data.x)} samples of shape {tuple(data.x.shape[1:])}, {labels}"
    return type(data).__name__


def checked_state(state: Any) -> tuple[TrainConfig, History, TrainConfig | None]:
    """The config, history and queued change (or None) of a trainer checkpoint, after checking all of it: its keys,
    a step >= 0, a history consistent with it, and finite weights and optimizer moments (a NaN state would load and
    then stop every later run with TrainingDiverged, "restoring" the same NaN). ValueError naming what is wrong."""
    require(isinstance(state, dict), "state", type(state).__name__, "a dict from Trainer.state_dict")
    missing = set(CHECKPOINT_KEYS) - set(state)
    require(not missing, "state", f"missing keys {sorted(missing)}", "a ganlib Trainer checkpoint")
    step = state["step"]
    require(is_int(step) and step >= 0, "state", f"step {step!r}", "a step: an int >= 0")
    try:
        config = TrainConfig(**{**state["config"], "betas": tuple(state["config"]["betas"])})
        pending = state.get("pending_config")
        pending = None if pending is None else TrainConfig(**{**pending, "betas": tuple(pending["betas"])})
        history = History.from_state_dict(state["history"])
    except (TypeError, KeyError, ValueError, AttributeError) as err:
        raise ValueError(f"state holds no valid config and history: {err}") from err
    history.check_consistent(int(step))
    bad = next((where for key in TENSOR_KEYS for where in _non_finite(key, state.get(key))), None)
    accepted = "finite weights and optimizer moments (a file saved from a diverged run?)"
    require(bad is None, "state", f"NaN or inf in {bad}", accepted)
    return config, history, pending


def _non_finite(where: str, value: Any) -> Iterator[str]:
    """Where in a (nested) state value a floating-point tensor holds NaN or inf, e.g. "generator['net.0.weight']"."""
    if isinstance(value, torch.Tensor):
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(f"{where}[{key!r}]", item)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _non_finite(f"{where}[{i}]", item)


def check_same_weights(name: str, module: nn.Module, weights: Any) -> None:
    """ValueError unless `weights` are a state dict of a network built like `module`, naming the first difference."""
    require(isinstance(weights, dict), name, type(weights).__name__, "a state dict of tensors")
    mine = module.state_dict()
    unknown, absent = sorted(set(weights) - set(mine)), sorted(set(mine) - set(weights))
    require(
        not unknown and not absent,
        name,
        f"weights with {len(unknown)} unknown names {unknown[:3]} and {len(absent)} missing {absent[:3]}",
        "the weights of a network built like this trainer's (same class, width, depth, pack, minibatch_std)",
    )
    for key, value in weights.items():
        theirs = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        require(
            theirs == tuple(mine[key].shape),
            name,
            f"{key} of shape {theirs} in the checkpoint",
            f"shape {tuple(mine[key].shape)}, as in this trainer (built with another width, pack or data?)",
        )


def write_atomically(
    path: Path, write: Callable[[BinaryIO], None], check: Callable[[Path], None] | None = None
) -> Path:
    """Write a file so that a reader sees the old one or the new one, never half of it: `write` fills a temporary
    file, which is synced, passed to `check` (which may raise to keep the old file), then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # one per writer
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if check is not None:
            check(tmp)
        os.replace(tmp, path)  # atomic on POSIX and Windows
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)
    return path


def save_checkpoint(state: dict[str, Any], path: str | Path) -> Path:
    """Write `state` atomically: a reader sees the old checkpoint or the new one, never half a file."""
    require(isinstance(path, str | os.PathLike), "path", path, "a file path (str or pathlib.Path)")
    path = Path(path)
    require(not path.is_dir(), "path", str(path), "a file path, not a directory")

    def readable_with_weights_only(tmp: Path) -> None:
        # a file that weights_only=True cannot read back (a NumPy value, an object) never replaces a good one
        try:
            torch.load(tmp, map_location="cpu", weights_only=True)
        except Exception as err:  # noqa: BLE001
            raise ValueError(
                f"state cannot be saved to {str(path)!r}: it holds something other than tensors and plain Python "
                f"values, which load_checkpoint (weights_only=True) would refuse ({str(err)[:200]})"
            ) from err

    return write_atomically(path, lambda f: torch.save(state, f), readable_with_weights_only)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint onto the CPU with `weights_only=True`: tensors and plain containers, no code.

    A file that cannot be read as one (empty, truncated, text, another program's pickle) raises ValueError
    naming the file; nothing of it is applied anywhere.
    """
    require(isinstance(path, str | os.PathLike), "path", path, "a file path (str or pathlib.Path)")
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"checkpoint={str(path)!r} {what}: expected a file written by Trainer.save")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 -- torch.load fails in many ways on a bad file; each means the same
        raise ValueError(
            f"checkpoint={str(path)!r} could not be read ({type(err).__name__}: {str(err)[:200]}): "
            "an empty, truncated or foreign file? Expected a file written by Trainer.save or save_checkpoint"
        ) from err
    require(isinstance(state, dict), "checkpoint", str(path), "a file holding a dict (written by save_checkpoint)")
    return state
