"""Figures for the notebooks and the live dashboard, built with matplotlib's object-oriented API (no pyplot state).

Every function returns a `matplotlib.figure.Figure`. Pass `ax` (or `axes` for several panels) to draw
into existing axes, e.g. panels of one dashboard figure, and get that figure back; the axes are drawn
into as they are, so clear them first (`ax.clear()`) to redraw. Without `ax`, a new Figure is made.
Colours are the same everywhere: real data blue, generated samples orange, D's optimum dashed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torchvision.utils import make_grid

from ganlib.checks import require
from ganlib.data import GaussianMixture
from ganlib.metrics import (
    CONFIDENT,
    DigitReport,
    DiscriminatorReport,
    ModeCoverage,
    density_curves_1d,
    discriminator_grid,
    fixed_samples,
    generator_gradient,
    mode_coverage,
    plane_limits,
)
from ganlib.train import STATS, History, Trainer

REAL, FAKE, DISC, OPTIMUM = "tab:blue", "tab:orange", "tab:green", "black"
STAT_LABELS = {
    "loss_d": "D loss",
    "loss_g": "G loss",
    "d_real": "D(x), real",
    "d_fake": "D(G(z)), generated",
    "acc_real": "D accuracy on real",
    "acc_fake": "D accuracy on generated",
    "grad_norm_d": "|grad D| (weights)",
    "grad_norm_g": "|grad G| (weights)",
}
STAT_COLOURS = {"loss_d": DISC, "loss_g": FAKE, "d_real": REAL, "d_fake": FAKE, "acc_real": REAL, "acc_fake": FAKE}
PROBABILITY_STATS = ("d_real", "d_fake", "acc_real", "acc_fake")


def _figure_and_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure that `ax` belongs to, or a new one-panel Figure."""
    if ax is None:
        figure = Figure(figsize=figsize, layout="constrained")
        return figure, figure.add_subplot()
    require(isinstance(ax, Axes), "ax", type(ax).__name__, "a matplotlib Axes or None")
    return ax.get_figure(root=True), ax


def _figure_and_axes_list(axes: Sequence[Axes] | None, n: int, figsize: tuple[float, float]) -> tuple[Figure, list]:
    """`n` panels side by side, or the `n` axes given."""
    if axes is None:
        figure = Figure(figsize=figsize, layout="constrained")
        return figure, list(figure.subplots(1, n, squeeze=False)[0])
    axes = list(axes)
    require(len(axes) == n and all(isinstance(a, Axes) for a in axes), "axes", axes, f"{n} matplotlib Axes or None")
    return axes[0].get_figure(root=True), axes


# ----- images ---------------------------------------------------------------------------------------------------
def plot_image_grid(
    images: torch.Tensor, nrow: int | None = None, title: str | None = None, ax: Axes | None = None
) -> Figure:
    """A grid of (N, 1, H, W) images in [-1, 1] (e.g. metrics.fixed_samples of an MNIST trainer)."""
    require(images.ndim == 4 and len(images) >= 1, "images", tuple(images.shape), "a (N, C, H, W) batch")
    nrow = nrow or max(1, round(len(images) ** 0.5))
    grid = make_grid(images.detach().float().cpu(), nrow=nrow, padding=2, normalize=True, value_range=(-1, 1))
    figure, ax = _figure_and_axes(ax, (4, 4))
    ax.imshow(grid.permute(1, 2, 0).numpy(), interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(title or f"{len(images)} samples from fixed noise")
    return figure


# ----- training curves ------------------------------------------------------------------------------------------
def plot_history(
    history: History,
    stats: Sequence[str] = ("loss_d", "loss_g"),
    smooth: int | None = None,
    ax: Axes | None = None,
    max_points: int | None = None,
    legend: dict[str, Any] | Literal[False] | None = None,
) -> Figure:
    """Per-step statistics (names from train.STATS) against the step, faint raw and bold smoothed.

    `smooth` is the moving-average window (default: about 1/50 of the run). Probabilities get a dashed
    line at 1/2, the value D(x) = D(G(z)) takes at the game's equilibrium. Config changes recorded in
    `history.changes` (e.g. a slider moved in the dashboard) are grey vertical lines.
    `max_points` draws every n-th step only, so that a curve has at most that many points: a panel a few
    hundred pixels wide shows no more, and the live dashboard draws its frames faster. `legend`: keyword
    arguments for the legend (its place, font size) over the defaults, or False for none.
    """
    for name in stats:
        require(name in STATS, "stats", name, f"names from {STATS}")
    require(smooth is None or (isinstance(smooth, int) and smooth >= 1), "smooth", smooth, "None or an int >= 1")
    require(
        max_points is None or (isinstance(max_points, int) and max_points >= 2), "max_points", max_points,
        "None or an int >= 2",
    )  # fmt: skip
    require(
        legend is None or legend is False or isinstance(legend, dict), "legend", legend,
        "None, False or a dict of ax.legend arguments",
    )  # fmt: skip
    figure, ax = _figure_and_axes(ax, (6, 3.2))
    steps = np.asarray(history.steps)
    window = smooth or max(1, len(steps) // 50)
    every = 1 if max_points is None else max(1, -(-len(steps) // max_points))  # ceil: at most max_points points
    for name in stats:
        values = np.asarray(history[name], dtype=float)
        colour = STAT_COLOURS.get(name)
        if window > 1 and len(values) >= window:
            ax.plot(steps[::every], values[::every], color=colour, alpha=0.25, linewidth=0.8)
            smoothed = _moving_average(values, window)
            ax.plot(steps[window - 1 :: every], smoothed[::every], color=colour, label=STAT_LABELS[name])
        else:
            ax.plot(steps[::every], values[::every], color=colour, label=STAT_LABELS[name])
    probabilities = all(name in PROBABILITY_STATS for name in stats)
    if probabilities:
        ax.axhline(0.5, color=OPTIMUM, linestyle="--", linewidth=1, label="equilibrium, 1/2")
        ax.set_ylim(-0.02, 1.02)
    _mark_changes(ax, history)
    ax.set_xlabel("generator step")
    ax.set_ylabel("probability" if probabilities else "value")
    ax.set_title(", ".join(STAT_LABELS[name] for name in stats))
    if legend is not False:
        ax.legend(**{"loc": "best", "fontsize": "small", **(legend or {})})
    return figure


def plot_training(
    history: History,
    axes: Sequence[Axes] | None = None,
    max_points: int | None = None,
    legend: dict[str, Any] | Literal[False] | None = None,
) -> Figure:
    """Two panels: the losses, and D's mean output on real and generated samples (options: `plot_history`)."""
    figure, axes = _figure_and_axes_list(axes, 2, (11, 3.2))
    plot_history(history, ("loss_d", "loss_g"), ax=axes[0], max_points=max_points, legend=legend)
    plot_history(history, ("d_real", "d_fake"), ax=axes[1], max_points=max_points, legend=legend)
    axes[0].set_title("Losses")
    axes[1].set_title("D's mean probability of 'real'")
    return figure


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    return np.convolve(values, np.ones(window) / window, mode="valid")


def _mark_changes(ax: Axes, history: History, max_labels: int = 8) -> None:
    """A vertical line per step where the config changed, labelled 'field: old -> new' when there are few."""
    by_step: dict[int, list[str]] = {}
    for change in history.changes:
        by_step.setdefault(change["step"], []).append(f"{change['field']}: {change['old']} \u2192 {change['new']}")
    for step, texts in by_step.items():
        ax.axvline(step, color="grey", linestyle=":", linewidth=1)
        if len(by_step) <= max_labels:
            ax.annotate(
                "\n".join(texts),
                (step, 1),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                va="top",
                fontsize="x-small",
                color="dimgrey",
            )


# ----- 1D: Goodfellow et al. 2014, Figure 1 -----------------------------------------------------------------------
def plot_density_1d(trainer: Trainer, n: int = 2000, seed: int = 0, ax: Axes | None = None) -> Figure:
    """p_data, a histogram of p_g, the learned D and its optimum D* = p_data / (p_data + p_g), on one axis."""
    curves = density_curves_1d(trainer, n=n, seed=seed)
    figure, ax = _figure_and_axes(ax, (6, 3.5))
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
    ax.set_ylim(0, 1.3 * max(1.0, float(curves.p_data.max()), float(heights.max())))  # headroom for the legend
    ax.set_xlabel("x")
    ax.set_ylabel("density; D's probability of 'real'")
    ax.set_title(f"step {trainer.step}: JS(p_data, p_g) = {curves.js:.3f} nats")
    ax.legend(loc="upper center", ncols=4, fontsize="small")
    return figure


# ----- 2D: samples over D's opinion, with the direction G is pushed -------------------------------------------
def plot_field_2d(
    trainer: Trainer,
    n_shown: int = 500,
    n_arrows: int = 80,
    resolution: int = 60,
    seed: int = 0,
    ax: Axes | None = None,
) -> Figure:
    """Real and generated samples over D's probability of 'real' (heatmap); arrows show -dL_G/dx on fakes.

    The title counts modes covered on 2,500 fixed-noise samples (metrics.mode_coverage). Arrows are
    scaled together, so their relative lengths compare how hard D pushes each sample.
    """
    mixture = trainer.data
    require(isinstance(mixture, GaussianMixture) and mixture.dim == 2, "trainer", "data", "a trainer on a 2D mixture")
    loss = trainer.config.loss
    limits = plane_limits(mixture)
    axis, probs = discriminator_grid(trainer.D, loss, limits, resolution)
    fake = fixed_samples(trainer, 2500, seed)
    coverage = mode_coverage(fake, mixture)
    real = mixture.sample(n_shown, torch.Generator(mixture.device).manual_seed(seed))[0].cpu().numpy()
    arrows_at = fake[:n_arrows]
    push = generator_gradient(trainer.D, arrows_at, loss).cpu().numpy()
    fake, arrows_at = fake[:n_shown].cpu().numpy(), arrows_at.cpu().numpy()

    own_figure = ax is None
    figure, ax = _figure_and_axes(ax, (5.4, 4.4))
    image = ax.imshow(
        probs.numpy(),
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
        f"step {trainer.step}: {coverage.modes_covered}/{coverage.n_modes} modes covered, "
        f"{coverage.high_quality_fraction:.0%} high-quality",
        fontsize="medium",
    )
    ax.legend(loc="upper right", fontsize="x-small", markerscale=3)
    if own_figure:  # a dashboard redrawing into its own axes keeps its own colour bar
        figure.colorbar(image, ax=ax, label="D's probability of 'real'", shrink=0.8)
    return figure


# ----- histograms over modes and classes ----------------------------------------------------------------------
def plot_mode_coverage(coverage: ModeCoverage, ax: Axes | None = None) -> Figure:
    """High-quality samples per mode (metrics.mode_coverage) against the uniform share of a perfect generator."""
    figure, ax = _figure_and_axes(ax, (6, 3))
    _category_bars(ax, coverage.counts, [str(i) for i in range(coverage.n_modes)])
    ax.set_xlabel("mode")
    ax.set_ylabel("high-quality samples")
    ax.set_title(
        f"{coverage.modes_covered}/{coverage.n_modes} modes covered, "
        f"{coverage.high_quality_fraction:.0%} high-quality, KL to uniform {coverage.kl_to_uniform:.2f} nats",
        fontsize="medium",
    )
    return figure


def plot_class_histogram(report: DigitReport, ax: Axes | None = None) -> Figure:
    """Generated digits per class as the MNIST classifier reads them (metrics.digit_metrics), against uniform."""
    figure, ax = _figure_and_axes(ax, (6, 3))
    _category_bars(ax, report.class_counts, [str(digit) for digit in range(10)])
    ax.set_xlabel("digit the classifier reads")
    ax.set_ylabel("samples")
    ax.set_title(
        f"{report.classes_covered}/10 classes covered, {report.confident_fraction:.0%} read with confidence "
        f"> {CONFIDENT}\nInception-like score {report.inception_score:.2f} (max 10), classifier FID {report.fid:.1f}",
        fontsize="medium",
    )
    return figure


def _category_bars(ax: Axes, counts: Sequence[int], names: Sequence[str]) -> None:
    """Bars per category, empty ones marked, with a dashed line at the uniform share of the total."""
    counts = np.asarray(counts)
    colours = [FAKE if c > 0 else "lightgrey" for c in counts]
    ax.bar(np.arange(len(counts)), counts, color=colours, tick_label=list(names))
    ax.axhline(counts.sum() / len(counts), color=OPTIMUM, linestyle="--", linewidth=1, label="uniform")
    ax.legend(loc="upper right", fontsize="small")
    if len(counts) > 12:
        ax.tick_params(axis="x", labelsize="x-small")


# ----- the discriminator's calibration -------------------------------------------------------------------------
def plot_reliability(report: DiscriminatorReport, ax: Axes | None = None) -> Figure:
    """Reliability diagram: in each bin of D's probability, the share of samples that were real."""
    figure, ax = _figure_and_axes(ax, (4, 4))
    ax.plot([0, 1], [0, 1], color=OPTIMUM, linestyle="--", linewidth=1, label="calibrated")
    sizes = 20 + 180 * np.asarray(report.bin_counts) / max(report.bin_counts)
    ax.plot(report.bin_probability, report.bin_real_fraction, color=DISC, label="D")
    ax.scatter(report.bin_probability, report.bin_real_fraction, s=sizes, color=DISC, zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("D's probability of 'real' (bin mean)")
    ax.set_ylabel("share of the bin that is real")
    ax.set_title(
        f"calibration error (ECE) {report.ece:.3f}\naccuracy on real {report.acc_real:.0%}, "
        f"on generated {report.acc_fake:.0%}",
        fontsize="medium",
    )
    ax.legend(loc="upper left", fontsize="small")
    return figure


def plot_discriminator_reports(reports: Sequence[tuple[int, DiscriminatorReport]], ax: Axes | None = None) -> Figure:
    """D's held-out accuracy on real and generated samples and its calibration error over training."""
    require(len(reports) >= 1, "reports", reports, "a non-empty list of (step, DiscriminatorReport)")
    figure, ax = _figure_and_axes(ax, (6, 3.2))
    steps = [step for step, _ in reports]
    ax.plot(steps, [r.acc_real for _, r in reports], color=REAL, marker=".", label="accuracy on real")
    ax.plot(steps, [r.acc_fake for _, r in reports], color=FAKE, marker=".", label="accuracy on generated")
    ax.plot(steps, [r.ece for _, r in reports], color=DISC, marker=".", label="calibration error (ECE)")
    ax.axhline(0.5, color=OPTIMUM, linestyle="--", linewidth=1, label="chance")
    ax.set_ylim(-0.02, 1.3)  # headroom for the legend
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_xlabel("generator step")
    ax.set_ylabel("fraction")
    ax.set_title("D on held-out samples")
    ax.legend(loc="upper center", ncols=2, fontsize="small")
    return figure
