"""The live view as a browser widget: the kernel sends a frame's numbers, the page's JavaScript draws them.

`LiveView` is an anywidget whose ES module (view.js, shipped beside this file, no network needed) draws on
canvases at the browser's own pace (requestAnimationFrame): whenever a new frame has arrived since the last
paint. The kernel sets `meta` and `frame` together (ganlib.live.wire's format) in one message. What the reader
does in the page comes back: the layer switches in `layers` (the kernel stops sending, and computing, what is
hidden) and the points drawn on the 2D view in `drawn` (the dashboard trains on them: ganlib.live.drawing).
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
# "say what you see": one sentence for each thing drawn, shown when the reader points at or clicks its name
EXPLANATIONS = {
    "real": "A blue dot is a sample of the data: what G is trying to imitate.",
    "fake": "An orange dot is a sample G made from a fixed noise vector z, so a dot that moves is G changing its mind.",
    "heatmap": "The background is D's probability that a point is real: blue where D says real, red where it says "
    "fake, white where it cannot tell.",
    "arrows": "An arrow is where G's loss pushes that sample: the direction D would find it more real, which G "
    "follows through its weights.",
    "manifold": "The grey mesh is G's image of an even grid of noise vectors z: a sheet G stretches and folds onto "
    "the data, dense where G puts much of its mass.",
    "losses": "The losses are what each player minimises; they say who is winning the game, not whether G's "
    "samples are getting better.",
    "outputs": "D's mean output on real samples (blue) and on G's (orange): at the equilibrium both are 1/2, "
    "D cannot tell them apart.",
    "divergence": "The Jensen-Shannon divergence between the data and G's samples, counted on a grid: 0 when G "
    "matches the data, ln 2 = 0.69 when they do not overlap at all; it measures G, where the losses do not.",
}


class LiveView(anywidget.AnyWidget):
    """A canvas view of the game, drawn by the browser from packed frames (see ganlib.live.wire)."""

    _esm = Path(__file__).with_name("view.js")
    _css = Path(__file__).with_name("view.css")
    meta = traitlets.Dict().tag(sync=True)  # the frame's index and small numbers
    frame = traitlets.Bytes(b"").tag(sync=True)  # the frame's arrays, packed
    layers = traitlets.List(traitlets.Unicode(), default_value=list(LAYERS)).tag(sync=True)  # shown, set by the page
    readout = traitlets.Unicode("").tag(sync=True)  # the frame's readout, drawn above the canvas
    warnings = traitlets.List(traitlets.Unicode()).tag(sync=True)  # what goes wrong, in words (ganlib.live.alarms)
    drawn = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)  # points the reader drew, (x, y) each
    titles = traitlets.Dict(TITLES).tag(sync=True)
    explanations = traitlets.Dict(EXPLANATIONS).tag(sync=True)

    def show(self, frame: LiveFrame, readout: str = "", warnings: list[str] | None = None) -> None:
        """Send `frame` (and its readout) to the browser as one message: picture and numbers of the same step."""
        meta, buffer = pack_frame(frame, self.layers)
        with self.hold_sync():
            self.meta, self.frame, self.readout, self.warnings = meta, buffer, readout, list(warnings or [])
