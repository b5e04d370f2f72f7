"""The chapter modules from a user's side: every family of bad input (NaN, 0..255 pixels, wrong shapes and dtypes,
out-of-range labels, booleans, empty inputs) gets a ValueError naming the caller's parameter before torch sees it,
and NumPy integers are taken as the ints they hold."""

import math
import traceback

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ganlib import TrainConfig, make_trainer
from ganlib import autoencoders as AE
from ganlib import clusters as CL
from ganlib import completion as CO
from ganlib import label_codes as LC
from ganlib import semi_supervised as SS
from ganlib.distributed import shard_batch_size
from ganlib.evaluation import cas as CA
from ganlib.evaluation import classifier as CF
from ganlib.evaluation import digits as DG
from ganlib.evaluation import discriminator as DS
from ganlib.evaluation import fidelity as FI
from ganlib.experiments import ssl as SL

IMAGES = torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
FLAT = (IMAGES.flatten(1) + 1) / 2  # the semi-supervised chapter's images: (n, 784) in [0, 1]
LABELS = torch.arange(12) % 10
FEATURES = torch.randn(12, 4, generator=torch.Generator().manual_seed(1))
SSL_D = SS.SSLDiscriminator(widths=(8,))


def _bad_images(good: torch.Tensor) -> st.SearchStrategy:
    """NaN or inf somewhere, 0..255 pixels, a lost or flattened channel, integer or bool pixels, no image at all."""
    at = st.integers(0, good.numel() - 1)
    return st.one_of(
        st.tuples(at, st.sampled_from([math.nan, math.inf, -math.inf])).map(lambda p: _put(good, *p)),
        st.floats(2.0, 255.0).map(lambda scale: (good - good.min()) * scale),
        st.sampled_from([good.flatten(1)[:, :-1], good[:, 0, :, :5], good.round().to(torch.uint8), good > 0, good[:0]]),
    )


def _bad_labels(good: torch.Tensor, n_classes: int, fixed_length: bool = True) -> st.SearchStrategy:
    """A label outside [0, n_classes), float or bool labels, a 2D tensor, a list; one label too many or too few
    where the length is fixed (one label per image)."""
    out_of_range = st.one_of(st.integers(n_classes, 10**6), st.integers(-(10**6), -1))
    lengths = [good[:-1], torch.cat([good, good[:1]])] if fixed_length else []
    return st.one_of(
        st.tuples(st.integers(0, len(good) - 1), out_of_range).map(lambda p: _put(good, *p)),
        st.sampled_from([good.float(), good % 2 == 1, good[:, None], good.tolist(), *lengths]),
    )


def _bad_rows(good: torch.Tensor) -> st.SearchStrategy:
    """Features or points with NaN or inf in some row, one dimension, no rows, or a list."""
    at = st.integers(0, good.numel() - 1)
    return st.one_of(
        st.tuples(at, st.sampled_from([math.nan, math.inf])).map(lambda p: _put(good, *p)),
        st.sampled_from([good[:, 0], good[:0], good.tolist()]),
    )


BAD_COUNT = st.one_of(st.integers(-(10**6), 0), st.booleans(), st.floats(0.5, 9.5), st.sampled_from(["3", None]))
BAD_SEED = st.one_of(st.integers(-(10**9), -1), st.booleans(), st.floats(0.5, 9.5), st.just("0"))


def _put(good: torch.Tensor, index: int, value: float) -> torch.Tensor:
    bad = good.clone()
    bad.view(-1)[index] = value
    return bad


# (what is called, its good arguments, the parameter made bad, the family it is drawn from); each call is a boundary
# of a chapter, where values are checked, or a training step, where shapes, dtypes and (on the CPU) labels are
CASES = [
    (CO.split_halves, {"images": IMAGES}, "images", _bad_images(IMAGES)),
    (CO.hide_bottom, {"images": IMAGES}, "images", _bad_images(IMAGES)),
    (CL.clustered_trainer, {"images": IMAGES, "config": TrainConfig(), "k": 2, "device": "cpu"}, "images",
     _bad_images(IMAGES)),
    (CL.clustered_trainer, {"images": IMAGES, "config": TrainConfig(), "k": 2, "device": "cpu"}, "k", BAD_COUNT),
    (CF.classify, {"model": CF.MnistClassifier(), "images": IMAGES}, "images", _bad_images(IMAGES)),
    (CF.train_classifier, {"images": IMAGES, "labels": LABELS}, "images", _bad_images(IMAGES)),
    (CF.train_classifier, {"images": IMAGES, "labels": LABELS}, "labels", _bad_labels(LABELS, 10)),
    (CF.train_classifier, {"images": IMAGES, "labels": LABELS}, "batch_size", BAD_COUNT),
    (CF.train_classifier, {"images": IMAGES, "labels": LABELS}, "seed", BAD_SEED),
    (DG.classifier_fid, {"images": IMAGES}, "images", _bad_images(IMAGES)),
    (CA.train_and_test, {"train_images": IMAGES, "train_labels": LABELS, "test_images": IMAGES,
                         "test_labels": LABELS}, "test_labels", _bad_labels(LABELS, 10)),
    (CA.per_class_accuracy, {"predicted": LABELS, "labels": LABELS}, "predicted", _bad_labels(LABELS, 10)),
    (SL.accuracy, {"D": SSL_D, "x": FLAT, "y": LABELS}, "y", _bad_labels(LABELS, 10)),
    (SL.predict, {"D": SSL_D, "x": FLAT}, "chunk", BAD_COUNT),
    (SL.supervised_step, {"D": SSL_D, "opt_d": None, "batch": (FLAT, LABELS)}, "batch",
     _bad_labels(LABELS, 10).map(lambda y: (FLAT, y))),
    (SS.supervised_loss, {"logits": torch.zeros(12, 10), "labels": LABELS}, "labels", _bad_labels(LABELS, 10)),
    (SS.split_labels, {"labels": LABELS, "per_class": 1, "n_validation": 0}, "per_class", BAD_COUNT),
    (SS.split_labels, {"labels": LABELS, "per_class": 1, "n_validation": 0}, "seed", BAD_SEED),
    (CO.train_validation_split, {"n": 10, "n_validation": 2, "seed": 0}, "seed", BAD_SEED),
    (CO.nearest_rows, {"query": FEATURES, "reference": FEATURES, "k": 2}, "reference", _bad_rows(FEATURES)),
    (CO.nearest_rows, {"query": FEATURES, "reference": FEATURES, "k": 2}, "k", BAD_COUNT),
    (CL.kmeans, {"x": FEATURES, "k": 2}, "x", _bad_rows(FEATURES)),
    (FI.precision_recall, {"real": FEATURES, "fake": FEATURES, "k": 2}, "fake", _bad_rows(FEATURES)),
    (FI.precision_recall, {"real": FEATURES, "fake": FEATURES, "k": 2}, "k", BAD_COUNT),
    (FI.coverage, {"real": FEATURES, "fake": FEATURES}, "real", _bad_rows(FEATURES)),
    (FI.nearest_neighbours, {"query": FEATURES, "reference": FEATURES}, "query", _bad_rows(FEATURES)),
    (FI.nearest_neighbours, {"query": FEATURES, "reference": FEATURES}, "chunk", BAD_COUNT),
    (FI.truncated_normal, {"n": 3, "dim": 2, "threshold": 1.0}, "n", BAD_COUNT),
    (DG.gaussian_statistics, {"features": FEATURES}, "features", _bad_rows(FEATURES)),
    (DS.calibration, {"probability": torch.rand(12), "is_real": LABELS > 4}, "bins", BAD_COUNT),
    (AE.gaussian_kl, {"mu": FEATURES, "logvar": FEATURES}, "logvar", st.sampled_from([FEATURES[:, :2], [0.0]])),
    (AE.elbo, {"x": IMAGES, "mu": FEATURES, "logvar": FEATURES, "log_likelihood": None}, "n_samples", BAD_COUNT),
    (LC.LabelCode(6, 4, 3), {"y": torch.tensor([0, 5])}, "y", _bad_labels(torch.tensor([0, 5]), 6, False)),
    (shard_batch_size, {"batch_size": 8, "world_size": 2}, "world_size", BAD_COUNT),
]  # fmt: skip


def _raised_by_a_check(error: ValueError) -> bool:
    """The error came from ganlib's own argument check, not from deep inside torch."""
    return "/ganlib/" in traceback.extract_tb(error.__traceback__)[-1].filename


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_family_of_bad_input_is_refused_naming_the_callers_parameter(data):
    function, good, name, family = data.draw(st.sampled_from(CASES), label="case")
    bad = data.draw(family, label=name)
    with pytest.raises(ValueError, match=f"^{name}=") as info:
        function(**{**good, name: bad})
    assert _raised_by_a_check(info.value)


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 5), numpy_type=st.sampled_from([np.int64, np.int32, np.uint8]))
def test_numpy_integers_count_as_the_ints_they_hold(k, numpy_type):
    assert FI.precision_recall(FEATURES, FEATURES * 1.1, k=numpy_type(k)) == FI.precision_recall(
        FEATURES, FEATURES * 1.1, k=k
    )
    assert torch.equal(FI.knn_radii(FEATURES, numpy_type(k), chunk=numpy_type(5)), FI.knn_radii(FEATURES, k))
    assert torch.equal(CL.kmeans(FEATURES, numpy_type(k), seed=numpy_type(3))[1], CL.kmeans(FEATURES, k, seed=3)[1])
    assert torch.equal(CO.nearest_rows(IMAGES, IMAGES, numpy_type(k)), CO.nearest_rows(IMAGES, IMAGES, k))
    assert FI.truncated_normal(numpy_type(k), numpy_type(2), np.float32(1.5)).shape == (k, 2)
    many = torch.arange(100) % 10
    split, numpy_split = SS.split_labels(many, 2, 10 * k, 0), SS.split_labels(many, 2, numpy_type(10 * k), np.int64(0))
    assert torch.equal(numpy_split.labelled, split.labelled) and torch.equal(numpy_split.validation, split.validation)


def test_numpy_widths_build_the_same_networks():
    for width in (np.int64(8), np.int32(8)):
        numpy_built, built = CO.Completer(np.int64(4), np.int64(2), width), CO.Completer(4, 2, 8)
        assert [p.shape for p in numpy_built.parameters()] == [p.shape for p in built.parameters()]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: CO.Completer(code_dim=0), "code_dim"),
        (lambda: SS.SSLDiscriminator(input_noise=-0.1), "input_noise"),
        (lambda: SS.SSLDiscriminator(hidden_noise=math.nan), "hidden_noise"),
        (lambda: SS.SSLDiscriminator(widths=8), "widths"),
        (lambda: SS.split_labels(torch.where(LABELS == 3, 4, LABELS)), "labels"),
        (lambda: LC.LabelCode(n_classes=0, code_dim=4), "n_classes"),
        (lambda: SL.train_ssl((FLAT, LABELS), FLAT[:1], None, SL.SSLConfig(steps=1)), "unlabelled"),
        (lambda: SL.train_ssl((FLAT * 255, LABELS), FLAT, None, SL.SSLConfig(steps=1)), "labelled"),
        (lambda: SL.train_ssl((FLAT, LABELS), FLAT, (FLAT, LABELS + 10), SL.SSLConfig(steps=1)), "validation"),
        (lambda: SL.train_ssl((FLAT, LABELS), FLAT, None, {"steps": 1}), "config"),
        (lambda: SL.train_mnist_seeds(SL.SSLConfig(steps=1)), "configs"),
        (lambda: CF.load_classifier("tpu"), "device"),
        (lambda: CL.clustered_trainer(IMAGES, TrainConfig(), 2, "cuda:7"), "device"),
        (lambda: FI.slerp(torch.zeros(4), torch.ones(4), torch.linspace(0, 1, 3)), "z0"),
        (lambda: FI.inside_balls(FEATURES, FEATURES, -torch.ones(12)), "radii"),
        (lambda: DG.inception_score(torch.full((4, 10), 0.5)), "probabilities"),
        (lambda: DS.calibration(torch.tensor([1.5]), torch.tensor([1.0])), "probability"),
        (lambda: DS.track_discriminator(None), "reports"),
        (lambda: AE.reparameterise(FEATURES, FEATURES, generator=0), "generator"),
        (lambda: make_trainer("ring", device="cpu").run(1, callbacks=None), "callbacks"),
    ],
)
def test_reported_traps_of_the_chapter_modules_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name}=") as info:
        call()
    assert _raised_by_a_check(info.value)


@pytest.mark.parametrize("argv", [["--threads", "0"], ["--threads", "-2"], ["--seed", "-1"], ["--seed", "x"]])
def test_bench_options_out_of_range_stop_with_a_usage_error_naming_the_option(argv, monkeypatch, capsys):
    import argparse

    from bench._output import parse_seeded_options

    monkeypatch.setattr("sys.argv", ["bench.py", *argv])
    with pytest.raises(SystemExit) as info:
        parse_seeded_options(argparse.ArgumentParser(), "table.json", 1, "")
    assert info.value.code == 2 and f"argument {argv[0]}: {argv[1]!r} is not accepted" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["--threads", "0"], ["--steps", "-1"], ["--batch-size", "0"], ["--lr", "nan"], ["--width", "2.5"]]
)
def test_distributed_options_out_of_range_stop_with_a_usage_error_naming_the_option(argv, capsys):
    from ganlib.distributed import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and f"argument {argv[0]}: {argv[1]!r} is not accepted" in capsys.readouterr().err
