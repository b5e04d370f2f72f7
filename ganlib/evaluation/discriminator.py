"""What D thinks: its probability of 'real', the direction it pushes G's samples, its accuracy and calibration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ganlib.checks import (
    as_int,
    as_seed,
    check_finite,
    check_instance,
    check_labels,
    check_tensor,
    describe,
    labels_on_cpu,
    require,
)
from ganlib.evaluation.sampling import fixed_samples, snapshot
from ganlib.losses import g_loss, real_probability
from ganlib.train import Trainer


def discriminator_probability(
    D: nn.Module, x: torch.Tensor, loss: str, labels: torch.Tensor | None = None
) -> torch.Tensor:
    """D's probability that each x is real (see losses.real_probability), from a snapshot of D."""
    _check_points(D, x)
    with torch.no_grad():
        return real_probability(snapshot(D)(x, labels), loss)


def generator_gradient(D: nn.Module, x: torch.Tensor, loss: str) -> torch.Tensor:
    """-dL_G/dx for each sample x: the direction in which G's loss on that sample falls fastest.

    This is where D tells G to move its samples; G follows it through its own weights. Each row is the
    gradient of that sample's own loss term (not of the batch mean, which would shrink it by 1/n).
    """
    _check_points(D, x)
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(g_loss(snapshot(D)(x), loss) * len(x), x)
    return -grad


def _check_points(D: nn.Module, x: torch.Tensor) -> None:
    """A network and finite float points of its input shape (its `in_shape`, if it says)."""
    check_instance(D, "D", nn.Module, "a discriminator (nn.Module)")
    shape = getattr(D, "in_shape", None)
    ok = isinstance(x, torch.Tensor) and x.ndim >= 2 and (shape is None or tuple(x.shape[1:]) == tuple(shape))
    require(ok and x.is_floating_point(), "x", describe(x), f"a float tensor (n, *{shape or ('d',)})")
    check_finite(x, "x")


@dataclass(frozen=True)
class DiscriminatorReport:
    """D's accuracy (threshold 1/2) and calibration on held-out real and fresh fake samples, in equal numbers."""

    acc_real: float
    acc_fake: float
    d_real: float  # mean D(x) on real
    d_fake: float  # mean D(G(z)) on fake
    ece: float  # expected calibration error of D's probability, in [0, 1]
    bin_probability: tuple[float, ...]  # reliability diagram: mean D(x) in each non-empty bin ...
    bin_real_fraction: tuple[float, ...]  # ... and the share of real samples in it
    bin_counts: tuple[int, ...]


def calibration(
    probability: torch.Tensor, is_real: torch.Tensor, bins: int = 10
) -> tuple[float, tuple[float, ...], tuple[float, ...], tuple[int, ...]]:
    """Expected calibration error of probabilities of 'real' and the reliability diagram behind it.

    The probabilities are cut into `bins` equal bins; ECE = sum over bins of (share of samples) x
    |mean probability - share actually real|. A calibrated D that says 0.7 is right 70% of the time: ECE 0.
    Returns (ece, mean probability per non-empty bin, share real per non-empty bin, count per non-empty bin).
    """
    check_tensor(probability, "probability", (None,))
    check_finite(probability, "probability")
    in_range = bool(((probability >= 0) & (probability <= 1)).all())
    require(in_range, "probability", "values outside [0, 1]", "probabilities of 'real', in [0, 1]")
    ok = isinstance(is_real, torch.Tensor) and is_real.shape == probability.shape
    require(ok, "is_real", describe(is_real), f"{tuple(probability.shape)} flags (1: real, 0: fake)")
    bins = as_int(bins, "bins", "an int >= 1", 1)
    probability, is_real = probability.double().cpu(), is_real.double().cpu()
    which = (probability * bins).long().clamp(0, bins - 1)
    counts = torch.bincount(which, minlength=bins)
    filled = counts > 0
    mean_p = torch.bincount(which, probability, minlength=bins)[filled] / counts[filled]
    real_share = torch.bincount(which, is_real, minlength=bins)[filled] / counts[filled]
    ece = float((counts[filled] / len(probability) * (mean_p - real_share).abs()).sum())
    return ece, tuple(mean_p.tolist()), tuple(real_share.tolist()), tuple(counts[filled].tolist())


def discriminator_report(
    trainer: Trainer,
    real: torch.Tensor | None = None,
    real_labels: torch.Tensor | None = None,
    n: int = 1000,
    seed: int = 0,
    bins: int = 10,
) -> DiscriminatorReport:
    """D's accuracy and calibration on `n` real and `n` fake samples it was not trained on.

    `real` defaults to fresh draws from the trainer's data (held-out for a mixture); for MNIST pass test
    images (ganlib.load_mnist("test")), with their labels when D is conditional.
    """
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    n, seed = as_int(n, "n", "an int >= 1", 1), as_seed(seed)
    if real is None:
        real, real_labels = trainer.data.sample(n, torch.Generator(trainer.device).manual_seed(seed))
    in_shape = tuple(getattr(trainer.D, "in_shape", real.shape[1:] if isinstance(real, torch.Tensor) else ()))
    check_tensor(real, "real", (None, *in_shape))
    check_finite(real, "real")
    real = real[:n].to(trainer.device)
    if real_labels is not None:
        check_labels(labels_on_cpu(real_labels), None, trainer.n_classes or None, "real_labels")
        require(len(real_labels) >= len(real), "real_labels", describe(real_labels), "one label per real sample")
        real_labels = real_labels[: len(real)].to(trainer.device)
    fake = fixed_samples(trainer, len(real), seed + 1)
    fake_labels = torch.arange(len(real), device=trainer.device) % trainer.n_classes if trainer.n_classes else None
    p_real = discriminator_probability(trainer.D, real, trainer.config.loss, real_labels).cpu()
    p_fake = discriminator_probability(trainer.D, fake, trainer.config.loss, fake_labels).cpu()
    ece, bin_p, bin_real, bin_counts = calibration(
        torch.cat([p_real, p_fake]), torch.cat([torch.ones_like(p_real), torch.zeros_like(p_fake)]), bins
    )
    return DiscriminatorReport(
        acc_real=float((p_real > 0.5).double().mean()),
        acc_fake=float((p_fake <= 0.5).double().mean()),
        d_real=float(p_real.double().mean()),
        d_fake=float(p_fake.double().mean()),
        ece=ece,
        bin_probability=bin_p,
        bin_real_fraction=bin_real,
        bin_counts=bin_counts,
    )


def track_discriminator(
    reports: list[tuple[int, DiscriminatorReport]], every: int = 100, **report_kwargs: object
) -> tuple[int, Callable[[Trainer], None]]:
    """A Trainer.run callback appending (step, discriminator_report(trainer)) to `reports` every `every` steps."""
    check_instance(reports, "reports", list, "a list, which the callback appends to")
    every = as_int(every, "every", "an int >= 1", 1)
    return every, lambda trainer: reports.append((trainer.step, discriminator_report(trainer, **report_kwargs)))
