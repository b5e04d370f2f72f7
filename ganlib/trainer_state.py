"""The trainer's state kept safe between two steps: synced to the history and checked, rolled back, saved, loaded.

`Trainer` inherits these methods; `train.py` holds Algorithm 1 and the loop, and a reader of the algorithm can
skip this file. Statistics reach the history only at a host sync (every `config.log_every` steps), which is
also where the run is checked for NaN/inf (ganlib.divergence); snapshots and checkpoints (ganlib.checkpoint)
are taken between two steps, under the trainer's `StepLock`, so another thread sees one consistent state.
"""

from __future__ import annotations

import bisect
import copy
from pathlib import Path
from typing import Any

import torch

from ganlib.checkpoint import (
    Trainable,
    check_same_weights,
    checked_state,
    data_signature,
    load_checkpoint,
    restore_training_state,
    save_checkpoint,
    training_state,
)
from ganlib.checks import require
from ganlib.control import RunControl, StepLock
from ganlib.divergence import DivergenceGuard, TrainingDiverged, divergence_error
from ganlib.history import STATS, History


class TrainerState(Trainable):
    """Sync, rollback, snapshots and checkpoints of a `Trainer`; its `__init__` sets the attributes named here and
    in `Trainable` (what a checkpoint reads and writes)."""

    history: History
    lock: StepLock
    control: RunControl
    data: Any
    guard: DivergenceGuard
    _unsynced: list[dict[str, torch.Tensor]]  # per-step statistics still on the device

    def sync(self) -> None:
        """Copy unsynced rows into the history; on NaN/inf, restore the last good state and raise."""
        with self.lock.turn():
            if not self._unsynced:
                return
            rows = torch.stack([torch.stack([row[name] for name in STATS]) for row in self._unsynced]).float().cpu()
            first_step = self.step - len(rows) + 1
            self._unsynced.clear()
            where = self.guard.first_bad(rows, first_step, {"G": self.G, "D": self.D})
            if where is not None:
                raise self._roll_back(where)
            for offset, values in enumerate(rows.tolist()):
                self.history.append(first_step + offset, dict(zip(STATS, values, strict=True)))
            self.guard.remember()

    def _roll_back(self, where: str) -> TrainingDiverged:
        """Restore the last good state, record the settings it brings back, and say what preceded the divergence."""
        diverged, good_step = self.config, self.guard.last_good["step"]
        recent = [change for change in self.history.changes if change["step"] >= good_step]
        self._restore(self.guard.last_good)
        for name, value in self.config.to_dict().items():  # the rollback is a change too: keep it in the record
            if value != getattr(diverged, name):
                self.history.record_change(self.step, name, getattr(diverged, name), value)
        return divergence_error(where, diverged, recent, self.step)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue bit for bit: weights, optimizer moments, RNG, step, config, history, the
        config change queued by `update` and not yet applied, and the data set it trains on (in words).

        A consistent snapshot between two steps, copied: safe from another thread while `run` trains."""
        with self.lock.turn():
            self.sync()
            pending = self.control.pending
            state = {
                **training_state(self),
                "config": self.config.to_dict(),
                "history": self.history.state_dict(),
                "pending_config": None if pending is None else pending.to_dict(),
                "data": data_signature(self.data),
            }
            return copy.deepcopy(state)

    def load_state_dict(self, state: dict[str, Any], allow_other_data: bool = False) -> None:
        """Restore a state from `state_dict` into this trainer's (identically built) networks: all of it or nothing.

        A state from a differently built trainer (other width, pack), of another data set (unless
        `allow_other_data`), with NaN or inf in its weights or moments, or with an inconsistent step or history
        raises ValueError naming the first thing wrong, and leaves this trainer as it was. A change queued with
        `update` when the state was saved is queued again (and one queued here before is dropped).
        """
        config, history, pending = checked_state(state)
        require(isinstance(allow_other_data, bool), "allow_other_data", allow_other_data, "True or False")
        theirs, mine = state.get("data", data_signature(self.data)), data_signature(self.data)
        require(
            theirs == mine or allow_other_data,
            "state",
            f"a run on {theirs!r}",
            f"a run on this trainer's data, {mine!r} (allow_other_data=True to train it on this data anyway)",
        )
        for name, module in (("generator", self.G), ("discriminator", self.D)):
            check_same_weights(name, module, state[name])
        with self.lock.turn():
            before = copy.deepcopy(training_state(self))
            try:
                self._restore({**state, "config": config})
            except Exception as err:  # noqa: BLE001 -- any failure to apply it: put everything back
                restore_training_state(self, before)
                raise ValueError(f"state does not fit this trainer, which is left as it was: {err}") from err
            self.history = history
            self.control.replace_pending(pending)
            self.guard.remember()

    def save(self, path: str | Path) -> Path:
        """Write a checkpoint atomically (temporary file + rename); safe from another thread while `run` trains."""
        return save_checkpoint(self.state_dict(), path)

    def load(self, path: str | Path, allow_other_data: bool = False) -> None:
        """Resume from a checkpoint written by `save` (loaded with weights_only=True); all of it or nothing.

        A checkpoint refused by `load_state_dict` raises ValueError naming the file and what is wrong with it."""
        state = load_checkpoint(path)
        try:
            self.load_state_dict(state, allow_other_data)
        except ValueError as err:
            raise ValueError(f"checkpoint={str(path)!r} is refused, the trainer is left as it was: {err}") from err

    def _restore(self, state: dict[str, Any]) -> None:
        """Put back a `training_state`; a rollback also drops the history rows past its step."""
        restore_training_state(self, state)
        self.history.truncate(bisect.bisect_right(self.history.steps, self.step))
        self._unsynced.clear()
