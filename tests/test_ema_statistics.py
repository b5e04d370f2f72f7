"""Samples of the moving average of G come with BatchNorm statistics of its own, whenever its weights have moved.

Copying G's statistics into the average (what ema_update does each step) fits G's activations, not the average's;
Trainer.sample recomputes them (BigGAN's standing statistics) before it draws from a changed average.
"""

import torch

import ganlib.ema_statistics
from ganlib import TrainConfig
from ganlib.clusters import clustered_trainer
from ganlib.recipes import make_trainer


def _mnist(**options) -> ganlib.Trainer:
    return make_trainer(
        "mnist", TrainConfig(batch_size=8, ema_decay=0.9, log_every=1), device="cpu", width=8, **options
    )


def _buffers(module: torch.nn.Module) -> list[torch.Tensor]:
    return [b.clone() for b in module.buffers()]


def test_sampling_the_average_uses_statistics_recomputed_for_it_not_gs():
    trainer = _mnist()
    trainer.run(3)
    gs_statistics = _buffers(trainer.G)
    z = torch.randn(16, trainer.G.z_dim)
    drawn = trainer.sample(16, z=z)
    assert not torch.equal(trainer.G_ema.buffers().__next__(), gs_statistics[0])
    twin = _mnist()
    twin.run(3)
    twin.recompute_ema_statistics()
    assert all(torch.equal(a, b) for a, b in zip(_buffers(trainer.G_ema), _buffers(twin.G_ema), strict=True))
    assert torch.equal(drawn, twin.sample(16, z=z))


def test_statistics_are_recomputed_once_per_change_of_the_average(monkeypatch):
    trainer = _mnist()
    trainer.run(2)
    calls = []
    recompute = ganlib.ema_statistics.recompute_batchnorm
    monkeypatch.setattr(ganlib.ema_statistics, "recompute_batchnorm", lambda *a: calls.append(1) or recompute(*a))
    trainer.sample(4)
    trainer.sample(4)
    assert len(calls) == 1  # nothing moved between the two draws
    trainer.run(1)
    trainer.sample(4)
    assert len(calls) == 2  # a training step moved the average and copied G's statistics back


def test_sampling_after_a_load_gives_what_the_saved_run_gave(tmp_path):
    trainer = _mnist()
    trainer.run(3)
    z = torch.randn(8, trainer.G.z_dim)
    expected = trainer.sample(8, z=z)
    trainer.save(tmp_path / "run.pt")
    resumed = _mnist()
    resumed.load(tmp_path / "run.pt")  # the checkpoint holds G's statistics in the average: they are recomputed
    assert torch.equal(resumed.sample(8, z=z), expected)


def test_a_conditional_average_is_given_statistics_for_the_classes_in_their_training_shares(monkeypatch):
    images, labels = torch.rand(100, 1, 28, 28) * 2 - 1, (torch.arange(100) >= 90).long()  # 90% class 0
    gan = clustered_trainer(images, TrainConfig(batch_size=4, ema_decay=0.9), 1, "cpu", width=4, z_dim=8, labels=labels)
    gan.trainer.run(1)
    seen = []
    monkeypatch.setattr(
        ganlib.ema_statistics, "recompute_batchnorm", lambda model, batches: seen.extend(y for _, y in batches)
    )
    gan.sample(4)
    drawn = torch.cat(seen)
    assert len(drawn) == ganlib.ema_statistics.EMA_STATISTICS_SAMPLES
    assert abs((drawn == 0).double().mean().item() - 0.9) < 0.02


def test_an_average_without_batchnorm_samples_as_before():
    trainer = make_trainer("ring", TrainConfig(ema_decay=0.9), "mlp", "cpu")
    trainer.run(2)
    z = torch.randn(5, trainer.G.z_dim)
    with torch.no_grad():
        assert torch.equal(trainer.sample(5, z=z), trainer.G_ema.eval()(z, None))
