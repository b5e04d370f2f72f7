"""Classes without labels: k-means clusters of the training images, and a GAN conditioned on them.

Why: the unconditional DCGAN of the fast recipe plateaus with a third of its MNIST samples unreadable
(66% read with confidence > 0.9, issue 16): many fall between two digits. The same networks conditioned on
the digit's label read 97%. Splitting the data into classes needs no labels: k-means (Lloyd 1982, seeded with
k-means++ of Arthur & Vassilvitskii 2007) cuts the training images into k clusters of similar pixels, a
conditional GAN learns each cluster, its projection discriminator (Miyato & Koyama 2018) judging a sample
against the cluster it claims, and sampling draws a cluster with its share of the training images, then z:
p(x) = sum_c pi_c p_G(x | c). No label is read; the cluster index is part of the generator's noise, so the
generator is unconditional. Liu et al. 2020 ("self-conditioned GAN") cluster D's features during training;
here the clusters are fixed once, on pixels, which costs seconds.
With labels, the clusters are found within each class (notebook 06): a class-conditional GAN learns the styles
of a class, drawn with their share of the class, which a plain cGAN under-draws. A classifier trained only on
its digits lost less to one trained on real digits (train on synthetic, test on real: bench/cas_styles.py).
InfoGAN's categorical code (Chen et al. 2016) was tried first and did not get there: its Q head read the
code back with 99% accuracy, but the code had taken style, not digit (27% of samples showed their code's
most common digit; a code that named the digit would give near 100%), and the samples stayed at 58%
confident after 3,000 steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganlib.checks import (
    as_int,
    as_seed,
    check_images,
    check_instance,
    check_labels,
    check_rows,
    labels_on_cpu,
    require,
)
from ganlib.config import FastPath, TrainConfig
from ganlib.data import TensorSampler
from ganlib.devices import resolve_device
from ganlib.nets import DCGANDiscriminator, DCGANGenerator
from ganlib.seeding import seed_everything
from ganlib.train import Trainer


def _squared_distances(x: torch.Tensor, norms: torch.Tensor, centroids: torch.Tensor) -> torch.Tensor:
    """(N, k) squared Euclidean distances as ||x||^2 - 2 x.c + ||c||^2: one matrix product (`norms`: ||x||^2)."""
    return (norms[:, None] - 2 * x @ centroids.T + (centroids * centroids).sum(1)).clamp_min(0)


def kmeans(
    x: torch.Tensor, k: int, seed: int = 0, iters: int = 10, init_rows: int = 10_000
) -> tuple[torch.Tensor, torch.Tensor]:
    """k-means of the rows of `x` (N, D): (k, D) centroids and (N,) cluster indices, seeded and reproducible.

    k-means++ picks the first centroids (each new one drawn with probability proportional to its squared
    distance to the nearest already chosen: spread out, so few Lloyd steps are needed), then `iters` Lloyd
    steps alternate assigning each row to its nearest centroid and moving each centroid to its rows' mean.
    A centroid left without rows keeps its place. The indices returned are those of the final centroids.
    k-means++ is k passes over the rows, one centroid at a time: with more than `init_rows` rows it picks
    from a seeded random `init_rows` of them (as scikit-learn's MiniBatchKMeans does). That cut k=300 on the
    60,000 MNIST images from 46 s to 11 s on one thread, at the same mean squared distance to the centroids
    (97.2); the Lloyd steps, one matrix product each, still see every row.
    Written here rather than taken from scipy.cluster.vq.kmeans2 (the same '++' start and Lloyd steps): on the
    60,000 MNIST images, k=100, scipy took 140 s and this 9 s, its distances not being one matrix product, and
    the near-real recipe counts k-means as training time.
    """
    check_rows(x, "x")  # a NaN row would make every distance NaN, and k-means++ draw from NaN weights
    k = as_int(k, "k", f"an int in [1, {len(x)}] (at most one cluster per row)", 1, len(x))
    iters = as_int(iters, "iters", "an int in [1, 1000]", 1, 1000)
    init_rows = max(k, as_int(init_rows, "init_rows", "an int >= 1", 1))
    rng = torch.Generator(x.device).manual_seed(as_seed(seed))
    centroids = _plus_plus(x if len(x) <= init_rows else x[_subset(len(x), init_rows, rng)], k, rng)
    norms = (x * x).sum(1)  # (N,) once for all Lloyd steps
    for _ in range(iters):
        assigned = _squared_distances(x, norms, centroids).argmin(1)
        counts = torch.bincount(assigned, minlength=k)
        sums = torch.zeros_like(centroids).index_add_(0, assigned, x)
        centroids = torch.where(counts[:, None] > 0, sums / counts.clamp_min(1)[:, None], centroids)
    return centroids, _squared_distances(x, norms, centroids).argmin(1)


@dataclass
class ClusteredGAN:
    """A conditional GAN on k-means clusters: cluster ~ `prior`, then x = G(z, cluster).

    Clusters are numbered label * k + (cluster within the label); without labels there is one label, 0.
    In training, G's step draws clusters uniformly (Trainer.random_labels) and D's step gives the fakes the
    real batch's clusters; sampling weighs the clusters by their share of the data, as the digits are weighed.
    """

    trainer: Trainer  # conditional on the cluster index; trains on (image, cluster) pairs
    prior: torch.Tensor  # (n_labels * k,) each cluster's share of the training images
    n_labels: int = 1  # the labels the clusters were found within (1: none was read)

    def __post_init__(self) -> None:
        self._rng = torch.Generator().manual_seed(self.trainer.config.seed)  # the clusters of unseeded draws

    def sample(
        self, n: int, z: torch.Tensor | None = None, seed: int | None = None, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """n samples (from fixed `z` if given), each cluster drawn with its share of all images, or with `labels`
        (n,) its share of the images of that sample's label. A `seed` fixes the clusters drawn; without one they
        come from the GAN's own generator, so that draws in chunks differ (as Trainer.sample's z do)."""
        n = as_int(n, "n", "an int >= 1", 1)
        rng = self._rng if seed is None else torch.Generator().manual_seed(as_seed(seed))
        prior = self.prior.cpu()
        if labels is None:
            clusters = torch.multinomial(prior, n, replacement=True, generator=rng)
        else:
            labels = labels_on_cpu(labels)
            check_labels(labels, n, self.n_labels, "labels")
            k = len(prior) // self.n_labels
            clusters = labels * k + torch.multinomial(prior.view(self.n_labels, k)[labels], 1, generator=rng)[:, 0]
        return self.trainer.sample(n, z, clusters.to(self.trainer.device))


def label_clusters(x: torch.Tensor, labels: torch.Tensor | None, k: int, seed: int = 0) -> tuple[torch.Tensor, int]:
    """k-means clusters of the rows of `x` (N, D) within each label: (N,) indices label * k + cluster, and the
    number of labels. Without `labels`, k clusters of all rows and one label."""
    check_rows(x, "x")
    k = as_int(k, "k", "an int >= 1", 1)
    if labels is None:
        return kmeans(x, k, seed)[1], 1
    labels = labels_on_cpu(labels)
    check_labels(labels, len(x), None, "labels")
    n_labels = int(labels.max()) + 1
    index = torch.empty(len(x), dtype=torch.long, device=x.device)
    for label in range(n_labels):
        rows = (labels == label).nonzero()[:, 0].to(x.device)
        require(len(rows) >= k, "labels", f"{len(rows)} rows of label {label}", f"at least k={k} rows of every label")
        index[rows] = label * k + kmeans(x[rows], k, seed)[1]
    return index, n_labels


def clustered_trainer(
    images: torch.Tensor,
    config: TrainConfig,
    k: int,
    device: torch.device | str,
    width: int = 64,
    z_dim: int = 64,
    fast: FastPath | None = None,
    labels: torch.Tensor | None = None,
    code_dim: int = 0,
) -> ClusteredGAN:
    """Cluster `images` (N, 1, 28, 28) into k with k-means on their pixels (seeded by config.seed), within each
    of their `labels` if given, then build a seeded DCGAN conditional on the cluster index, with a projection
    discriminator, and its trainer. `code_dim` > 0: the networks take a learned code of the cluster and its label
    (ganlib.label_codes), not a one-hot cluster index: about twice the steps per second at 1,200 clusters."""
    check_images(images)  # G draws in [-1, 1] (tanh): images outside it are out of its reach
    check_instance(config, "config", TrainConfig, "a ganlib.TrainConfig")
    device = resolve_device(device)
    images = images.to(device)
    clusters, n_labels = label_clusters(images.flatten(1), labels, k, config.seed)
    prior = torch.bincount(clusters, minlength=n_labels * k).float() / len(clusters)
    seed_everything(config.seed)  # the networks' initial weights
    codes = {"code_dim": code_dim, "styles": k if code_dim else 1}
    G = DCGANGenerator(z_dim, width, n_classes=n_labels * k, **codes)
    D = DCGANDiscriminator(width, n_classes=n_labels * k, conditioning="projection", **codes)
    return ClusteredGAN(Trainer(G, D, TensorSampler(images, clusters), config, device, fast), prior, n_labels)


def _subset(n: int, size: int, rng: torch.Generator) -> torch.Tensor:
    return torch.randperm(n, generator=rng, device=rng.device)[:size]


def _plus_plus(x: torch.Tensor, k: int, rng: torch.Generator) -> torch.Tensor:
    """k-means++ (Arthur & Vassilvitskii 2007): k rows of `x`, each drawn with probability proportional to its
    squared distance to the nearest row already drawn."""
    norms = (x * x).sum(1)  # (N,) once: recomputing it per centroid cost 7x the matrix-vector product
    centroids = x[torch.randint(len(x), (1,), generator=rng, device=x.device)]
    nearest = _squared_distances(x, norms, centroids)[:, 0]  # (N,) squared distance to the nearest chosen centroid
    for _ in range(k - 1):
        chosen = x[torch.multinomial(nearest + 1e-12, 1, generator=rng)]  # +eps: a valid draw when every row is at 0
        centroids = torch.cat([centroids, chosen])
        nearest = torch.minimum(nearest, _squared_distances(x, norms, chosen)[:, 0])
    return centroids
