"""GAN losses as small functions of the discriminator's raw scores ("logits").

Conventions: D is trained to score real samples high and fakes low. For the saturating and
non-saturating losses the score is a logit, so D(x) = sigmoid(score) is D's probability that x is
real, and both share D's loss (binary cross-entropy); they differ only in G's objective.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

from ganlib.checks import require

LOSSES = ("saturating", "non-saturating", "least-squares", "hinge", "wgan-gp")


def check_loss(loss: str) -> None:
    require(loss in LOSSES, "loss", loss, f"one of {LOSSES}")


def d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, loss: str = "non-saturating") -> torch.Tensor:
    """The discriminator's loss (to minimise) on a batch of real and a batch of fake scores."""
    check_loss(loss)
    if loss in ("saturating", "non-saturating"):
        # -log D(x) - log(1 - D(G(z))), written with softplus for numerical stability
        return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    if loss == "least-squares":  # Mao et al. 2017: targets 1 for real, 0 for fake
        return 0.5 * ((real_logits - 1) ** 2).mean() + 0.5 * (fake_logits**2).mean()
    if loss == "hinge":  # Lim & Ye 2017; Miyato et al. 2018
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
    return fake_logits.mean() - real_logits.mean()  # wgan-gp critic; the penalty is added by the trainer


def g_loss(fake_logits: torch.Tensor, loss: str = "non-saturating") -> torch.Tensor:
    """The generator's loss (to minimise) on D's scores of its samples."""
    check_loss(loss)
    if loss == "saturating":
        # Goodfellow et al. 2014's minimax objective: minimise log(1 - D(G(z))) = -softplus(logit).
        # Its gradient, -sigmoid(logit), vanishes when D confidently rejects the fakes.
        return -F.softplus(fake_logits).mean()
    if loss == "non-saturating":
        # The same fixed point, but maximise log D(G(z)): gradient -sigmoid(-logit) -> -1 when D rejects.
        return F.softplus(-fake_logits).mean()
    if loss == "least-squares":
        return 0.5 * ((fake_logits - 1) ** 2).mean()
    return -fake_logits.mean()  # hinge and wgan-gp


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


def real_probability(logits: torch.Tensor, loss: str = "non-saturating") -> torch.Tensor:
    """D's score read as a probability of 'real', so every loss reports comparable D(x) and accuracy.

    Exact for the cross-entropy losses; for least-squares the score itself (target 1 vs 0), clipped;
    for hinge and WGAN, whose critics have no probability, sigmoid(score) as a monotone proxy.
    """
    check_loss(loss)
    return logits.clamp(0, 1) if loss == "least-squares" else torch.sigmoid(logits)
