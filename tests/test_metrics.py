"""Metrics checked against closed forms and constructed cases with known answers."""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.linalg
import torch
from torch import nn

import ganlib
from ganlib import TrainConfig
from ganlib import evaluation as M
from ganlib.recipes import make_trainer

TOY = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=128, seed=0)


# ----- mode coverage (VEEGAN / PacGAN) ------------------------------------------------------------------------
@pytest.mark.parametrize("mixture", [ganlib.ring(), ganlib.grid()], ids=["ring", "grid"])
def test_samples_on_every_centre_cover_every_mode(mixture):
    coverage = M.mode_coverage(mixture.centres.repeat(3, 1), mixture)
    assert coverage.modes_covered == mixture.n_modes
    assert coverage.high_quality_fraction == 1.0
    assert coverage.counts == (3,) * mixture.n_modes
    assert coverage.kl_to_uniform == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("mixture", [ganlib.ring(), ganlib.grid()], ids=["ring", "grid"])
def test_samples_on_half_the_centres_cover_half_the_modes(mixture):
    half = mixture.n_modes // 2
    coverage = M.mode_coverage(mixture.centres[:half], mixture)
    assert coverage.modes_covered == half
    assert coverage.counts == (1,) * half + (0,) * (mixture.n_modes - half)
    assert coverage.kl_to_uniform == pytest.approx(math.log(mixture.n_modes / half))


def test_samples_beyond_three_std_cover_nothing():
    ring = ganlib.ring()
    just_outside = ring.centres + torch.tensor([3.01 * ring.std, 0.0])
    coverage = M.mode_coverage(just_outside, ring)
    assert coverage.modes_covered == 0 and coverage.high_quality_fraction == 0.0
    assert coverage.kl_to_uniform == math.inf


def test_threshold_is_a_euclidean_distance_in_standardised_units():
    ring = ganlib.ring()
    diagonal = 2.9 / math.sqrt(2) * ring.std  # 2.9 std away from the centre along the diagonal
    inside = ring.centres + torch.tensor([diagonal, diagonal])
    outside = ring.centres + torch.tensor([2.2 * ring.std, 2.2 * ring.std])  # each axis < 3, length 3.11
    assert M.mode_coverage(inside, ring).modes_covered == ring.n_modes
    assert M.mode_coverage(outside, ring).modes_covered == 0


def test_all_samples_on_one_mode_give_the_largest_kl():
    grid = ganlib.grid()
    coverage = M.mode_coverage(grid.centres[7].repeat(50, 1), grid)
    assert coverage.modes_covered == 1 and coverage.counts[7] == 50
    assert coverage.kl_to_uniform == pytest.approx(math.log(25))


def test_real_samples_are_high_quality_as_often_as_a_chi_square_says():
    ring = ganlib.ring()
    x, _ = ring.sample(20_000, torch.Generator().manual_seed(1))
    coverage = M.mode_coverage(x, ring)
    assert coverage.high_quality_fraction == pytest.approx(1 - math.exp(-4.5), abs=0.004)  # P(chi2_2 < 9)
    assert coverage.modes_covered == 8 and coverage.kl_to_uniform < 0.005


def test_mode_coverage_refuses_samples_of_the_wrong_dimension():
    with pytest.raises(ValueError, match="samples="):
        M.mode_coverage(torch.zeros(5, 3), ganlib.ring())


def test_nearest_modes_agree_with_a_search_over_every_centre():
    grid = ganlib.grid()
    x = torch.rand(300, 2, generator=torch.Generator().manual_seed(2)) * 12 - 6  # anywhere, between modes too
    nearest, distance = M.nearest_modes(x, grid)
    for point, mode, length in zip(x.tolist(), nearest.tolist(), distance.tolist(), strict=True):
        lengths = [math.dist(point, centre) / grid.std for centre in grid.centres.tolist()]
        assert mode == lengths.index(min(lengths))
        assert length == pytest.approx(min(lengths))


def test_nearest_modes_name_the_mode_a_sample_was_drawn_from():
    ring = ganlib.ring()
    x, modes = ring.sample(2000, torch.Generator().manual_seed(3))  # centres 1.53 apart: 38 std to the halfway line
    nearest, _ = M.nearest_modes(x, ring)
    assert torch.equal(nearest, modes)


@pytest.mark.parametrize(
    "samples, mixture, name",
    [
        ([[0.0, 0.0]], ganlib.ring(), "samples"),
        (torch.zeros(0, 2), ganlib.ring(), "samples"),
        (torch.zeros(4, 2), "ring", "mixture"),
    ],
)
def test_nearest_modes_refuse_what_is_not_samples_of_a_mixture(samples, mixture, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        M.nearest_modes(samples, mixture)


def test_generator_coverage_leaves_the_trainer_rng_alone_and_is_repeatable():
    trainer = make_trainer("ring", TOY, device="cpu")
    state = trainer.rng.get_state()
    first = M.generator_mode_coverage(trainer)
    assert torch.equal(trainer.rng.get_state(), state)
    assert M.generator_mode_coverage(trainer) == first
    assert sum(first.counts) == round(first.high_quality_fraction * M.N_MODE_SAMPLES)


# ----- 1D: JS divergence, KDE and D's optimum -----------------------------------------------------------------
def test_js_divergence_is_symmetric_zero_on_equal_and_log2_on_disjoint():
    p, q = torch.tensor([0.1, 0.4, 0.5, 0.0]), torch.tensor([0.3, 0.3, 0.2, 0.2])
    assert M.js_divergence(p, q) == pytest.approx(M.js_divergence(q, p))
    assert 0 < M.js_divergence(p, q) < math.log(2)
    assert M.js_divergence(p, 10 * p) == pytest.approx(0.0, abs=1e-15)
    assert M.js_divergence(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])) == pytest.approx(math.log(2))


def test_js_divergence_matches_scipy():
    p, q = torch.rand(20), torch.rand(20)
    expected = scipy.spatial.distance.jensenshannon(p.numpy(), q.numpy()) ** 2  # scipy returns the square root
    assert M.js_divergence(p, q) == pytest.approx(expected, rel=1e-5)


def test_histogram_js_is_near_zero_for_data_and_grows_as_samples_move_away():
    mixture = ganlib.mixture_1d()
    x, _ = mixture.sample(20_000, torch.Generator().manual_seed(2))
    shifts = [M.histogram_js(x + shift, mixture) for shift in (0.0, 0.25, 1.0, 50.0)]
    assert shifts[0] < 0.005
    assert shifts == sorted(shifts)
    assert shifts[-1] == pytest.approx(math.log(2), abs=1e-3)  # far away: disjoint supports


def test_kde_of_many_normal_samples_approaches_the_normal_density():
    samples = torch.randn(20_000, 1, generator=torch.Generator().manual_seed(3))
    x = torch.linspace(-2, 2, 9)[:, None]
    normal = torch.exp(-(x[:, 0] ** 2) / 2) / math.sqrt(2 * math.pi)
    assert torch.allclose(M.kde_density(x, samples).float(), normal, atol=0.01)


def test_optimal_discriminator_is_half_where_densities_agree():
    p_data, p_g = torch.tensor([0.2, 0.3, 0.0, 0.0]), torch.tensor([0.2, 0.1, 0.5, 0.0])
    assert M.optimal_discriminator(p_data, p_g).tolist() == pytest.approx([0.5, 0.75, 0.0, 0.5])


def test_density_curves_of_a_trained_1d_gan_are_consistent():
    trainer = make_trainer("mixture1d", TOY, device="cpu")
    trainer.run(200)
    curves = M.density_curves_1d(trainer, n=2000, points=200)
    assert curves.x.shape == curves.p_data.shape == curves.d.shape == curves.d_optimal.shape == (200,)
    assert torch.allclose(curves.d_optimal, curves.p_data / (curves.p_data + curves.p_g))
    assert ((curves.d >= 0) & (curves.d <= 1)).all()
    area = torch.trapezoid(curves.p_data, curves.x)
    assert area == pytest.approx(1.0, abs=0.01)  # the grid covers the data


# ----- D on the plane and G's gradient ----------------------------------------------------------------------------
class _LinearCritic(nn.Module):
    """logit = w . x + b: gradients with a closed form."""

    def __init__(self, w, b):
        super().__init__()
        self.lin = nn.Linear(2, 1)
        with torch.no_grad():
            self.lin.weight.copy_(torch.tensor([w])), self.lin.bias.fill_(b)

    def forward(self, x, y=None):
        return self.lin(x).squeeze(1)


@pytest.mark.parametrize("loss", ["non-saturating", "saturating", "wgan-gp"])
def test_generator_gradient_matches_the_closed_form_for_a_linear_critic(loss):
    w, b = torch.tensor([1.5, -0.5]), 0.2
    x = torch.randn(6, 2)
    logit = x @ w + b
    sign = {"non-saturating": torch.sigmoid(-logit), "saturating": torch.sigmoid(logit), "wgan-gp": torch.ones(6)}
    expected = sign[loss][:, None] * w  # -dL_G/dx points up D's slope, towards 'real'
    assert torch.allclose(M.generator_gradient(_LinearCritic(w.tolist(), b), x, loss), expected, atol=1e-6)


def test_discriminator_grid_puts_x_on_columns_and_y_on_rows():
    critic = _LinearCritic([0.0, 3.0], 0.0)  # depends on y only
    axis, probs = M.discriminator_grid(critic, "non-saturating", (-1.0, 1.0), resolution=5)
    assert axis.tolist() == pytest.approx([-1, -0.5, 0, 0.5, 1])
    assert torch.allclose(probs[:, 0], torch.sigmoid(3 * axis))
    assert torch.allclose(probs, probs[:, :1].expand(5, 5))


# ----- the discriminator's calibration -----------------------------------------------------------------------
def test_calibration_error_is_small_for_calibrated_probabilities():
    g = torch.Generator().manual_seed(4)
    p = torch.rand(50_000, generator=g)
    is_real = torch.rand(50_000, generator=g) < p
    ece, bin_p, bin_real, counts = M.calibration(p, is_real)
    assert ece < 0.01
    assert len(bin_p) == len(bin_real) == len(counts) == 10 and sum(counts) == 50_000
    assert np.allclose(bin_p, bin_real, atol=0.02)


def test_calibration_error_of_an_overconfident_guess_is_its_excess_confidence():
    p = torch.full((1000,), 0.95)
    is_real = torch.arange(1000) % 2 == 0
    ece, bin_p, bin_real, counts = M.calibration(p, is_real)
    assert ece == pytest.approx(0.45)
    assert counts == (1000,) and bin_real == pytest.approx((0.5,))


def test_discriminator_report_over_training_records_accuracy_and_calibration():
    trainer = make_trainer("ring", TOY, device="cpu")
    reports = []
    trainer.run(60, callbacks=[M.track_discriminator(reports, every=20, n=500)])
    assert [step for step, _ in reports] == [20, 40, 60]
    report = reports[-1][1]
    assert 0 <= report.acc_real <= 1 and 0 <= report.acc_fake <= 1 and 0 <= report.ece <= 1
    assert sum(report.bin_counts) == 1000
    assert M.discriminator_report(trainer, n=500) == report  # seeded: the same samples every time


# ----- Frechet distance -----------------------------------------------------------------------------------------
def test_frechet_distance_of_diagonal_gaussians_has_a_closed_form():
    mu1, mu2 = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0, 0.0])
    var1, var2 = torch.tensor([1.0, 4.0, 9.0]), torch.tensor([4.0, 1.0, 1.0])
    expected = ((mu1 - mu2) ** 2).sum() + ((var1.sqrt() - var2.sqrt()) ** 2).sum()
    assert M.frechet_distance(mu1, torch.diag(var1), mu2, torch.diag(var2)) == pytest.approx(float(expected))


def test_frechet_distance_matches_scipy_sqrtm_for_non_commuting_covariances():
    g = torch.Generator().manual_seed(5)
    a, b = torch.randn(6, 6, generator=g, dtype=torch.float64), torch.randn(6, 6, generator=g, dtype=torch.float64)
    cov1, cov2 = a @ a.T + 0.1 * torch.eye(6), b @ b.T
    mu1, mu2 = torch.randn(6, generator=g, dtype=torch.float64), torch.zeros(6, dtype=torch.float64)
    covmean = scipy.linalg.sqrtm(cov1.numpy() @ cov2.numpy()).real
    expected = float(((mu1 - mu2) ** 2).sum()) + np.trace(cov1.numpy() + cov2.numpy() - 2 * covmean)
    assert M.frechet_distance(mu1, cov1, mu2, cov2) == pytest.approx(expected, rel=1e-8)
    assert M.frechet_distance(mu1, cov1, mu1, cov1) == pytest.approx(0.0, abs=1e-8)


# ----- snapshots --------------------------------------------------------------------------------------------
def test_a_snapshot_has_the_weights_of_the_moment_it_was_taken_in_eval_mode():
    module = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).train()
    x = torch.randn(5, 3)
    frozen = M.snapshot(module)
    with torch.no_grad():
        expected = module.eval()(x)
        module.train()[0].weight.add_(1.0)  # the original trains on
    assert not frozen.training and not any(p.requires_grad for p in frozen.parameters())
    assert torch.equal(frozen(x), expected)
    assert torch.equal(M.snapshot(module)[0].weight, module[0].weight)  # the next snapshot has the new weights


def test_snapshots_taken_in_different_threads_are_different_copies():
    module = nn.Linear(2, 2)
    with ThreadPoolExecutor(1) as other_thread:
        theirs = other_thread.submit(M.snapshot, module).result()
    assert M.snapshot(module) is not theirs
