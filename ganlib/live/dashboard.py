"""The game, live: a widget dashboard that trains a GAN while the reader drags sliders.

Each picture is a `LiveFrame` (ganlib.live.frame) of one step. Live in JupyterLab it goes to a `LiveView`
(ganlib.live.view), which sends its numbers to the browser to be drawn on canvases; headless it is drawn as a
PNG by a `FrameRenderer` (ganlib.live.renderer). The readout and the warnings are made from the same frame as
the picture, so they always name the step it shows.

How it stays responsive:
- Training runs in a daemon thread (ganlib.live.worker; what it does: ganlib.live.training); the kernel keeps
  receiving slider changes, which `Trainer.update` applies at the next step and records in `history.changes`.
- The training thread makes each frame itself when a chunk of steps ends, giving frames at most `render_budget`
  of its time (ganlib.live.pacing). With `frame_process=True`, a frame's numbers are computed by a process of its
  own (ganlib.live.capture), which a frame thread asks at most `max_fps` times a second, between two steps, while
  the training thread trains on in chunks of about a second (ganlib.live.showing): measured, it pays off only on
  a machine far busier than its cores (see `Dashboard.__init__`).
- Buttons that rebuild or step the trainer are queued to the training thread, which owns the trainer; a command
  ends a long chunk after its current step.
- Memory stays flat: the history keeps its last `history_window` rows, the whole run's curves a bounded
  number of points (ganlib.live.curves).

Without a notebook frontend (papermill, nbval, a script), `live` trains a fixed number of steps in the
calling thread and leaves the final frame as a static image: it never waits for a browser.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import ipywidgets as widgets
from IPython.display import Image, display

from ganlib.checks import is_int, require
from ganlib.config import TrainConfig
from ganlib.data import DATASETS
from ganlib.live.capture import shared_process
from ganlib.live.challenges import Progress, evaluate, keep_best
from ganlib.live.controls import (
    close_tree,
    connect,
    layout,
    make_controls,
)
from ganlib.live.feed import FrameFeed
from ganlib.live.frame import LAYERS, LiveFrame
from ganlib.live.pacing import FramePacer
from ganlib.live.readout import changes_text, game_summary, readout_text
from ganlib.live.renderer import FrameRenderer, still_png
from ganlib.live.showing import CHANGES_SHOWN
from ganlib.live.training import SLOW_MOTION_SECONDS, Training
from ganlib.live.view import LiveView
from ganlib.live.worker import FrameThread, TrainingThread
from ganlib.train import Trainer

PLAYERS = ("D", "G")
_active_lock = threading.Lock()
_active: Dashboard | None = None  # the dashboard that trains now: one at a time shares the CPU better


class Dashboard(Training):
    """Controls and a live view of one GAN run; `play()` trains in the background, `run(n)` in the foreground."""

    def __init__(
        self,
        dataset: str = "ring",
        config: TrainConfig | None = None,
        device: Any = None,
        steps_per_frame: int = 20,
        max_fps: float = 24.0,
        render_budget: float = 0.15,
        history_window: int = 3000,
        interactive: bool = False,
        frame_process: bool = False,
    ) -> None:
        """`max_fps`: frames a second at most, counted from the start of one to the start of the next.
        `render_budget`: the share of the training thread's time that frames may take (a slow frame waits longer).
        What watching costs, measured on this project's 2-core CPU (one torch thread; bench/dashboard_overhead.py and
        bench/live_view.py, 2026-12-07): without a browser the ring makes 22.7 frames/s at the defaults, each about
        4.4 ms to compute and send, and trains 9-14% slower than with no view (medians of three quiet runs: 8.8%,
        10.6%, 13.7%; about half a percent per frame a second, so the frame rate is the cost). In Chromium, whose page
        takes about two thirds of the second core, a frame takes 5-8 ms and the budget binds: 18-22 new pictures/s
        on a quiet machine (the lower figures when the host ran slow), the ring training 10-37% slower than with the
        view off (median of 8 runs 19%; one window each, so the host's drift enters); MNIST 12-15 pictures/s.

        `frame_process`: compute live frames in a process of their own (ganlib.live.capture) instead of on the
        training thread. Off by default: on this project's 2-core CPU, in Chromium at 1440 px, the ring showed fewer
        new pictures with it (16.5/s against 22.7 on a quiet machine; 7.6-10.9 against 11.8-15.6 with one other
        process keeping a core busy: bench/live_view.py; again on 2026-12-07, 15.9 and 17.5 against 21.4 and 21.7,
        the ring training 23-29% slower than with the view off against 13-15%), because the process competes for
        the cores that training and the browser use. It paid off only at loads of 6 to 10 (ring 7.2 against 5.7
        pictures/s)."""
        config = TrainConfig() if config is None else config
        require(isinstance(config, TrainConfig), "config", config, "a ganlib.TrainConfig")
        require(dataset in DATASETS, "dataset", dataset, f"one of {DATASETS}")
        require(is_int(steps_per_frame) and steps_per_frame >= 1, "steps_per_frame", steps_per_frame, "an int >= 1")
        require(is_int(history_window) and history_window >= 100, "history_window", history_window, "an int >= 100")
        require(isinstance(frame_process, bool), "frame_process", frame_process, "True or False")
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
        use_process = interactive and frame_process
        self.feed = FrameFeed(id(self), use_process)  # frames, and what they measured
        if use_process:
            shared_process()  # its imports take seconds: start it now, in the background
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

    def readout_text(self) -> str:
        """Step, losses, D's accuracy and the settings of the frame shown now, on one line."""
        alone = self._alone if self.last_frame is not None and self._alone["step"] == self.last_frame.step else {}
        solo = ", ".join(f"{alone[player]} of {player} alone" for player in PLAYERS if alone.get(player))
        rate = 1 / SLOW_MOTION_SECONDS if self.slow_motion and self.playing else self.pacer.steps_per_second
        return readout_text(self.last_frame, rate, solo)

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
