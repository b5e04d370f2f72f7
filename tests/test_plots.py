"""Each figure function returns a Figure with the artists it promises, and draws into axes it is given."""

import matplotlib.collections as mcoll
import matplotlib.image as mimage
import matplotlib.quiver as mquiver
import pytest
import torch
from matplotlib.figure import Figure

from ganlib import TrainConfig
from ganlib import evaluation as M
from ganlib import plots as P
from ganlib.evaluation import (
    DigitReport,
    DiscriminatorReport,
    ModeCoverage,
    discriminator_report,
    fixed_samples,
    mode_coverage,
)
from ganlib.recipes import make_trainer

TOY = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=64, seed=0, log_every=5)


@pytest.fixture(scope="module")
def ring_trainer():
    trainer = make_trainer("ring", TOY, device="cpu")
    trainer.run(20)
    trainer.update(k=2)
    trainer.run(20)
    return trainer


@pytest.fixture(scope="module")
def line_trainer():
    trainer = make_trainer("mixture1d", TOY, device="cpu")
    trainer.run(20)
    return trainer


def _lines_with_labels(ax):
    return [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_image_grid_shows_one_image_in_an_axis_free_panel():
    figure = P.plot_image_grid(torch.rand(16, 1, 28, 28) * 2 - 1, nrow=4)
    (ax,) = figure.axes
    (image,) = ax.get_images()
    assert image.get_array().shape[:2] == (4 * 30 + 2, 4 * 30 + 2)  # make_grid pads 2 pixels around each image
    assert not ax.axison


def test_history_draws_raw_and_smoothed_curves_and_marks_config_changes(ring_trainer):
    figure = P.plot_history(ring_trainer.history, ("d_real", "d_fake"), smooth=5)
    (ax,) = figure.axes
    assert _lines_with_labels(ax) == ["D(x), real", "D(G(z)), generated", "equilibrium, 1/2"]
    change_lines = [line for line in ax.get_lines() if tuple(line.get_xdata()) == (20, 20)]
    assert len(change_lines) == 1  # the k: 1 -> 2 change at step 20
    assert any("k: 1 \u2192 2" in text.get_text() for text in ax.texts)
    assert ax.get_xlabel() == "generator step" and ax.get_ylabel() == "probability"


def test_history_thins_long_curves_to_max_points_and_can_leave_out_the_legend(ring_trainer):
    figure = P.plot_history(ring_trainer.history, ("loss_d",), smooth=1, max_points=8, legend=False)
    (ax,) = figure.axes
    (curve,) = [line for line in ax.get_lines() if line.get_label() == "D loss"]
    steps = ring_trainer.history.steps  # 40 steps thinned to every 5th: 8 points from the first step on
    assert list(curve.get_xdata()) == steps[::5] and len(curve.get_xdata()) == 8
    assert ax.get_legend() is None
    with pytest.raises(ValueError, match="max_points"):
        P.plot_history(ring_trainer.history, max_points=1)


def test_history_refuses_an_unknown_statistic(ring_trainer):
    with pytest.raises(ValueError, match="stats='loss'"):
        P.plot_history(ring_trainer.history, ("loss",))


def test_training_figure_has_losses_and_d_outputs_side_by_side(ring_trainer):
    figure = P.plot_training(ring_trainer.history)
    assert len(figure.axes) == 2
    assert _lines_with_labels(figure.axes[0]) == ["D loss", "G loss"]
    assert "D(x), real" in _lines_with_labels(figure.axes[1])


def test_density_1d_shows_data_histogram_d_and_its_optimum(line_trainer):
    figure = P.plot_density_1d(M.density_curves_1d(line_trainer, n=1000))
    (ax,) = figure.axes
    assert _lines_with_labels(ax) == ["p_data", "D(x)", "optimal D*(x)"]
    (histogram,) = ax.patches  # p_g as one filled step polygon
    assert histogram.get_label() == "p_g"
    assert "JS(p_data, p_g)" in ax.get_title() and "nats" in ax.get_title()


def test_field_2d_has_heatmap_samples_arrows_and_mode_count(ring_trainer):
    figure = P.plot_field_2d(M.field_2d(ring_trainer, n_shown=100, n_arrows=30, resolution=20))
    ax = figure.axes[0]
    assert len(figure.axes) == 2  # the panel and its colour bar
    (image,) = [im for im in ax.get_images() if isinstance(im, mimage.AxesImage)]
    assert image.get_array().shape == (20, 20)
    scatters = [c for c in ax.collections if isinstance(c, mcoll.PathCollection)]
    assert [len(s.get_offsets()) for s in scatters] == [100, 100]
    (arrows,) = [c for c in ax.collections if isinstance(c, mquiver.Quiver)]
    assert arrows.N == 30
    expected = mode_coverage(fixed_samples(ring_trainer, 2500), ring_trainer.data)
    assert f"{expected.modes_covered}/8 modes covered" in ax.get_title()


def test_mode_coverage_bars_grey_out_missing_modes():
    coverage = ModeCoverage(
        modes_covered=2, n_modes=4, high_quality_fraction=0.5, kl_to_uniform=0.69, counts=(3, 0, 1, 0)
    )
    (ax,) = P.plot_mode_coverage(coverage).axes
    bars = ax.patches
    assert [b.get_height() for b in bars] == [3, 0, 1, 0]
    assert bars[1].get_facecolor() != bars[0].get_facecolor()
    assert "2/4 modes covered" in ax.get_title()


def test_class_histogram_has_ten_bars_and_the_scores_in_the_title():
    report = DigitReport((5, 0, 3, 2, 0, 0, 0, 0, 0, 0), 3, 0.8, 0.7, 2.5, 123.4)
    (ax,) = P.plot_class_histogram(report).axes
    assert [b.get_height() for b in ax.patches] == list(report.class_counts)
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(d) for d in range(10)]
    assert "3/10 classes covered" in ax.get_title() and "123.4" in ax.get_title()


def test_reliability_diagram_and_report_curves(ring_trainer):
    report = discriminator_report(ring_trainer, n=200)
    (ax,) = P.plot_reliability(report).axes
    assert _lines_with_labels(ax) == ["calibrated", "D"]
    assert f"(ECE) {report.ece:.3f}" in ax.get_title()
    (ax,) = P.plot_discriminator_reports([(10, report), (20, report)]).axes
    assert len(_lines_with_labels(ax)) == 4 and list(ax.get_lines()[0].get_xdata()) == [10, 20]


def test_every_plot_draws_into_supplied_axes_of_one_dashboard_figure(ring_trainer, line_trainer):
    dashboard = Figure(figsize=(15, 8))
    axes = dashboard.subplots(2, 5).flatten()
    report = DiscriminatorReport(0.9, 0.8, 0.7, 0.3, 0.1, (0.2, 0.8), (0.1, 0.9), (5, 5))
    drawn = [
        P.plot_image_grid(torch.zeros(4, 1, 28, 28), ax=axes[0]),
        P.plot_history(ring_trainer.history, ax=axes[1]),
        P.plot_training(ring_trainer.history, axes=axes[2:4]),
        P.plot_density_1d(M.density_curves_1d(line_trainer, n=500), ax=axes[4]),
        P.plot_field_2d(M.field_2d(ring_trainer, n_shown=50, n_arrows=10, resolution=10), ax=axes[5]),
        P.plot_mode_coverage(ModeCoverage(1, 2, 1.0, 0.69, (4, 0)), ax=axes[6]),
        P.plot_reliability(report, ax=axes[7]),
        P.plot_discriminator_reports([(1, report)], ax=axes[8]),
        P.plot_class_histogram(DigitReport((1,) * 10, 10, 0.9, 0.9, 9.0, 1.0), ax=axes[9]),
    ]
    assert all(figure is dashboard for figure in drawn)
    assert len(dashboard.axes) == 10  # nothing added, not even a colour bar
    assert all(ax.has_data() for ax in axes)


def test_plots_refuse_axes_that_are_not_axes(ring_trainer):
    with pytest.raises(ValueError, match="ax="):
        P.plot_history(ring_trainer.history, ax="left")
    with pytest.raises(ValueError, match="axes="):
        P.plot_training(ring_trainer.history, axes=[Figure().add_subplot()])


def test_the_game_plots_take_computed_numbers_not_a_trainer(ring_trainer, line_trainer):
    with pytest.raises(ValueError, match="^field="):
        P.plot_field_2d(ring_trainer)
    with pytest.raises(ValueError, match="^curves="):
        P.plot_density_1d(line_trainer)


def test_a_field_carries_the_step_and_shapes_it_was_computed_with(ring_trainer):
    field = M.field_2d(ring_trainer, n_shown=40, n_arrows=7, resolution=9)
    assert field.step == ring_trainer.step
    assert field.probability.shape == (9, 9) and field.axis.shape == (9,)
    assert field.real.shape == field.fake.shape == (40, 2) and field.arrows_at.shape == field.push.shape == (7, 2)
    assert float(field.probability.min()) >= 0 and float(field.probability.max()) <= 1
