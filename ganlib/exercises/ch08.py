"""Notebook 08's exercises: the VAE's reparameterisation and its KL term, and two predictions on the completion task."""

from __future__ import annotations

import torch

from ganlib.autoencoders import gaussian_kl
from ganlib.exercises.code import CodeExercise, call, close, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction


def _gaussians(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    rng = torch.Generator().manual_seed(seed)
    return torch.randn(8, 4, generator=rng, dtype=torch.float64), torch.randn(8, 4, generator=rng, dtype=torch.float64)


def _check_reparameterise(function) -> None:
    mu, logvar = _gaussians(0)
    eps = torch.randn(8, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    mu, logvar = mu.requires_grad_(True), logvar.requires_grad_(True)
    when = "on 8 Gaussians in 4 dimensions"
    z = tensor(call(function, mu, logvar, eps, when=when), (8, 4), "your z", finite=False)
    expected = mu + (0.5 * logvar).exp() * eps
    if not close(z, expected):
        if close(z, mu + logvar.exp() * eps):
            raise Mistake("you scaled eps by the variance exp(logvar); the standard deviation is exp(logvar / 2)")
        if not torch.isfinite(z).all():
            raise Mistake("your z holds nan: logvar is a logarithm and can be negative; sigma = exp(logvar / 2)")
        if close(z, mu + logvar * eps):
            raise Mistake("logvar is the log of the variance, not the standard deviation: sigma = exp(logvar / 2)")
        raise Mistake(f"your z is not mu + sigma * eps with the eps given {when}")
    if not z.requires_grad:
        raise Mistake("no gradient reaches mu and logvar: that is the point of the trick, keep z in the graph")
    grad_mu, grad_logvar = torch.autograd.grad(z.sum(), [mu, logvar], allow_unused=True)
    if grad_mu is None or grad_logvar is None:
        raise Mistake("no gradient reaches mu or logvar: that is the point of the trick, keep z in the graph")


reparameterise = CodeExercise(
    "Exercise 8.1, the reparameterisation trick",
    _check_reparameterise,
    hints=(
        "q(z | x) = N(mu, sigma^2) with sigma^2 = exp(logvar). A draw is mu + sigma * eps with eps ~ N(0, I).",
        "sigma = exp(logvar / 2); use the eps you are given, so the check can compare.",
    ),
    solution="""
def reparameterise(mu, logvar, eps):
    return mu + (0.5 * logvar).exp() * eps
""",
    reason="Drawing z ~ N(mu, sigma^2) directly has no gradient with respect to mu and sigma; writing the draw as "
    "mu + sigma * eps moves the randomness into eps, and z becomes a differentiable function of both "
    "(Kingma and Welling 2014).",
)


def _check_kl(function) -> None:
    mu, logvar = _gaussians(2)
    when = "on 8 Gaussians in 4 dimensions"
    kl = tensor(call(function, mu, logvar, when=when), (8,), "your KL")
    expected = gaussian_kl(mu, logvar)
    if not close(kl, expected):
        if close(kl, -expected):
            raise Mistake("wrong sign: a KL divergence is never negative")
        if close(kl, expected / 4):
            raise Mistake("you averaged over the 4 latent dimensions: the KL of independent dimensions is their sum")
        if close(kl, expected + 2.0):
            raise Mistake("the -1 inside the sum is missing: KL(N(0, I) || N(0, I)) must be 0")
        if close(kl, 0.5 * (mu**2 + logvar - 1 - logvar.abs().log()).sum(dim=1)):
            raise Mistake("you used logvar as the variance: the variance is exp(logvar)")
        raise Mistake(f"your KL differs from KL(N(mu, exp(logvar)) || N(0, I)) {when}")
    zero = tensor(call(function, torch.zeros(3, 5), torch.zeros(3, 5), when="at mu = 0, logvar = 0"), (3,), "your KL")
    if zero.abs().max() > 1e-6:
        raise Mistake("the KL of N(0, I) to itself must be 0")


kl_term = CodeExercise(
    "Exercise 8.2, the VAE's KL term",
    _check_kl,
    hints=(
        "For one dimension, KL(N(mu, s^2) || N(0, 1)) = (mu^2 + s^2 - 1 - log s^2) / 2.",
        "Here s^2 = exp(logvar) and log s^2 = logvar; sum the dimensions of each sample: one number per sample.",
    ),
    solution="""
def kl_term(mu, logvar):
    return 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)
""",
    reason="The VAE's bound subtracts this KL from the reconstruction term: it pulls each q(z | x) toward the prior "
    "N(0, I), so that decoding a z drawn from the prior gives a digit. It is 0 only when mu = 0 and logvar = 0.",
)


real_grey = Prediction(
    "Prediction 8.3, grey pixels in real digits",
    explain=lambda share: f"{share:.1%} of the real bottom halves' pixels are grey (|x| < 0.5).",
    options=("under 10%", "10% to 30%", "over 30%"),
    edges=(0.1, 0.3),
    hints=("An MNIST digit is mostly background (-1) and ink (near +1); grey appears only along the strokes' edges.",),
    solution='prediction = "under 10%"',
    reason="Real digits are nearly black and white: only the anti-aliased edges of the strokes are grey. That small "
    "share is the yardstick for a blur: a completion that averages several possible bottoms paints grey where real "
    "digits are black or white.",
)


mse_answers = Prediction(
    "Prediction 8.4, how many answers the MSE model gives",
    explain=lambda distinct: (
        f"the MSE model's completions of one ambiguous top showed {distinct:.2f} different digits on average."
    ),
    within=0.01,
    hints=("Look at the MSE model's inputs: what changes from one of its completions of a top to the next?",),
    solution="prediction = 1",
    reason="The MSE model has no noise input: given the same top it returns the same completion every time, one "
    "answer however many are right. The completion it returns is the one that minimises the expected squared "
    "error, the average of the possible bottoms.",
)
