"""Mode coverage on 2D Gaussian mixtures, as VEEGAN and PacGAN measure it: modes covered, high-quality samples."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ganlib.checks import check_instance, is_number, require
from ganlib.data import GaussianMixture
from ganlib.evaluation.sampling import fixed_samples
from ganlib.train import Trainer

N_MODE_SAMPLES = 2500  # VEEGAN and PacGAN count modes on 2,500 generated samples
HIGH_QUALITY_STDS = 3.0  # ... and call a sample high-quality within 3 standard deviations of a mode


@dataclass(frozen=True)
class ModeCoverage:
    """How a set of samples spreads over the modes of a Gaussian mixture (see `mode_coverage`)."""

    modes_covered: int
    n_modes: int
    high_quality_fraction: float
    kl_to_uniform: float  # nats; inf when no sample is high-quality
    counts: tuple[int, ...]  # high-quality samples per mode


def nearest_modes(samples: torch.Tensor, mixture: GaussianMixture) -> tuple[torch.Tensor, torch.Tensor]:
    """Each sample's nearest mode centre and its distance to it in standard deviations: (n,) indices, (n,) floats.

    The assignment `mode_coverage` counts; a histogram of the indices shows where a generator puts its mass.
    The distance is the Euclidean length of (x - c) / std, c the nearest centre (the mixture is isotropic).
    """
    require(isinstance(mixture, GaussianMixture), "mixture", type(mixture).__name__, "a ganlib.GaussianMixture")
    dim = mixture.dim
    require(
        isinstance(samples, torch.Tensor) and samples.ndim == 2 and len(samples) >= 1 and samples.shape[1] == dim,
        "samples",
        tuple(samples.shape) if isinstance(samples, torch.Tensor) else type(samples).__name__,
        f"a non-empty tensor of shape (n, {dim})",
    )
    require(
        bool(torch.isfinite(samples).all()), "samples", "samples holding NaN or inf", "finite samples (G diverged?)"
    )
    centres = mixture.centres.to(samples.device).double()
    distance, nearest = (torch.cdist(samples.double(), centres) / mixture.std).min(dim=1)  # (n,), (n,)
    return nearest, distance


def mode_coverage(
    samples: torch.Tensor, mixture: GaussianMixture, threshold: float = HIGH_QUALITY_STDS
) -> ModeCoverage:
    """Mode coverage as defined by VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).

    Each sample is standardised per axis by the mixture's std, (x - c) / std, and measured by the Euclidean
    length of that vector to its nearest mode centre c (`nearest_modes`). It is *high-quality* when that standardised
    distance is under `threshold` (3: within three standard deviations). A mode is *covered* when it is
    the nearest centre of at least one high-quality sample. `kl_to_uniform` is KL(p || u) in nats, p the
    histogram of the high-quality samples over their nearest modes and u the uniform distribution over
    modes (the true one): 0 when they spread evenly, log(n_modes) when all sit on one mode. Both papers
    use 2,500 samples (N_MODE_SAMPLES). A sample of the data itself is high-quality with probability
    P(chi2_dim < threshold^2), 1 - exp(-4.5) = 0.989 in 2D.
    """
    require(is_number(threshold) and threshold > 0, "threshold", threshold, "a positive number of standard deviations")
    nearest, distance = nearest_modes(samples, mixture)
    high_quality = distance < threshold
    counts = torch.bincount(nearest[high_quality], minlength=mixture.n_modes).cpu()
    return ModeCoverage(
        modes_covered=int((counts > 0).sum()),
        n_modes=mixture.n_modes,
        high_quality_fraction=float(high_quality.double().mean()),
        kl_to_uniform=_kl_to_uniform(counts),
        counts=tuple(counts.tolist()),
    )


def generator_mode_coverage(trainer: Trainer, n: int = N_MODE_SAMPLES, seed: int = 0) -> ModeCoverage:
    """`mode_coverage` of `n` fixed-noise samples of the trainer's generator on its mixture."""
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    require(isinstance(trainer.data, GaussianMixture), "trainer", type(trainer.data).__name__, "a GaussianMixture")
    return mode_coverage(fixed_samples(trainer, n, seed), trainer.data)


def _kl_to_uniform(counts: torch.Tensor) -> float:
    total = int(counts.sum())
    if total == 0:
        return math.inf
    p = counts[counts > 0].double() / total
    return float((p * (p * len(counts)).log()).sum())
