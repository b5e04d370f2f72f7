"""Precision/recall, nearest neighbours, slerp and the truncated sampler on constructed cases with known answers."""

import math

import pytest
import torch

from ganlib import evaluation as M


def _blobs(centres: torch.Tensor, per_centre: int, std: float, seed: int) -> torch.Tensor:
    """`per_centre` Gaussian points of `std` around each row of `centres`, (len(centres) * per_centre, d)."""
    noise = torch.randn(len(centres), per_centre, centres.shape[1], generator=torch.Generator().manual_seed(seed))
    return (centres[:, None, :] + std * noise).flatten(0, 1)


_ANGLES = torch.arange(8) * 2 * math.pi / 8
CENTRES = 100.0 * torch.stack([_ANGLES.cos(), _ANGLES.sin()], dim=1)  # 8 modes on a ring, 77 apart: far beyond
# any k-NN radius of std-1 blobs; in 2D the balls of a few hundred points cover a blob almost entirely


# ----- precision and recall (Kynkaenniemi et al. 2019) --------------------------------------------------------
def test_identical_sets_have_precision_and_recall_one():
    x = _blobs(CENTRES, 50, 1.0, seed=0)
    result = M.precision_recall(x, x.clone(), k=3)
    assert (result.precision, result.recall, result.k) == (1.0, 1.0, 3)


def test_disjoint_far_apart_sets_have_precision_and_recall_zero():
    real = _blobs(CENTRES[:4], 50, 1.0, seed=0)
    fake = _blobs(CENTRES[4:], 50, 1.0, seed=1)
    result = M.precision_recall(real, fake, k=3)
    assert (result.precision, result.recall) == (0.0, 0.0)


def test_a_sample_of_half_the_modes_has_full_precision_and_half_recall():
    real = _blobs(CENTRES, 250, 1.0, seed=0)
    fake = _blobs(CENTRES[:4], 500, 1.0, seed=1)  # same size, all of it on 4 of the 8 modes
    result = M.precision_recall(real, fake, k=5)
    assert result.precision > 0.98
    assert result.recall == pytest.approx(0.5, abs=0.02)


def test_chunked_distances_equal_one_block():
    x, y = _blobs(CENTRES, 30, 3.0, seed=0), _blobs(CENTRES, 30, 3.0, seed=1)
    assert M.precision_recall(x, y, k=3, chunk=7) == M.precision_recall(x, y, k=3, chunk=10_000)
    assert torch.allclose(M.knn_radii(x, 4, chunk=13), M.knn_radii(x, 4, chunk=1000), rtol=1e-12)


def test_knn_radius_skips_the_point_itself():
    points = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    assert M.knn_radii(points, k=1).tolist() == [1.0, 1.0, 2.0, 4.0]
    assert M.knn_radii(points, k=2).tolist() == [3.0, 2.0, 3.0, 6.0]


# ----- coverage (Naeem et al. 2020) --------------------------------------------------------------------------
def test_coverage_is_one_for_identical_sets_and_zero_for_far_apart_ones():
    real = _blobs(CENTRES, 50, 1.0, seed=0)
    assert M.coverage(real, real.clone(), k=3) == 1.0
    assert M.coverage(_blobs(CENTRES[:4], 50, 1.0, seed=0), _blobs(CENTRES[4:], 50, 1.0, seed=1), k=3) == 0.0


def test_coverage_of_half_the_modes_is_one_half():
    real = _blobs(CENTRES, 250, 1.0, seed=0)
    fake = _blobs(CENTRES[:4], 500, 1.0, seed=1)
    assert M.coverage(real, fake, k=5) == pytest.approx(0.5, abs=0.02)


def test_a_few_generated_outliers_inflate_recall_but_not_coverage():
    real = _blobs(CENTRES, 250, 1.0, seed=0)
    collapsed = _blobs(CENTRES[:1], 500, 1.0, seed=1)  # all of it on one mode of eight
    outliers = _blobs(torch.zeros(1, 2), 10, 60.0, seed=2)  # ten samples scattered across the ring
    fake = torch.cat([collapsed, outliers])
    recall = M.precision_recall(real, fake, k=3).recall
    assert recall > 0.5  # the outliers' balls, reaching to each other, cover most of the ring
    assert M.coverage(real, fake, k=3) < 0.2  # about the one mode (1/8) that is drawn


def test_coverage_rejects_mismatched_features():
    with pytest.raises(ValueError, match="fake"):
        M.coverage(torch.zeros(10, 3), torch.zeros(10, 4))


# ----- nearest neighbours ---------------------------------------------------------------------------------------
def test_nearest_neighbour_of_a_copy_is_the_original_at_distance_zero():
    train = torch.randn(500, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    order = torch.tensor([17, 3, 499, 250])
    distances, indices = M.nearest_neighbours(train[order] + 0.0, train, chunk=3)
    assert indices.tolist() == order.tolist()
    assert distances.max() < 1e-5  # not exactly 0: |a|^2 + |b|^2 - 2ab rounds, even in float64


def test_nearest_neighbour_distance_is_euclidean():
    distances, indices = M.nearest_neighbours(torch.tensor([[3.0, 4.0]]), torch.tensor([[0.0, 0.0], [10.0, 0.0]]))
    assert indices.tolist() == [0] and distances.tolist() == pytest.approx([5.0])


# ----- slerp ---------------------------------------------------------------------------------------------------
def test_slerp_starts_and_ends_at_its_endpoints():
    z0, z1 = torch.randn(2, 64, generator=torch.Generator().manual_seed(0))
    path = M.slerp(z0, z1, torch.linspace(0, 1, 9))
    assert path.shape == (9, 64)
    assert torch.allclose(path[0], z0, atol=1e-5) and torch.allclose(path[-1], z1, atol=1e-5)


def test_slerp_keeps_the_norm_where_a_straight_line_would_shrink_it():
    z0, z1 = torch.randn(2, 64, generator=torch.Generator().manual_seed(1))
    z1 = z1 * z0.norm() / z1.norm()
    norms = M.slerp(z0, z1, torch.linspace(0, 1, 11)).norm(dim=1)
    assert torch.allclose(norms, z0.norm().expand(11), rtol=1e-5)
    assert ((z0 + z1) / 2).norm() < 0.8 * z0.norm()  # the line's midpoint, for contrast


def test_slerp_between_quarter_turns_passes_the_diagonal():
    midpoint = M.slerp(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]), torch.tensor([0.5]))[0]
    assert midpoint.tolist() == pytest.approx([math.sqrt(0.5)] * 2)


def test_slerp_between_parallel_vectors_is_the_line_and_between_opposite_ones_is_refused():
    z0 = torch.tensor([1.0, 2.0])
    assert torch.allclose(M.slerp(z0, 3 * z0, torch.tensor([0.5]))[0], 2 * z0)
    with pytest.raises(ValueError, match="^z1='a vector opposite to z0'"):
        M.slerp(z0, -2 * z0, torch.tensor([0.5]))


# ----- truncated normal ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("threshold", [0.1, 0.5, 1.0, 2.5])
def test_truncated_normal_stays_within_the_threshold(threshold):
    z = M.truncated_normal(20_000, 8, threshold, torch.Generator().manual_seed(0))
    assert z.shape == (20_000, 8) and z.abs().max() <= threshold
    assert z.abs().max() > 0.99 * threshold  # and it reaches the edges


def test_truncated_normal_has_the_truncated_variance():
    a = 1.0  # variance of N(0, 1) truncated to [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1) = 0.2911
    phi, Phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(a / math.sqrt(2)))
    z = M.truncated_normal(200_000, 1, a, torch.Generator().manual_seed(0))
    assert z.var().item() == pytest.approx(1 - 2 * a * phi / (2 * Phi - 1), abs=0.005)
    assert z.mean().item() == pytest.approx(0.0, abs=0.005)


def test_truncated_normal_repeats_with_the_same_seed_and_differs_with_another():
    def draw(seed):
        return M.truncated_normal(100, 4, 0.7, torch.Generator().manual_seed(seed))

    assert torch.equal(draw(3), draw(3))
    assert not torch.equal(draw(3), draw(4))


def test_infinite_threshold_is_the_plain_normal():
    z = M.truncated_normal(5, 3, math.inf, torch.Generator().manual_seed(0))
    assert torch.equal(z, torch.randn(5, 3, generator=torch.Generator().manual_seed(0)))


@pytest.mark.parametrize("threshold", [0, -1.0, math.nan, "1", True])
def test_truncated_normal_rejects_bad_thresholds(threshold):
    with pytest.raises(ValueError, match="threshold="):
        M.truncated_normal(4, 2, threshold)


def test_precision_recall_rejects_mismatched_features_and_too_large_k():
    with pytest.raises(ValueError, match="fake=.*expected a \\(n >= 2, 8, like real\\) tensor"):
        M.precision_recall(torch.zeros(5, 8), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="k=5 is not accepted"):
        M.precision_recall(torch.randn(5, 8), torch.randn(5, 8), k=5)


def test_radii_computed_once_give_the_same_precision_recall_and_coverage():
    real, fake = _blobs(CENTRES, 50, 1.0, seed=0), _blobs(CENTRES[:4], 60, 1.5, seed=1)
    radii = M.knn_radii(real, 3)
    assert M.precision_recall(real, fake, real_radii=radii) == M.precision_recall(real, fake)
    assert M.coverage(real, fake, real_radii=radii) == M.coverage(real, fake)
    shrunk = M.precision_recall(real, fake, real_radii=radii / 100)  # the radii are used, not recomputed
    assert shrunk.precision < M.precision_recall(real, fake).precision


def test_radii_of_another_set_are_refused_by_name():
    real, fake = torch.randn(10, 2), torch.randn(10, 2)
    with pytest.raises(ValueError, match="real_radii="):
        M.precision_recall(real, fake, real_radii=M.knn_radii(torch.randn(12, 2), 3))
    with pytest.raises(ValueError, match="real_radii="):
        M.coverage(real, fake, real_radii=[1.0] * 10)
