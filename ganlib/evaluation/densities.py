"""The distance between p_g and p_data (JS divergence on histograms, 1D and 2D), kernel density estimates, and D's
optimum D* (Goodfellow et al. 2014)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ganlib.checks import as_float, as_int, check_finite, check_instance, check_rows, describe, require
from ganlib.data import GaussianMixture
from ganlib.evaluation.discriminator import discriminator_probability
from ganlib.evaluation.sampling import fixed_samples
from ganlib.train import Trainer


def js_divergence(p: torch.Tensor, q: torch.Tensor) -> float:
    """Jensen-Shannon divergence in nats of two histograms (normalised here): symmetric, 0 iff equal, at most log 2."""
    _check_density(p, "p", None)
    _check_density(q, "q", tuple(p.shape))
    for name, histogram in (("p", p), ("q", q)):
        require(bool(histogram.sum() > 0), name, "a histogram of zeros", "counts >= 0, not all 0")
    p, q = p.double() / p.sum(), q.double() / q.sum()
    m = (p + q) / 2
    return float(0.5 * _kl(p, m) + 0.5 * _kl(q, m))


def _check_density(x: torch.Tensor, name: str, shape: tuple[int, ...] | None) -> None:
    """Finite values >= 0 (a histogram, a density on a grid), of `shape` if given."""
    ok = isinstance(x, torch.Tensor) and x.numel() >= 1 and (shape is None or tuple(x.shape) == shape)
    require(ok, name, describe(x), "a non-empty tensor" + (f" of shape {shape}" if shape else ""))
    check_finite(x, name)
    require(bool((x >= 0).all()), name, "negative values", "values >= 0")


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
    check_instance(mixture, "mixture", GaussianMixture, "a ganlib GaussianMixture")
    require(mixture.dim == 1, "mixture", f"dim={mixture.dim}", "a 1D mixture")
    check_rows(samples, "samples", 1)
    bins = as_int(bins, "bins", "an int >= 1", 1)
    inner, edges = _edges(*_data_range(mixture), bins)
    p_data = _component_masses(edges, mixture, axis=0).mean(dim=1)
    p_g = torch.bucketize(samples[:, 0].double().cpu(), inner).bincount(minlength=bins + 2)
    return js_divergence(p_data, p_g.double())


def histogram_js_2d(
    samples: torch.Tensor, mixture: GaussianMixture, limits: tuple[float, float], bins: int = 20
) -> float:
    """JS(p_data, p_g) in nats on a `bins` x `bins` grid over the square `limits` x `limits`, plus an outer ring of
    cells that catches everything outside it (as GAN Lab plots the divergence of its 2D game on a grid).

    p_data's mass per cell is exact (each Gaussian is isotropic: a product of its axes' CDFs); p_g's is the
    share of `samples` in it. A grid coarser than the modes cannot tell where inside a cell G puts its samples:
    this measures whether G puts the right mass in the right places, at the grid's scale. With n samples from
    p_data itself the estimate is biased up by about c / (8 n) nats, c the cells p_data fills (0.001 for the ring's
    8 modes and 2,500 samples).
    """
    check_instance(mixture, "mixture", GaussianMixture, "a ganlib GaussianMixture")
    require(mixture.dim == 2, "mixture", f"dim={mixture.dim}", "a 2D mixture")
    check_rows(samples, "samples", 2)
    bins = as_int(bins, "bins", "an int >= 1", 1)
    lo, hi = limits
    require(math.isfinite(lo) and math.isfinite(hi) and lo < hi, "limits", limits, "a finite (lo, hi) with lo < hi")
    inner, edges = _edges(lo, hi, bins)
    mass_x, mass_y = (_component_masses(edges, mixture, axis) for axis in (0, 1))  # (cells, modes) each
    p_data = torch.einsum("im,jm->ij", mass_x, mass_y).flatten() / mixture.n_modes
    cell_x, cell_y = (torch.bucketize(samples[:, axis].double().cpu(), inner) for axis in (0, 1))
    p_g = (cell_x * (bins + 2) + cell_y).bincount(minlength=(bins + 2) ** 2)
    return js_divergence(p_data, p_g.double())


def _edges(lo: float, hi: float, bins: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`bins` equal bins over (lo, hi): their inner edges, and all edges with -inf and +inf for the outer bins."""
    inner = torch.linspace(lo, hi, bins + 1, dtype=torch.float64)
    infinity = torch.tensor([math.inf], dtype=torch.float64)
    return inner, torch.cat([-infinity, inner, infinity])


def _component_masses(edges: torch.Tensor, mixture: GaussianMixture, axis: int) -> torch.Tensor:
    """(bins, modes): each component's probability mass in each bin along `axis`, exactly, from its normal CDF."""
    centres = mixture.centres[:, axis].double().cpu()
    return torch.special.ndtr((edges[:, None] - centres) / mixture.std).diff(dim=0)


def _data_range(mixture: GaussianMixture) -> tuple[float, float]:
    """The interval holding all but a negligible share of p_data on the first axis: centres +- 4 std."""
    centres = mixture.centres[:, 0]
    return float(centres.min()) - 4 * mixture.std, float(centres.max()) + 4 * mixture.std


def kde_density(x: torch.Tensor, samples: torch.Tensor, bandwidth: float | None = None) -> torch.Tensor:
    """A Gaussian kernel density estimate of the samples' density at points `x` (both (n, dim)), in float64.

    Used for p_g, which we know only by samples. The default bandwidth is Scott's rule, std * n^(-1/(dim + 4)).
    Computed in float32 (a float32 kernel sum is accurate to ~1e-6 here, and several times faster).
    """
    check_rows(samples, "samples", min_rows=2)
    check_rows(x, "x", samples.shape[1], like="samples")
    n, dim = samples.shape
    if bandwidth is None:
        h = scott_bandwidth(samples)
        require(h > 0, "samples", "samples all equal", "a spread, or a bandwidth given (Scott's rule gives 0)")
    else:
        h = as_float(bandwidth, "bandwidth", "None or a number > 0", 1e-300)
    samples, x = samples.float(), x.float().to(samples.device)
    kernel = torch.exp(-(torch.cdist(x, samples) ** 2) / (2 * h**2))  # (m, n)
    return kernel.mean(dim=1).double() / (2 * math.pi * h**2) ** (dim / 2)


def scott_bandwidth(samples: torch.Tensor) -> float:
    """Scott's rule for a Gaussian kernel: mean per-axis std x n^(-1/(dim + 4)); 0 when all samples are equal."""
    check_rows(samples, "samples", min_rows=2)
    n, dim = samples.shape
    return float(samples.double().std(dim=0).mean()) * n ** (-1 / (dim + 4))


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """D*(x) = p_data / (p_data + p_g), the best D for a fixed G (Goodfellow et al. 2014, Proposition 1); 1/2 at 0/0."""
    _check_density(p_data, "p_data", None)
    _check_density(p_g, "p_g", tuple(p_data.shape))
    total = p_data + p_g
    return torch.where(total > 0, p_data / total.clamp_min(1e-300), torch.full_like(total, 0.5))


@dataclass(frozen=True)
class Curves1D:
    """What Goodfellow et al. 2014, Figure 1 draws, on a grid of points x: p_data, p_g, D and D*."""

    step: int  # the trainer's step when they were computed
    x: torch.Tensor  # (points,)
    p_data: torch.Tensor
    p_g: torch.Tensor  # a kernel density estimate from `samples`
    d: torch.Tensor  # the learned D's probability that x is real
    d_optimal: torch.Tensor  # p_data / (p_data + p_g)
    samples: torch.Tensor  # (n,) generated samples
    js: float  # histogram_js of the samples, nats


def density_curves_1d(trainer: Trainer, n: int = 2000, points: int = 300, seed: int = 0) -> Curves1D:
    """p_data, p_g, D and D* of a trainer on a 1D mixture, on a grid covering the data and most samples."""
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    mixture = trainer.data
    require(isinstance(mixture, GaussianMixture) and mixture.dim == 1, "trainer", "data", "a trainer on a 1D mixture")
    points = as_int(points, "points", "an int >= 2", 2)
    samples = fixed_samples(trainer, n, seed).double().cpu()
    lo, hi = _data_range(mixture)
    lo, hi = min(lo, float(samples.quantile(0.005))), max(hi, float(samples.quantile(0.995)))
    x = torch.linspace(lo, hi, points, dtype=torch.float64)[:, None]
    # a collapsed G (all samples nearly equal) still gets a visible bump: at least two grid steps wide
    bandwidth = max(scott_bandwidth(samples), 2 * (hi - lo) / (points - 1))
    p_data, p_g = mixture.density(x.to(mixture.device)).cpu(), kde_density(x, samples, bandwidth)
    return Curves1D(
        step=trainer.step,
        x=x[:, 0],
        p_data=p_data,
        p_g=p_g,
        d=discriminator_probability(trainer.D, x.float().to(trainer.device), trainer.config.loss).cpu().double(),
        d_optimal=optimal_discriminator(p_data, p_g),
        samples=samples[:, 0],
        js=histogram_js(samples, mixture),
    )
