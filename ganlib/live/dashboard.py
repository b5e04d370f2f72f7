"""The game, live: a widget dashboard that trains a GAN while the reader drags sliders.

Each picture is a `LiveFrame` (ganlib.live.frame) of one step. Live in JupyterLab it goes to a `LiveView`
(ganlib.live.view), which sends its numbers to the browser to be drawn on canvases; headless it is drawn as a
PNG by a `FrameRenderer` (ganlib.live.renderer). The readout and the warnings are made from the same frame as
the picture, so they always name the step it shows.

How it stays responsive:
- Training runs in a daemon thread (ganlib.live.worker), in chunks of at most `steps_per_frame` steps; the
  kernel keeps receiving slider changes, which `Trainer.update` applies at the next step and records in
  `history.changes`.
- A chunk ends when the next frame is due: at most `max_fps` frames a second. Live, the frame's numbers are
  computed by the frame process (ganlib.live.capture) while the next chunk trains, so a busy machine costs
  pictures rather than steps; the training thread's own share of the work (copying weights, sending the
  picture) takes at most `render_budget` of its time (ganlib.live.pacing).
- Buttons that rebuild or step the trainer are queued to the training thread, which owns the trainer.
- Memory stays flat: the history keeps its last `history_window` rows, the whole run's curves a bounded
  number of points (ganlib.live.curves).

Without a notebook frontend (papermill, nbval, a script), `live` trains a fixed number of steps in the
calling thread and leaves the final frame as a static image: it never waits for a browser.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as widgets
import torch
from IPython.display import Image, display

from ganlib.checks import is_int, require
from ganlib.config import TrainConfig
from ganlib.data import DATASETS, GaussianMixture, make_sampler
from ganlib.divergence import TrainingDiverged
from ganlib.evaluation.plane import plane_limits
from ganlib.live.challenges import Progress, evaluate, keep_best
from ganlib.live.controls import (
    NETWORK_FIELDS,
    close_tree,
    connect,
    layout,
    live_values,
    make_controls,
    network_options,
)
from ganlib.live.drawing import drawn_mixture
from ganlib.live.feed import FrameFeed
from ganlib.live.frame import LAYERS, LiveFrame
from ganlib.live.pacing import FramePacer
from ganlib.live.readout import changes_text, frame_warnings, game_summary, readout_text
from ganlib.live.renderer import FrameRenderer, still_png
from ganlib.live.view import LiveView
from ganlib.live.worker import FrameThread, TrainingThread
from ganlib.recipes import live_trainer
from ganlib.train import Trainer

CHANGES_SHOWN = 6  # latest config changes listed under the view
SLOW_MOTION_SECONDS = 1.0  # one training step per this many seconds in slow motion
STREAM_CHUNK_SECONDS = 1.0  # training chunks while the frame thread streams: commands interrupt them
PROGRESS_EVERY = 1000  # steps between updates of the challenges' best so far (at most half the history window)
PLAYERS = ("D", "G")
_active_lock = threading.Lock()
_active: Dashboard | None = None  # the dashboard that trains now: one at a time shares the CPU better


class Dashboard:
    """Controls and a live view of one GAN run; `play()` trains in the background, `run(n)` in the foreground."""

    def __init__(
        self,
        dataset: str = "ring",
        config: TrainConfig | None = None,
        device: Any = None,
        steps_per_frame: int = 20,
        max_fps: float = 30.0,
        render_budget: float = 0.15,
        history_window: int = 3000,
        interactive: bool = False,
        frame_process: bool | None = None,
    ) -> None:
        """`frame_process`: compute live frames in a process of their own (None: when interactive), else on the
        training thread."""
        config = TrainConfig() if config is None else config
        require(isinstance(config, TrainConfig), "config", config, "a ganlib.TrainConfig")
        require(dataset in DATASETS, "dataset", dataset, f"one of {DATASETS}")
        require(is_int(steps_per_frame) and steps_per_frame >= 1, "steps_per_frame", steps_per_frame, "an int >= 1")
        require(is_int(history_window) and history_window >= 100, "history_window", history_window, "an int >= 100")
        require(frame_process in (None, True, False), "frame_process", frame_process, "None, True or False")
        self.device, self.seed = device, config.seed
        self.pacer = FramePacer(max_fps, render_budget)  # when frames are due; the training rate
        self.history_window, self.interactive = history_window, interactive
        self.controls = make_controls(config, dataset, steps_per_frame)
        self.image = widgets.Image(  # the headless picture; it shrinks with the notebook, keeping its aspect
            format="png", layout=widgets.Layout(flex="1 1 auto", min_width="0", max_width="940px", object_fit="contain")
        )
        self.live_view = LiveView(layout=widgets.Layout(flex="1 1 auto", min_width="0"))  # drawn by the browser
        self.readout, self.changes, self.status = widgets.HTML(), widgets.HTML(), widgets.HTML()
        parts = dict(image=self.live_view if interactive else self.image, changes=self.changes, status=self.status)
        self.view = layout(self.controls, **parts, **({} if interactive else {"readout": self.readout}))
        self.renderer = FrameRenderer()  # one figure for all frames: each frame redraws only what changed
        use_process = interactive if frame_process is None else frame_process
        self.feed = FrameFeed(id(self), use_process)  # frames, and what they measured
        self.frames = 0  # frames shown so far
        self.last_frame: LiveFrame | None = None  # the frame the picture and the readout show now
        self.progress: dict[str, Progress] = {}  # each live challenge's best so far (ganlib.live.challenges)
        self.error: BaseException | None = None  # what stopped the training thread, if anything
        self._build(dataset, config)
        self.worker = TrainingThread(self._play_on, self._stop_with)
        self.frame_thread = FrameThread(
            self._streaming, self.pacer.until_frame, self._request_frame, self._collect_frame, self._stop_with
        )
        self._connect()
        if interactive:
            self._publish()  # a first frame, so the view is never empty
        else:
            self._publish_text(self.feed.capture(self.trainer, LAYERS, self.window))

    # ----- what a notebook calls --------------------------------------------------------------------------------
    @property
    def steps_per_frame(self) -> int:
        return self.controls["steps_per_frame"].value

    @property
    def playing(self) -> bool:
        return self.worker.playing

    @property
    def slow_motion(self) -> bool:
        return self.controls["slow_motion"].value

    def play(self) -> None:
        """Train in the background until `pause()`; another dashboard that was training pauses."""
        global _active
        with _active_lock:
            if _active is not None and _active is not self:
                _active.pause()
            _active = self
        self.worker.play()
        if self.feed.use_process:
            self.frame_thread.start()
        self.set_buttons()

    def pause(self) -> None:
        """Stop training after the current step; the state is kept and `play()` goes on from it."""
        was_playing = self.playing
        self.worker.pause()
        self.trainer.stop()
        self.set_buttons()
        if was_playing:
            self.refresh()  # the picture of the step it stopped at

    def single_step(self) -> None:
        """One generator step (after k discriminator steps), then a frame: for watching the game move by move."""
        self._command(lambda: self._advance(1, frame=True))

    def step_alone(self, player: str) -> None:
        """One update of `player` ("D" or "G") while the other stands still, then a frame. It is not a step of
        Algorithm 1: the step count and the history stay as they are, and the readout counts such updates."""
        require(player in PLAYERS, "player", player, f"one of {PLAYERS}")
        self._command(partial(self._step_alone, player))

    def refresh(self) -> None:
        """Show a frame of the trainer as it is now (the training thread makes it after what it is doing)."""
        self._command(self._publish)

    def draw(self, points: list[tuple[float, float]]) -> None:
        """Train on a mixture around `points` (x, y) on the 2D view, as if the reader had drawn them; [] to stop."""
        self.live_view.drawn = [[float(x), float(y)] for x, y in points]  # its observer queues the change
        self.worker.finish_commands()

    def reset(self, dataset: str | None = None) -> None:
        """A fresh trainer (new networks, step 0) with the controls' settings, on `dataset` or the current one."""
        require(dataset is None or dataset in DATASETS, "dataset", dataset, f"None or one of {DATASETS}")
        if dataset is None or dataset == self.controls["dataset"].value:
            self._command(self._rebuild)
        else:
            self.controls["dataset"].value = dataset  # its observer queues the rebuild

    def run(self, steps: int) -> Trainer:
        """Train `steps` steps in the calling thread (headless use), then draw the final frame."""
        require(is_int(steps) and steps >= 0, "steps", steps, "an int >= 0")
        require(not self.playing, "steps", steps, "a dashboard that is paused (call pause() first)")
        self.worker.finish_commands()  # a queued reset or change of data lands before these steps
        done = 0
        while done < steps:  # in chunks, so the history is trimmed as it grows
            chunk = min(self.history_window, steps - done)
            self._advance(chunk, frame=False)
            done += chunk
        self._publish()
        return self.trainer

    def close(self, timeout: float = 10.0) -> None:
        """Stop the training thread and close the widgets."""
        global _active
        self.pause()
        self.worker.close(timeout)
        self.frame_thread.close(timeout)
        with _active_lock:
            if _active is self:
                _active = None
        close_tree(self.view)

    def frame_png(self) -> bytes:
        """The current frame, captured and drawn now, as PNG bytes."""
        return self.renderer.png(self.feed.capture(self.trainer, self._layers(), self.window))

    def show_frame(self, frame: LiveFrame, readout: str, warnings: list[str]) -> None:
        """Show `frame` with its readout: sent to the browser when live, drawn as a PNG headlessly."""
        if self.interactive:
            self.live_view.show(frame, readout, warnings)
        else:
            self.image.value = self.renderer.png(frame)

    def readout_text(self) -> str:
        """Step, losses, D's accuracy and the settings of the frame shown now, on one line."""
        alone = self._alone if self.last_frame is not None and self._alone["step"] == self.last_frame.step else {}
        solo = ", ".join(f"{alone[player]} of {player} alone" for player in PLAYERS if alone.get(player))
        rate = 1 / SLOW_MOTION_SECONDS if self.slow_motion and self.playing else self.pacer.steps_per_second
        return readout_text(self.last_frame, rate, solo)

    def warnings(self) -> list[str]:
        """What is going wrong in the game shown now, in words (see ganlib.live.alarms.game_warnings)."""
        warnings, self._best_covered = frame_warnings(self.last_frame, self._best_covered)
        return warnings

    def summary(self, last: int = 200) -> dict[str, float]:
        """Where the game stands (see ganlib.live.readout.game_summary)."""
        return game_summary(self.trainer, last)

    def challenges(self) -> dict[str, Progress]:
        """How far the reader got with each live challenge: the best so far, from the record alone (no training)."""
        now = evaluate(self.trainer.history_copy(), list(self.feed.coverage_log))
        return keep_best(self.progress, now)

    def changes_text(self) -> str:
        """The latest config changes the trainer recorded, newest last: 'step 120: k 1 -> 3'."""
        return changes_text(self.trainer.history, CHANGES_SHOWN)

    def _ipython_display_(self) -> None:
        if self.interactive:
            display(self.view)
        else:  # a static record: papermill and nbval keep these outputs
            display(Image(still_png(self.feed.capture(self.trainer, LAYERS, self.window))))
            display({"text/plain": "\n".join(filter(None, [self.readout_text(), self.changes_text()]))}, raw=True)

    # ----- in the training thread -------------------------------------------------------------------------------
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
            self._advance(self.pacer.chunk(self.steps_per_frame))
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

    def _stream(self) -> None:
        """Show a frame made here, if one is due (while the frame thread does not stream)."""
        if self.pacer.until_frame() <= 0:
            self._publish()

    def _streaming(self) -> bool:
        """Whether frames come from the frame thread now: playing, at full speed, with a frame process ready."""
        return self.playing and not self.slow_motion and self.feed.use_process and self.feed.process is not None

    def _request_frame(self) -> None:
        """In the frame thread: ask the frame process for a frame of the trainer between two steps."""
        started, trainer = time.perf_counter(), self.trainer
        with trainer.lock.turn():
            self.feed.request(trainer, self._layers(), self.window)
        self.pacer.framed(time.perf_counter() - started + self._show_seconds)

    def _collect_frame(self) -> None:
        """In the frame thread: show the frame the frame process has made, if it is ready."""
        started = time.perf_counter()
        frame = self.feed.collect()
        if frame is not None:
            self._show(frame)
            self._show_seconds = time.perf_counter() - started

    def _command(self, command: Callable[[], None]) -> None:
        """Run `command` in the training thread soon: a long chunk under way stops after its current step."""
        self.worker.submit(command)
        if self._streaming():
            self.trainer.stop()

    def _publish(self) -> None:
        """Capture a frame here and now and show it (a paused dashboard's step, a rebuild, the first frame)."""
        started = time.perf_counter()
        self._show(self.feed.capture(self.trainer, self._layers(), self.window))
        self.pacer.framed(time.perf_counter() - started)

    def _show(self, frame: LiveFrame) -> None:
        self.last_frame = frame
        self.show_frame(frame, self.readout_text(), self.warnings())
        self._publish_text(frame)
        self.frames += 1

    def _publish_text(self, frame: LiveFrame) -> None:
        self.last_frame = frame
        self.readout.value = f"<code>{html.escape(self.readout_text())}</code>"
        changes = changes_text(frame.history, CHANGES_SHOWN) or "no changes yet"
        if changes != self.changes.value:  # sent only when it changed
            self.changes.value = f"<pre style='margin:0'>{html.escape(changes)}</pre>"

    def _layers(self) -> list[str]:
        return list(self.live_view.layers) if self.interactive else list(LAYERS)

    # ----- widgets ----------------------------------------------------------------------------------------------
    def _connect(self) -> None:
        connect(self.controls, self)
        self.live_view.observe(lambda _: self.refresh() if not self.playing else None, names="layers")
        self.live_view.observe(lambda _: self._command(self._use_drawing), names="drawn")
        self.controls["dataset"].observe(lambda _: setattr(self.live_view, "drawn", []), names="value")
        self.set_buttons()

    def set_buttons(self) -> None:
        """Enable the buttons that fit: play or pause, and the single steps only while paused."""
        playing = self.playing
        self.controls["play"].disabled = playing
        self.controls["pause"].disabled = not playing
        for name in ("step", "step_d", "step_g"):
            self.controls[name].disabled = playing
