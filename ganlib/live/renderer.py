"""A `LiveFrame` drawn as a PNG: the data view next to the training curves, three panels in one figure.

The panels come from `ganlib.plots`; this module lays them out and encodes the frame. Frames are drawn
with the object-oriented API and an Agg canvas, never pyplot, so a training thread may draw them.

`FrameRenderer` makes a stream of frames cheap. Most of a frame's drawing time is text (tick labels, axis
labels, legends), which rarely changes, so it keeps one Figure: each frame the panels' data artists
(samples, heatmap, arrows, curves, titles) are drawn again by the `ganlib.plots` functions into the same
axes, and blitted onto a cached background of everything else (axes, ticks, labels); the legends' pixels,
cached with the background, are pasted on top. The background is drawn again only when an axis or a legend
changes; so that this is rare, the training curves' axes end on round numbers past the data (their step axis
jumps a few ticks at a time) instead of at the data's edge, and every legend has a fixed place.
"""

from __future__ import annotations

import io
import textwrap
import threading

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ganlib.evaluation.densities import Curves1D
from ganlib.evaluation.plane import Field2D
from ganlib.live.frame import LiveFrame
from ganlib.plots import DENSITY_HEADROOM, plot_density_1d, plot_field_2d, plot_image_grid, plot_training

FRAME_SIZE = (13.0, 3.9)  # inches: three panels side by side
FRAME_DPI = 72  # about 940 x 280 pixels: sharp enough in a notebook, cheap to draw and to send
STILL_SIZE, STILL_DPI = (12.0, 4.0), 100  # the still figure a headless run keeps: 1200 x 400, legible text
LOSSES = ("loss_d", "loss_g")  # the stats on the losses panel, whose y axis follows the data
LOSS_PERCENTILES = (1, 99)  # the losses' y range: what most steps show, not the rare spike
CURVE_POINTS = 500  # points per curve: about two per pixel of a panel's width
STEP_AXIS_JUMP = 3  # the curves' step axis moves by this many ticks at a time
# the curves' legends in one row above the axes, in place of the title: they hide no data
CURVE_LEGEND = dict(
    loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize="x-small", frameon=False, handlelength=1.5,
    columnspacing=1.0,
)  # fmt: skip


def draw_data_view(frame: LiveFrame, ax: Axes) -> None:
    """What G makes of the data: 2D samples over D's heatmap, 1D densities with D*, or MNIST samples; or, when the
    networks hold NaN, the frame's problem in words."""
    if frame.view is None:
        ax.set_axis_off()
        ax.set_title(f"step {frame.step}: nothing to draw", fontsize="medium")
        ax.text(0.02, 0.9, textwrap.fill(frame.problem or "", 45), transform=ax.transAxes, va="top", color="#b2182b")
    elif isinstance(frame.view, Field2D):
        plot_field_2d(frame.view, ax=ax)
    elif isinstance(frame.view, Curves1D):
        plot_density_1d(frame.view, ax=ax)
    else:
        plot_image_grid(frame.view, nrow=8, title=f"step {frame.step}: fixed noise", ax=ax)


class FrameRenderer:
    """Draws frame after frame into one Figure, redrawing only what changed (see the module's docstring).

    A frame is the same picture whether the renderer drew frames before it or not: `png` gives the same
    bytes as a fresh renderer's first frame of the same data. Thread-safe: one frame at a time.
    """

    def __init__(self, figsize: tuple[float, float] = FRAME_SIZE) -> None:
        self.figsize = figsize
        self.figure: Figure | None = None  # made for the first frame, and again when the data set changes kind
        self.canvas: FigureCanvasAgg | None = None
        self.backgrounds_drawn = 0  # how often everything was drawn; the other frames were blitted
        self._view: str | None = None  # the kind of view the figure was made for
        self._legend_pixels: list = []  # each legend as drawn with the background, pasted over every frame
        self._lock = threading.Lock()

    def png(self, frame: LiveFrame) -> bytes:
        """`frame` drawn as PNG bytes."""
        with self._lock:
            self._draw(frame)
            width, height = self.canvas.get_width_height()
            image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="png", compress_level=1)  # opaque: no alpha channel to send
            return buffer.getvalue()

    def _draw(self, frame: LiveFrame) -> None:
        view = type(frame.view).__name__
        new_figure = view != self._view
        if new_figure:  # fresh axes: the plots leave settings behind (aspect, axis off) that others keep
            self.figure = _empty_frame(self.figsize)
            self.canvas = FigureCanvasAgg(self.figure)
            self._view, self._axes_state, self._background = view, None, None
        axes = self.figure.axes
        for ax in axes:
            for artist in _data_artists(ax):
                artist.remove()
        _draw_panels(frame, axes, curve_legends=new_figure)  # the curves' legends never change: made once
        legends = [ax.get_legend() for ax in axes if ax.get_legend() is not None]
        dynamic = [sorted([*_data_artists(ax), ax.title], key=lambda a: a.get_zorder()) for ax in axes]
        state = tuple(_axes_state(ax) for ax in axes)
        renderer = self.canvas.get_renderer()
        if state != self._axes_state:
            for artists in dynamic:
                for artist in artists:
                    artist.set_animated(True)  # left out of the background
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._legend_pixels = [self.canvas.copy_from_bbox(legend.get_window_extent(renderer)) for legend in legends]
            self._axes_state = state
            self.backgrounds_drawn += 1
        self.canvas.restore_region(self._background)
        for artists in dynamic:
            for artist in artists:
                artist.draw(renderer)
        for pixels in self._legend_pixels:  # legends stay on top of the curves
            self.canvas.restore_region(pixels)


def still_figure(frame: LiveFrame) -> Figure:
    """`frame` as the still figure a headless run keeps (notebook outputs, CI): drawn once, so it can afford
    a laid-out figure, larger text than a streamed frame and a colour bar that says what D's heatmap means."""
    figure = Figure(figsize=STILL_SIZE, dpi=STILL_DPI, layout="constrained")
    axes = figure.subplots(1, 3, width_ratios=(1.15, 1, 1))
    _draw_panels(frame, axes, curve_legends=True)
    if isinstance(frame.view, Field2D) and axes[0].images:
        colour_bar = figure.colorbar(axes[0].images[0], ax=axes[0], fraction=0.05, pad=0.02)
        colour_bar.set_label("D(x): 0 = fake, 1 = real", fontsize="small")
    return figure


def still_png(frame: LiveFrame) -> bytes:
    """`still_figure(frame)` as PNG bytes."""
    buffer = io.BytesIO()
    FigureCanvasAgg(still_figure(frame)).print_png(buffer)
    return buffer.getvalue()


def _empty_frame(figsize: tuple[float, float]) -> Figure:
    """Three empty panels side by side, the data view a little wider."""
    figure = Figure(figsize=figsize, dpi=FRAME_DPI)
    # fixed margins: a constrained layout would cost about as much again as drawing the panels
    figure.subplots_adjust(left=0.045, right=0.99, bottom=0.13, top=0.91, wspace=0.22)
    figure.subplots(1, 3, width_ratios=(1.15, 1, 1))
    return figure


def _draw_panels(frame: LiveFrame, axes: list[Axes], curve_legends: bool) -> None:
    """The data view and the training curves into three empty axes; the losses' axes end on round numbers.

    Without `curve_legends` the curves' panels keep the legends they have (a legend is a third of their time)."""
    data_ax, loss_ax, prob_ax = axes
    draw_data_view(frame, data_ax)
    if isinstance(frame.view, Curves1D):
        # plot_density_1d's height follows the histogram's peak, which jitters; ours moves in factors of two
        top = data_ax.get_ylim()[1] / DENSITY_HEADROOM
        data_ax.set_ylim(0, DENSITY_HEADROOM * 2 ** np.ceil(np.log2(max(top, 1.0))))
    legend = CURVE_LEGEND if curve_legends else False
    history = frame.history
    plot_training(history, axes=(loss_ax, prob_ax), max_points=CURVE_POINTS, legend=legend)
    steps = history.steps
    if steps:
        for ax in (loss_ax, prob_ax):
            ax.set_xlim(_step_limits(ax.xaxis, steps[0], steps[-1]))
        values = np.concatenate([np.asarray(history[name], dtype=float) for name in LOSSES])
        values = values[np.isfinite(values)]
        if len(values):  # the 1st..99th percentile: a few early spikes must not flatten every curve
            low, high = np.percentile(values, LOSS_PERCENTILES)
            loss_ax.set_ylim(_round_limits(loss_ax.yaxis, low, max(high, low + 1e-3)))
    for ax in (loss_ax, prob_ax):  # the legend takes the title's place
        ax.set_title("")


def _round_limits(axis, lo: float, hi: float) -> tuple[float, float]:
    """(lo, hi) widened to the axis's nearest ticks outside it, so the limits change only when the data crosses one."""
    step = _tick_step(axis, lo, hi)
    if step is None:
        return lo, hi
    return float(np.floor(lo / step) * step), float(np.ceil(hi / step) * step)


def _step_limits(axis, first: int, last: int) -> tuple[float, float]:
    """The curves' x range, chosen to change seldom. While the history fills it is (0, 1, 2 or 5 x 10^n), which
    changes a few times per decade; once the window scrolls it ends up to STEP_AXIS_JUMP ticks past the last
    step and jumps by as much, so the axis (the background) changes once every few ticks' worth of steps."""
    hi = _one_two_five(last)
    if last - first >= 0.4 * hi or first == last:  # the data fill enough of (0, hi), or are one point
        return 0.0, hi
    step = _tick_step(axis, first, last)
    if step is None:
        return first, last
    jump = STEP_AXIS_JUMP * step
    hi = np.ceil(last / jump) * jump
    window = (np.ceil((last - first) / jump) + 1) * jump  # holds the data wherever `last` falls
    return float(max(hi - window, 0.0)), float(hi)  # steps count from 0


def _one_two_five(x: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is >= x (and >= 1)."""
    decade = 10.0 ** np.floor(np.log10(max(x, 1.0)))
    return float(next(m * decade for m in (1, 2, 5, 10) if m * decade >= x))


def _tick_step(axis, lo: float, hi: float) -> float | None:
    """The distance between the axis's major ticks over (lo, hi), or None when it places fewer than two."""
    ticks = axis.get_major_locator().tick_values(lo, hi)
    return float(ticks[1] - ticks[0]) if len(ticks) >= 2 else None


def _data_artists(ax: Axes) -> list[Artist]:
    """What the plots drew into `ax` (not its axes, ticks, labels and legend): removed and redrawn every frame."""
    return [*ax.images, *ax.lines, *ax.collections, *ax.patches, *ax.texts]


def _axes_state(ax: Axes) -> tuple:
    """What the background of `ax` shows: its limits, labels, place and legend."""
    legend = ax.get_legend()
    legend_texts = tuple(text.get_text() for text in legend.get_texts()) if legend is not None else ()
    return ax.get_xlim(), ax.get_ylim(), ax.get_xlabel(), ax.get_ylabel(), ax.get_aspect(), ax.axison, legend_texts
