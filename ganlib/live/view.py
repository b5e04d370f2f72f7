"""The live view as a browser widget: the kernel sends a frame's numbers, the page's JavaScript draws them.

`LiveView` is an anywidget whose ES module (view.js, shipped beside this file, no network needed) draws on
canvases at the browser's own pace (requestAnimationFrame): whenever a new frame has arrived since the last
paint. The kernel sets `meta` and `frame` together (ganlib.live.wire's format) in one message; the reader's
layer switches come back in `layers`, so the kernel stops sending (and computing) what is hidden.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from ganlib.live.frame import LAYERS, LiveFrame
from ganlib.live.wire import pack_frame

TITLES = {  # what the view's titles and legends call things
    "real": "real samples",
    "fake": "generated samples",
    "heatmap": "D(x) heatmap",
    "arrows": "G's gradient",
    "manifold": "G's manifold",
}


class LiveView(anywidget.AnyWidget):
    """A canvas view of the game, drawn by the browser from packed frames (see ganlib.live.wire)."""

    _esm = Path(__file__).with_name("view.js")
    _css = Path(__file__).with_name("view.css")
    meta = traitlets.Dict().tag(sync=True)  # the frame's index and small numbers
    frame = traitlets.Bytes(b"").tag(sync=True)  # the frame's arrays, packed
    layers = traitlets.List(traitlets.Unicode(), default_value=list(LAYERS)).tag(sync=True)  # shown, set by the page
    readout = traitlets.Unicode("").tag(sync=True)  # the frame's readout, drawn above the canvas
    warnings = traitlets.List(traitlets.Unicode()).tag(sync=True)  # what goes wrong, in words (readout.game_warnings)
    titles = traitlets.Dict(TITLES).tag(sync=True)

    def show(self, frame: LiveFrame, readout: str = "", warnings: list[str] | None = None) -> None:
        """Send `frame` (and its readout) to the browser as one message: picture and numbers of the same step."""
        meta, buffer = pack_frame(frame, self.layers)
        with self.hold_sync():
            self.meta, self.frame, self.readout, self.warnings = meta, buffer, readout, list(warnings or [])
