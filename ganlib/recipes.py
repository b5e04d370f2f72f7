"""Standard pairings of a data set with networks and a trainer, so a notebook can start a run in one call."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import torch
from torch import nn

from ganlib.checks import as_int, require
from ganlib.clusters import ClusteredGAN, clustered_trainer
from ganlib.config import FastPath, TrainConfig
from ganlib.data import DATASETS, TensorSampler, load_mnist, make_sampler
from ganlib.devices import resolve_device
from ganlib.nets import IMAGE_SHAPE, DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from ganlib.seeding import seed_everything
from ganlib.train import Trainer

NETWORKS = {"mlp": (MLPGenerator, MLPDiscriminator), "dcgan": (DCGANGenerator, DCGANDiscriminator)}
ARCHITECTURES = tuple(NETWORKS)
SET_BY_RECIPE = frozenset({"z_dim", "out_shape", "in_shape", "tanh_output"})  # make_trainer derives them from the data


def make_trainer(
    dataset: str = "ring",
    config: TrainConfig | None = None,
    arch: str | None = None,
    device: torch.device | str | None = None,
    z_dim: int | None = None,
    fast: FastPath | None = None,
    discriminator_options: dict[str, Any] | None = None,
    generator_options: dict[str, Any] | None = None,
    **net_kwargs: Any,
) -> Trainer:
    """A seeded trainer for `dataset` (one of DATASETS): MLPs for toy data and DCGAN for MNIST, unless `arch` says.

    `net_kwargs` (width, depth, activation, n_classes for "mlp"; width, n_classes for "dcgan") go to both networks,
    `discriminator_options` (pack, minibatch_std: ganlib.remedies; conditioning for a conditional DCGAN; or another
    keyword of D, e.g. a width of its own) to the discriminator alone, `generator_options` (a width or depth of its
    own) to the generator alone; an option the chosen networks do not take raises ValueError naming the ones they
    do. The seed of `config` fixes their initial weights as well as the run.
    `fast` picks compilation, memory layout and precision (see FastPath; FastPath.for_device(device) is what pays
    off there).
    """
    config = TrainConfig() if config is None else config
    require(isinstance(config, TrainConfig), "config", config, "a ganlib.TrainConfig")
    require(dataset in DATASETS, "dataset", dataset, f"one of {DATASETS}")
    arch = arch or ("dcgan" if dataset == "mnist" else "mlp")
    require(arch in ARCHITECTURES, "arch", arch, f"one of {ARCHITECTURES}")
    require(arch == "mlp" or dataset == "mnist", "arch", arch, "'mlp' for toy data sets")
    d_options, g_options = discriminator_options or {}, generator_options or {}
    require(isinstance(d_options, dict), "discriminator_options", d_options, "None or a dict (pack, minibatch_std)")
    require(isinstance(g_options, dict), "generator_options", g_options, "None or a dict (width, depth)")
    _check_options(arch, net_kwargs, d_options, g_options)
    device = resolve_device(device)
    data = make_sampler(dataset, device)
    seed_everything(config.seed)
    if arch == "dcgan":
        z_dim = 64 if z_dim is None else z_dim
        G, D = DCGANGenerator(z_dim, **net_kwargs, **g_options), DCGANDiscriminator(**net_kwargs, **d_options)
    else:
        shape = IMAGE_SHAPE if dataset == "mnist" else (data.dim,)
        z_dim = (64 if dataset == "mnist" else max(2, data.dim)) if z_dim is None else z_dim
        G = MLPGenerator(z_dim, shape, tanh_output=dataset == "mnist", **net_kwargs, **g_options)
        D = MLPDiscriminator(shape, **net_kwargs, **d_options)
    return Trainer(G, D, data, config, device, fast)


def _keywords(network: type[nn.Module]) -> list[str]:
    """The keyword arguments of a network class that `make_trainer` leaves to its caller."""
    return sorted(set(inspect.signature(network).parameters) - SET_BY_RECIPE)


def _check_options(arch: str, net_kwargs: dict[str, Any], d_options: dict[str, Any], g_options: dict[str, Any]) -> None:
    """ValueError naming an option the networks of `arch` do not take, instead of a TypeError from deep inside."""
    generator, discriminator = NETWORKS[arch]
    both = sorted(set(_keywords(generator)) & set(_keywords(discriminator)))
    d_alone = sorted(set(_keywords(discriminator)) - set(both))
    for name, value in net_kwargs.items():
        require(
            name in both,
            name,
            value,
            f"a keyword both networks of arch={arch!r} take: one of {both} (the discriminator's own, {d_alone}, "
            f"go in discriminator_options; make_trainer sets {sorted(SET_BY_RECIPE)} from the data set itself)",
        )
    for parameter, options, network in (
        ("discriminator_options", d_options, discriminator),
        ("generator_options", g_options, generator),
    ):
        unknown = sorted(set(options) - set(_keywords(network)), key=str)
        require(
            not unknown,
            parameter,
            options,
            f"keywords {network.__name__} (arch={arch!r}) takes, from {_keywords(network)}; not {unknown}",
        )
        twice = sorted(set(options) & set(net_kwargs))
        require(not twice, parameter, options, f"no keyword also given to both networks, as {twice} are")


FAST_MNIST_WIDTH = 32  # half the DCGAN default: about a third of the step time on the CPU


def fast_mnist_config(seed: int = 0) -> TrainConfig:
    """A DCGAN recipe for MNIST chosen for time to good digits on a 2-core CPU (bench/time_to_quality.py).

    The bar takes a number of updates more than of samples (batch 128 needed as many steps as 64), so
    batch 32 gets there in about as many steps at 60% of the cost. Learning rates 10x the DCGAN paper's
    2e-4: the small network tolerates them and improves in fewer steps; an exponential moving average of
    G's weights (ema_decay) smooths the noise of those bigger steps in the samples; host syncs only every
    50 steps. Steps to the bar: median 975 over 5 seeds; seed 0 took 1175 at lr 1e-3, 1475 at batch 16.
    """
    return TrainConfig(lr_g=2e-3, lr_d=2e-3, betas=(0.5, 0.999), batch_size=32, ema_decay=0.99, log_every=50, seed=seed)


def fast_mnist_trainer(device: torch.device | str | None = None, seed: int = 0) -> Trainer:
    """`fast_mnist_config` with its network width and the fast path that pays off on `device` (FastPath.for_device)."""
    device = resolve_device(device)
    return make_trainer(
        "mnist", fast_mnist_config(seed), "dcgan", device, fast=FastPath.for_device(device), width=FAST_MNIST_WIDTH
    )


def few_label_cgan(
    images: torch.Tensor, labels: torch.Tensor, device: torch.device | str | None = None, seed: int = 0
) -> Trainer:
    """Notebook 06's few-label cGAN: the fast recipe, conditioned on the label by projection (Miyato & Koyama 2018),
    trained on the N labelled digits `images` (N, 1, 28, 28) and `labels` (N,) alone."""
    device = resolve_device(device)
    seed_everything(seed)
    return Trainer(
        DCGANGenerator(64, FAST_MNIST_WIDTH, n_classes=10),
        DCGANDiscriminator(FAST_MNIST_WIDTH, n_classes=10, conditioning="projection"),
        TensorSampler(images, labels),
        fast_mnist_config(seed),
        device,
        FastPath.for_device(device),
    )


# k-means clusters of the training images, chosen on training digits (bench/near_real_clusters.py): more clusters,
# lower FID; k=600 costs about 20 s of k-means on one CPU thread
NEAR_REAL_CLUSTERS = 600


def near_real_mnist_trainer(device: torch.device | str | None = None, seed: int = 0) -> ClusteredGAN:
    """An unconditional MNIST generator that reaches near-real digits (issue 16; bench/time_to_quality.py).

    The fast recipe's networks and settings, conditioned on NEAR_REAL_CLUSTERS k-means clusters of the training
    pixels and sampled with each cluster's share (ganlib.clusters: no label is used). Where the fast recipe
    stays near 66% of samples read confidently, this one reached >= 90% confident, every digit >= 7% and FID
    within 5x real digits', all on 10,000 samples, after 8,000, 6,500 and 9,500 steps (seeds 0, 1, 2; 203, 168 and
    244 s of training on a 2-core CPU, 2 threads, k-means included). With 10 and 50 clusters seed 0 plateaued (80%
    and 91% confident); with 100, FID was still 6.0x real digits' after 17,000 steps. With 600 clusters of about
    100 images, 93% of the training digits share their cluster's most common label (86% with 100): mostly one
    style of one digit per cluster, which G need not mix with others.
    """
    device = resolve_device(device)
    images, _ = load_mnist("train", device)  # the labels are dropped here
    fast = FastPath.for_device(device)
    return clustered_trainer(images, fast_mnist_config(seed), NEAR_REAL_CLUSTERS, device, FAST_MNIST_WIDTH, fast=fast)


# notebook 06's cGAN on the styles within each class (bench/cas_styles.py chose the settings on held-out digits)
STYLED_CODE_DIM = 128  # a learned code per style (ganlib.label_codes): 9,000 steps in 228 s, one-hot styles 361 s
STYLED_MODE_SEEKING = 0.1  # at 0.3 conditional accuracy fell to 97.9% (6,000 steps, width 48, seed 0; 0.1: 98.6%)
# averages about 500 steps (sampled with BatchNorm statistics of its own). On validation digits 0.998 gave a lower FID
# than 0.999 in 14 of 15 runs and checkpoints (120-360 styles, batch 32 and 64), than 0.995 in 10 of 10
STYLED_EMA_DECAY = 0.998


def styled_mnist_cgan(
    images: torch.Tensor,
    labels: torch.Tensor,
    styles: int,
    width: int,
    device: torch.device | str | None = None,
    seed: int = 0,
) -> ClusteredGAN:
    """A class-conditional MNIST GAN that draws each class's k-means styles with their share (notebook 06).

    The fast recipe's settings (fast_mnist_config) on `styles` clusters within each class of `images`, with a
    learned code per style, the mode-seeking term (a cGAN with a thousand conditions learns to ignore its noise:
    without the term its digits' improved recall was 0.52 on validation digits, with it 0.77, real digits' 0.91)
    and a slower moving average of G. bench/styled_recipe.py measures each part.
    """
    device = resolve_device(device)
    styles = as_int(styles, "styles", "an int >= 1 (k-means clusters within each class)", 1)
    config = fast_mnist_config(seed).replace(ema_decay=STYLED_EMA_DECAY, mode_seeking=STYLED_MODE_SEEKING)
    fast = FastPath.for_device(device)
    return clustered_trainer(images, config, styles, device, width, fast=fast, labels=labels, code_dim=STYLED_CODE_DIM)


def live_trainer(
    dataset: str,
    config: TrainConfig,
    device: torch.device | str | None = None,
    generator_options: dict[str, Any] | None = None,
    discriminator_options: dict[str, Any] | None = None,
) -> Trainer:
    """The dashboard's trainer: `make_trainer`, and for MNIST the fast recipe's network width and the fast path
    of the device (bf16 and channels_last where they pay off) but no compilation: a live view cannot wait a
    minute for its first frame. The toy MLPs gain nothing from either; their sizes (width, depth) may be given
    for each network in its options."""
    options = dict(generator_options=generator_options, discriminator_options=discriminator_options)
    if dataset != "mnist":
        return make_trainer(dataset, config, device=device, **options)
    fast = dataclasses.replace(FastPath.for_device(resolve_device(device)), compile=False)
    return make_trainer(dataset, config, device=device, fast=fast, width=FAST_MNIST_WIDTH, **options)
