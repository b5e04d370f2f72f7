"""The VAE's pieces against closed forms: the Gaussian KL, the ELBO of a linear-Gaussian model, Bernoulli pixels."""

import math

import pytest
import torch
from torch.distributions import Normal

from ganlib.autoencoders import (
    ConvEncoder,
    bernoulli_log_likelihood,
    bernoulli_logits,
    elbo,
    gaussian_kl,
    reparameterise,
)
from ganlib.nets import DCGANDiscriminator, DCGANGenerator

# p(z) = N(0, 1), p(x | z) = N(A z + B, S^2): then p(x) = N(B, A^2 + S^2) and p(z | x) is Gaussian, in closed form
A, B, S = 2.0, 0.5, 0.5


def _log_evidence(x: torch.Tensor) -> torch.Tensor:
    return Normal(B, math.sqrt(A**2 + S**2)).log_prob(x.squeeze(1))


def _posterior(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and variance of p(z | x) for the linear-Gaussian model."""
    var = S**2 / (A**2 + S**2)
    return A * (x - B) / (A**2 + S**2), torch.full_like(x, var)


def _linear_gaussian_likelihood(z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return Normal(A * z + B, S).log_prob(x).sum(dim=1)


def _elbo_with_tolerance(x, mu, logvar, n_samples=4000):
    """The ELBO and five standard errors of its Monte Carlo part, estimated from a second independent run."""
    runs = torch.stack(
        [
            elbo(x, mu, logvar, _linear_gaussian_likelihood, n_samples, torch.Generator().manual_seed(s))
            for s in range(4)
        ]
    )
    return runs.mean(dim=0), 5 * runs.std(dim=0) / 2 + 1e-6  # std of one run / sqrt(4 runs)


def test_gaussian_kl_matches_a_monte_carlo_estimate():
    mu, logvar = torch.tensor([[0.3, -1.2, 2.0]]).double(), torch.tensor([[0.5, -0.7, 0.1]]).double()
    z = reparameterise(mu.expand(200_000, 3), logvar.expand(200_000, 3), torch.Generator().manual_seed(0))
    log_ratio = Normal(mu, (0.5 * logvar).exp()).log_prob(z).sum(1) - Normal(0.0, 1.0).log_prob(z).sum(1)
    standard_error = log_ratio.std() / math.sqrt(len(z))
    assert abs(gaussian_kl(mu, logvar).item() - log_ratio.mean().item()) < 5 * standard_error


def test_gaussian_kl_is_zero_only_at_the_prior():
    zero = torch.zeros(1, 4)
    assert gaussian_kl(zero, zero).item() == 0
    assert gaussian_kl(zero + 0.1, zero).item() > 0 and gaussian_kl(zero, zero - 0.1).item() > 0


def test_elbo_equals_the_log_evidence_at_the_true_posterior():
    x = torch.tensor([[-1.0], [0.5], [3.0]])
    mu, var = _posterior(x)
    estimate, tolerance = _elbo_with_tolerance(x, mu, var.log())
    assert torch.all((estimate - _log_evidence(x)).abs() < tolerance)


def test_elbo_falls_short_of_the_log_evidence_by_the_kl_to_the_posterior():
    x = torch.tensor([[-1.0], [0.5], [3.0]])
    mu, var = _posterior(x)
    q_mu, q_var = mu + 0.4, 2.5 * var  # a worse q
    gap = torch.distributions.kl_divergence(Normal(q_mu, q_var.sqrt()), Normal(mu, var.sqrt())).squeeze(1)
    estimate, tolerance = _elbo_with_tolerance(x, q_mu, q_var.log())
    assert torch.all(gap > 0.1)
    assert torch.all((estimate - (_log_evidence(x) - gap)).abs() < tolerance)


def test_bernoulli_logits_read_the_generator_images_as_pixel_means():
    decoder = DCGANGenerator(8, 8).eval()
    z = torch.randn(5, 8)
    with torch.no_grad():
        assert torch.allclose(torch.sigmoid(bernoulli_logits(decoder, z)), (decoder(z) + 1) / 2, atol=1e-6)


def test_bernoulli_log_likelihood_of_binary_pixels_is_the_sum_of_their_log_probabilities():
    logits = torch.randn(2, 1, 28, 28).double()
    on = torch.rand(2, 1, 28, 28) > 0.5
    x = on.double() * 2 - 1  # pixels in {-1, 1}
    expected = torch.where(on, torch.sigmoid(logits), 1 - torch.sigmoid(logits)).log().flatten(1).sum(1)
    assert torch.allclose(bernoulli_log_likelihood(logits, x), expected)


def test_grey_pixels_give_the_mean_over_their_binarisations():
    logits = torch.randn(1, 1, 28, 28).double()
    grey = torch.full((1, 1, 28, 28), 0.3).double()  # each pixel on with probability 0.65
    on, off = bernoulli_log_likelihood(logits, grey * 0 + 1), bernoulli_log_likelihood(logits, grey * 0 - 1)
    assert torch.allclose(bernoulli_log_likelihood(logits, grey), 0.65 * on + 0.35 * off)


def test_the_encoder_mirrors_the_discriminator():
    """With one output, the encoder has the discriminator's weights: its linear layer is D's 7x7 convolution."""
    for width in (8, 32):
        encoder, discriminator = ConvEncoder(1, width), DCGANDiscriminator(width)
        assert [p.numel() for p in encoder.parameters()] == [p.numel() for p in discriminator.parameters()]
    assert ConvEncoder(10, 8)(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ConvEncoder(0), "out_dim=0"),
        (lambda: ConvEncoder(4)(torch.zeros(2, 1, 14, 28)), "x=.*1, 28, 28"),
        (lambda: elbo(torch.zeros(2, 1), torch.zeros(2, 1), torch.zeros(2, 1), _linear_gaussian_likelihood, 0), "n_"),
        (lambda: elbo(torch.zeros(3, 1), torch.zeros(2, 1), torch.zeros(2, 1), _linear_gaussian_likelihood), "mu="),
        (lambda: gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 4)), "logvar="),
        (lambda: bernoulli_logits(torch.nn.Linear(2, 2), torch.zeros(1, 2)), "decoder=.Linear"),
        (lambda: bernoulli_log_likelihood(torch.zeros(2, 4), torch.zeros(2, 5)), "logits="),
    ],
)
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
