"""The game itself: Figure 1 of Goodfellow et al. 2014 in 1D, the 2D field of D's opinion with G's gradients,
and samples over a mixture's modes (still, along a run, and as an animation). Each draws numbers computed in
ganlib.evaluation (`density_curves_1d`, `field_2d`, `mode_coverage`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import torch
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganlib.checks import require
from ganlib.data import GaussianMixture
from ganlib.evaluation.densities import Curves1D
from ganlib.evaluation.modes import ModeCoverage
from ganlib.evaluation.plane import Field2D
from ganlib.plots.style import DISC, FAKE, OPTIMUM, REAL, figure_and_axes

DENSITY_HEADROOM = 1.3  # the 1D panel is this many times as high as the highest density: room for the legend


def plot_density_1d(curves: Curves1D, ax: Axes | None = None) -> Figure:
    """p_data, a histogram of p_g, the learned D and its optimum D* = p_data / (p_data + p_g), on one axis."""
    require(isinstance(curves, Curves1D), "curves", type(curves).__name__, "a Curves1D (evaluation.density_curves_1d)")
    figure, ax = figure_and_axes(ax, (6, 3.5))
    x = curves.x.numpy()
    heights, _, _ = ax.hist(
        curves.samples.numpy(),
        bins=60,
        range=(x[0], x[-1]),
        density=True,
        histtype="stepfilled",  # one polygon, not 60 bars: quick to redraw
        color=FAKE,
        alpha=0.45,
        label="p_g",
    )
    ax.plot(x, curves.p_data.numpy(), color=REAL, linewidth=2, label="p_data")
    ax.plot(x, curves.d.numpy(), color=DISC, linewidth=2, label="D(x)")
    ax.plot(x, curves.d_optimal.numpy(), color=OPTIMUM, linestyle="--", linewidth=1.2, label="optimal D*(x)")
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, DENSITY_HEADROOM * max(1.0, float(curves.p_data.max()), float(heights.max())))
    ax.set_xlabel("x")
    ax.set_ylabel("density; D's probability of 'real'")
    ax.set_title(f"step {curves.step}: JS(p_data, p_g) = {curves.js:.3f} nats")
    ax.legend(loc="upper center", ncols=4, fontsize="small")
    return figure


def plot_field_2d(field: Field2D, ax: Axes | None = None) -> Figure:
    """Real and generated samples over D's probability of 'real' (heatmap); arrows show -dL_G/dx on fakes.

    The title counts modes covered (evaluation.mode_coverage). Arrows are scaled together, so their
    relative lengths compare how hard D pushes each sample.
    """
    require(isinstance(field, Field2D), "field", type(field).__name__, "a Field2D (evaluation.field_2d)")
    limits, coverage = field.limits, field.coverage
    real, fake, arrows_at, push = (t.numpy() for t in (field.real, field.fake, field.arrows_at, field.push))
    own_figure = ax is None
    figure, ax = figure_and_axes(ax, (5.4, 4.4))
    image = ax.imshow(
        field.probability.numpy(),
        extent=(*limits, *limits),
        origin="lower",
        cmap="RdBu",
        vmin=0,
        vmax=1,
        alpha=0.55,
        interpolation="bilinear",
    )
    ax.scatter(real[:, 0], real[:, 1], s=4, color=REAL, label="real")
    ax.scatter(fake[:, 0], fake[:, 1], s=4, color=FAKE, label="generated")
    ax.quiver(
        arrows_at[:, 0],
        arrows_at[:, 1],
        push[:, 0],
        push[:, 1],
        color="black",
        width=0.004,
        label=r"$-\partial L_G / \partial x$",
    )
    ax.set_xlim(limits)
    ax.set_ylim(limits)
    ax.set_aspect("equal")
    ax.set_xlabel("x\u2081")
    ax.set_ylabel("x\u2082")
    ax.set_title(
        f"step {field.step}: {coverage.modes_covered}/{coverage.n_modes} modes covered, "
        f"{coverage.high_quality_fraction:.0%} high-quality",
        fontsize="medium",
    )
    ax.legend(loc="upper right", fontsize="x-small", markerscale=3)
    if own_figure:  # a dashboard redrawing into its own axes keeps its own colour bar
        figure.colorbar(image, ax=ax, label="D's probability of 'real'", shrink=0.8)
    return figure


def plot_samples(samples: torch.Tensor, mixture: GaussianMixture, title: str = "", ax: Axes | None = None) -> Figure:
    """Generated samples (orange) over the mixture's mode centres (blue crosses)."""
    require(
        isinstance(samples, torch.Tensor) and samples.ndim == 2 and samples.shape[1] == 2,
        "samples",
        getattr(samples, "shape", samples),
        "an (n, 2) tensor of 2D samples",
    )
    figure, ax = figure_and_axes(ax, (4, 4))
    samples, centres = samples.cpu().numpy(), mixture.centres.cpu().numpy()
    ax.scatter(samples[:, 0], samples[:, 1], s=2, color=FAKE, alpha=0.5)
    ax.scatter(centres[:, 0], centres[:, 1], s=40, marker="x", color=REAL)
    limit = float(abs(centres).max()) * 1.6
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize="medium")
    return figure


def plot_coverage_curve(curve: Iterable[tuple[int, ModeCoverage]], ax: Axes | None = None) -> Figure:
    """Modes covered (left axis) and the share of high-quality samples (right axis) along a run."""
    curve = list(curve)
    require(len(curve) >= 1, "curve", curve, "a non-empty list of (step, ModeCoverage)")
    figure, ax = figure_and_axes(ax, (7, 3))
    steps, coverage = zip(*curve, strict=True)
    ax.plot(steps, [c.modes_covered for c in coverage], color=FAKE, marker=".")
    ax.set_ylim(0, coverage[0].n_modes + 0.5)
    ax.set_xlabel("generator step")
    ax.set_ylabel(f"modes covered (of {coverage[0].n_modes})", color=FAKE)
    right = ax.twinx()
    right.plot(steps, [100 * c.high_quality_fraction for c in coverage], color="black", linestyle="--")
    right.set_ylim(0, 100)
    right.set_ylabel("high-quality samples (%)")
    return figure


def save_animation(
    frames: list[tuple[int, torch.Tensor]], mixture: GaussianMixture, path: str | Path, fps: int = 4
) -> Path:
    """A GIF of (step, samples) frames over the mixture's modes, written with Pillow; returns its path."""
    require(
        len(frames) >= 1 and all(len(f) == 2 and getattr(f[1], "ndim", 0) == 2 for f in frames),
        "frames",
        f"{len(frames)} frames",
        "at least one (step, (n, 2) samples) frame",
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure, ax = figure_and_axes(None, (4, 4))

    def draw(i: int) -> None:
        ax.clear()
        step, samples = frames[i]
        plot_samples(samples, mixture, f"step {step}", ax=ax)

    FuncAnimation(figure, draw, frames=len(frames)).save(path, writer=PillowWriter(fps=fps))
    return path
