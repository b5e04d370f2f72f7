"""Pictures of reports the evaluation computed: image grids, histograms over modes and classes, D's calibration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torchvision.utils import make_grid

from ganlib.checks import is_int, require
from ganlib.evaluation.digits import CONFIDENT, DigitReport
from ganlib.evaluation.discriminator import DiscriminatorReport
from ganlib.evaluation.modes import ModeCoverage
from ganlib.plots.style import DISC, FAKE, OPTIMUM, REAL, figure_and_axes


def plot_image_grid(
    images: torch.Tensor, nrow: int | None = None, title: str | None = None, ax: Axes | None = None
) -> Figure:
    """A grid of (N, 1, H, W) images in [-1, 1] (e.g. evaluation.fixed_samples of an MNIST trainer)."""
    require(images.ndim == 4 and len(images) >= 1, "images", tuple(images.shape), "a (N, C, H, W) batch")
    require(nrow is None or (is_int(nrow) and nrow >= 1), "nrow", nrow, "None or an int >= 1")
    nrow = nrow or max(1, round(len(images) ** 0.5))
    grid = make_grid(images.detach().float().cpu(), nrow=nrow, padding=2, normalize=True, value_range=(-1, 1))
    figure, ax = figure_and_axes(ax, (4, 4))
    ax.imshow(grid.permute(1, 2, 0).numpy(), interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(title or f"{len(images)} samples from fixed noise")
    return figure


def plot_mode_coverage(coverage: ModeCoverage, ax: Axes | None = None) -> Figure:
    """High-quality samples per mode (evaluation.mode_coverage) against the uniform share of a perfect generator."""
    require(isinstance(coverage, ModeCoverage), "coverage", type(coverage).__name__, "a ModeCoverage (mode_coverage)")
    figure, ax = figure_and_axes(ax, (6, 3))
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
    """Generated digits per class as the MNIST classifier reads them (evaluation.digit_metrics), against uniform."""
    require(isinstance(report, DigitReport), "report", type(report).__name__, "a DigitReport (digit_metrics)")
    figure, ax = figure_and_axes(ax, (6, 3))
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
    require(isinstance(report, DiscriminatorReport), "report", type(report).__name__, "a DiscriminatorReport")
    figure, ax = figure_and_axes(ax, (4, 4))
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
    figure, ax = figure_and_axes(ax, (6, 3.2))
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
