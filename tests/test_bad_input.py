"""Every public entry point refuses bad input with a ValueError that names the parameter, before torch sees it."""

import math
import traceback

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ganlib
from ganlib import TrainConfig
from ganlib import evaluation as E
from ganlib import plots as P
from ganlib.losses import LOSSES
from ganlib.recipes import make_trainer

not_a_number = st.sampled_from([None, "0.1", [1e-3], math.nan])
bad_lr = st.one_of(st.floats(max_value=0.0, allow_nan=False), st.floats(min_value=10.0), not_a_number)
bad_count = st.one_of(st.integers(max_value=0), st.floats(allow_nan=True), st.sampled_from(["2", None, True]))
bad_name = st.text(max_size=12).filter(lambda s: s not in LOSSES + ("adam", "sgd", "rmsprop"))
bad_betas = st.one_of(st.tuples(st.floats(min_value=1.0), st.floats(0, 0.99)), st.just((0.5,)), st.just([0.5, 0.9]))

BAD_FIELDS = st.one_of(
    st.tuples(st.sampled_from(["lr_g", "lr_d"]), bad_lr),
    st.tuples(st.sampled_from(["k", "batch_size", "log_every"]), bad_count),
    st.tuples(st.sampled_from(["loss", "optimizer"]), bad_name),
    st.tuples(st.just("betas"), bad_betas),
    st.tuples(st.just("gp_weight"), st.one_of(st.floats(max_value=-1e-9, allow_nan=False), not_a_number)),
    st.tuples(st.just("seed"), st.one_of(st.integers(max_value=-1), st.just(1.5))),
    st.tuples(st.just("unroll_steps"), st.one_of(st.integers(max_value=-1), st.sampled_from([1.5, "2", None, True]))),
    st.tuples(st.just("ema_decay"), st.one_of(st.floats(min_value=1.0), st.floats(max_value=-1e-9), not_a_number)),
    st.tuples(st.just("mode_seeking"), st.one_of(st.floats(max_value=-1e-9, allow_nan=False), not_a_number)),
)


def _raised_by_ganlib(error: ValueError) -> bool:
    """The error came from ganlib's own check, not from deep inside torch."""
    return "/ganlib/" in traceback.extract_tb(error.__traceback__)[-1].filename


@settings(max_examples=200, deadline=None)
@given(BAD_FIELDS)
def test_bad_config_value_is_refused_by_name(field_and_value):
    name, value = field_and_value
    with pytest.raises(ValueError, match=f"^{name}=") as info:
        TrainConfig(**{name: value})
    assert _raised_by_ganlib(info.value)


@settings(max_examples=50, deadline=None)
@given(BAD_FIELDS)
def test_bad_live_update_is_refused_by_name(field_and_value):
    name, value = field_and_value
    trainer = _ring_trainer()
    with pytest.raises(ValueError, match=f"^{name}="):
        trainer.update(**{name: value})


_cached = []


def _ring_trainer():
    if not _cached:
        _cached.append(make_trainer("ring", device="cpu"))
    return _cached[0]


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"dataset": "cifar10"}, "dataset"),
        ({"dataset": "ring", "arch": "dcgan"}, "arch"),
        ({"dataset": "mnist", "arch": "transformer"}, "arch"),
        ({"device": "tpu"}, "device"),
        ({"device": "cuda:7"}, "device"),
        ({"config": {"lr_g": 1e-3}}, "config"),
        ({"width": -3}, "width"),
        ({"fast": "yes"}, "fast"),
    ],
)
def test_bad_trainer_arguments_are_refused_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}=") as info:
        make_trainer(**kwargs)
    assert _raised_by_ganlib(info.value)


@pytest.mark.parametrize(
    "kwargs, name, offending",
    [
        (
            {"dataset": "ring", "discriminator_options": {"conditioning": "projection"}},
            "discriminator_options",
            "conditioning",
        ),
        (
            {"dataset": "mnist", "arch": "mlp", "discriminator_options": {"conditioning": "concat"}},
            "discriminator_options",
            "conditioning",
        ),
        ({"dataset": "mnist", "depth": 2}, "depth", "depth"),
        ({"dataset": "mnist", "activation": "relu"}, "activation", "activation"),
        ({"dataset": "ring", "pack": 2}, "pack", "pack"),
        ({"dataset": "ring", "tanh_output": True}, "tanh_output", "tanh_output"),
        ({"dataset": "ring", "width": 8, "discriminator_options": {"width": 16}}, "discriminator_options", "width"),
    ],
)
def test_network_options_the_chosen_architecture_does_not_take_are_refused_by_name(kwargs, name, offending):
    with pytest.raises(ValueError, match=f"^{name}=") as info:
        make_trainer(device="cpu", **kwargs)
    assert _raised_by_ganlib(info.value) and offending in str(info.value)


def test_discriminator_options_reach_the_discriminator_alone():
    plain = make_trainer("ring", device="cpu", width=8)
    trainer = make_trainer("ring", device="cpu", width=8, discriminator_options={"depth": 2, "pack": 2})

    def shapes(net: torch.nn.Module) -> list[tuple[int, ...]]:
        return [tuple(p.shape) for p in net.parameters()]

    assert shapes(trainer.G) == shapes(plain.G)
    assert len(shapes(trainer.D)) == len(shapes(plain.D)) - 2  # one layer (weight and bias) fewer
    assert shapes(trainer.D)[0][1] == 2 * shapes(plain.D)[0][1]  # two samples per score: twice the inputs


@pytest.mark.parametrize("steps", [-1, 2.5, "10"])
def test_bad_step_count_is_refused(steps):
    with pytest.raises(ValueError, match="^steps="):
        _ring_trainer().run(steps)


GOOD_NUMBERS = st.one_of(
    st.tuples(st.sampled_from(["lr_g", "lr_d"]), st.floats(1e-6, 9.0)),
    st.tuples(st.sampled_from(["k", "batch_size", "log_every"]), st.integers(1, 1000)),
    st.tuples(st.just("gp_weight"), st.floats(0.0, 100.0)),
    st.tuples(st.just("seed"), st.integers(0, 2**31 - 1025)),
    st.tuples(st.just("ema_decay"), st.floats(0.0, 0.999)),
    st.tuples(st.just("mode_seeking"), st.floats(0.0, 10.0)),
)
NUMPY_TYPES = {float: (np.float64, np.float32), int: (np.int64, np.int32, np.uint16)}


@settings(max_examples=100, deadline=None)
@given(GOOD_NUMBERS, st.integers(0, 2))
def test_numpy_scalars_are_accepted_as_the_python_numbers_they_hold(field_and_value, which):
    name, value = field_and_value
    numpy_type = NUMPY_TYPES[type(value)][which % len(NUMPY_TYPES[type(value)])]
    if numpy_type is np.uint16 and value > 65535:
        return
    config = TrainConfig(**{name: numpy_type(value)})
    stored = getattr(config, name)
    assert type(stored) is type(value) and stored == pytest.approx(float(numpy_type(value)))


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        [
            "lr_g",
            "lr_d",
            "k",
            "batch_size",
            "log_every",
            "gp_weight",
            "seed",
            "unroll_steps",
            "ema_decay",
            "mode_seeking",
        ]
    ),
    st.sampled_from([True, False, np.bool_(True), math.inf, -math.inf, 10**12, np.float64("nan")]),
)
def test_booleans_infinities_and_huge_values_are_refused_by_name(name, value):
    if name in ("gp_weight", "mode_seeking") and value == 10**12:
        return  # a large weight is allowed
    with pytest.raises(ValueError, match=f"^{name}="):
        TrainConfig(**{name: value})


@pytest.mark.parametrize("name", ["width", "depth", "z_dim"])
@pytest.mark.parametrize("value", [True, 0, -1, 2.0, np.float64("nan"), 10**9])
def test_network_sizes_must_be_sensible_ints(name, value):
    with pytest.raises(ValueError, match=f"^{name}="):
        make_trainer("ring", device="cpu", **{name: value})


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: ganlib.ring(n_modes=True), "n_modes"),
        (lambda: ganlib.grid(side=np.float64(5)), "side"),
        (lambda: ganlib.mixture_1d(std=math.nan), "std"),
        (lambda: ganlib.load_mnist("test", device="tpu"), "device"),
        (lambda: ganlib.seed_everything(-1), "seed"),
        (lambda: ganlib.MLPDiscriminator(in_shape=(0,)), "in_shape"),
        (lambda: E.mode_coverage(torch.full((4, 2), math.nan), ganlib.ring()), "samples"),
        (lambda: E.calibration(torch.tensor([math.nan]), torch.tensor([1.0])), "probability"),
        (lambda: P.plot_image_grid(torch.zeros(4, 1, 28, 28), nrow=0), "nrow"),
        (lambda: P.plot_training(None), "history"),
        (lambda: P.plot_mode_coverage(None), "coverage"),
        (lambda: P.plot_class_histogram(None), "report"),
        (lambda: P.plot_samples(torch.zeros(3), ganlib.ring()), "samples"),
        (lambda: _ring_trainer().save("/tmp"), "path"),
        (lambda: _ring_trainer().save(None), "path"),
        (lambda: _ring_trainer().run(1, callbacks=[1]), "callbacks"),
    ],
)
def test_relatives_of_the_reported_defects_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name}=") as info:
        call()
    assert _raised_by_ganlib(info.value)
