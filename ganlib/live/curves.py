"""The whole run's training curves in bounded memory: at most `max_points` points per curve, however long it runs.

The trainer's history keeps only its last rows (the dashboard trims it), yet the live view draws the curves
from step 1. So every row passes once through `RunCurves`, which averages runs of `stride` rows into one
point; when the points fill up, neighbours merge in pairs and the stride doubles. A curve of a million steps
is then 500 to 1000 points, each the mean of its steps: noise is smoothed the way a reader's eye would.
A value measured per frame rather than per step (the divergence between p_data and p_g) is a `MeasuredCurve`.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from ganlib.checks import require
from ganlib.history import History

CURVES = ("loss_d", "loss_g", "d_real", "d_fake")  # what the live view plots: the losses and D's outputs
MAX_POINTS = 1000


class RunCurves:
    """Thinned means of the CURVES columns over the whole run; feed it with `extend` before rows are trimmed.

    The points live in one NumPy array that `arrays` copies at every frame (building arrays from lists cost the
    live view 0.15 ms a frame); the rows of the point being filled are summed as they come."""

    def __init__(self, max_points: int = MAX_POINTS) -> None:
        require(isinstance(max_points, int) and max_points >= 2 and max_points % 2 == 0, "max_points", max_points,
                "an even int >= 2")  # fmt: skip
        self.max_points, self.stride, self.last_step = max_points, 1, 0
        self._points = np.empty((max_points, 1 + len(CURVES)))  # a row per point: its last step, then each mean
        self._count = 0  # points filled
        self._sums, self._rows, self._row_step = [0.0] * len(CURVES), 0, 0  # the point being filled

    @property
    def steps(self) -> np.ndarray:
        """Each full point's last step."""
        return self._points[: self._count, 0]

    def extend(self, history: History) -> None:
        """Take the rows of `history` after the last step seen (a row seen before is never counted twice)."""
        start = bisect_right(history.steps, self.last_step)
        columns = [history[name] for name in CURVES]
        for i in range(start, len(history.steps)):
            self._sums = [total + column[i] for total, column in zip(self._sums, columns, strict=True)]
            self._rows, self._row_step = self._rows + 1, history.steps[i]
            if self._rows == self.stride:
                self._close_point()
        if len(history.steps) > start:
            self.last_step = history.steps[-1]

    def arrays(self) -> dict[str, np.ndarray]:
        """'step' and each curve as float32 arrays of equal length; the rows of a point not yet full end them."""
        points = self._points[: self._count]
        if self._rows:
            points = np.vstack([points, self._open_point()])
        columns = np.ascontiguousarray(points.T, dtype=np.float32)
        return {"step": columns[0], **{name: columns[j + 1] for j, name in enumerate(CURVES)}}

    def _open_point(self) -> list[float]:
        return [self._row_step, *(total / self._rows for total in self._sums)]

    def _close_point(self) -> None:
        self._points[self._count] = self._open_point()
        self._count += 1
        self._sums, self._rows = [0.0] * len(CURVES), 0
        if self._count == self.max_points:  # merge neighbours: half the points, each twice the steps
            pairs = self._points.reshape(self.max_points // 2, 2, -1)
            merged = pairs.mean(axis=1)
            merged[:, 0] = pairs[:, 1, 0]  # a merged point ends where its second half ended
            self._points[: self.max_points // 2] = merged
            self._count, self.stride = self.max_points // 2, self.stride * 2


class MeasuredCurve:
    """A value measured now and then (once per frame, say), in bounded memory: at most `max_points` (step, value)
    points; when full, every other point is dropped, so the curve keeps the whole run at half the density."""

    def __init__(self, name: str, max_points: int = MAX_POINTS) -> None:
        require(isinstance(max_points, int) and max_points >= 2, "max_points", max_points, "an int >= 2")
        self.name, self.max_points = name, max_points
        self.steps: list[float] = []
        self.values: list[float] = []

    def add(self, step: int, value: float) -> None:
        """Record `value` at `step`; a step not after the last one replaces nothing and is ignored."""
        if self.steps and step <= self.steps[-1]:
            return
        self.steps.append(float(step))
        self.values.append(float(value))
        if len(self.steps) > self.max_points:  # keep every other point, the newest among them
            kept = slice((len(self.steps) - 1) % 2, None, 2)
            self.steps, self.values = self.steps[kept], self.values[kept]

    def arrays(self) -> dict[str, np.ndarray]:
        """'<name>_step' and '<name>' as float32 arrays."""
        return {f"{self.name}_step": np.asarray(self.steps, np.float32), self.name: np.asarray(self.values, np.float32)}
