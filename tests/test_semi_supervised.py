"""Semi-supervised GAN: the K+1-class losses against their closed forms, the seeded label split, the networks."""

import math

import pytest
import torch
from torch.nn import functional as F

from ganlib.experiments.ssl import SSLConfig, accuracy, train_mnist_seeds, train_ssl
from ganlib.semi_supervised import (
    SSLDiscriminator,
    SSLGenerator,
    feature_matching_loss,
    real_probability,
    split_labels,
    supervised_loss,
    unsupervised_loss,
)

K = 10


@pytest.mark.parametrize(("c_real", "c_fake"), [(0.0, 0.0), (1.5, -2.0), (-3.0, 4.0), (40.0, -40.0)])
def test_unsupervised_loss_of_equal_logits_is_the_closed_form(c_real, c_fake):
    # every logit equal to c: Z = K e^c, D = K e^c / (K e^c + 1); the loss is -log D(x) - log(1 - D(G(z)))
    d_real = K * math.exp(c_real) / (K * math.exp(c_real) + 1)
    d_fake = K * math.exp(c_fake) / (K * math.exp(c_fake) + 1)
    expected = -math.log(d_real) - math.log1p(-d_fake)
    logits_real = torch.full((7, K), c_real, dtype=torch.float64)
    logits_fake = torch.full((5, K), c_fake, dtype=torch.float64)
    assert unsupervised_loss(logits_real, logits_fake).item() == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("real", "fake", "message"),
    [((4, 10), (4, 9), "logits_fake=.*like logits_real"), ((10,), (4, 10), "logits_real=.*(n, K)")],
)
def test_unsupervised_loss_refuses_logits_of_other_shapes(real, fake, message):
    with pytest.raises(ValueError, match=message):
        unsupervised_loss(torch.zeros(real), torch.zeros(fake))


def test_real_probability_is_one_minus_the_softmax_of_a_zero_fake_logit():
    logits = torch.randn(50, K, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 3
    with_fake = torch.cat([logits, torch.zeros(50, 1, dtype=torch.float64)], dim=1)
    assert torch.allclose(real_probability(logits), 1 - with_fake.softmax(dim=1)[:, -1], rtol=1e-12)
    z = logits.exp().sum(dim=1)
    assert torch.allclose(real_probability(logits), z / (z + 1), rtol=1e-12)


def test_unsupervised_loss_is_binary_cross_entropy_of_d_on_real_and_fake():
    rng = torch.Generator().manual_seed(1)
    logits_real, logits_fake = (torch.randn(64, K, dtype=torch.float64, generator=rng) * 2 for _ in range(2))
    d_real, d_fake = real_probability(logits_real), real_probability(logits_fake)
    expected = F.binary_cross_entropy(d_real, torch.ones_like(d_real)) + F.binary_cross_entropy(
        d_fake, torch.zeros_like(d_fake)
    )
    assert unsupervised_loss(logits_real, logits_fake).item() == pytest.approx(expected.item(), rel=1e-10)


def test_unsupervised_loss_stays_finite_where_d_saturates():
    huge = torch.full((3, K), 200.0)
    loss = unsupervised_loss(-huge, huge)  # D(x) ~ 0 on real, ~ 1 on fake: the worst D
    # -log D(x) = -log Z + log(1 + Z) ~ -log Z = 200 - log K;  -log(1 - D(G(z))) ~ log Z = 200 + log K
    assert torch.isfinite(loss) and loss.item() == pytest.approx(400, rel=1e-6)


def test_supervised_loss_is_cross_entropy_of_the_k_real_classes():
    rng = torch.Generator().manual_seed(2)
    logits = torch.randn(30, K, dtype=torch.float64, generator=rng)
    labels = torch.randint(K, (30,), generator=rng)
    by_hand = -(logits[torch.arange(30), labels] - logits.exp().sum(dim=1).log()).mean()
    assert supervised_loss(logits, labels).item() == pytest.approx(by_hand.item(), rel=1e-12)
    # the same as -log p(y | x, real) of the K+1-class softmax with the fake logit at 0
    p = torch.cat([logits, torch.zeros(30, 1, dtype=torch.float64)], dim=1).softmax(dim=1)
    conditional = p[torch.arange(30), labels] / (1 - p[:, -1])
    assert supervised_loss(logits, labels).item() == pytest.approx(-conditional.log().mean().item(), rel=1e-12)


def test_feature_matching_loss_is_the_squared_distance_of_the_means_per_dimension():
    real = torch.tensor([[1.0, 2.0], [3.0, 4.0]])  # mean (2, 3)
    fake = torch.tensor([[0.0, 0.0], [0.0, 2.0], [0.0, 4.0]])  # mean (0, 2)
    assert feature_matching_loss(real, fake).item() == pytest.approx((4 + 1) / 2)
    assert feature_matching_loss(real, real.flip(0)).item() == 0


def test_feature_matching_refuses_features_of_different_width():
    with pytest.raises(ValueError, match="fake_features"):
        feature_matching_loss(torch.zeros(4, 3), torch.zeros(4, 2))


def _labels(n_per_class=100, seed=3):
    return torch.arange(K).repeat_interleave(n_per_class)[
        torch.randperm(K * n_per_class, generator=torch.Generator().manual_seed(seed))
    ]


def test_split_keeps_exactly_per_class_labels_of_each_class():
    labels = _labels()
    split = split_labels(labels, per_class=10, n_validation=200, seed=0)
    assert torch.equal(torch.bincount(labels[split.labelled], minlength=K), torch.full((K,), 10))
    assert len(set(split.labelled.tolist())) == 100


def test_split_validation_is_disjoint_and_unlabelled_is_the_rest_with_the_labelled_ones():
    labels = _labels()
    split = split_labels(labels, per_class=10, n_validation=200, seed=0)
    validation, unlabelled = set(split.validation.tolist()), set(split.unlabelled.tolist())
    assert len(validation) == 200 and not validation & unlabelled
    assert validation | unlabelled == set(range(len(labels)))
    assert set(split.labelled.tolist()) <= unlabelled


def test_split_is_reproducible_by_seed_and_differs_between_seeds():
    labels = _labels()
    a, b, c = (split_labels(labels, 10, 200, seed) for seed in (5, 5, 6))
    assert torch.equal(a.labelled, b.labelled) and torch.equal(a.validation, b.validation)
    assert not torch.equal(a.labelled, c.labelled)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": torch.zeros(5)}, "labels="),
        ({"per_class": 0}, "per_class=0"),
        ({"per_class": 95}, "per_class=95 .*at most"),
        ({"n_validation": 1000}, "n_validation=1000"),
        ({"seed": -1}, "seed=-1"),
    ],
)
def test_split_refuses_bad_input_naming_it(kwargs, message):
    args = {"labels": _labels(), "per_class": 10, "n_validation": 100, "seed": 0} | kwargs
    with pytest.raises(ValueError, match=message):
        split_labels(**args)


def test_discriminator_is_noisy_in_training_and_deterministic_in_evaluation():
    D = SSLDiscriminator(widths=(32, 16))
    x = torch.rand(4, 1, 28, 28)
    logits, features = D(x)
    assert logits.shape == (4, K) and features.shape == (4, 16)
    assert not torch.equal(D(x)[0], logits)
    D.eval()
    assert torch.equal(D(x)[0], D(x)[0])


def test_generator_draws_pixels_in_the_unit_interval():
    G = SSLGenerator(z_dim=8, widths=(16,))
    x = G(torch.rand(5, 8))
    assert x.shape == (5, 784) and x.min() >= 0 and x.max() <= 1


@pytest.mark.parametrize(("field", "value"), [("steps", 0), ("lr", -1.0), ("ema", 1.0), ("semi_supervised", 1)])
def test_config_refuses_bad_values(field, value):
    with pytest.raises(ValueError, match=f"{field}="):
        SSLConfig(**{field: value})


@pytest.mark.parametrize("semi_supervised", [True, False])
def test_a_short_run_records_validation_accuracy_at_each_evaluation(semi_supervised):
    rng = torch.Generator().manual_seed(0)
    x, y = torch.rand(60, 784, generator=rng), torch.arange(K).repeat(6)
    config = SSLConfig(steps=4, batch_size=8, eval_every=2, semi_supervised=semi_supervised)
    run = train_ssl((x[:20], y[:20]), x, (x[20:], y[20:]), config)
    assert run.steps == [2, 4] and len(run.accuracy) == 2 and (run.G is not None) == semi_supervised
    assert run.accuracy[-1] == accuracy(run.D_avg, x[20:], y[20:])


def test_init_from_data_gives_every_layer_pre_activations_of_mean_0_and_variance_1():
    D = SSLDiscriminator(widths=(64, 32)).eval()  # no noise: the statistics are exactly those of this batch
    x = torch.rand(200, 784, generator=torch.Generator().manual_seed(4))
    D.init_from_data(x)
    pre_activations = []
    for module in [*D.body, *D.head]:
        if isinstance(module, torch.nn.Linear):
            module.register_forward_hook(lambda _m, _i, out: pre_activations.append(out))
    D(x)
    assert len(pre_activations) == 3
    for t in pre_activations:
        assert torch.allclose(t.mean(dim=0), torch.zeros(t.shape[1]), atol=1e-4)
        assert torch.allclose(t.std(dim=0), torch.ones(t.shape[1]), atol=1e-4)


def test_hidden_scales_stay_fixed_and_the_output_scale_trains():
    D = SSLDiscriminator(widths=(8, 8))
    linears = [m for m in [*D.body, *D.head] if isinstance(m, torch.nn.Linear)]
    trained = [m.parametrizations.weight.original0.requires_grad for m in linears]
    assert trained == [False, False, True]


def test_runs_in_processes_give_the_numbers_of_runs_here():
    """Notebook 07 trains its seeds at once in processes: their weights and accuracies must be those of serial runs."""
    configs = [SSLConfig(steps=4, eval_every=2, seed=seed) for seed in (0, 1)]
    here = train_mnist_seeds(configs, n_validation=500, jobs=1)
    there = train_mnist_seeds(configs, n_validation=500, jobs=2)
    for a, b in zip(here, there, strict=True):
        assert a.steps == b.steps == [2, 4] and a.accuracy == b.accuracy
        for net_a, net_b in ((a.D_avg, b.D_avg), (a.G, b.G)):
            for (name, x), (_, y) in zip(net_a.state_dict().items(), net_b.state_dict().items(), strict=True):
                assert torch.equal(x, y), name
    assert not torch.equal(here[0].G.state_dict()["net.0.weight"], here[1].G.state_dict()["net.0.weight"])


def test_runs_in_processes_refuse_a_bad_job_count():
    with pytest.raises(ValueError, match="jobs"):
        train_mnist_seeds([SSLConfig(steps=1)], jobs=True)
