"""Reliability from the user's side: other threads, NumPy values, bad files and bad loads never lose or corrupt data."""

import shutil
import threading

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganlib import TrainConfig, TrainingDiverged, make_trainer
from ganlib.checkpoint import load_checkpoint
from ganlib.data import DATA_ROOT, load_mnist
from ganlib.evaluation import digit_metrics

RING = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=32, log_every=5, seed=0)


def _ring(**kwargs):
    return make_trainer("ring", RING, device="cpu", **kwargs)


def test_saves_from_another_thread_while_training_are_consistent_and_all_load(tmp_path, training_in_background):
    trainer = make_trainer("ring", RING.replace(log_every=1000), device="cpu")  # the saves do the syncing
    paths = []
    with training_in_background(trainer):
        for i in range(40):
            paths.append(trainer.save(tmp_path / f"ckpt{i}.pt"))
    for path in paths:
        state = load_checkpoint(path)
        steps, stats = state["history"]["steps"], state["history"]["stats"]
        assert steps == list(range(1, state["step"] + 1)), path  # no duplicate or missing step
        assert all(len(column) == len(steps) for column in stats.values()), path
        make_trainer("ring", RING, device="cpu").load(path)


def test_sampling_from_another_thread_leaves_the_run_as_it_would_have_been():
    config = TrainConfig(batch_size=16, log_every=5, seed=0)  # DCGAN: BatchNorm behaves differently in eval mode
    undisturbed, watched = (make_trainer("mnist", config, device="cpu", width=8) for _ in range(2))
    undisturbed.run(40)
    done = threading.Event()

    def look():
        while not done.is_set():
            watched.sample(16)

    looker = threading.Thread(target=look)
    looker.start()
    try:
        watched.run(40)
    finally:
        done.set()
        looker.join(timeout=10)
    assert watched.history.stats == undisturbed.history.stats


def test_run_on_a_paused_trainer_says_so_instead_of_waiting_forever():
    trainer = _ring()
    trainer.pause()
    with pytest.raises(RuntimeError, match="paused"):
        trainer.run(1)
    trainer.resume()
    trainer.run(1)
    assert trainer.step == 1


def test_numpy_scalars_become_python_numbers_and_the_checkpoint_loads(tmp_path):
    config = TrainConfig(lr_g=np.float64(1e-3), lr_d=np.float32(1e-3), k=np.int64(2), batch_size=np.int32(16))
    assert type(config.lr_g) is float and type(config.k) is int and type(config.batch_size) is int
    trainer = make_trainer("ring", config, device="cpu")
    trainer.update(lr_d=np.float64(5e-4))
    trainer.run(np.int64(3))
    path = trainer.save(tmp_path / "numpy.pt")
    resumed = make_trainer("ring", config, device="cpu")
    resumed.load(path)
    assert resumed.config.lr_d == 5e-4 and type(resumed.config.lr_d) is float


@pytest.mark.parametrize("other", [{"width": 64}, {"discriminator_options": {"pack": 2}}])
def test_a_checkpoint_of_another_network_is_refused_whole_and_changes_nothing(tmp_path, other):
    path = make_trainer("ring", RING, device="cpu", **other).save(tmp_path / "other.pt")
    trainer = _ring()
    trainer.run(5)
    before = {k: v.clone() for k, v in [*trainer.G.state_dict().items(), *trainer.D.state_dict().items()]}
    with pytest.raises(ValueError, match=r"shape|unknown names") as info:
        trainer.load(path)
    assert "generator" in str(info.value) or "discriminator" in str(info.value)
    after = {k: v for k, v in [*trainer.G.state_dict().items(), *trainer.D.state_dict().items()]}
    assert all(torch.equal(before[k], after[k]) for k in before) and trainer.step == 5
    trainer.run(2)  # and it trains on
    assert trainer.step == 7


@pytest.mark.parametrize("content", [b"", b"not a checkpoint\n", b"\x80\x04K\x01."])
def test_an_empty_text_or_foreign_file_gives_an_error_naming_the_file(tmp_path, content):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="bad.pt"):
        _ring().load(path)


@pytest.fixture(scope="module")
def checkpoint_bytes(tmp_path_factory):
    trainer = _ring()
    trainer.run(3)
    return trainer.save(tmp_path_factory.mktemp("ckpt") / "good.pt").read_bytes()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fraction=st.floats(0.0, 0.999))
def test_a_checkpoint_truncated_anywhere_gives_an_error_naming_the_file(tmp_path, checkpoint_bytes, fraction):
    path = tmp_path / "truncated.pt"
    path.write_bytes(checkpoint_bytes[: int(fraction * len(checkpoint_bytes))])
    trainer = _ring()
    with pytest.raises(ValueError, match="truncated.pt"):
        trainer.load(path)
    assert trainer.step == 0


def test_divergence_after_an_update_names_the_change_and_keeps_it_in_the_record():
    trainer = _ring()
    trainer.run(10)
    trainer.update(optimizer="sgd", lr_g=9.99, lr_d=9.99)
    with pytest.raises(TrainingDiverged) as info:
        trainer.run(500)
    message = str(info.value)
    assert "lr_d 0.001 -> 9.99" in message and "lr_d=9.99" in message, message
    fields = [(c["field"], c["new"]) for c in trainer.history.changes]
    assert ("lr_d", 9.99) in fields and ("lr_d", 0.001) in fields  # the change and its reversal
    assert trainer.config.lr_d == 1e-3 and trainer.step == trainer.history.steps[-1]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda t: t.sample(-1), "n"),
        (lambda t: t.sample(True), "n"),
        (lambda t: t.sample(4, z=torch.zeros(4, 2, dtype=torch.long)), "z"),
        (lambda t: t.sample(4, z=torch.full((4, 2), float("nan"))), "z"),
        (lambda t: t.run(True), "steps"),
        (lambda t: t.update(batch_size=10**9), "batch_size"),
        (lambda t: t.update(k=True), "k"),
    ],
)
def test_bad_calls_on_a_trainer_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        call(_ring())


@pytest.mark.parametrize(
    "kwargs, name",
    [({"z_dim": 0}, "z_dim"), ({"width": True}, "width"), ({"device": "cpu:1"}, "device"), ({"n_classes": 3}, "data")],
)
def test_bad_construction_is_refused_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        make_trainer(**{"dataset": "ring", **kwargs})


def test_a_seed_numpy_cannot_take_is_refused():
    with pytest.raises(ValueError, match="^seed="):
        TrainConfig(seed=2**32)


def test_out_of_range_labels_are_refused_by_name():
    trainer = make_trainer("mnist", TrainConfig(batch_size=8), device="cpu", width=8, n_classes=10)
    with pytest.raises(ValueError, match="^y="):
        trainer.sample(4, labels=torch.tensor([0, 1, 2, 10]))


@pytest.mark.parametrize(
    "images, what",
    [(torch.rand(8, 1, 28, 28) * 255, r"\[-1, 1\]"), (torch.full((8, 1, 28, 28), float("nan")), "NaN")],
)
def test_digit_metrics_refuse_images_outside_the_classifiers_range(images, what):
    with pytest.raises(ValueError, match=f"^images=.*{what}"):
        digit_metrics(images)


def test_a_damaged_extracted_mnist_file_is_extracted_again(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in (DATA_ROOT / "MNIST" / "raw").glob("t10k-*.gz"):
        shutil.copy(gz, raw)
    for gz in (DATA_ROOT / "MNIST" / "raw").glob("train-*.gz"):
        shutil.copy(gz, raw)
    images, _ = load_mnist("test", root=tmp_path)
    extracted = raw / "t10k-images-idx3-ubyte"
    extracted.write_bytes(extracted.read_bytes()[:1000])  # truncated
    again, _ = load_mnist("test", root=tmp_path)
    assert torch.equal(images, again)
    extracted.write_bytes(bytes(7840016))  # zeroed, the right size
    again, _ = load_mnist("test", root=tmp_path)
    assert torch.equal(images, again)
