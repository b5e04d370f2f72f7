import shutil

import pytest
import torch

import ganlib
from ganlib.data import DATA_ROOT, TensorSampler, load_mnist, make_sampler


def test_ring_has_eight_modes_of_radius_two():
    ring = ganlib.ring()
    assert ring.n_modes == 8 and ring.std == 0.02
    torch.testing.assert_close(ring.centres.norm(dim=1), torch.full((8,), 2.0))


def test_grid_centres_are_the_published_25():
    grid = ganlib.grid()
    assert grid.n_modes == 25 and grid.std == 0.05
    assert sorted(set(grid.centres[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]


def test_samples_cluster_at_their_modes_with_the_stated_std():
    ring = ganlib.ring()
    x, modes = ring.sample(20000, torch.Generator().manual_seed(1))
    offsets = x - ring.centres[modes]
    assert abs(offsets.std().item() - 0.02) < 0.001
    assert torch.bincount(modes, minlength=8).min() > 2000  # all modes drawn about equally


def test_a_seed_fixes_the_samples():
    a = ganlib.grid().sample(100, torch.Generator().manual_seed(3))[0]
    b = ganlib.grid().sample(100, torch.Generator().manual_seed(3))[0]
    assert torch.equal(a, b)


def test_1d_density_integrates_to_one_and_peaks_at_the_centres():
    mix = ganlib.mixture_1d((-2.0, 2.0), 0.5)
    xs = torch.linspace(-8, 8, 16001)[:, None]
    p = mix.density(xs)
    assert abs(torch.trapezoid(p, xs[:, 0]).item() - 1.0) < 1e-4
    assert p[8000 + 2000] > 10 * p[8000]  # at x=2 far above x=0


def test_mnist_is_scaled_to_minus_one_one(mnist_test):
    images, labels = mnist_test
    assert images.shape == (10000, 1, 28, 28) and images.dtype == torch.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert torch.bincount(labels).tolist()[:3] == [980, 1135, 1032]  # the published test-set class counts


def test_missing_mnist_file_names_the_path(tmp_path):
    shutil.copytree(DATA_ROOT / "MNIST" / "raw", tmp_path / "MNIST" / "raw", ignore=shutil.ignore_patterns("*ubyte"))
    (tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte.gz.*never downloads"):
        load_mnist("test", root=tmp_path)


def test_corrupt_mnist_file_names_the_path_and_the_fix(tmp_path):
    shutil.copytree(DATA_ROOT / "MNIST" / "raw", tmp_path / "MNIST" / "raw", ignore=shutil.ignore_patterns("*ubyte"))
    gz = tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:-10])
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz is corrupt.*git checkout"):
        load_mnist("train", root=tmp_path)


def test_tensor_sampler_draws_matching_pairs():
    x = torch.arange(10.0)[:, None]
    sampler = TensorSampler(x, torch.arange(10))
    xb, yb = sampler.sample(32, torch.Generator().manual_seed(0))
    assert torch.equal(xb[:, 0].long(), yb)


@pytest.mark.parametrize("bad", ["cifar", "", "MNIST"])
def test_unknown_dataset_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="dataset="):
        make_sampler(bad)
