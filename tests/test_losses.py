import pytest
import torch
from torch.nn import functional as F

from ganlib.losses import LOSSES, d_loss, g_loss, gradient_penalty, real_probability
from ganlib.nets import MLPDiscriminator


def _grad_wrt_logits(loss_fn, logits):
    logits = logits.clone().requires_grad_(True)
    loss_fn(logits).backward()
    return logits.grad


def test_saturating_generator_loss_vanishes_when_d_confidently_rejects_fakes():
    rejected = torch.full((8,), -10.0)  # D(G(z)) = sigmoid(-10), about 5e-5
    saturating = _grad_wrt_logits(lambda s: g_loss(s, "saturating"), rejected)
    non_saturating = _grad_wrt_logits(lambda s: g_loss(s, "non-saturating"), rejected)
    assert saturating.abs().max() < 1e-5
    assert non_saturating.abs().min() > 0.99 / 8  # the gradient of the mean of -log D is still about -1/n


def test_every_generator_loss_pushes_rejected_fakes_toward_real():
    scores = torch.rand(16) * 4 - 3  # in [-3, 1): below the least-squares target of 1
    for loss in ("saturating", "non-saturating", "least-squares", "hinge", "wgan-gp"):
        assert (_grad_wrt_logits(lambda s, loss=loss: g_loss(s, loss), scores) <= 0).all(), loss


def test_cross_entropy_discriminator_loss_matches_torch_bce():
    real, fake = torch.randn(32), torch.randn(32)
    expected = F.binary_cross_entropy_with_logits(real, torch.ones(32)) + F.binary_cross_entropy_with_logits(
        fake, torch.zeros(32)
    )
    for loss in ("saturating", "non-saturating"):
        torch.testing.assert_close(d_loss(real, fake, loss), expected)


def test_hinge_and_least_squares_are_zero_at_their_targets():
    assert d_loss(torch.full((4,), 1.0), torch.full((4,), -1.0), "hinge") == 0
    assert d_loss(torch.ones(4), torch.zeros(4), "least-squares") == 0


@pytest.mark.parametrize("loss", ["non-saturating", "least-squares"])
def test_trained_discriminator_approaches_the_optimum(loss):
    """Goodfellow et al. 2014, Prop. 1 (and Mao et al. 2017 for least squares): D*(x) = p_data / (p_data + p_g)."""
    torch.manual_seed(0)
    D = MLPDiscriminator((1,), width=32, depth=2)
    opt = torch.optim.Adam(D.parameters(), lr=3e-3)
    for _ in range(1500):
        real, fake = torch.randn(512, 1) - 1.0, torch.randn(512, 1) + 1.0  # p_data = N(-1, 1), p_g = N(1, 1)
        opt.zero_grad()
        d_loss(D(real), D(fake), loss).backward()
        opt.step()
    xs = torch.linspace(-2.5, 2.5, 101)[:, None]
    p_data, p_g = torch.exp(-0.5 * (xs + 1) ** 2), torch.exp(-0.5 * (xs - 1) ** 2)
    optimum = (p_data / (p_data + p_g))[:, 0]
    with torch.no_grad():
        learned = real_probability(D(xs), loss)
    assert (learned - optimum).abs().max() < 0.05


def test_gradient_penalty_measures_distance_of_the_gradient_norm_from_one():
    real, fake = torch.randn(64, 3), torch.randn(64, 3)
    unit = torch.tensor([0.6, 0.8, 0.0])
    assert gradient_penalty(lambda x: x @ unit, real, fake).item() == pytest.approx(0.0, abs=1e-10)
    assert gradient_penalty(lambda x: x @ (3 * unit), real, fake).item() == pytest.approx(4.0, rel=1e-5)


def test_unknown_loss_is_refused_by_name():
    with pytest.raises(ValueError, match="loss='wasserstein'.*one of"):
        g_loss(torch.zeros(2), "wasserstein")
    assert len(LOSSES) == 5
