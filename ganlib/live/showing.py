"""How a dashboard shows its frames: streamed from the frame process while it plays, or made here and now.

`Dashboard` inherits these methods (a reader of the dashboard's controls and training can skip this file). While
the dashboard plays at full speed with a frame process ready, its frame thread asks for a frame whenever one is
due (`_request_frame`, between two steps) and shows the ones that are ready (`_collect_frame`); otherwise the
training thread makes each frame itself (`_publish`). Every frame is shown with the readout and the warnings of
its own step.
"""

from __future__ import annotations

import html
import time
from typing import Any

from ganlib.live.feed import FrameFeed
from ganlib.live.frame import LAYERS, LiveFrame
from ganlib.live.pacing import FramePacer
from ganlib.live.readout import changes_text, frame_warnings
from ganlib.live.renderer import FrameRenderer
from ganlib.live.view import LiveView
from ganlib.train import Trainer

CHANGES_SHOWN = 6  # latest config changes listed under the view


class FrameShowing:
    """The frame-showing half of a `Dashboard`; its `__init__` sets the attributes named here."""

    trainer: Trainer
    feed: FrameFeed
    pacer: FramePacer
    renderer: FrameRenderer
    live_view: LiveView
    image: Any  # ipywidgets.Image: the headless picture
    readout: Any  # ipywidgets.HTML
    changes: Any  # ipywidgets.HTML
    interactive: bool
    window: tuple[float, float] | None
    frames: int
    last_frame: LiveFrame | None
    playing: bool
    slow_motion: bool
    _best_covered: int | None
    _show_seconds: float

    def show_frame(self, frame: LiveFrame, readout: str, warnings: list[str]) -> None:
        """Show `frame` with its readout: sent to the browser when live, drawn as a PNG headlessly."""
        if self.interactive:
            self.live_view.show(frame, readout, warnings)
        else:
            self.image.value = self.renderer.png(frame)

    def warnings(self) -> list[str]:
        """What is going wrong in the game shown now, in words (see ganlib.live.alarms.game_warnings)."""
        warnings, self._best_covered = frame_warnings(self.last_frame, self._best_covered)
        return warnings

    def _streaming(self) -> bool:
        """Whether frames come from the frame thread now: playing, at full speed, with a frame process ready."""
        return self.playing and not self.slow_motion and self.feed.use_process and self.feed.process is not None

    def _request_frame(self) -> None:
        """In the frame thread: ask the frame process for a frame of the trainer between two steps."""
        started = time.perf_counter()
        self.feed.request(self.trainer, self._layers(), self.window)
        self.pacer.framed(time.perf_counter() - started + self._show_seconds)

    def _collect_frame(self) -> None:
        """In the frame thread: show the frame the frame process has made, if it is ready."""
        started = time.perf_counter()
        frame = self.feed.collect()
        if frame is not None:
            self._show(frame)
            self._show_seconds = time.perf_counter() - started

    def _stream(self) -> None:
        """Show a frame made here, if one is due (while the frame thread does not stream)."""
        if self.pacer.due():
            self._publish()

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
        if not self.interactive:  # live, the view draws the frame's readout itself: a second message a frame saved
            self.readout.value = f"<code>{html.escape(self.readout_text())}</code>"
        changes = changes_text(frame.history, CHANGES_SHOWN) or "no changes yet"
        if changes != self.changes.value:  # sent only when it changed
            self.changes.value = f"<pre style='margin:0'>{html.escape(changes)}</pre>"

    def _layers(self) -> list[str]:
        return list(self.live_view.layers) if self.interactive else list(LAYERS)
