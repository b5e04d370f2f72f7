"""Checkpoints that would lose a queued change, trap every later run in TrainingDiverged, or train on the wrong data:
each is kept or refused at load, naming the file and what is wrong, and a refused load changes nothing."""

import math

import pytest
import torch

from ganlib import TrainConfig, make_trainer
from ganlib.checkpoint import load_checkpoint

RING = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=32, log_every=5, seed=0)


def _ring(dataset: str = "ring"):
    return make_trainer(dataset, RING, device="cpu")


def _weights(trainer) -> dict[str, torch.Tensor]:
    return {f"{net}.{k}": v.clone() for net in ("G", "D") for k, v in getattr(trainer, net).state_dict().items()}


def _same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_change_queued_before_a_save_is_in_the_checkpoint_and_the_resumed_run_is_bit_exact(tmp_path):
    uninterrupted = _ring()
    uninterrupted.run(10)
    uninterrupted.update(k=2, lr_d=5e-4)
    path = uninterrupted.save(tmp_path / "queued.pt")
    uninterrupted.run(10)

    resumed = _ring()
    resumed.load(path)
    resumed.run(10)
    assert resumed.config == uninterrupted.config and resumed.config.k == 2
    assert resumed.history.stats == uninterrupted.history.stats
    assert resumed.history.changes == uninterrupted.history.changes
    assert _same_weights(_weights(resumed), _weights(uninterrupted))


def test_a_change_queued_before_a_load_does_not_overwrite_the_loaded_settings(tmp_path):
    path = _ring().save(tmp_path / "plain.pt")
    trainer = _ring()
    trainer.update(lr_g=5e-4, k=3)
    trainer.load(path)
    trainer.run(2)
    assert trainer.config == RING and trainer.history.changes == []


def _damaged(tmp_path, damage) -> str:
    trainer = _ring()
    trainer.run(10)
    state = load_checkpoint(trainer.save(tmp_path / "good.pt"))
    damage(state)
    path = tmp_path / "damaged.pt"
    torch.save(state, path)
    return path


def _first_weight(state):
    return next(iter(state["generator"]))


NON_FINITE = {
    "a generator weight": (lambda s: s["generator"][_first_weight(s)].view(-1)[3].fill_(math.nan), "generator["),
    "a discriminator bias": (lambda s: s["discriminator"]["net.0.bias"].fill_(math.inf), "discriminator['net.0.bias']"),
    "an Adam moment of D": (lambda s: s["opt_d"]["state"][0]["exp_avg_sq"].fill_(math.nan), "opt_d['state'][0]"),
    "an Adam moment of G": (lambda s: s["opt_g"]["state"][1]["exp_avg"].fill_(-math.inf), "opt_g['state'][1]"),
}


@pytest.mark.parametrize("where", NON_FINITE)
def test_a_checkpoint_holding_nan_or_inf_is_refused_naming_the_file_and_the_tensor(tmp_path, where):
    damage, named = NON_FINITE[where]
    path = _damaged(tmp_path, damage)
    trainer = _ring()
    trainer.run(5)
    before = _weights(trainer)
    with pytest.raises(ValueError, match="damaged.pt") as info:
        trainer.load(path)
    assert named in str(info.value) and "NaN or inf" in str(info.value)
    assert _same_weights(_weights(trainer), before) and trainer.step == 5
    trainer.run(5)  # not trapped: it trains on
    assert trainer.step == 10


@pytest.mark.parametrize(
    "damage, named",
    [
        (lambda s: s.update(step=-3), "step -3"),
        (lambda s: s.update(step=2.5), "step 2.5"),
        (lambda s: s["history"].update(stats={k: [] for k in s["history"]["stats"]}), "statistics"),
        (lambda s: s["history"]["steps"].reverse(), "increasing steps"),
        (lambda s: s["history"]["steps"].append(99), "increasing steps in \\[1, 10\\]"),
    ],
)
def test_a_checkpoint_with_an_impossible_step_or_history_is_refused_and_changes_nothing(tmp_path, damage, named):
    path = _damaged(tmp_path, damage)
    trainer = _ring()
    trainer.run(5)
    history = trainer.history.state_dict()
    with pytest.raises(ValueError, match=f"damaged.pt.*{named}"):
        trainer.load(path)
    assert trainer.step == 5 and trainer.history.state_dict() == history
    trainer.run(5)
    assert trainer.history.steps == list(range(1, 11))


def test_a_checkpoint_of_another_data_set_is_refused_unless_asked_for(tmp_path):
    ring = _ring()
    ring.run(5)
    path = ring.save(tmp_path / "ring.pt")
    grid = _ring("grid")
    before = _weights(grid)
    with pytest.raises(ValueError, match="ring.pt.*'ring: 8 Gaussians.*'grid: 25 Gaussians.*allow_other_data"):
        grid.load(path)
    assert _same_weights(_weights(grid), before) and grid.step == 0
    grid.load(path, allow_other_data=True)
    assert grid.step == 5 and _same_weights(_weights(grid), _weights(ring))


def test_a_checkpoint_written_before_data_sets_were_recorded_still_loads(tmp_path):
    path = _damaged(tmp_path, lambda s: [s.pop("data"), s.pop("pending_config")])
    trainer = _ring()
    trainer.load(path)
    assert trainer.step == 10
