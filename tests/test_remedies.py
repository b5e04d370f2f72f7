"""The remedies for mode collapse do what their papers say: packing, minibatch std, unrolling, EMA of G."""

import copy
import statistics

import pytest
import torch
from PIL import Image

from ganlib import DCGANDiscriminator, MLPDiscriminator, MLPGenerator, TrainConfig, Trainer, ring, seed_everything
from ganlib.experiments.collapse import (
    REMEDIES,
    Remedy,
    collapse_trainer,
    mean_and_standard_error,
    precise_recipe,
    run,
    summarise,
)
from ganlib.losses import mode_seeking_loss
from ganlib.plots import plot_coverage_curve, save_animation
from ganlib.recipes import make_trainer
from ganlib.remedies import (
    MinibatchStd,
    ema_update,
    pack,
    recompute_batchnorm,
    unrolled_parameters,
    with_parameters,
)


def test_pack_joins_m_consecutive_samples_along_the_feature_axis():
    x = torch.arange(16.0).view(8, 2)
    packed = pack(x, 4)
    assert packed.shape == (2, 8)
    assert torch.equal(packed[1], x[4:8].flatten())


def test_packed_discriminator_scores_each_pack_of_m_samples_jointly():
    D = MLPDiscriminator((2,), width=16, pack=4)
    x = torch.randn(12, 2)
    changed = x.clone()
    changed[5] += 1.0  # a sample of the second pack
    before, after = D(x), D(changed)
    assert before.shape == (3,)
    assert before[0] == after[0] and before[2] == after[2] and before[1] != after[1]


def test_packed_image_discriminator_stacks_the_images_as_channels():
    D = DCGANDiscriminator(width=8, pack=2)
    assert D.net[0].in_channels == 2
    assert D(torch.randn(6, 1, 28, 28)).shape == (3,)


def test_a_batch_that_does_not_split_into_packs_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^x=\(6, 2\).*multiple of pack=4"):
        MLPDiscriminator((2,), width=8, pack=4)(torch.randn(6, 2))


@pytest.mark.parametrize("shape", [(16, 5), (6, 3, 7, 7)])
def test_minibatch_std_appends_the_batch_standard_deviation_as_torch_computes_it(shape):
    x = torch.randn(shape)
    out = MinibatchStd()(x)
    assert out.shape == (shape[0], shape[1] + 1, *shape[2:])
    assert torch.equal(out[:, : shape[1]], x)
    expected = x.std(dim=0, correction=0).mean()
    assert torch.allclose(out[:, shape[1]], expected.expand_as(out[:, shape[1]]), atol=1e-6)


def test_minibatch_std_discriminator_sees_whether_a_batch_is_varied():
    D = MLPDiscriminator((2,), width=16, depth=2, minibatch_std=True)
    one_point = torch.zeros(8, 2)
    varied = one_point.clone()
    varied[1:] = torch.randn(7, 2)
    assert D(one_point)[0] != D(varied)[0]  # the first sample is the same; only its batch differs


def _d_loss(score, real, fake):
    return torch.nn.functional.softplus(-score(real)).mean() + torch.nn.functional.softplus(score(fake)).mean()


def _adam_trained_discriminator():
    """D and its Adam after three steps (so the moments are non-zero), and a fixed objective."""
    D = MLPDiscriminator((2,), width=16, depth=2)
    opt = torch.optim.Adam(D.parameters(), lr=1e-2, betas=(0.5, 0.999))
    real, fake = torch.randn(32, 2) + 2, torch.randn(32, 2)
    for _ in range(3):
        opt.zero_grad()
        _d_loss(D, real, fake).backward()
        opt.step()
    return D, opt, lambda score: _d_loss(score, real, fake)


def test_unrolled_parameters_equal_torch_adam_steps_and_leave_d_and_its_optimizer_unchanged():
    D, opt, objective = _adam_trained_discriminator()
    weights, moments = copy.deepcopy(D.state_dict()), copy.deepcopy(opt.state_dict())
    ahead = unrolled_parameters(D, opt, lambda params: objective(with_parameters(D, params)), steps=4)

    stepped = copy.deepcopy(D)
    stepped_opt = torch.optim.Adam(stepped.parameters(), lr=1e-2, betas=(0.5, 0.999))
    stepped_opt.load_state_dict(copy.deepcopy(opt.state_dict()))  # load_state_dict would share the tensors
    for _ in range(4):
        stepped_opt.zero_grad()
        objective(stepped).backward()
        stepped_opt.step()

    for name, p in stepped.named_parameters():
        assert torch.allclose(ahead[name], p, atol=1e-6), name
        assert not torch.equal(ahead[name], D.state_dict()[name]), name
    for name, p in D.state_dict().items():
        assert torch.equal(p, weights[name])
    assert str(opt.state_dict()) == str(moments)


def test_unrolled_parameters_carry_the_gradient_of_the_discriminators_reaction():
    D, opt, _ = _adam_trained_discriminator()
    shift = torch.zeros(2, requires_grad=True)  # stands in for G: the fakes depend on it
    real = torch.randn(32, 2) + 2
    fake = torch.randn(32, 2) + shift

    ahead = unrolled_parameters(D, opt, lambda params: _d_loss(with_parameters(D, params), real, fake), steps=2)
    (grad,) = torch.autograd.grad(sum(p.sum() for p in ahead.values()), shift)
    assert grad.abs().sum() > 0


def test_trainer_with_unrolling_keeps_discriminator_weights_from_its_own_steps_only():
    config = TrainConfig(batch_size=16, unroll_steps=3, seed=1)
    trainer = make_trainer("ring", config, device="cpu", width=16)
    d_before = copy.deepcopy(trainer.D.state_dict())
    calls = []
    step = trainer.opt_d.step
    trainer.opt_d.step = lambda *a, **kw: (calls.append(1), step(*a, **kw))[1]
    trainer.run(1)
    assert len(calls) == config.k  # D moved only by its own k steps, not by G's look-ahead
    assert int(trainer.opt_d.state_dict()["state"][0]["step"]) == config.k
    assert any(not torch.equal(a, b) for a, b in zip(d_before.values(), trainer.D.state_dict().values(), strict=True))


def test_ema_of_generator_weights_follows_its_closed_form():
    decay = 0.8
    trainer = make_trainer("ring", TrainConfig(batch_size=16, ema_decay=decay, seed=2), device="cpu", width=8)
    history = [torch.nn.utils.parameters_to_vector(trainer.G.parameters()).detach().clone()]
    trainer.run(6, callbacks=[(1, lambda t: history.append(torch.nn.utils.parameters_to_vector(t.G.parameters())))])
    # ema_T = decay^T theta_0 + sum_t (1 - decay) decay^(T - t) theta_t
    steps = len(history) - 1
    expected = decay**steps * history[0] + sum(
        (1 - decay) * decay ** (steps - t) * history[t] for t in range(1, steps + 1)
    )
    assert torch.allclose(torch.nn.utils.parameters_to_vector(trainer.G_ema.parameters()), expected, atol=1e-6)


def test_ema_update_copies_buffers():
    average, model = torch.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    model.running_mean += 5.0
    ema_update(average, model, 0.9)
    assert torch.equal(average.running_mean, model.running_mean)


def test_samples_come_from_the_averaged_generator_when_ema_is_on():
    trainer = make_trainer("ring", TrainConfig(batch_size=16, ema_decay=0.9), device="cpu", width=8)
    trainer.run(5)
    z = torch.randn(10, trainer.G.z_dim)
    assert torch.equal(trainer.sample(10, z), trainer.G_ema(z))
    assert not torch.equal(trainer.sample(10, z), trainer.G(z))


def test_turning_ema_on_mid_run_starts_the_average_from_the_current_generator():
    trainer = make_trainer("ring", TrainConfig(batch_size=16), device="cpu", width=8)
    trainer.run(3)
    assert trainer.G_ema is None
    trainer.update(ema_decay=0.99)
    G_now = copy.deepcopy(trainer.G)
    trainer.run(1)
    z = torch.randn(4, trainer.G.z_dim)
    expected = 0.99 * torch.nn.utils.parameters_to_vector(G_now.parameters()) + 0.01 * (
        torch.nn.utils.parameters_to_vector(trainer.G.parameters())
    )
    assert torch.allclose(torch.nn.utils.parameters_to_vector(trainer.G_ema.parameters()), expected, atol=1e-6)
    trainer.update(ema_decay=0.0)
    trainer.run(1)
    assert trainer.G_ema is None and torch.equal(trainer.sample(4, z), trainer.G(z))


def test_resumed_run_with_every_remedy_equals_uninterrupted_run(tmp_path):
    config = TrainConfig(batch_size=16, unroll_steps=2, ema_decay=0.9, log_every=2, seed=3)

    def build(cfg):
        seed_everything(cfg.seed)
        G, D = MLPGenerator(2, (2,), width=8), MLPDiscriminator((2,), width=8, pack=4, minibatch_std=True)
        return Trainer(G, D, ring(), cfg, "cpu")

    whole = build(config)
    whole.run(6)
    first = build(config)
    first.run(3)
    first.save(tmp_path / "ckpt.pt")
    resumed = build(config.replace(seed=0))
    resumed.load(tmp_path / "ckpt.pt")
    resumed.run(3)
    assert resumed.history.stats == whole.history.stats
    for a, b in zip(whole.G_ema.state_dict().values(), resumed.G_ema.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    "changes, name",
    [({"unroll_steps": 2, "optimizer": "sgd"}, "unroll_steps"), ({"ema_decay": 1.0}, "ema_decay")],
)
def test_remedy_settings_out_of_range_are_refused_by_name(changes, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        TrainConfig(**changes)


@pytest.mark.parametrize("kwargs, name", [({"pack": 0}, "pack"), ({"minibatch_std": 1}, "minibatch_std")])
def test_bad_discriminator_remedy_options_are_refused_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        MLPDiscriminator((2,), **kwargs)


def test_mean_and_standard_error_match_the_statistics_module():
    values = [3.0, 5.0, 8.0, 8.0]
    mean, error = mean_and_standard_error(values)
    assert mean == statistics.mean(values)
    assert error == pytest.approx(statistics.stdev(values) / len(values) ** 0.5)


def test_a_collapse_run_applies_later_changes_at_their_step_and_measures_2500_samples():
    remedy = Remedy("later", later={3: {"lr_g": 1e-4, "ema_decay": 0.9}})
    result = run("ring", remedy, seed=0, steps=5, eval_every=2)
    assert [(c["step"], c["field"]) for c in result.changes] == [(3, "lr_g"), (3, "ema_decay")]
    assert [step for step, _ in result.curve] == [2, 4, 5]
    assert sum(result.coverage.counts) == round(result.coverage.high_quality_fraction * 2500)
    assert result.samples.shape == (2500, 2)


def test_the_precise_recipe_trains_with_its_batch_size_and_decays_at_70_and_90_percent():
    remedy = precise_recipe(10, batch_size=32)
    assert collapse_trainer("grid", remedy, seed=0).config.batch_size == 32 and "batch 32" in remedy.name
    result = run("grid", remedy, seed=0, steps=10)
    assert [(c["step"], c["field"], c["new"]) for c in result.changes if c["field"] == "lr_g"] == [
        (7, "lr_g", 1e-4),
        (9, "lr_g", 2e-5),
    ]
    with pytest.raises(ValueError, match="batch_size"):
        precise_recipe(10, batch_size=0)


def test_summary_rows_average_the_seeds_of_each_dataset_and_remedy():
    results = [run("ring", REMEDIES["vanilla"], seed, steps=2) for seed in range(3)]
    (row,) = summarise(results)
    modes = [r.coverage.modes_covered for r in results]
    assert (row["dataset"], row["remedy"], row["seeds"]) == ("ring", "vanilla", 3)
    assert row["modes"] == pytest.approx(statistics.mean(modes))


def test_the_animation_has_one_frame_per_snapshot(tmp_path):
    mixture = ring()
    frames = [(step, mixture.sample(50, torch.Generator().manual_seed(step))[0]) for step in (10, 20, 30)]
    path = save_animation(frames, mixture, tmp_path / "hops.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 3


def test_coverage_curve_plots_the_modes_covered_at_each_step():
    result = run("ring", REMEDIES["vanilla"], seed=0, steps=4, eval_every=2)
    figure = plot_coverage_curve(result.curve)
    modes_line = figure.axes[0].lines[0]
    assert list(modes_line.get_xdata()) == [2, 4]
    assert list(modes_line.get_ydata()) == [c.modes_covered for _, c in result.curve]


def test_recompute_batchnorm_sets_the_plain_average_of_the_batches_and_restores_the_module():
    norm = torch.nn.BatchNorm1d(3, momentum=0.1).eval()
    batches = [torch.randn(8, 3) * 2 + 1, torch.randn(8, 3) - 4]
    recompute_batchnorm(norm, [(x,) for x in batches])
    torch.testing.assert_close(norm.running_mean, sum(x.mean(0) for x in batches) / 2)
    torch.testing.assert_close(norm.running_var, sum(x.var(0) for x in batches) / 2)  # torch keeps the unbiased one
    assert norm.momentum == 0.1 and not norm.training


def _recording(trainer):
    """Have the trainer's G step call a wrapper that records each call's (z, labels, images)."""
    calls, G = [], trainer.G

    def recorder(z, y=None):
        images = G(z, y)
        calls.append((z, y, images))
        return images

    trainer._G = recorder
    return calls


def test_mode_seeking_gives_each_label_of_gs_batch_twice():
    config = TrainConfig(batch_size=8, mode_seeking=0.5, log_every=1)
    trainer = make_trainer("mnist", config, device="cpu", width=8, n_classes=10)
    calls = _recording(trainer)
    trainer.run(1)
    labels = calls[-1][1]  # the last call is G's step; the first made D's fakes for the real batch's labels
    assert torch.equal(labels[:4], labels[4:])
    assert not torch.equal(calls[0][1][:4], calls[0][1][4:])


def test_mode_seeking_adds_its_weighted_term_to_gs_loss_and_leaves_ds_step():
    runs = {}
    for weight in (0.0, 2.0):
        trainer = make_trainer("ring", TrainConfig(batch_size=8, mode_seeking=weight, log_every=1), "mlp", "cpu")
        calls = _recording(trainer)
        trainer.run(1)
        runs[weight] = trainer, calls[-1]
    (plain, _), (seeking, (z, _, images)) = runs[0.0], runs[2.0]
    term = 2.0 * mode_seeking_loss(*images.detach().chunk(2), *z.chunk(2)).item()
    assert seeking.history["loss_g"][0] == pytest.approx(plain.history["loss_g"][0] + term, rel=1e-5)
    for a, b in zip(plain.D.parameters(), seeking.D.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    "changes, name", [({"mode_seeking": -1.0}, "mode_seeking"), ({"mode_seeking": 0.1, "batch_size": 7}, "batch_size")]
)
def test_bad_mode_seeking_settings_are_refused_by_name(changes, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        TrainConfig(**changes)


def test_ema_statistics_are_recomputed_for_the_average_reproducibly_until_the_next_step():
    trainer = make_trainer("mnist", TrainConfig(batch_size=8, ema_decay=0.9, log_every=1), device="cpu", width=8)
    trainer.run(3)
    copied = [b.clone() for b in trainer.G_ema.buffers()]
    weights = [p.clone() for p in trainer.G_ema.parameters()]
    trainer.recompute_ema_statistics(batch_size=512)
    own = [b.clone() for b in trainer.G_ema.buffers()]
    assert not torch.equal(own[0], copied[0])  # BatchNorm's running mean, now of G_ema's own activations
    assert all(torch.equal(a, b) for a, b in zip(weights, trainer.G_ema.parameters(), strict=True))
    trainer.recompute_ema_statistics(batch_size=512)
    assert all(torch.equal(a, b) for a, b in zip(own, trainer.G_ema.buffers(), strict=True))
    trainer.run(1)
    assert all(torch.equal(a, b) for a, b in zip(trainer.G.buffers(), trainer.G_ema.buffers(), strict=True))


def test_recomputing_ema_statistics_without_an_average_or_with_foreign_labels_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^config.ema_decay=0.0"):
        make_trainer("ring", TrainConfig(), device="cpu").recompute_ema_statistics()
    conditional = make_trainer("mnist", TrainConfig(ema_decay=0.5), device="cpu", width=8, n_classes=10)
    with pytest.raises(ValueError, match=r"^labels="):
        conditional.recompute_ema_statistics(torch.tensor([0, 10]))
    before = [b.clone() for b in conditional.G_ema.buffers()]
    with pytest.raises(ValueError, match=r"^labels='0 labels'"):
        conditional.recompute_ema_statistics(torch.tensor([], dtype=torch.long))
    assert all(torch.equal(a, b) for a, b in zip(before, conditional.G_ema.buffers(), strict=True))
