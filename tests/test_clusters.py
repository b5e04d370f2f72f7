"""k-means finds what is there, and the GAN on its clusters samples every cluster with its share, no label read."""

import pytest
import torch

import ganlib.recipes as recipes
from ganlib import TrainConfig
from ganlib.clusters import ClusteredGAN, clustered_trainer, kmeans, label_clusters


def _blobs(sizes: list[int], spacing: float = 100.0, dim: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """Tight blobs far apart along the diagonal: (points, the blob each came from)."""
    which = torch.cat([torch.full((n,), i) for i, n in enumerate(sizes)])
    return which[:, None] * spacing + 0.1 * torch.randn(len(which), dim), which


def test_kmeans_recovers_well_separated_blobs_and_their_means():
    x, which = _blobs([30, 50, 20])
    centroids, assigned = kmeans(x, 3, seed=0)
    for blob in range(3):
        found = assigned[which == blob]
        assert (found == found[0]).all(), "each blob is one cluster"
        assert torch.allclose(centroids[found[0]], x[which == blob].mean(0), atol=1e-4), "its centroid is its mean"
    assert len(torch.unique(assigned)) == 3


def test_kmeans_ends_at_a_lloyd_fixed_point_nearest_centroid_and_cluster_means():
    x = torch.randn(200, 3)
    centroids, assigned = kmeans(x, 4, seed=1, iters=200)
    assert torch.equal(assigned, torch.cdist(x, centroids).argmin(1)), "every point sits with its nearest centroid"
    for c in range(4):
        assert torch.allclose(centroids[c], x[assigned == c].mean(0), atol=1e-5), "every centroid is its points' mean"


def test_kmeans_is_reproducible_for_a_seed():
    x = torch.randn(100, 4)
    assert torch.equal(kmeans(x, 5, seed=3)[1], kmeans(x, 5, seed=3)[1])


def test_kmeans_started_on_a_subset_still_finds_every_blob_and_leaves_small_inputs_as_before():
    x, which = _blobs([300, 500, 200])
    _, assigned = kmeans(x, 3, seed=0, init_rows=30)  # k-means++ sees 30 of the 1,000 rows, Lloyd all of them
    assert all(len(torch.unique(assigned[which == blob])) == 1 for blob in range(3))
    assert len(torch.unique(assigned)) == 3
    y = torch.randn(100, 4)
    assert torch.equal(kmeans(y, 5, seed=3, init_rows=100)[1], kmeans(y, 5, seed=3, init_rows=10**6)[1])
    assert not torch.equal(kmeans(y, 5, seed=3, init_rows=20)[0], kmeans(y, 5, seed=3)[0]), "a subset starts elsewhere"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((torch.randn(10), 2), "x"),
        ((torch.arange(20).view(10, 2), 2), "x"),
        ((torch.randn(10, 2), 0), "k"),
        ((torch.randn(10, 2), 11), "k"),
        ((torch.randn(10, 2), 2, -1), "seed"),
        ((torch.randn(10, 2), 2, 0, 0), "iters"),
        ((torch.randn(10, 2), 2, 0, 10, 0), "init_rows"),
        ((torch.randn(10, 2), 2, 0, 10, True), "init_rows"),
    ],
)
def test_kmeans_rejects_bad_input_naming_the_parameter(args, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        kmeans(*args)


def _two_clusters_gan(prior: list[float] | None = None) -> ClusteredGAN:
    """Images of two kinds (all -1 and all +1): k-means with k=2 must split them."""
    images = torch.cat([torch.full((20, 1, 28, 28), -1.0), torch.full((12, 1, 28, 28), 1.0)])
    gan = clustered_trainer(images, TrainConfig(batch_size=4, seed=0), 2, "cpu", width=4, z_dim=8)
    if prior is not None:
        gan.prior = torch.tensor(prior)
    return gan


def test_cluster_prior_is_each_clusters_share_of_the_images():
    assert sorted(_two_clusters_gan().prior.tolist()) == pytest.approx([12 / 32, 20 / 32])


def test_clustered_gan_draws_clusters_with_their_prior_share():
    gan = _two_clusters_gan([0.25, 0.75])
    z = torch.randn(4000, 8)
    samples = gan.sample(4000, z, seed=5)
    only_0, only_1 = (gan.trainer.sample(4000, z, torch.full((4000,), c)) for c in (0, 1))
    from_0 = (samples == only_0).flatten(1).all(1)
    assert torch.equal(from_0, ~(samples == only_1).flatten(1).all(1)), "each sample is G(z, one of the clusters)"
    share = from_0.double().mean().item()
    assert abs(share - 0.25) < 4 * (0.25 * 0.75 / 4000) ** 0.5, f"cluster 0 drawn {share:.3f} of the time, not 0.25"


def test_clustered_gan_sampling_is_fixed_by_its_seed_and_the_cluster_changes_the_image():
    gan = _two_clusters_gan()
    z = torch.randn(16, 8)
    assert torch.equal(gan.sample(16, z, seed=1), gan.sample(16, z, seed=1))
    assert not torch.equal(gan.sample(16, z), gan.sample(16, z)), "unseeded draws go on, not repeat"
    assert not torch.equal(*(gan.trainer.sample(16, z, torch.full((16,), c)) for c in (0, 1)))


def test_clustered_trainer_rejects_bad_input_naming_the_parameter():
    config = TrainConfig()
    with pytest.raises(ValueError, match="^images="):
        clustered_trainer(torch.randn(10, 28, 28), config, 2, "cpu")
    images = torch.rand(10, 1, 28, 28) * 2 - 1
    with pytest.raises(ValueError, match="^k="):
        clustered_trainer(images, config, 11, "cpu")
    with pytest.raises(ValueError, match="^config="):
        clustered_trainer(images, {"lr_g": 1e-3}, 2, "cpu")
    with pytest.raises(ValueError, match=r"^images=.*\[-1, 1\]"):
        clustered_trainer(images * 127.5 + 127.5, config, 2, "cpu")
    with pytest.raises(ValueError, match="^n="):
        _two_clusters_gan().sample(0)


def test_label_clusters_split_each_label_on_its_own():
    x, blob = _blobs([10, 20, 15, 25])
    labels = torch.tensor([0, 1, 0, 1]).repeat_interleave(torch.tensor([10, 20, 15, 25]))  # label 0: blobs 0, 2
    index, n_labels = label_clusters(x, labels, 2, seed=0)
    assert n_labels == 2
    assert torch.equal(index // 2, labels), "a row's cluster lies in its label's block of k"
    for b in range(4):
        assert len(torch.unique(index[blob == b])) == 1, "each blob is one cluster within its label"
    assert len(torch.unique(index)) == 4
    assert torch.equal(label_clusters(x, None, 4, seed=0)[0], kmeans(x, 4, seed=0)[1]), "no labels: plain k-means"


def test_label_clusters_rejects_labels_with_fewer_rows_than_clusters():
    with pytest.raises(ValueError, match=r"^labels='1 rows of label 1'.*at least k=2"):
        label_clusters(torch.randn(5, 3), torch.tensor([0, 0, 0, 0, 1]), 2)
    with pytest.raises(ValueError, match=r"^labels="):
        label_clusters(torch.randn(5, 3), torch.tensor([0.0, 0, 0, 1, 1]), 2)


def _labelled_gan() -> ClusteredGAN:
    """Two labels, each of two kinds of image (k=2 within each): four clusters, shares 8, 24 | 20, 12 of 64."""
    values, sizes = torch.tensor([-1.0, -0.5, 0.5, 1.0]), torch.tensor([8, 24, 20, 12])
    images = values.repeat_interleave(sizes)[:, None, None, None].expand(-1, 1, 28, 28).contiguous()
    labels = torch.tensor([0, 0, 1, 1]).repeat_interleave(sizes)
    return clustered_trainer(images, TrainConfig(batch_size=4, seed=0), 2, "cpu", width=4, z_dim=8, labels=labels)


def test_clustered_gan_with_labels_draws_each_labels_clusters_with_their_share_within_it():
    gan = _labelled_gan()
    assert gan.n_labels == 2 and gan.trainer.G.n_classes == 4
    assert sorted(gan.prior.tolist()) == pytest.approx(sorted([8 / 64, 24 / 64, 20 / 64, 12 / 64]))
    n, z = 4000, torch.randn(4000, 8)
    labels = torch.tensor([0, 1]).repeat(n // 2)
    samples = gan.sample(n, z, seed=2, labels=labels)
    outputs = torch.stack([gan.trainer.sample(n, z, torch.full((n,), c)) for c in range(4)])  # (4, n, 1, 28, 28)
    drawn = (outputs == samples).flatten(2).all(2).double().argmax(0)  # (n,) the cluster each sample came from
    assert torch.equal(drawn // 2, labels), "every sample comes from a cluster of its label"
    for label in (0, 1):
        block = gan.prior[2 * label : 2 * label + 2]
        expected = (block[0] / block.sum()).item()
        share = (drawn[labels == label] == 2 * label).double().mean().item()
        assert abs(share - expected) < 4 * (expected * (1 - expected) / (n / 2)) ** 0.5, (label, share, expected)


def test_clustered_gan_rejects_labels_outside_its_labels():
    gan = _labelled_gan()
    with pytest.raises(ValueError, match=r"^labels='labels in \[0, 2\]'.*\[0, 2\)"):
        gan.sample(3, labels=torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"^labels="):
        gan.sample(3, labels=torch.tensor([0, 1]))


def test_near_real_recipe_is_the_fast_recipe_on_k_means_clusters_of_unlabelled_images(monkeypatch):
    images = torch.rand(300, 1, 28, 28) * 2 - 1
    monkeypatch.setattr(recipes, "NEAR_REAL_CLUSTERS", 20)  # the recipe's 600 would need more rows than a test wants
    monkeypatch.setattr(recipes, "load_mnist", lambda split, device: (images, None))  # no labels to read
    gan = recipes.near_real_mnist_trainer("cpu", seed=3)
    assert gan.trainer.config == recipes.fast_mnist_config(3)
    assert len(gan.prior) == recipes.NEAR_REAL_CLUSTERS == gan.trainer.G.n_classes
    assert gan.trainer.D.conditioning == "projection"
    assert torch.equal(gan.trainer.data.y, kmeans(images.flatten(1), recipes.NEAR_REAL_CLUSTERS, seed=3)[1])


def test_styled_recipe_is_the_fast_recipe_with_label_codes_mode_seeking_and_a_slower_average():
    images, labels = torch.rand(60, 1, 28, 28) * 2 - 1, torch.arange(60) % 2
    gan = recipes.styled_mnist_cgan(images, labels, styles=3, width=4, device="cpu", seed=5)
    expected = recipes.fast_mnist_config(5).replace(
        ema_decay=recipes.STYLED_EMA_DECAY, mode_seeking=recipes.STYLED_MODE_SEEKING
    )
    assert gan.trainer.config == expected
    assert gan.trainer.G.code.styles == 3 and gan.trainer.D.embed[0].styles == 3 and gan.n_labels == 2
    assert gan.trainer.G.code.own.embedding_dim == recipes.STYLED_CODE_DIM
