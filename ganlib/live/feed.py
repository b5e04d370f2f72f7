"""From a trainer's state to the frames the reader sees, and the run's measurements kept on the way.

A frame's view is computed by the frame process while training goes on (`request`, then `collect` a chunk
later: ganlib.live.capture), or in the calling thread (`capture`) where that process cannot help: headless,
before it has started, for a paused dashboard's one-off frame. Either way the frame carries the history and the
curves as they were at its own step. The feed also keeps what the frames measured over the whole run: the JS
divergence curve and the modes covered (the live challenges read those: ganlib.live.challenges).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Collection

from ganlib.config import TrainConfig
from ganlib.evaluation.densities import Curves1D
from ganlib.evaluation.plane import Field2D
from ganlib.history import History
from ganlib.live.capture import FrameProcess, frame_request, shared_process
from ganlib.live.curves import MeasuredCurve, RunCurves
from ganlib.live.frame import LiveFrame, capture_view
from ganlib.train import Trainer

COVERAGE_SECONDS = 0.5  # modes and divergence are measured again at most this often: 2,500 samples cost the most
MAX_COVERAGE_LOG = 20_000  # coverage changes kept for the challenges (a change at most every COVERAGE_SECONDS)


class FrameFeed:
    """The frames of one dashboard, and what they measured. Thread-safe: the training thread and the frame thread
    both use it (a caller that holds the trainer's lock takes it first)."""

    def __init__(self, key: int, use_process: bool) -> None:
        self.key, self.use_process = key, use_process
        self._lock = threading.RLock()
        self.last_frame: LiveFrame | None = None  # the newest frame made
        self.build = 0  # counts the trainers fed (a rebuild sends the frame process new networks)
        self._sent_build, self._sent_data = None, None  # what the frame process holds
        self._number = 0  # requests sent
        self.restart()

    def restart(self) -> None:
        """A new trainer: its curves and measurements start again."""
        with self._lock:
            self._restart()

    def _restart(self) -> None:
        self.build += 1
        self.curves = RunCurves()
        self._new_data()
        self._pending: dict[int, tuple[int, History, dict, TrainConfig]] = {}  # request: build, history, curves, config

    def new_data(self) -> None:
        """The trainer samples other data (drawn by the reader): what was measured against the old data goes."""
        with self._lock:
            self._new_data()

    def _new_data(self) -> None:
        self.js = MeasuredCurve("js")  # JS(p_data, p_g) in nats, as measured by the frames
        self.coverage_log: list[tuple[int, int, int]] = []  # (step, modes covered, of how many) when it changed
        self.last_frame, self._coverage_at = None, -math.inf

    def take_rows(self, history: History) -> None:
        """Every history row passes here before the dashboard trims the history: the whole run's curves."""
        with self._lock:
            self.curves.extend(history)

    @property
    def process(self) -> FrameProcess | None:
        """The frame process when it can take requests now (started on first use), else None."""
        process = shared_process() if self.use_process else None
        return process if process is not None and process.ready else None

    def capture(self, trainer: Trainer, layers: Collection[str], limits: tuple[float, float] | None) -> LiveFrame:
        """A frame of `trainer` now, computed here (call between two steps)."""
        with self._lock:
            keep = self._coverage_fresh()
            view, manifold, problem = capture_view(trainer, layers, self.last_frame.view if keep else None, limits)
            history = trainer.history.copy()
            return self._finish(LiveFrame(trainer.step, view, history, trainer.config, self._curves(history), manifold,
                                      problem))  # fmt: skip

    def request(self, trainer: Trainer, layers: Collection[str], limits: tuple[float, float] | None) -> bool:
        """Ask the frame process for a frame of `trainer` now; False if it cannot take one. What the frame needs is
        copied between two steps (under the trainer's lock), and sent while training goes on: a send waits for the
        process to read it, which may take as long as the frame before it."""
        process = self.process
        if process is None or process.busy(self.key):
            return False
        with trainer.lock.turn(), self._lock:
            count = not self._coverage_fresh()
            new_build, new_data = self._sent_build != self.build, self._sent_data is not trainer.data
            self._number += 1
            request = frame_request(self.key, self._number, self.build, trainer, layers, count, limits, new_build,
                                    new_data)  # fmt: skip
            history = trainer.history.copy()
            pending, data = (self.build, history, self._curves(history), trainer.config), trainer.data
        if not process.submit(request):
            return False
        with self._lock:
            self._sent_build, self._sent_data = pending[0], data
            self._pending[request.number] = pending
        return True

    def collect(self) -> LiveFrame | None:
        """The frame requested last, once the process has made it (None until then)."""
        process = shared_process() if self.use_process else None
        result = process.collect(self.key) if process is not None else None
        if result is None:
            return None
        number, build, step, view, manifold, problem = result
        with self._lock:
            pending = self._pending.pop(number, None)
            for older in [n for n in self._pending if n < number]:  # answered out of order, or never: not shown
                del self._pending[older]
            if pending is None or pending[0] != build or build != self.build:
                return None  # a frame of the trainer before a rebuild: dropped
            if self.last_frame is not None and step < self.last_frame.step:
                return None  # made before a frame already shown (asked for before a pause)
            _, history, curves, config = pending
            return self._finish(LiveFrame(step, view, history, config, curves, manifold, problem))

    def _coverage_fresh(self) -> bool:
        return self.last_frame is not None and time.perf_counter() - self._coverage_at < COVERAGE_SECONDS

    def _curves(self, history: History) -> dict:
        self.curves.extend(history)
        return {**self.curves.arrays(), **self.js.arrays()}

    def _finish(self, frame: LiveFrame) -> LiveFrame:
        """Record what `frame` measured; it becomes the last frame."""
        view = frame.view
        if isinstance(view, Field2D) and view.coverage_step == frame.step:
            self.js.add(frame.step, view.js)
            covered = view.coverage.modes_covered, view.coverage.n_modes
            changed = not self.coverage_log or self.coverage_log[-1][1:] != covered
            if frame.step > 0 and changed:  # an untrained G's count is no part of the game
                self.coverage_log.append((frame.step, *covered))
                del self.coverage_log[:-MAX_COVERAGE_LOG]
            self._coverage_at = time.perf_counter()
        elif isinstance(view, Curves1D):
            self.js.add(frame.step, view.js)
        frame.curves.update(self.js.arrays())  # with this frame's own measurement
        self.last_frame = frame
        return frame
