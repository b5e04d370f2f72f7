"""Training curves: per-step statistics of a `History` against the step, with the config changes marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganlib.checks import require
from ganlib.history import STATS, History
from ganlib.plots.style import (
    OPTIMUM,
    PROBABILITY_STATS,
    STAT_COLOURS,
    STAT_LABELS,
    figure_and_axes,
    figure_and_axes_list,
)


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
    require(isinstance(history, History), "history", type(history).__name__, "a ganlib.History")
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
    figure, ax = figure_and_axes(ax, (6, 3.2))
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
    require(isinstance(history, History), "history", type(history).__name__, "a ganlib.History")
    figure, axes = figure_and_axes_list(axes, 2, (11, 3.2))
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
