"""The game, live: a widget dashboard that trains a GAN while the reader drags sliders.

Each picture is a `LiveFrame` (ganlib.live.frame) captured by the training thread between steps. Live in
JupyterLab it goes to a `LiveView` (ganlib.live.view), which sends its numbers to the browser to be drawn
on canvases; headless it is drawn as a PNG by a `FrameRenderer` (ganlib.live.renderer). The readout and
the warnings are made from the same frame as the picture, so they always name the step it shows.

How it stays responsive:
- Training runs in a daemon thread (ganlib.live.worker), in chunks of at most `steps_per_frame` steps; the
  kernel keeps receiving slider changes, which `Trainer.update` applies at the next step and records in
  `history.changes`.
- A chunk ends when the next frame is due: at most `max_fps` frames a second, and capturing and sending
  them at most `render_budget` of the time (ganlib.live.pacing).
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
from functools import partial
from typing import Any

import ipywidgets as widgets
from IPython.display import Image, display

from ganlib.checks import is_int, require
from ganlib.config import TrainConfig
from ganlib.data import DATASETS
from ganlib.divergence import TrainingDiverged
from ganlib.live.controls import LIVE_FIELDS, close_tree, layout, live_values, make_controls
from ganlib.live.curves import RunCurves
from ganlib.live.frame import LAYERS, LiveFrame, capture_frame
from ganlib.live.pacing import FramePacer
from ganlib.live.readout import changes_text, frame_warnings, game_summary, readout_text
from ganlib.live.renderer import FrameRenderer, still_png
from ganlib.live.view import LiveView
from ganlib.live.worker import TrainingThread
from ganlib.recipes import live_trainer
from ganlib.train import Trainer

CHANGES_SHOWN = 6  # latest config changes listed under the view
WARNING_WINDOW = 300  # D's losses over the last this many steps decide whether they explode
COVERAGE_SECONDS = 0.5  # modes are counted again at most this often: 2,500 samples cost more than the rest
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
    ) -> None:
        config = TrainConfig() if config is None else config
        require(isinstance(config, TrainConfig), "config", config, "a ganlib.TrainConfig")
        require(dataset in DATASETS, "dataset", dataset, f"one of {DATASETS}")
        require(is_int(steps_per_frame) and steps_per_frame >= 1, "steps_per_frame", steps_per_frame, "an int >= 1")
        require(is_int(history_window) and history_window >= 100, "history_window", history_window, "an int >= 100")
        self.device, self.seed = device, config.seed
        self.pacer = FramePacer(max_fps, render_budget)  # when frames are due; the training rate
        self.history_window = history_window
        self.interactive = interactive
        self.trainer = live_trainer(dataset, config, device)
        self.controls = make_controls(config, dataset, steps_per_frame)
        self.image = widgets.Image(  # the headless picture; it shrinks with the notebook, keeping its aspect
            format="png", layout=widgets.Layout(flex="1 1 auto", min_width="0", max_width="940px", object_fit="contain")
        )
        self.live_view = LiveView(layout=widgets.Layout(flex="1 1 auto", min_width="0"))  # drawn by the browser
        self.readout = widgets.HTML()
        self.changes = widgets.HTML()
        self.status = widgets.HTML()
        if interactive:  # the live view draws its readout itself, from the frame it draws
            self.view = layout(self.controls, image=self.live_view, changes=self.changes, status=self.status)
        else:
            parts = dict(readout=self.readout, image=self.image, changes=self.changes, status=self.status)
            self.view = layout(self.controls, **parts)
        self.renderer = FrameRenderer()  # one figure for all frames: each frame redraws only what changed
        self.frames = 0  # frames drawn so far
        self.last_frame: LiveFrame | None = None  # the frame the picture and the readout show now
        self._curves = RunCurves()  # the whole run's curves, thinned
        self._best_covered: int | None = None  # the most modes G covered in a frame so far, for the warnings
        self._changes_shown: str | None = None
        self._coverage_at = -float("inf")  # when the modes were last counted
        self.error: BaseException | None = None  # what stopped the training thread, if anything
        self.worker = TrainingThread(lambda: self._advance(self.pacer.chunk(self.steps_per_frame)), self._stop_with)
        self._connect()
        if interactive:
            self._publish()  # a first frame, so the view is never empty
        else:
            self._publish_text(self._capture())

    # ----- what a notebook calls --------------------------------------------------------------------------------
    @property
    def steps_per_frame(self) -> int:
        return self.controls["steps_per_frame"].value

    @property
    def playing(self) -> bool:
        return self.worker.playing

    def play(self) -> None:
        """Train in the background until `pause()`; another dashboard that was training pauses."""
        global _active
        with _active_lock:
            if _active is not None and _active is not self:
                _active.pause()
            _active = self
        self.worker.play()
        self._set_buttons()

    def pause(self) -> None:
        """Stop training after the current step; the state is kept and `play()` goes on from it."""
        self.worker.pause()
        self.trainer.stop()
        self._set_buttons()

    def single_step(self) -> None:
        """One generator step (after k discriminator steps), then a frame: for watching the game move by move."""
        self.worker.submit(lambda: self._advance(1, frame=True))

    def reset(self, dataset: str | None = None) -> None:
        """A fresh trainer (new networks, step 0) with the controls' settings, on `dataset` or the current one."""
        require(dataset is None or dataset in DATASETS, "dataset", dataset, f"None or one of {DATASETS}")
        if dataset is None or dataset == self.controls["dataset"].value:
            self.worker.submit(self._rebuild)
        else:
            self.controls["dataset"].value = dataset  # its observer queues the rebuild

    def run(self, steps: int) -> Trainer:
        """Train `steps` steps in the calling thread (headless use), then draw the final frame."""
        require(isinstance(steps, int) and steps >= 0, "steps", steps, "an int >= 0")
        require(not self.playing, "steps", steps, "a dashboard that is paused (call pause() first)")
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
        with _active_lock:
            if _active is self:
                _active = None
        close_tree(self.view)

    def frame_png(self) -> bytes:
        """The current frame, captured and drawn now, as PNG bytes."""
        return self.renderer.png(self._capture())

    def show_frame(self, frame: LiveFrame, readout: str, warnings: list[str]) -> None:
        """Show `frame` with its readout: sent to the browser when live, drawn as a PNG headlessly."""
        if self.interactive:
            self.live_view.show(frame, readout, warnings)
        else:
            self.image.value = self.renderer.png(frame)

    def readout_text(self) -> str:
        """Step, losses, D's accuracy and the settings of the frame shown now, on one line."""
        return readout_text(self.last_frame, self.pacer.steps_per_second)

    def warnings(self) -> list[str]:
        """What is going wrong in the game shown now, in words (see ganlib.live.readout.game_warnings)."""
        warnings, self._best_covered = frame_warnings(self.last_frame, self._best_covered, WARNING_WINDOW)
        return warnings

    def summary(self, last: int = 200) -> dict[str, float]:
        """Where the game stands (see ganlib.live.readout.game_summary)."""
        return game_summary(self.trainer, last)

    def changes_text(self) -> str:
        """The latest config changes the trainer recorded, newest last: 'step 120: k 1 -> 3'."""
        return changes_text(self.trainer.history, CHANGES_SHOWN)

    def _ipython_display_(self) -> None:
        if self.interactive:
            display(self.view)
        else:  # a static record: papermill and nbval keep these outputs
            display(Image(still_png(self._capture())))
            display({"text/plain": "\n".join(filter(None, [self.readout_text(), self.changes_text()]))}, raw=True)

    # ----- in the training thread -------------------------------------------------------------------------------
    def _stop_with(self, err: Exception) -> None:
        """Training failed: pause and say why."""
        self.error = err
        self.worker.pause()
        what = "training diverged" if isinstance(err, TrainingDiverged) else "the training thread stopped"
        self.status.value = f"<b>{what}:</b> {type(err).__name__}: {err}"
        self._set_buttons()

    def _advance(self, steps: int, frame: bool | None = None) -> None:
        """Train `steps` steps, then draw a frame if `frame` says so (None: when one is due)."""
        trainer = self.trainer
        start, step_before = time.perf_counter(), trainer.step
        trainer.run(steps)
        self.pacer.trained(trainer.step - step_before, time.perf_counter() - start)
        self._curves.extend(trainer.history)  # every row, before the window drops it
        trainer.history.keep_last(self.history_window)  # after the run synced: no row is in flight
        if frame or (frame is None and self.pacer.until_frame() <= 0):
            self._publish()

    def _capture(self) -> LiveFrame:
        layers = self.live_view.layers if self.interactive else LAYERS
        fresh = time.perf_counter() - self._coverage_at < COVERAGE_SECONDS and self.last_frame is not None
        frame = capture_frame(self.trainer, self._curves, layers, self.last_frame if fresh else None)
        if getattr(frame.view, "coverage_step", None) == frame.step:
            self._coverage_at = time.perf_counter()
        self.last_frame = frame
        return frame

    def _publish(self) -> None:
        """Capture a frame and show it with its readout and the change log (called by the training thread)."""
        start = time.perf_counter()
        frame = self._capture()
        self.show_frame(frame, self.readout_text(), self.warnings())
        self._publish_text(frame)
        self.frames += 1
        self.pacer.framed(time.perf_counter() - start)

    def _publish_text(self, frame: LiveFrame) -> None:
        self.readout.value = f"<code>{html.escape(self.readout_text())}</code>"
        changes = changes_text(frame.history, CHANGES_SHOWN) or "no changes yet"
        if changes != self._changes_shown:  # sent only when it changed
            self._changes_shown = changes
            self.changes.value = f"<pre style='margin:0'>{html.escape(changes)}</pre>"

    def _rebuild(self) -> None:
        config = self.trainer.config.replace(**live_values(self.controls), seed=self.seed)
        self.trainer = live_trainer(self.controls["dataset"].value, config, self.device)
        self.error, self.status.value = None, ""
        self.pacer.restart()
        self._curves, self._best_covered, self._coverage_at = RunCurves(), None, -float("inf")
        self._publish()

    # ----- widgets ----------------------------------------------------------------------------------------------
    def _connect(self) -> None:
        c = self.controls
        c["play"].on_click(lambda _: self.play())
        c["pause"].on_click(lambda _: self.pause())
        c["step"].on_click(lambda _: self.single_step())
        c["reset"].on_click(lambda _: self.reset())
        for name in LIVE_FIELDS:
            c[name].observe(partial(self._on_live_change, name), names="value")
        c["dataset"].observe(lambda _: self.worker.submit(self._rebuild), names="value")
        self.live_view.observe(self._on_layers, names="layers")
        self._set_buttons()

    def _on_live_change(self, name: str, change: dict[str, Any]) -> None:
        """A slider or drop-down moved: hand the new value to the running trainer (applied at its next step)."""
        try:
            self.trainer.update(**{name: change["new"]})
        except ValueError as err:
            self.status.value = f"<b>not applied:</b> {err}"

    def _on_layers(self, _change: dict[str, Any]) -> None:
        """A layer switched on or off in the browser: a paused view gets a frame with (or without) it now."""
        if not self.playing:
            self.worker.submit(self._publish)

    def _set_buttons(self) -> None:
        playing = self.playing
        self.controls["play"].disabled = playing
        self.controls["pause"].disabled = not playing
        self.controls["step"].disabled = playing
