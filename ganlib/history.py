"""A run's record: one row of statistics per training step, and every config change with the step it took effect.

Rows are built by name (`append(step, {"loss_d": ..., ...})`), never by position, so a statistic cannot
be mislabelled by reordering a tuple somewhere else. Readers (plots, the live view) take columns by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ganlib.checks import require

# what the trainer records at every step; a loop that measures fewer leaves the others NaN ("not measured")
STATS = ("loss_d", "loss_g", "d_real", "d_fake", "acc_real", "acc_fake", "grad_norm_d", "grad_norm_g")


@dataclass
class History:
    """One row per training step (columns named in STATS), plus every config change with the step it took effect."""

    steps: list[int] = field(default_factory=list)
    stats: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in STATS})
    changes: list[dict[str, Any]] = field(default_factory=list)

    def __getitem__(self, name: str) -> list[float]:
        require(name in self.stats, "name", name, f"one of {STATS}")
        return self.stats[name]

    def __len__(self) -> int:
        return len(self.steps)

    def append(self, step: int, stats: Mapping[str, float]) -> None:
        """Add the row of `step` (after the last one); names from STATS, the ones not given recorded as NaN."""
        unknown = set(stats) - set(STATS)
        require(not unknown, "stats", sorted(unknown), f"names from {STATS}")
        require(
            isinstance(step, int) and (not self.steps or step > self.steps[-1]),
            "step",
            step,
            f"an int after the last recorded step ({self.steps[-1] if self.steps else 'none yet'})",
        )
        self.steps.append(step)
        for name in STATS:
            self.stats[name].append(float(stats.get(name, math.nan)))

    def record_change(self, step: int, name: str, old: Any, new: Any) -> None:
        """Note that config field `name` went from `old` to `new` at `step`."""
        self.changes.append({"step": step, "field": name, "old": old, "new": new})

    def truncate(self, rows: int, changes: int | None = None) -> None:
        """Keep the first `rows` rows (and the first `changes` config changes, if given): a rollback."""
        require(isinstance(rows, int) and rows >= 0, "rows", rows, "an int >= 0")
        del self.steps[rows:]
        for column in self.stats.values():
            del column[rows:]
        if changes is not None:
            del self.changes[changes:]

    def keep_last(self, rows: int) -> None:
        """Drop all but the last `rows` rows, to bound memory in a long run; config changes are all kept."""
        require(isinstance(rows, int) and rows >= 0, "rows", rows, "an int >= 0")
        excess = len(self.steps) - rows
        if excess > 0:
            del self.steps[:excess]
            for column in self.stats.values():
                del column[:excess]

    def copy(self) -> History:
        """An independent copy: safe to read while the original grows in another thread."""
        return History.from_state_dict(self.state_dict())

    def state_dict(self) -> dict[str, Any]:
        return {
            "steps": list(self.steps),
            "stats": {name: list(column) for name, column in self.stats.items()},
            "changes": [dict(change) for change in self.changes],
        }

    def check_consistent(self, step: int) -> None:
        """ValueError unless the rows are increasing steps up to `step`, each with one value of every statistic: a
        checkpoint's history that is not would load and then fail at the next sync, half appended."""
        steps_ok = all(isinstance(s, int) and s >= 1 for s in self.steps) and self.steps[-1:] <= [step]
        steps_ok = steps_ok and all(a < b for a, b in zip(self.steps, self.steps[1:], strict=False))
        require(steps_ok, "history", f"steps {self.steps[:3]}...{self.steps[-3:]}", f"increasing steps in [1, {step}]")
        lengths = {name: len(column) for name, column in self.stats.items()}
        require(
            sorted(lengths) == sorted(STATS) and set(lengths.values()) <= {len(self.steps)},
            "history",
            f"{len(self.steps)} steps and statistics {lengths}",
            f"one value of each of {STATS} per step",
        )

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> History:
        return cls(list(state["steps"]), {k: list(v) for k, v in state["stats"].items()}, list(state["changes"]))
