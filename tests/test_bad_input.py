"""Every public entry point refuses bad input with a ValueError that names the parameter, before torch sees it."""

import math
import traceback

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganlib import TrainConfig
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


@pytest.mark.parametrize("steps", [-1, 2.5, "10"])
def test_bad_step_count_is_refused(steps):
    with pytest.raises(ValueError, match="^steps="):
        _ring_trainer().run(steps)
