"""The workbook's figure style in one place: colours, the names of the statistics, and new or given axes.

Every plotting function in ganlib.plots returns a `matplotlib.figure.Figure`. Pass `ax` (or `axes` for
several panels) to draw into existing axes, e.g. panels of one dashboard figure, and get that figure back;
the axes are drawn into as they are, so clear them first (`ax.clear()`) to redraw. Without `ax`, a new
Figure is made. Figures are built with the object-oriented API (no pyplot state), so any thread may draw.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganlib.checks import require

# real data blue, generated samples orange, D green, D's optimum (and the equilibrium) dashed black
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


def figure_and_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure that `ax` belongs to, or a new one-panel Figure."""
    if ax is None:
        figure = Figure(figsize=figsize, layout="constrained")
        return figure, figure.add_subplot()
    require(isinstance(ax, Axes), "ax", type(ax).__name__, "a matplotlib Axes or None")
    return ax.get_figure(root=True), ax


def figure_and_axes_list(axes: Sequence[Axes] | None, n: int, figsize: tuple[float, float]) -> tuple[Figure, list]:
    """`n` panels side by side, or the `n` axes given."""
    if axes is None:
        figure = Figure(figsize=figsize, layout="constrained")
        return figure, list(figure.subplots(1, n, squeeze=False)[0])
    axes = list(axes)
    require(len(axes) == n and all(isinstance(a, Axes) for a in axes), "axes", axes, f"{n} matplotlib Axes or None")
    return axes[0].get_figure(root=True), axes
