"""How well a GAN is doing, in numbers: mode coverage on 2D mixtures, distances in 1D, digit metrics, D's calibration.

Every function that takes a `Trainer` works on a private copy of its networks and draws its own seeded
noise, so it may be called from another thread while the trainer runs (the live dashboard does), and it
never moves the trainer's random generator: measuring a run does not change it.
"""

from __future__ import annotations

import copy
import math
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from ganlib.checks import require
from ganlib.classifier import classify, load_classifier
from ganlib.data import GaussianMixture, load_mnist
from ganlib.losses import g_loss, real_probability
from ganlib.train import Trainer

N_MODE_SAMPLES = 2500  # VEEGAN and PacGAN count modes on 2,500 generated samples
HIGH_QUALITY_STDS = 3.0  # ... and call a sample high-quality within 3 standard deviations of a mode


def snapshot(module: nn.Module) -> nn.Module:
    """A frozen copy in eval mode: reading it is safe while another thread trains the original.

    Each thread keeps one copy per module and copies the current weights into it, about ten times cheaper
    than a deep copy (the live dashboard takes three a frame). So a snapshot holds until the same thread
    takes the next one of the same module: use it at once.
    """
    copies = _snapshots.__dict__.setdefault("by_module", weakref.WeakKeyDictionary())
    frozen = copies.get(module)
    if frozen is None:
        frozen = copies[module] = copy.deepcopy(module).eval().requires_grad_(False)
    else:
        frozen.load_state_dict(module.state_dict())
    return frozen


_snapshots = threading.local()


def fixed_samples(trainer: Trainer, n: int, seed: int = 0) -> torch.Tensor:
    """`n` samples of G from noise fixed by `seed` (balanced labels if G is conditional), without touching trainer.rng.

    The same seed gives the same z at every call, so a sample grid shows how G's map of fixed points changes.
    """
    require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
    z = torch.randn(
        n, trainer.G.z_dim, generator=torch.Generator(trainer.device).manual_seed(seed), device=trainer.device
    )
    labels = torch.arange(n, device=trainer.device) % trainer.n_classes if trainer.n_classes else None
    with torch.no_grad():
        return snapshot(trainer.G)(z, labels)


# ----- 2D mixtures: modes covered, high-quality samples, KL to uniform --------------------------------------------
@dataclass(frozen=True)
class ModeCoverage:
    """How a set of samples spreads over the modes of a Gaussian mixture (see `mode_coverage`)."""

    modes_covered: int
    n_modes: int
    high_quality_fraction: float
    kl_to_uniform: float  # nats; inf when no sample is high-quality
    counts: tuple[int, ...]  # high-quality samples per mode


def mode_coverage(
    samples: torch.Tensor, mixture: GaussianMixture, threshold: float = HIGH_QUALITY_STDS
) -> ModeCoverage:
    """Mode coverage as defined by VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).

    Each sample is standardised per axis by the mixture's std, (x - c) / std, and measured by the Euclidean
    length of that vector to its nearest mode centre c. It is *high-quality* when that standardised
    distance is under `threshold` (3: within three standard deviations). A mode is *covered* when it is
    the nearest centre of at least one high-quality sample. `kl_to_uniform` is KL(p || u) in nats, p the
    histogram of the high-quality samples over their nearest modes and u the uniform distribution over
    modes (the true one): 0 when they spread evenly, log(n_modes) when all sit on one mode. Both papers
    use 2,500 samples (N_MODE_SAMPLES). A sample of the data itself is high-quality with probability
    P(chi2_dim < threshold^2), 1 - exp(-4.5) = 0.989 in 2D.
    """
    require(
        samples.ndim == 2 and len(samples) >= 1 and samples.shape[1] == mixture.dim,
        "samples",
        tuple(samples.shape),
        f"a non-empty tensor of shape (n, {mixture.dim})",
    )
    require(threshold > 0, "threshold", threshold, "a positive number of standard deviations")
    centres = mixture.centres.to(samples.device).double()
    distance, nearest = (torch.cdist(samples.double(), centres) / mixture.std).min(dim=1)  # (n,), (n,)
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
    require(isinstance(trainer.data, GaussianMixture), "trainer", type(trainer.data).__name__, "a GaussianMixture")
    return mode_coverage(fixed_samples(trainer, n, seed), trainer.data)


def _kl_to_uniform(counts: torch.Tensor) -> float:
    total = int(counts.sum())
    if total == 0:
        return math.inf
    p = counts[counts > 0].double() / total
    return float((p * (p * len(counts)).log()).sum())


# ----- 1D: the distance between p_g and p_data, and D's optimum -------------------------------------------------
def js_divergence(p: torch.Tensor, q: torch.Tensor) -> float:
    """Jensen-Shannon divergence in nats of two histograms (normalised here): symmetric, 0 iff equal, at most log 2."""
    require(p.ndim == 1 and len(p) >= 1, "p", tuple(p.shape), "a non-empty 1D histogram")
    require(q.shape == p.shape, "q", tuple(q.shape), f"a histogram of p's shape {tuple(p.shape)}")
    require(
        bool((p >= 0).all() and (q >= 0).all() and p.sum() > 0 and q.sum() > 0), "p, q", "", "non-negative, sum > 0"
    )
    p, q = p.double() / p.sum(), q.double() / q.sum()
    m = (p + q) / 2
    return float(0.5 * _kl(p, m) + 0.5 * _kl(q, m))


def _kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """KL(p || q) with 0 log 0 = 0; q > 0 wherever p > 0 (q is a mixture containing p)."""
    support = p > 0
    return (p[support] * (p[support] / q[support]).log()).sum()


def histogram_js(samples: torch.Tensor, mixture: GaussianMixture, bins: int = 50) -> float:
    """JS(p_data, p_g) in nats on `bins` equal bins over the data's range (centres +- 4 std) plus two outer bins.

    p_data's mass per bin is exact (from the mixture's CDF); p_g's is the share of `samples` in it. The
    outer bins catch everything below and above, so samples far from the data are counted, not dropped.
    With n samples from p_data itself the estimate is biased up by about bins / (8 n) nats.
    """
    require(mixture.dim == 1, "mixture", f"dim={mixture.dim}", "a 1D mixture")
    require(
        samples.ndim == 2 and samples.shape[1] == 1 and len(samples) >= 1, "samples", tuple(samples.shape), "(n, 1)"
    )
    require(isinstance(bins, int) and bins >= 1, "bins", bins, "an int >= 1")
    lo, hi = _data_range(mixture)
    inner = torch.linspace(lo, hi, bins + 1, dtype=torch.float64)
    edges = torch.cat(
        [torch.tensor([-math.inf], dtype=torch.float64), inner, torch.tensor([math.inf], dtype=torch.float64)]
    )
    p_data = _mixture_cdf(edges, mixture).diff()
    p_g = torch.bucketize(samples[:, 0].double().cpu(), inner).bincount(minlength=bins + 2)
    return js_divergence(p_data, p_g.double())


def _data_range(mixture: GaussianMixture) -> tuple[float, float]:
    """The interval holding all but a negligible share of p_data on the first axis: centres +- 4 std."""
    centres = mixture.centres[:, 0]
    return float(centres.min()) - 4 * mixture.std, float(centres.max()) + 4 * mixture.std


def _mixture_cdf(x: torch.Tensor, mixture: GaussianMixture) -> torch.Tensor:
    """P(X <= x) of a 1D mixture, exactly: the mean of the components' normal CDFs."""
    centres = mixture.centres[:, 0].double().cpu()
    return torch.special.ndtr((x.double()[:, None] - centres) / mixture.std).mean(dim=1)


def kde_density(x: torch.Tensor, samples: torch.Tensor, bandwidth: float | None = None) -> torch.Tensor:
    """A Gaussian kernel density estimate of the samples' density at points `x` (both (n, dim)), in float64.

    Used for p_g, which we know only by samples. The default bandwidth is Scott's rule, std * n^(-1/(dim + 4)).
    Computed in float32 (a float32 kernel sum is accurate to ~1e-6 here, and several times faster).
    """
    require(samples.ndim == 2 and len(samples) >= 2, "samples", tuple(samples.shape), "a (n >= 2, dim) tensor")
    require(x.ndim == 2 and x.shape[1] == samples.shape[1], "x", tuple(x.shape), f"(m, {samples.shape[1]})")
    n, dim = samples.shape
    h = bandwidth or scott_bandwidth(samples)
    require(h > 0, "bandwidth", bandwidth, "a positive float (all samples are equal: pass one)")
    samples, x = samples.float(), x.float().to(samples.device)
    kernel = torch.exp(-(torch.cdist(x, samples) ** 2) / (2 * h**2))  # (m, n)
    return kernel.mean(dim=1).double() / (2 * math.pi * h**2) ** (dim / 2)


def scott_bandwidth(samples: torch.Tensor) -> float:
    """Scott's rule for a Gaussian kernel: mean per-axis std x n^(-1/(dim + 4)); 0 when all samples are equal."""
    n, dim = samples.shape
    return float(samples.double().std(dim=0).mean()) * n ** (-1 / (dim + 4))


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """D*(x) = p_data / (p_data + p_g), the best D for a fixed G (Goodfellow et al. 2014, Proposition 1); 1/2 at 0/0."""
    require(p_g.shape == p_data.shape, "p_g", tuple(p_g.shape), f"the shape of p_data {tuple(p_data.shape)}")
    total = p_data + p_g
    return torch.where(total > 0, p_data / total.clamp_min(1e-300), torch.full_like(total, 0.5))


@dataclass(frozen=True)
class Curves1D:
    """What Goodfellow et al. 2014, Figure 1 draws, on a grid of points x: p_data, p_g, D and D*."""

    x: torch.Tensor  # (points,)
    p_data: torch.Tensor
    p_g: torch.Tensor  # a kernel density estimate from `samples`
    d: torch.Tensor  # the learned D's probability that x is real
    d_optimal: torch.Tensor  # p_data / (p_data + p_g)
    samples: torch.Tensor  # (n,) generated samples
    js: float  # histogram_js of the samples, nats


def density_curves_1d(trainer: Trainer, n: int = 2000, points: int = 300, seed: int = 0) -> Curves1D:
    """p_data, p_g, D and D* of a trainer on a 1D mixture, on a grid covering the data and most samples."""
    mixture = trainer.data
    require(isinstance(mixture, GaussianMixture) and mixture.dim == 1, "trainer", "data", "a trainer on a 1D mixture")
    require(isinstance(points, int) and points >= 2, "points", points, "an int >= 2")
    samples = fixed_samples(trainer, n, seed).double().cpu()
    lo, hi = _data_range(mixture)
    lo, hi = min(lo, float(samples.quantile(0.005))), max(hi, float(samples.quantile(0.995)))
    x = torch.linspace(lo, hi, points, dtype=torch.float64)[:, None]
    # a collapsed G (all samples nearly equal) still gets a visible bump: at least two grid steps wide
    bandwidth = max(scott_bandwidth(samples), 2 * (hi - lo) / (points - 1))
    p_data, p_g = mixture.density(x.to(mixture.device)).cpu(), kde_density(x, samples, bandwidth)
    return Curves1D(
        x=x[:, 0],
        p_data=p_data,
        p_g=p_g,
        d=discriminator_probability(trainer.D, x.float().to(trainer.device), trainer.config.loss).cpu().double(),
        d_optimal=optimal_discriminator(p_data, p_g),
        samples=samples[:, 0],
        js=histogram_js(samples, mixture),
    )


# ----- D on the plane, and the direction it pushes the generator's samples ------------------------------------------
def discriminator_probability(
    D: nn.Module, x: torch.Tensor, loss: str, labels: torch.Tensor | None = None
) -> torch.Tensor:
    """D's probability that each x is real (see losses.real_probability), from a snapshot of D."""
    with torch.no_grad():
        return real_probability(snapshot(D)(x, labels), loss)


def generator_gradient(D: nn.Module, x: torch.Tensor, loss: str) -> torch.Tensor:
    """-dL_G/dx for each sample x: the direction in which G's loss on that sample falls fastest.

    This is where D tells G to move its samples; G follows it through its own weights. Each row is the
    gradient of that sample's own loss term (not of the batch mean, which would shrink it by 1/n).
    """
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(g_loss(snapshot(D)(x), loss) * len(x), x)
    return -grad


def plane_limits(mixture: GaussianMixture, margin: float = 1.5) -> tuple[float, float]:
    """A square window (lo, hi) on both axes around a 2D mixture's centres."""
    return float(mixture.centres.min()) - margin, float(mixture.centres.max()) + margin


def discriminator_grid(
    D: nn.Module, loss: str, limits: tuple[float, float], resolution: int = 60
) -> tuple[torch.Tensor, torch.Tensor]:
    """D's probability of 'real' on a resolution x resolution grid over limits x limits: (axis (r,), probs (r, r)).

    probs[i, j] is at (x = axis[j], y = axis[i]), the layout imshow(origin="lower") expects.
    """
    require(isinstance(resolution, int) and resolution >= 2, "resolution", resolution, "an int >= 2")
    device = next(D.parameters()).device
    axis = torch.linspace(*limits, resolution, device=device)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xs.flatten(), ys.flatten()], dim=1)  # (r * r, 2)
    return axis.cpu(), discriminator_probability(D, points, loss).view(resolution, resolution).cpu()


# ----- the discriminator: accuracy and calibration --------------------------------------------------------------
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
    require(probability.ndim == 1 and len(probability) >= 1, "probability", tuple(probability.shape), "a 1D tensor")
    require(is_real.shape == probability.shape, "is_real", tuple(is_real.shape), f"{tuple(probability.shape)} flags")
    require(isinstance(bins, int) and bins >= 1, "bins", bins, "an int >= 1")
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
    if real is None:
        real, real_labels = trainer.data.sample(n, torch.Generator(trainer.device).manual_seed(seed))
    require(len(real) >= 1, "real", tuple(real.shape), "a non-empty batch")
    real = real[:n].to(trainer.device)
    real_labels = None if real_labels is None else real_labels[: len(real)].to(trainer.device)
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
    require(isinstance(every, int) and every >= 1, "every", every, "an int >= 1")
    return every, lambda trainer: reports.append((trainer.step, discriminator_report(trainer, **report_kwargs)))


# ----- MNIST: what a digit classifier says about generated images ---------------------------------------------------
def gaussian_statistics(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (d,) and covariance (d, d) of (n, d) features, in float64."""
    require(features.ndim == 2 and len(features) >= 2, "features", tuple(features.shape), "a (n >= 2, d) tensor")
    features = features.double()
    return features.mean(dim=0), torch.cov(features.T)


def frechet_distance(mu1: torch.Tensor, cov1: torch.Tensor, mu2: torch.Tensor, cov2: torch.Tensor) -> float:
    """Frechet (2-Wasserstein) distance between N(mu1, cov1) and N(mu2, cov2), the formula behind FID.

    d^2 = |mu1 - mu2|^2 + tr(cov1 + cov2 - 2 (cov1 cov2)^(1/2)). The trace of the matrix square root is
    taken as sum sqrt(eig(S cov2 S)) with S = cov1^(1/2): a symmetric problem, stable where scipy's
    sqrtm of the non-symmetric product can return complex noise.
    """
    d = mu1.shape[0]
    require(mu1.shape == mu2.shape == (d,), "mu2", tuple(mu2.shape), f"a mean of shape ({d},) like mu1")
    require(cov1.shape == cov2.shape == (d, d), "cov2", tuple(cov2.shape), f"covariances of shape ({d}, {d})")
    mu1, cov1, mu2, cov2 = (t.double().cpu() for t in (mu1, cov1, mu2, cov2))
    eigenvalues, eigenvectors = torch.linalg.eigh(cov1)
    sqrt_cov1 = eigenvectors @ torch.diag(eigenvalues.clamp_min(0).sqrt()) @ eigenvectors.T
    trace_sqrt = torch.linalg.eigvalsh(sqrt_cov1 @ cov2 @ sqrt_cov1).clamp_min(0).sqrt().sum()
    return float(((mu1 - mu2) ** 2).sum() + cov1.trace() + cov2.trace() - 2 * trace_sqrt)


@lru_cache(maxsize=4)
def _test_set_statistics(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and covariance of the classifier's features on the 10,000 MNIST test images, once per process."""
    images, _ = load_mnist("test")
    return gaussian_statistics(classify(load_classifier(device), images)[1])


def classifier_fid(images: torch.Tensor, reference: torch.Tensor | None = None) -> float:
    """Frechet distance between the classifier features of `images` and of `reference` (default: MNIST test set).

    This is the offline equivalent of FID (Heusel et al. 2017): the same formula, on the penultimate
    layer of our MNIST classifier (ganlib.classifier) instead of Inception-v3, whose weights cannot be
    downloaded here. Values are comparable with each other, not with published FIDs. Like FID it is
    biased upwards for small samples: compare runs at the same number of images (10,000 is usual).
    """
    model = load_classifier(str(images.device))
    stats = _test_set_statistics(str(images.device)) if reference is None else _statistics_of(model, reference)
    return frechet_distance(*_statistics_of(model, images), *stats)


def _statistics_of(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return gaussian_statistics(classify(model, images)[1])


@dataclass(frozen=True)
class DigitReport:
    """What the MNIST classifier says about a batch of generated digits (see `digit_metrics`)."""

    class_counts: tuple[int, ...]  # samples per predicted class 0..9
    classes_covered: int  # classes predicted with confidence > CONFIDENT for at least one sample
    mean_confidence: float  # mean top-class probability
    confident_fraction: float  # share of samples with top-class probability > CONFIDENT
    inception_score: float  # exp E_x KL(p(y|x) || p(y)), from 1 (one class or unreadable) to 10
    fid: float  # classifier_fid against the MNIST test set


CONFIDENT = 0.9


def inception_score(probabilities: torch.Tensor) -> float:
    """exp(E_x KL(p(y|x) || p(y))) of (N, classes) class probabilities (Salimans et al. 2016), one split.

    1 when every image gets the same distribution; the number of classes when each image is one class
    with certainty and the classes are equally frequent.
    """
    require(probabilities.ndim == 2 and len(probabilities) >= 1, "probabilities", tuple(probabilities.shape), "(N, C)")
    p = probabilities.double()
    log_ratio = p.clamp_min(1e-30).log() - p.mean(dim=0).clamp_min(1e-30).log()
    return float((p * log_ratio).sum(dim=1).mean().exp())


def digit_metrics(images: torch.Tensor) -> DigitReport:
    """Class histogram, classes covered, confidence, an Inception-Score-like score and classifier FID of digits.

    `images`: (N, 1, 28, 28) in [-1, 1]. The score is the Inception Score of Salimans et al. 2016 computed
    with our MNIST classifier instead of Inception (offline, see classifier_fid): high when each image is
    read confidently as one digit and the digits are varied. A class is covered, like a mode of a 2D
    mixture, when at least one sample is read as it with confidence > CONFIDENT.
    """
    model = load_classifier(str(images.device))
    probabilities, features = classify(model, images)
    probabilities = probabilities.double().cpu()
    confidence, predicted = probabilities.max(dim=1)
    confident = confidence > CONFIDENT
    return DigitReport(
        class_counts=tuple(torch.bincount(predicted, minlength=10).tolist()),
        classes_covered=int(torch.unique(predicted[confident]).numel()),
        mean_confidence=float(confidence.mean()),
        confident_fraction=float(confident.double().mean()),
        inception_score=inception_score(probabilities),
        fid=frechet_distance(*gaussian_statistics(features), *_test_set_statistics(str(images.device))),
    )
