"""GAN losses as small functions of the discriminator's raw scores ("logits").

Conventions: D is trained to score real samples high and fakes low. For the saturating and
non-saturating losses the score is a logit, so D(x) = sigmoid(score) is D's probability that x is
real, and both share D's loss (binary cross-entropy); they differ only in G's objective. Each loss is
a row of the two tables below: D's loss of (real scores, fake scores) and G's loss of fake scores.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

from ganlib.checks import require

Scores = torch.Tensor


def _cross_entropy_d(real: Scores, fake: Scores) -> torch.Tensor:
    """-log D(x) - log(1 - D(G(z))), written with softplus for numerical stability."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def _saturating_g(fake: Scores) -> torch.Tensor:
    """Goodfellow et al. 2014's minimax objective: minimise log(1 - D(G(z))) = -softplus(logit).

    Its gradient, -sigmoid(logit), vanishes when D confidently rejects the fakes."""
    return -F.softplus(fake).mean()


def _non_saturating_g(fake: Scores) -> torch.Tensor:
    """The same fixed point, but maximise log D(G(z)): gradient -sigmoid(-logit) -> -1 when D rejects."""
    return F.softplus(-fake).mean()


D_LOSSES: dict[str, Callable[[Scores, Scores], torch.Tensor]] = {
    "saturating": _cross_entropy_d,
    "non-saturating": _cross_entropy_d,
    # Mao et al. 2017: targets 1 for real, 0 for fake
    "least-squares": lambda real, fake: 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean(),
    # Lim & Ye 2017; Miyato et al. 2018
    "hinge": lambda real, fake: F.relu(1 - real).mean() + F.relu(1 + fake).mean(),
    # Gulrajani et al. 2017: the critic's Wasserstein estimate, negated; the trainer adds the gradient penalty
    "wgan-gp": lambda real, fake: fake.mean() - real.mean(),
}
G_LOSSES: dict[str, Callable[[Scores], torch.Tensor]] = {
    "saturating": _saturating_g,
    "non-saturating": _non_saturating_g,
    "least-squares": lambda fake: 0.5 * ((fake - 1) ** 2).mean(),
    "hinge": lambda fake: -fake.mean(),  # G raises the critic's score of its samples
    "wgan-gp": lambda fake: -fake.mean(),
}
LOSSES = tuple(D_LOSSES)


def check_loss(loss: str) -> None:
    require(loss in LOSSES, "loss", loss, f"one of {LOSSES}")


def d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, loss: str = "non-saturating") -> torch.Tensor:
    """The discriminator's loss (to minimise) on a batch of real and a batch of fake scores."""
    check_loss(loss)
    return D_LOSSES[loss](real_logits, fake_logits)


def g_loss(fake_logits: torch.Tensor, loss: str = "non-saturating") -> torch.Tensor:
    """The generator's loss (to minimise) on D's scores of its samples."""
    check_loss(loss)
    return G_LOSSES[loss](fake_logits)


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Gulrajani et al. 2017: mean (||grad_x critic(x)|| - 1)^2 on random interpolates of real and fake."""
    require(real.shape == fake.shape, "fake", tuple(fake.shape), f"the real batch's shape {tuple(real.shape)}")
    eps = torch.rand(len(real), *[1] * (real.ndim - 1), generator=generator, device=real.device, dtype=real.dtype)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def mode_seeking_loss(
    images_1: torch.Tensor, images_2: torch.Tensor, z_1: torch.Tensor, z_2: torch.Tensor, eps: float = 1e-5
) -> torch.Tensor:
    """Mao et al. 2019 (MSGAN), Eq. 3: 1 / (mean |G(c, z1) - G(c, z2)| / mean |z1 - z2| + eps).

    Small when two noise vectors give images far apart: added to G's loss, it penalises a G that maps every z of
    one input to the same output, the way conditional GANs learn to ignore their noise (Isola et al. 2017).
    """
    require(images_1.shape == images_2.shape, "images_2", tuple(images_2.shape), f"{tuple(images_1.shape)}")
    require(z_1.shape == z_2.shape, "z_2", tuple(z_2.shape), f"{tuple(z_1.shape)}, like z_1")
    images_apart = (images_1.float() - images_2.float()).abs().mean()  # fp32 under bf16
    z_apart = (z_1.float() - z_2.float()).abs().mean()
    return 1 / (images_apart / z_apart + eps)


def real_probability(logits: torch.Tensor, loss: str = "non-saturating") -> torch.Tensor:
    """D's score read as a probability of 'real', so every loss reports comparable D(x) and accuracy.

    Exact for the cross-entropy losses; for least-squares the score itself (target 1 vs 0), clipped;
    for hinge and WGAN, whose critics have no probability, sigmoid(score) as a monotone proxy.
    """
    check_loss(loss)
    return logits.clamp(0, 1) if loss == "least-squares" else torch.sigmoid(logits)
