"""Autoencoders beside the GAN: an encoder that mirrors the DCGAN discriminator, and the VAE's bound (Kingma & Welling
2014).

The decoder is `ganlib.nets.DCGANGenerator` itself, so an autoencoder, a VAE and a GAN can share one network:
the GAN's generator is the autoencoder's decoder with the encoder taken away and noise fed in its place.
A VAE needs a likelihood p(x | z) for its decoder; the generator's tanh output, mapped from [-1, 1] to [0, 1],
is read as the mean of independent Bernoulli pixels (`bernoulli_logits`).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ganlib.checks import IMAGE_SHAPE, as_int, check_instance, check_tensor, describe, is_int, require
from ganlib.nets import DCGANGenerator, dcgan_init

# Every function here is a step of a training loop (notebook 08 trains with them): they check shapes and dtypes,
# which costs nothing, not values (NaN, pixel range), which would cost a device sync per step (see ganlib.checks).


class ConvEncoder(nn.Module):
    """x -> `out_dim` numbers: DCGANDiscriminator's two stride-2 convolutions (28 -> 14 -> 7), then a linear layer.

    The discriminator's last layer, a 7x7 convolution to one logit, is a linear map of the 7x7 maps; here the same
    map has `out_dim` outputs: a code for an autoencoder, a mean and a log-variance per latent for a VAE.
    """

    def __init__(self, out_dim: int, width: int = 32) -> None:
        super().__init__()
        require(is_int(out_dim) and 1 <= out_dim <= 4096, "out_dim", out_dim, "an int in [1, 4096]")
        require(is_int(width) and 1 <= width <= 4096, "width", width, "an int in [1, 4096]")
        self.out_dim = int(out_dim)
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1),  # (B, w, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),  # (B, 2w, 7, 7)
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            nn.Flatten(),  # (B, 2w * 49)
            nn.Linear(2 * width * 7 * 7, out_dim),  # (B, out_dim)
        )
        dcgan_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x", (None, *IMAGE_SHAPE))
        return self.net(x)


def bernoulli_logits(decoder: DCGANGenerator, z: torch.Tensor) -> torch.Tensor:
    """(n, 1, 28, 28) logits of Bernoulli pixels whose means are the decoder's images mapped to [0, 1].

    The generator ends in tanh(a), and (tanh(a) + 1) / 2 = sigmoid(2a): its images *are* Bernoulli means with
    logits 2a. Reading 2a before the tanh keeps log-probabilities exact where sigmoid would round to 0 or 1.
    """
    check_instance(decoder, "decoder", DCGANGenerator, "a ganlib DCGANGenerator")
    require(decoder.n_classes == 0, "decoder", f"n_classes={decoder.n_classes}", "an unconditional DCGANGenerator")
    check_tensor(z, "z", (None, decoder.z_dim))
    return 2 * decoder.net[:-1](z)  # every layer but the final tanh


def bernoulli_log_likelihood(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """(n,) log p(x | z) in nats of images `x` in [-1, 1] under Bernoulli pixels with these logits.

    A grey pixel g = (x + 1) / 2 counts as the probability that the pixel is on, so this is the expected log
    likelihood over random binarisations of x (each pixel on with probability g): the ELBO of a grey digit is the
    average of proper bounds on log p of its binarisations (dynamically binarised MNIST).
    """
    _check_batch(x, "x")
    ok = isinstance(logits, torch.Tensor) and logits.shape == x.shape and logits.is_floating_point()
    require(ok, "logits", describe(logits), f"a float tensor of the shape of x, {tuple(x.shape)}")
    targets = ((x + 1) / 2).clamp(0, 1)
    return -F.binary_cross_entropy_with_logits(logits, targets, reduction="none").flatten(1).sum(dim=1)


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """(n,) KL(N(mu, diag exp(logvar)) || N(0, I)) in nats, in closed form: the VAE's regulariser."""
    _check_gaussian(mu, logvar)
    return 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)


def reparameterise(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """z = mu + sigma * eps, eps ~ N(0, I): a draw from q(z | x) through which gradients reach mu and logvar."""
    _check_gaussian(mu, logvar)
    accepted = "None or a torch.Generator"
    check_instance(generator, "generator", torch.Generator | type(None), accepted)
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + (0.5 * logvar).exp() * eps


def elbo(
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    log_likelihood: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """(n,) evidence lower bound E_q[log p(x | z)] - KL(q || p(z)) <= log p(x), in nats, for q = N(mu, exp(logvar)).

    The expectation is a Monte Carlo mean over `n_samples` draws of z; the KL to the N(0, I) prior is exact.
    `log_likelihood(z, x)` returns (n,) log p(x | z). The bound is tight, ELBO = log p(x), when q is the true
    posterior p(z | x); the gap is KL(q || p(z | x)).
    """
    n_samples = as_int(n_samples, "n_samples", "an int >= 1", 1)
    _check_batch(x, "x")
    require(isinstance(mu, torch.Tensor) and len(mu) == len(x), "mu", describe(mu), f"({len(x)}, d): one row per x")
    _check_gaussian(mu, logvar)
    require(callable(log_likelihood), "log_likelihood", log_likelihood, "a function (z, x) -> (n,) log p(x | z)")
    expected = sum(log_likelihood(reparameterise(mu, logvar, generator), x) for _ in range(n_samples)) / n_samples
    return expected - gaussian_kl(mu, logvar)


def _check_batch(x: torch.Tensor, name: str) -> None:
    ok = isinstance(x, torch.Tensor) and x.ndim >= 2 and len(x) >= 1 and x.is_floating_point()
    require(ok, name, describe(x), "a float tensor (n >= 1, ...): images in [-1, 1], or rows")


def _check_gaussian(mu: torch.Tensor, logvar: torch.Tensor) -> None:
    """q = N(mu, diag exp(logvar)): (n, d) means and log-variances of one shape."""
    check_tensor(mu, "mu", (None, None))
    check_tensor(logvar, "logvar", tuple(mu.shape))
