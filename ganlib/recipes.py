"""Standard pairings of a data set with networks and a trainer, so a notebook can start a run in one call."""

from __future__ import annotations

from typing import Any

import torch

from ganlib.checks import require
from ganlib.config import FastPath, TrainConfig
from ganlib.data import DATASETS, make_sampler
from ganlib.nets import IMAGE_SHAPE, DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from ganlib.seeding import seed_everything
from ganlib.train import Trainer, resolve_device

ARCHITECTURES = ("mlp", "dcgan")


def make_trainer(
    dataset: str = "ring",
    config: TrainConfig | None = None,
    arch: str | None = None,
    device: torch.device | str | None = None,
    z_dim: int | None = None,
    fast: FastPath | None = None,
    **net_kwargs: Any,
) -> Trainer:
    """A seeded trainer for `dataset` (one of DATASETS): MLPs for toy data and DCGAN for MNIST, unless `arch` says.

    `net_kwargs` (width, depth, activation, n_classes) go to both networks; the seed of `config` fixes
    their initial weights as well as the training run. `fast` picks compilation, memory layout and precision
    (see FastPath; FastPath.for_device(device) is what pays off there).
    """
    config = TrainConfig() if config is None else config
    require(isinstance(config, TrainConfig), "config", config, "a ganlib.TrainConfig")
    require(dataset in DATASETS, "dataset", dataset, f"one of {DATASETS}")
    arch = arch or ("dcgan" if dataset == "mnist" else "mlp")
    require(arch in ARCHITECTURES, "arch", arch, f"one of {ARCHITECTURES}")
    require(arch == "mlp" or dataset == "mnist", "arch", arch, "'mlp' for toy data sets")
    device = resolve_device(device)
    data = make_sampler(dataset, device)
    seed_everything(config.seed)
    if arch == "dcgan":
        z_dim = z_dim or 64
        G, D = DCGANGenerator(z_dim, **net_kwargs), DCGANDiscriminator(**net_kwargs)
    else:
        shape = IMAGE_SHAPE if dataset == "mnist" else (data.dim,)
        z_dim = z_dim or (64 if dataset == "mnist" else max(2, data.dim))
        G = MLPGenerator(z_dim, shape, tanh_output=dataset == "mnist", **net_kwargs)
        D = MLPDiscriminator(shape, **net_kwargs)
    return Trainer(G, D, data, config, device, fast)
