"""Training runs of semi-supervised learning with a GAN (ganlib.semi_supervised), and the same classifier on
labels alone, for notebook 07 and bench/ssl_table.py.

A run draws, every step, a batch of labelled images (with replacement from the few labelled ones), a batch of
unlabelled images and a batch of noise. The classifier that is evaluated is a moving average of D's weights
(Polyak averaging, as the reference code of Salimans et al. evaluates), in evaluation mode (no noise).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from ganlib.checks import (
    as_float,
    as_int,
    check_images,
    check_instance,
    check_labels,
    check_tensor,
    labels_on_cpu,
    require,
)
from ganlib.data import load_mnist
from ganlib.experiments.processes import map_in_processes
from ganlib.remedies import ema_update
from ganlib.semi_supervised import (
    IMAGE_DIM,
    SSLDiscriminator,
    SSLGenerator,
    feature_matching_loss,
    split_labels,
    supervised_loss,
    unsupervised_loss,
)


@dataclass(frozen=True)
class SSLConfig:
    """One run's settings; `semi_supervised=False` trains D on the labelled batches alone (the baseline)."""

    steps: int = 3000
    batch_size: int = 100
    lr: float = 3e-3  # Salimans et al.; Adam with beta1 = 0.5, as in their code
    decay_start: float = 0.5  # share of the steps after which the learning rate falls linearly to 0
    unlabelled_weight: float = 0.5  # the reference code halves the GAN loss
    ema: float = 0.999  # D's weight average for evaluation (the reference code: 0.9999 over 180,000 steps)
    semi_supervised: bool = True
    eval_every: int = 250
    seed: int = 0

    def __post_init__(self) -> None:
        as_int(self.steps, "steps", "an int >= 1", low=1)
        as_int(self.batch_size, "batch_size", "an int >= 1", low=1)
        as_float(self.lr, "lr", "a number in (0, 1]", low=1e-12, high=1.0)
        as_float(self.decay_start, "decay_start", "a share in [0, 1]", low=0.0, high=1.0)
        as_float(self.unlabelled_weight, "unlabelled_weight", "a number >= 0", low=0.0)
        as_float(self.ema, "ema", "a decay in [0, 1)", low=0.0, high=0.999999)
        require(isinstance(self.semi_supervised, bool), "semi_supervised", self.semi_supervised, "True or False")
        as_int(self.eval_every, "eval_every", "an int >= 1", low=1)
        as_int(self.seed, "seed", "an int >= 0", low=0)


@dataclass
class SSLRun:
    """A trained classifier (the weight average `D_avg`), its generator, and validation accuracy over training."""

    D: SSLDiscriminator
    D_avg: SSLDiscriminator
    G: SSLGenerator | None
    steps: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # training time, evaluation excluded
    accuracy: list[float] = field(default_factory=list)  # validation accuracy of D_avg (when there is a validation set)


def ssl_step(
    D: SSLDiscriminator,
    G: SSLGenerator,
    opt_d: torch.optim.Optimizer,
    opt_g: torch.optim.Optimizer,
    batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    z: torch.Tensor,
    unlabelled_weight: float,
) -> tuple[float, float]:
    """One D step (cross entropy + GAN loss) and one G step (feature matching); returns both losses.

    D scores the labelled, unlabelled and generated batches in one pass. G then matches the mean features of the
    same unlabelled batch (as D saw them, before its step): the reference code draws a second batch for G.
    """
    _check_step(D, batch, 3)
    check_instance(G, "G", SSLGenerator, "a ganlib SSLGenerator")
    check_tensor(z, "z", (None, G.z_dim))
    unlabelled_weight = as_float(unlabelled_weight, "unlabelled_weight", "a number >= 0", 0.0)
    return _ssl_step(D, G, opt_d, opt_g, batch, z, unlabelled_weight)


def _ssl_step(D, G, opt_d, opt_g, batch, z, unlabelled_weight) -> tuple[float, float]:
    """`ssl_step` without its checks: train_ssl checks its data once, not at every step."""
    x_lab, y_lab, x_unl = batch
    n_lab, n_unl = len(x_lab), len(x_unl)
    fake = G(z)
    logits, features = D(torch.cat([x_lab, x_unl, fake.detach()]))
    logits_lab, logits_unl, logits_fake = logits.split([n_lab, n_unl, len(fake)])
    loss_d = supervised_loss(logits_lab, y_lab) + unlabelled_weight * unsupervised_loss(logits_unl, logits_fake)
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    loss_g = feature_matching_loss(features[n_lab : n_lab + n_unl].detach(), D(fake)[1])
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward(inputs=list(G.parameters()))  # through D, but not into D's weights (their gradients are unused)
    opt_g.step()
    return loss_d.item(), loss_g.item()


def supervised_step(
    D: SSLDiscriminator, opt_d: torch.optim.Optimizer, batch: tuple[torch.Tensor, torch.Tensor]
) -> float:
    """One step of the baseline: cross entropy on a labelled batch, nothing else."""
    _check_step(D, batch, 2)
    return _supervised_step(D, opt_d, batch)


def _supervised_step(D, opt_d, batch) -> float:
    loss = supervised_loss(D(batch[0])[0], batch[1])
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return loss.item()


def _check_step(D: SSLDiscriminator, batch: tuple[torch.Tensor, ...], items: int) -> None:
    """A training step's D and batch (labelled images, their labels[, unlabelled images]): shapes and dtypes only,
    which cost no device sync; label ranges on the CPU only (ganlib.checks)."""
    check_instance(D, "D", SSLDiscriminator, "a ganlib SSLDiscriminator")
    what = "a tuple (labelled images (n, 784), their labels (n,)" + (
        ", unlabelled images (m, 784))" if items == 3 else ")"
    )
    ok = isinstance(batch, tuple | list) and len(batch) == items
    require(ok, "batch", f"{type(batch).__name__} of {len(batch) if isinstance(batch, tuple | list) else 1}", what)
    for images in batch[::2]:
        check_tensor(images, "batch", (None, IMAGE_DIM))
    check_labels(batch[1], len(batch[0]), D.n_classes, "batch")


@torch.no_grad()
def predict(D: SSLDiscriminator, x: torch.Tensor, chunk: int = 2500) -> torch.Tensor:
    """The class D reads in each image, without noise (evaluation mode); D's mode is restored afterwards."""
    check_instance(D, "D", SSLDiscriminator, "a ganlib SSLDiscriminator")
    check_images(x, "x", (IMAGE_DIM,), (0.0, 1.0))
    chunk = as_int(chunk, "chunk", "an int >= 1", 1)
    was_training = D.training
    D.eval()
    classes = torch.cat([D(part)[0].argmax(dim=1) for part in x.split(chunk)])
    D.train(was_training)
    return classes


def accuracy(D: SSLDiscriminator, x: torch.Tensor, y: torch.Tensor) -> float:
    """The share of images whose class D reads correctly."""
    check_images(x, "x", (IMAGE_DIM,), (0.0, 1.0))
    check_labels(labels_on_cpu(y), len(x), getattr(D, "n_classes", None), "y")
    return (predict(D, x) == y).double().mean().item()


def _learning_rate(config: SSLConfig, step: int) -> float:
    """Constant, then falling linearly to 0 at the last step."""
    start = int(config.decay_start * config.steps)
    return config.lr * min(1.0, (config.steps - step) / max(1, config.steps - start))


def train_ssl(
    labelled: tuple[torch.Tensor, torch.Tensor],
    unlabelled: torch.Tensor,
    validation: tuple[torch.Tensor, torch.Tensor] | None,
    config: SSLConfig,
    on_eval: Callable[[SSLRun], None] | None = None,
) -> SSLRun:
    """Train one run on flat images in [0, 1] (n, 784); `on_eval` sees the run after every evaluation.

    Without a validation set no accuracy is recorded; `on_eval` may measure what it needs.
    """
    x_lab, y_lab = _check_labelled(labelled, "labelled", None)
    check_images(unlabelled, "unlabelled", (IMAGE_DIM,), (0.0, 1.0), min_count=2)  # init_from_data takes a std
    n_classes = int(y_lab.max()) + 1
    require(n_classes >= 2, "labelled", f"labels in [0, {n_classes - 1}]", "at least 2 classes")
    if validation is not None:
        _check_labelled(validation, "validation", n_classes)
    check_instance(config, "config", SSLConfig, "a ganlib.experiments.ssl.SSLConfig")
    require(on_eval is None or callable(on_eval), "on_eval", on_eval, "None or a function of the run")
    rng = torch.Generator(x_lab.device).manual_seed(config.seed)
    torch.manual_seed(config.seed)  # initial weights and D's noise
    D = SSLDiscriminator(n_classes=n_classes).to(x_lab.device)
    D.init_from_data(unlabelled[torch.randperm(len(unlabelled), generator=rng, device=x_lab.device)[:500]])
    G = SSLGenerator().to(x_lab.device) if config.semi_supervised else None
    D_avg = copy.deepcopy(D).requires_grad_(False)
    # fused: Adam's update in one kernel per step, about 7% faster runs on the CPU than torch's default loop
    opt_d = torch.optim.Adam(D.parameters(), config.lr, betas=(0.5, 0.999), fused=True)
    opt_g = torch.optim.Adam(G.parameters(), config.lr, betas=(0.5, 0.999), fused=True) if G is not None else None
    run, b, elapsed = SSLRun(D, D_avg, G), config.batch_size, 0.0
    for step in range(1, config.steps + 1):
        start = time.perf_counter()
        for opt in filter(None, (opt_d, opt_g)):
            for group in opt.param_groups:
                group["lr"] = _learning_rate(config, step - 1)
        lab = torch.randperm(len(x_lab), generator=rng, device=x_lab.device)[:b]  # every label each step at 100
        if G is not None:
            unl = torch.randint(len(unlabelled), (b,), generator=rng, device=x_lab.device)
            z = torch.rand(b, G.z_dim, generator=rng, device=x_lab.device)
            _ssl_step(D, G, opt_d, opt_g, (x_lab[lab], y_lab[lab], unlabelled[unl]), z, config.unlabelled_weight)
        else:
            _supervised_step(D, opt_d, (x_lab[lab], y_lab[lab]))
        ema_update(D_avg, D, min(config.ema, step / (step + 10)))  # a short memory at first, of random weights
        elapsed += time.perf_counter() - start
        if step % config.eval_every == 0 or step == config.steps:
            run.steps.append(step)
            run.seconds.append(elapsed)
            if validation is not None:
                run.accuracy.append(accuracy(D_avg, *validation))
            if on_eval is not None:
                on_eval(run)
    return run


def train_mnist_seeds(
    configs: Sequence[SSLConfig], per_class: int = 10, n_validation: int = 10_000, jobs: int = 1
) -> list[SSLRun]:
    """`train_ssl` on MNIST for each config, its seed also drawing the labels (`split_labels`); `jobs` at once.

    Each run uses one CPU thread, the MLPs gaining little from a second, so on a 2-core CPU two or three runs at
    once finish in about the time of one or one and a half. Runs in processes give the same numbers as here.
    """
    ok = isinstance(configs, list | tuple) and all(isinstance(config, SSLConfig) for config in configs)
    require(ok, "configs", configs, "a list of SSLConfig, one per run")
    per_class = as_int(per_class, "per_class", "an int >= 1", 1)
    n_validation = as_int(n_validation, "n_validation", "an int >= 0", 0)
    tasks = [(config, per_class, n_validation) for config in configs]
    return [_rebuild(result) for result in map_in_processes(_mnist_task, tasks, jobs)]


def _check_labelled(
    pair: tuple[torch.Tensor, torch.Tensor], name: str, n_classes: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Flat images in [0, 1] and their labels, checked once for a run."""
    ok = isinstance(pair, tuple | list) and len(pair) == 2
    require(ok, name, type(pair).__name__, "a pair (images (n, 784), labels)")
    check_images(pair[0], name, (IMAGE_DIM,), (0.0, 1.0))
    check_labels(labels_on_cpu(pair[1]), len(pair[0]), n_classes, name)
    return pair[0], pair[1]


def _mnist_task(task: tuple[SSLConfig, int, int]) -> dict[str, Any]:
    """One run, returned as state dicts: modules with weight norm (parametrizations) cannot be pickled whole."""
    config, per_class, n_validation = task
    torch.set_num_threads(1)
    images, labels = load_mnist("train")
    x = ((images + 1) / 2).flatten(1)  # (N, 784) in [0, 1]
    split = split_labels(labels, per_class, n_validation, config.seed)
    validation = (x[split.validation], labels[split.validation])
    run = train_ssl((x[split.labelled], labels[split.labelled]), x[split.unlabelled], validation, config)
    nets = {"D": run.D, "D_avg": run.D_avg, "G": run.G}
    return {
        "states": {name: net.state_dict() for name, net in nets.items() if net is not None},
        "n_classes": int(labels.max()) + 1,
        "record": (run.steps, run.seconds, run.accuracy),
    }


def _rebuild(result: dict[str, Any]) -> SSLRun:
    D, D_avg = (SSLDiscriminator(result["n_classes"]) for _ in range(2))
    G = SSLGenerator() if "G" in result["states"] else None
    for name, net in (("D", D), ("D_avg", D_avg), ("G", G)):
        if net is not None:
            net.load_state_dict(result["states"][name])
    D_avg.requires_grad_(False)
    steps, seconds, accuracy = result["record"]
    return SSLRun(D, D_avg, G, steps, seconds, accuracy)
