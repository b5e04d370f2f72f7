import os
import pickle
import signal
import subprocess
import sys
import time

import pytest
import torch

from ganlib import TrainConfig, TrainingDiverged
from ganlib.checkpoint import load_checkpoint, save_checkpoint, training_state
from ganlib.divergence import DivergenceGuard, deep_copy
from ganlib.history import STATS
from ganlib.recipes import make_trainer

RING = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=128, seed=0)


def _mean_distance_to_nearest_mode(trainer, n=1000):
    x = trainer.sample(n, torch.randn(n, trainer.G.z_dim, generator=torch.Generator().manual_seed(9)))
    return torch.cdist(x, trainer.data.centres).min(dim=1).values.mean().item()


def test_generator_moves_samples_toward_the_ring_modes():
    trainer = make_trainer("ring", RING, device="cpu")
    before = _mean_distance_to_nearest_mode(trainer)
    trainer.run(400)
    after = _mean_distance_to_nearest_mode(trainer)
    assert after < 0.5 * before, (before, after)


def test_discriminator_accuracy_starts_high_and_falls_as_the_generator_improves():
    trainer = make_trainer("ring", RING, device="cpu")
    trainer.run(600)
    acc = [(r + f) / 2 for r, f in zip(trainer.history["acc_real"], trainer.history["acc_fake"], strict=True)]
    early, late = max(acc[:100]), sum(acc[-100:]) / 100
    assert early > 0.9 and late < early - 0.1, (early, late)


def test_the_same_seed_gives_the_same_numbers():
    a, b = make_trainer("ring", RING, device="cpu"), make_trainer("ring", RING, device="cpu")
    a.run(30), b.run(30)
    assert a.history.stats == b.history.stats
    c = make_trainer("ring", RING.replace(seed=1), device="cpu")
    c.run(30)
    assert c.history.stats != a.history.stats


@pytest.mark.parametrize("dataset", ["ring", "mnist"])
def test_resumed_run_equals_uninterrupted_run_bit_for_bit(dataset, tmp_path):
    config = TrainConfig(batch_size=16, k=2, log_every=3, seed=5)
    kwargs = {"width": 8} if dataset == "mnist" else {}
    whole = make_trainer(dataset, config, device="cpu", **kwargs)
    whole.run(12)
    first = make_trainer(dataset, config, device="cpu", **kwargs)
    first.run(6)
    first.save(tmp_path / "ckpt.pt")
    resumed = make_trainer(dataset, config.replace(seed=0), device="cpu", **kwargs)  # other init, other seed
    resumed.load(tmp_path / "ckpt.pt")
    resumed.run(6)
    assert resumed.step == whole.step == 12
    assert resumed.history.stats == whole.history.stats
    for a, b in zip(whole.G.state_dict().values(), resumed.G.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    for a, b in zip(whole.D.state_dict().values(), resumed.D.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def _wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_config_changed_from_another_thread_takes_effect_and_is_recorded(training_in_background):
    trainer = make_trainer("ring", RING.replace(log_every=1), device="cpu")
    with training_in_background(trainer):
        _wait_until(lambda: trainer.step >= 5)
        trainer.update(k=3, lr_d=5e-4)
        _wait_until(lambda: trainer.history.changes)
    changed = {c["field"]: c for c in trainer.history.changes}
    assert changed["k"]["old"] == 1 and changed["k"]["new"] == 3 and changed["k"]["step"] >= 5
    assert changed["lr_d"]["new"] == 5e-4
    assert trainer.config.k == 3 and trainer.opt_d.param_groups[0]["lr"] == 5e-4


def test_bad_update_is_refused_in_the_calling_thread():
    trainer = make_trainer("ring", RING, device="cpu")
    with pytest.raises(ValueError, match="k=0"):
        trainer.update(k=0)
    with pytest.raises(ValueError, match="field='momentum'"):
        trainer.update(momentum=0.9)
    assert trainer.config == RING


def test_pause_holds_the_step_and_resume_continues(training_in_background):
    trainer = make_trainer("ring", RING.replace(log_every=1), device="cpu")
    with training_in_background(trainer):
        _wait_until(lambda: trainer.step >= 3)
        trainer.pause()
        time.sleep(0.1)
        held = trainer.step
        time.sleep(0.3)
        assert trainer.step == held and trainer.paused
        trainer.resume()
        _wait_until(lambda: trainer.step >= held + 3)
        assert trainer.step >= held + 3
    assert len(trainer.history) == trainer.step


def test_callbacks_run_every_n_steps_with_a_synced_history():
    trainer = make_trainer("ring", RING, device="cpu")
    seen = []
    trainer.run(25, callbacks=[(7, lambda t: seen.append((t.step, len(t.history))))])
    assert seen == [(7, 7), (14, 14), (21, 21)]


class _PoisonedSampler:
    """Wraps a sampler and returns NaN from the `after`-th draw on."""

    def __init__(self, inner, after):
        self.inner, self.after, self.draws = inner, after, 0

    def to(self, device):
        return self

    def sample(self, n, generator=None):
        x, y = self.inner.sample(n, generator)
        self.draws += 1
        return (x * float("nan"), y) if self.draws > self.after else (x, y)


def test_divergence_stops_with_a_message_and_keeps_the_last_good_state():
    trainer = make_trainer("ring", RING.replace(log_every=5), device="cpu")
    trainer.data = _PoisonedSampler(trainer.data, after=12)
    with pytest.raises(TrainingDiverged, match="loss_d at step 13 is NaN.*last good state \\(step 10\\)"):
        trainer.run(50)
    assert trainer.step == 10 and len(trainer.history) == 10
    assert all(torch.isfinite(p).all() for p in trainer.G.parameters())
    assert all(torch.isfinite(p).all() for p in trainer.D.parameters())


def test_the_state_kept_after_a_divergence_is_the_last_good_step_bit_for_bit():
    poisoned = make_trainer("ring", RING.replace(log_every=5), device="cpu")
    poisoned.data = _PoisonedSampler(poisoned.data, after=12)
    with pytest.raises(TrainingDiverged):
        poisoned.run(50)
    clean = make_trainer("ring", RING.replace(log_every=5), device="cpu")
    clean.run(10)
    kept, expected = training_state(poisoned), training_state(clean)
    for name in ("generator", "discriminator"):
        assert all(torch.equal(kept[name][key], value) for key, value in expected[name].items()), name
    for name in ("opt_g", "opt_d"):  # Adam's moments and step counts, as at step 10
        for index, moments in expected[name]["state"].items():
            assert all(torch.equal(kept[name]["state"][index][key], value) for key, value in moments.items())
    assert torch.equal(kept["rng"], expected["rng"]) and kept["step"] == 10
    poisoned.data = clean.data  # both go on from step 10 alike
    poisoned.run(5), clean.run(5)
    assert all(torch.equal(a, b) for a, b in zip(poisoned.G.parameters(), clean.G.parameters(), strict=True))


def test_a_parameter_that_turned_infinite_is_named():
    trainer = make_trainer("ring", RING, device="cpu")
    assert DivergenceGuard.first_bad(torch.zeros(3, len(STATS)), 1, {"G": trainer.G, "D": trainer.D}) is None
    with torch.no_grad():
        trainer.D.net[2].bias[3] = float("inf")
    where = DivergenceGuard.first_bad(torch.zeros(3, len(STATS)), 1, {"G": trainer.G, "D": trainer.D})
    assert where == "parameter D.net.2.bias"


def test_the_guards_copy_is_deep_and_keeps_a_state_dicts_versions():
    state = {"weights": make_trainer("ring", RING, device="cpu").D.state_dict(), "pairs": [(1, torch.ones(2))]}
    copied = deep_copy(state)
    state["pairs"][0][1].add_(1)
    next(iter(state["weights"].values())).detach().add_(1)
    assert torch.equal(copied["pairs"][0][1], torch.ones(2)) and copied["pairs"][0][0] == 1
    assert not torch.equal(next(iter(copied["weights"].values())), next(iter(state["weights"].values())))
    assert copied["weights"]._metadata == state["weights"]._metadata and type(copied["weights"]) is type(
        state["weights"]
    )


def test_checkpoints_are_loaded_with_weights_only(tmp_path):
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        pickle.dump({"payload": _PoisonedSampler}, f)  # a class, i.e. code: refused by weights_only=True
    with pytest.raises(ValueError, match="evil.pt") as info:
        load_checkpoint(path)
    assert isinstance(info.value.__cause__, pickle.UnpicklingError)  # refused by the weights-only unpickler


_SAVER = """
import sys, torch
from ganlib.checkpoint import save_checkpoint
path = sys.argv[1]
i = 0
while True:
    i += 1
    save_checkpoint({"version": i, "weights": torch.full((8_000_000,), float(i))}, path)
"""


def test_a_process_killed_while_saving_leaves_the_previous_checkpoint_loadable(tmp_path):
    path = tmp_path / "ckpt.pt"
    save_checkpoint({"version": 0, "weights": torch.zeros(8_000_000)}, path)
    child = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)])
    try:
        deadline = time.time() + 60
        while not list(tmp_path.glob(".ckpt.pt.*.tmp")) and time.time() < deadline:
            time.sleep(0.001)
        assert list(tmp_path.glob(".ckpt.pt.*.tmp")), "the child never started writing"
        os.kill(child.pid, signal.SIGKILL)  # mid-write: the temporary file exists
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    state = load_checkpoint(path)
    assert torch.equal(state["weights"], torch.full((8_000_000,), float(state["version"])))


def test_looking_at_samples_does_not_change_the_run():
    watched, unwatched = make_trainer("ring", RING, device="cpu"), make_trainer("ring", RING, device="cpu")
    watched.run(20, callbacks=[(5, lambda t: t.sample(64))])
    unwatched.run(20)
    assert watched.history.stats == unwatched.history.stats
