"""What a dashboard's training thread does: build the trainer, train chunk after chunk, run the buttons' commands.

`Dashboard` inherits these methods (a reader of its controls can skip this file). The training thread is the only
one that changes the trainer: a rebuild (reset, another data set, the networks' sizes), the data drawn by the
reader, a step of one player alone all run there, between two chunks of training; while the frame thread streams,
a chunk is about STREAM_CHUNK_SECONDS long and a command stops it after its current step.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import torch

from ganlib.config import TrainConfig
from ganlib.data import GaussianMixture, make_sampler
from ganlib.divergence import TrainingDiverged
from ganlib.evaluation.plane import plane_limits
from ganlib.live.challenges import Progress, evaluate, keep_best
from ganlib.live.controls import NETWORK_FIELDS, live_values, network_options
from ganlib.live.drawing import drawn_mixture
from ganlib.live.showing import FrameShowing
from ganlib.live.worker import TrainingThread
from ganlib.recipes import live_trainer

SLOW_MOTION_SECONDS = 1.0  # one training step per this many seconds in slow motion
STREAM_CHUNK_SECONDS = 1.0  # training chunks while the frame thread streams: commands interrupt them
PROGRESS_EVERY = 1000  # steps between updates of the challenges' best so far (at most half the history window)


class Training(FrameShowing):
    """The training half of a `Dashboard`; its `__init__` sets the attributes named here and in FrameShowing."""

    controls: dict[str, Any]
    worker: TrainingThread
    status: Any  # ipywidgets.HTML
    device: Any
    seed: int
    dataset: str
    history_window: int
    progress: dict[str, Progress]
    error: BaseException | None
    steps_per_frame: int
    _alone: dict[str, int]
    _progress_at: int

    def _build(self, dataset: str, config: TrainConfig) -> None:
        """A fresh trainer on `dataset` (with the networks' sizes on the controls, and the drawing if there is one)."""
        options = network_options(self.controls) if dataset != "mnist" else {}
        self.trainer, self.dataset = live_trainer(dataset, config, self.device, **options), dataset
        data = self.trainer.data
        self.window = plane_limits(data) if isinstance(data, GaussianMixture) and data.dim == 2 else None
        if self.window is not None and self.live_view.drawn:
            self.trainer.data = drawn_mixture(self.live_view.drawn, self.window, self.trainer.device)
        for name in NETWORK_FIELDS:
            self.controls[name].disabled = dataset == "mnist"
        self.feed.restart()
        self.progress.pop("collapse", None)  # "without pressing reset": that challenge starts again
        self._best_covered, self._alone, self._progress_at, self._show_seconds = None, {"step": 0}, 0, 0.0

    def _rebuild(self) -> None:
        config = self.trainer.config.replace(**live_values(self.controls), seed=self.seed)
        self._build(self.controls["dataset"].value, config)
        self.error, self.status.value = None, ""
        self.pacer.restart()
        self._publish()

    def _use_drawing(self) -> None:
        """The reader drew (or cleared) points: the trainer samples them from its next step on."""
        if self.window is None:
            return
        points, device = self.live_view.drawn, self.trainer.device
        self.trainer.data = drawn_mixture(points, self.window, device) if points else make_sampler(self.dataset, device)
        self.feed.new_data()
        self.progress.pop("collapse", None)
        self._best_covered = None
        if not self.playing:
            self._publish()

    def _stop_with(self, err: Exception) -> None:
        """Training failed: pause and say why."""
        self.error = err
        self.worker.pause()
        what = "training diverged" if isinstance(err, TrainingDiverged) else "the training thread stopped"
        self.status.value = f"<b>{what}:</b> {html.escape(f'{type(err).__name__}: {err}')}"
        self.set_buttons()

    def _play_on(self) -> None:
        """What the training thread does while playing: a chunk of steps, or one step a second in slow motion.

        While the frame thread streams, chunks are long (about STREAM_CHUNK_SECONDS, ending where the trainer syncs
        anyway); otherwise a chunk ends when the next frame is due, and the frame is made here."""
        if self._streaming():
            trainer = self.trainer
            want = max(self.steps_per_frame, int(self.pacer.steps_per_second * STREAM_CHUNK_SECONDS))
            every = trainer.config.log_every  # a chunk ending on a multiple adds no sync of its own
            self._advance(-(-(trainer.step + want) // every) * every - trainer.step, frame=False)
            return
        if not self.slow_motion:
            self._advance(self.pacer.chunk(self.steps_per_frame, self.trainer.step, self.trainer.config.log_every))
            return
        started = time.perf_counter()
        self._advance(1, frame=True)
        while self.playing and self.slow_motion and time.perf_counter() - started < SLOW_MOTION_SECONDS:
            time.sleep(0.02)

    def _advance(self, steps: int, frame: bool | None = None) -> None:
        """Train `steps` steps, then show a frame if `frame` says so (None: stream one when it is due)."""
        trainer = self.trainer
        start, step_before = time.perf_counter(), trainer.step
        trainer.run(steps)
        self.pacer.trained(trainer.step - step_before, time.perf_counter() - start)
        with trainer.lock.turn():  # the frame thread reads the history and the curves between two steps
            self.feed.take_rows(trainer.history)  # every row, before the window drops it
            if trainer.step - self._progress_at >= min(PROGRESS_EVERY, self.history_window // 2):
                self.progress = keep_best(self.progress, evaluate(trainer.history, self.feed.coverage_log))
                self._progress_at = trainer.step
            trainer.history.keep_last(self.history_window)  # after the run synced: no row is in flight
        if frame:
            self._publish()
        elif frame is None:
            self._stream()

    def _step_alone(self, player: str) -> None:
        trainer = self.trainer
        fast = trainer.fast.autocast
        with trainer.lock.turn(), torch.autocast(trainer.device.type, fast, enabled=fast is not None):
            trainer.train_discriminator(1) if player == "D" else trainer.train_generator()
        if self._alone["step"] != trainer.step:
            self._alone = {"step": trainer.step}
        self._alone[player] = self._alone.get(player, 0) + 1
        self._publish()

    def _command(self, command: Callable[[], None]) -> None:
        """Run `command` in the training thread soon: a long chunk under way stops after its current step."""
        self.worker.submit(command)
        if self._streaming():
            self.trainer.stop()
