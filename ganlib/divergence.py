"""Divergence: a loss or weight became NaN or infinite. The run stops with a message and keeps its last good state.

The trainer checks at every host sync (not every step: a sync stalls a fast device), so what it restores is the
state at the previous sync, and the rows since then are dropped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from ganlib.config import TrainConfig
from ganlib.history import STATS


class TrainingDiverged(RuntimeError):
    """A loss or parameter became NaN or infinite; the trainer holds its last good state."""


class DivergenceGuard:
    """Keeps a private copy of the last state in which every statistic and weight was finite."""

    def __init__(self, capture: Callable[[], dict[str, Any]]) -> None:
        self._capture = capture
        self.last_good: dict[str, Any] = {}
        self.remember()

    def remember(self) -> None:
        """Copy the current state as the last good one (a deep copy: training goes on changing the original)."""
        self.last_good = deep_copy(self._capture())

    @staticmethod
    def first_bad(rows: torch.Tensor, first_step: int, networks: dict[str, nn.Module]) -> str | None:
        """Where the run first went non-finite ('loss_d at step 12', 'parameter G.net.0.weight'), or None.

        `rows`: (steps, len(STATS)) statistics of the steps first_step, first_step + 1, ...
        """
        finite = torch.isfinite(rows)
        bad_rows = (~finite.all(dim=1)).nonzero()
        if len(bad_rows):
            row = int(bad_rows[0, 0])
            column = int((~finite[row]).nonzero()[0, 0])
            return f"{STATS[column]} at step {first_step + row}"
        tensors = ((f"{prefix}.{name}", t) for prefix, net in networks.items() for name, t in net.state_dict().items())
        name = first_non_finite(tensors)
        return None if name is None else f"parameter {name}"


def first_non_finite(named: Iterable[tuple[str, torch.Tensor]]) -> str | None:
    """The name of the first floating-point tensor that holds NaN or inf, or None when all are finite.

    One check on the tensors' sums first (a NaN or inf makes its tensor's sum one), and a look at each tensor only
    when it fails (a sum may also overflow): the trainer asks at every sync and the live view at every frame, and a
    check per tensor cost 0.3-0.5 ms each time."""
    tensors = [(name, tensor.detach()) for name, tensor in named if tensor.is_floating_point()]
    if not tensors or bool(torch.isfinite(torch.stack([tensor.sum().float() for _, tensor in tensors])).all()):
        return None
    return next((name for name, tensor in tensors if not bool(torch.isfinite(tensor).all())), None)


def divergence_error(where: str, config: TrainConfig, changes: list[dict[str, Any]], step: int) -> TrainingDiverged:
    """The error a reader sees: what went non-finite, the config changes just before, the settings it ran with."""
    after = "; ".join(f"{c['field']} {c['old']} -> {c['new']} at step {c['step']}" for c in changes)
    return TrainingDiverged(
        f"training diverged: {where} is NaN or infinite"
        + (f", after the change of {after}" if changes else "")
        + f". The trainer holds the last good state (step {step}"
        + (", with the settings from before that change; history.changes records both" if changes else "")
        + f"). It ran with lr_d={config.lr_d}, lr_g={config.lr_g}, optimizer={config.optimizer}, "
        f"loss={config.loss}: lower the learning rates or switch the loss, then run again."
    )


def deep_copy(value: Any) -> Any:
    """copy.deepcopy, but tensors are cloned directly: a trainer's state holds dozens of small tensors, and deepcopy's
    per-tensor machinery made remembering the ring's state 1.3 ms, at every sync (30 a second)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        copied = type(value)((key, deep_copy(item)) for key, item in value.items())
        if hasattr(value, "_metadata"):  # a module's state_dict: the versions load_state_dict reads
            copied._metadata = copy.deepcopy(value._metadata)
        return copied
    if type(value) in (list, tuple):
        return type(value)(deep_copy(item) for item in value)
    return copy.deepcopy(value)
