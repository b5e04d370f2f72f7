"""The 2D game on the plane: D's probability of 'real' on a grid, the samples, and where D pushes the fakes."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from torch import nn

from ganlib.checks import as_float, as_int, as_seed, check_instance, is_int, is_number, require
from ganlib.data import GaussianMixture
from ganlib.evaluation.densities import histogram_js_2d
from ganlib.evaluation.discriminator import discriminator_probability, generator_gradient
from ganlib.evaluation.modes import N_MODE_SAMPLES, ModeCoverage, mode_coverage
from ganlib.evaluation.sampling import fixed_samples, snapshot
from ganlib.train import Trainer


def plane_limits(mixture: GaussianMixture, margin: float = 1.5) -> tuple[float, float]:
    """A square window (lo, hi) on both axes around a 2D mixture's centres."""
    check_instance(mixture, "mixture", GaussianMixture, "a ganlib GaussianMixture")
    margin = as_float(margin, "margin", "a number >= 0", 0.0)
    return float(mixture.centres.min()) - margin, float(mixture.centres.max()) + margin


def discriminator_grid(
    D: nn.Module, loss: str, limits: tuple[float, float], resolution: int = 60
) -> tuple[torch.Tensor, torch.Tensor]:
    """D's probability of 'real' on a resolution x resolution grid over limits x limits: (axis (r,), probs (r, r)).

    probs[i, j] is at (x = axis[j], y = axis[i]), the layout imshow(origin="lower") expects.
    """
    resolution = as_int(resolution, "resolution", "an int >= 2", 2)
    ok = isinstance(limits, tuple | list) and len(limits) == 2 and all(is_number(v) and abs(v) < 1e30 for v in limits)
    require(ok and limits[0] < limits[1], "limits", limits, "(lo, hi), finite numbers with lo < hi")
    device = next(D.parameters()).device
    axis = torch.linspace(*limits, resolution, device=device)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xs.flatten(), ys.flatten()], dim=1)  # (r * r, 2)
    return axis.cpu(), discriminator_probability(D, points, loss).view(resolution, resolution).cpu()


@dataclass(frozen=True)
class Field2D:
    """What the 2D view of the game shows at one step, computed once; all tensors on the CPU."""

    step: int
    limits: tuple[float, float]  # the square window (lo, hi) on both axes
    axis: torch.Tensor  # (r,) grid coordinates
    probability: torch.Tensor  # (r, r) D's probability of 'real' at (x = axis[j], y = axis[i])
    real: torch.Tensor  # (n_shown, 2) data samples
    fake: torch.Tensor  # (n_shown, 2) generated samples from fixed noise
    arrows_at: torch.Tensor  # (n_arrows, 2) generated samples ...
    push: torch.Tensor  # (n_arrows, 2) ... and -dL_G/dx at each: where D pushes them
    coverage: ModeCoverage  # on N_MODE_SAMPLES fixed-noise samples ...
    js: float  # ... with JS(p_data, p_g) of the same samples in nats on a grid (densities.histogram_js_2d) ...
    coverage_step: int  # ... at this step (earlier than `step` when kept from a previous field)


def field_2d(
    trainer: Trainer, n_shown: int = 500, n_arrows: int = 80, resolution: int = 60, seed: int = 0,
    keep_coverage: Field2D | None = None, limits: tuple[float, float] | None = None,
) -> Field2D:  # fmt: skip
    """D's heatmap, real and generated samples, G's gradient arrows, mode coverage and the JS divergence on a grid,
    for a trainer on a 2D mixture.

    `keep_coverage`: a previous field whose coverage and divergence to keep, skipping the N_MODE_SAMPLES samples
    they need (most of the cost for a live view that refreshes the samples many times a second). `limits`: the
    square window, (lo, hi) on both axes; by default plane_limits of the mixture."""
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    mixture = trainer.data
    require(isinstance(mixture, GaussianMixture) and mixture.dim == 2, "trainer", "data", "a trainer on a 2D mixture")
    require(is_int(n_shown) and n_shown >= 1, "n_shown", n_shown, "an int >= 1")
    require(
        is_int(n_arrows) and 1 <= n_arrows <= N_MODE_SAMPLES, "n_arrows", n_arrows, f"an int in [1, {N_MODE_SAMPLES}]"
    )
    loss, limits = trainer.config.loss, plane_limits(mixture) if limits is None else limits
    axis, probability = discriminator_grid(trainer.D, loss, limits, resolution)
    fake = fixed_samples(trainer, N_MODE_SAMPLES if keep_coverage is None else max(n_shown, n_arrows), seed)
    arrows_at = fake[:n_arrows]
    if keep_coverage is None:
        coverage, coverage_step = mode_coverage(fake, mixture), trainer.step
        js = histogram_js_2d(fake, mixture, limits)
    else:
        coverage, coverage_step, js = keep_coverage.coverage, keep_coverage.coverage_step, keep_coverage.js
    return Field2D(
        step=trainer.step,
        limits=limits,
        axis=axis,
        probability=probability,
        real=mixture.sample(n_shown, torch.Generator(mixture.device).manual_seed(as_seed(seed)))[0].cpu(),
        fake=fake[:n_shown].cpu(),
        arrows_at=arrows_at.cpu(),
        push=generator_gradient(trainer.D, arrows_at, loss).cpu(),
        coverage=coverage,
        js=js,
        coverage_step=coverage_step,
    )


def generator_manifold(trainer: Trainer, resolution: int = 24) -> torch.Tensor | None:
    """G's image of a grid in z-space, as GAN Lab draws it: (rows, resolution, 2) points, or None when z_dim > 2.

    The grid sits at equal-probability quantiles of z's N(0, 1) axes (0.02 .. 0.98), so every cell of the
    deformed mesh holds the same share of G's samples: dense cells are where G puts much mass in little room.
    A 1D z gives one row: a curve.
    """
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    resolution = as_int(resolution, "resolution", "an int >= 2", 2)
    z_dim = trainer.G.z_dim
    if z_dim > 2:
        return None
    z = _quantile_grid(z_dim, resolution)
    labels = torch.zeros(len(z), dtype=torch.long, device=trainer.device) if trainer.n_classes else None
    with torch.no_grad():
        points = snapshot(trainer.G)(z.to(trainer.device), labels)
    return points.cpu().view(resolution if z_dim == 2 else 1, resolution, -1)


@functools.lru_cache(maxsize=8)
def _quantile_grid(z_dim: int, resolution: int) -> torch.Tensor:
    """The z grid of generator_manifold, (resolution ** z_dim, z_dim) on the CPU: made once, a live view asks for it
    at every frame."""
    quantiles = torch.special.ndtri(torch.linspace(0.02, 0.98, resolution))
    if z_dim == 1:
        return quantiles[:, None]
    zy, zx = torch.meshgrid(quantiles, quantiles, indexing="ij")
    return torch.stack([zx.flatten(), zy.flatten()], dim=1)
