"""Figures: each function draws numbers that ganlib.evaluation computed (or a History) and returns a Figure.

- style: colours, labels, and new-or-given axes
- curves: training curves from a History
- game: the 1D and 2D pictures of the game, samples over a mixture's modes, coverage along a run, animations
- reports: image grids, histograms over modes and classes, D's calibration
"""

from ganlib.plots.curves import plot_history, plot_training
from ganlib.plots.game import (
    DENSITY_HEADROOM,
    plot_coverage_curve,
    plot_density_1d,
    plot_field_2d,
    plot_samples,
    save_animation,
)
from ganlib.plots.reports import (
    plot_class_histogram,
    plot_discriminator_reports,
    plot_image_grid,
    plot_mode_coverage,
    plot_reliability,
)
from ganlib.plots.style import DISC, FAKE, OPTIMUM, REAL, STAT_LABELS

__all__ = [
    "DENSITY_HEADROOM",
    "DISC",
    "FAKE",
    "OPTIMUM",
    "REAL",
    "STAT_LABELS",
    "plot_class_histogram",
    "plot_coverage_curve",
    "plot_density_1d",
    "plot_discriminator_reports",
    "plot_field_2d",
    "plot_history",
    "plot_image_grid",
    "plot_mode_coverage",
    "plot_reliability",
    "plot_samples",
    "plot_training",
    "save_animation",
]
