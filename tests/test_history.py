"""A History is built by name: rows cannot be mislabelled, steps only move forward, and trimming keeps what it says."""

import math

import pytest

from ganlib import STATS, History, TrainConfig, make_trainer


def _row(value):
    return dict.fromkeys(STATS, value)


def test_a_row_is_stored_under_the_names_it_was_given_whatever_their_order():
    history = History()
    history.append(1, {"loss_g": 2.0, "loss_d": 1.0})
    assert history["loss_d"] == [1.0] and history["loss_g"] == [2.0]
    assert math.isnan(history["grad_norm_g"][0])  # not measured
    assert all(len(history[name]) == len(history) == 1 for name in STATS)


def test_an_unknown_name_or_a_step_that_does_not_move_forward_is_refused():
    history = History()
    history.append(5, _row(0.0))
    with pytest.raises(ValueError, match="^stats="):
        history.append(6, {"loss": 1.0})
    with pytest.raises(ValueError, match="^step=5"):
        history.append(5, _row(0.0))
    assert history.steps == [5]


def test_truncate_keeps_the_first_rows_and_keep_last_the_last():
    history = History()
    for step in range(1, 11):
        history.append(step, _row(float(step)))
    history.record_change(3, "k", 1, 2)
    history.record_change(8, "k", 2, 3)
    history.keep_last(6)
    assert history.steps == list(range(5, 11)) and history["loss_d"] == [float(s) for s in range(5, 11)]
    assert len(history.changes) == 2  # changes are all kept
    history.truncate(2, changes=1)
    assert history.steps == [5, 6] and history["acc_fake"] == [5.0, 6.0] and len(history.changes) == 1


def test_a_copy_does_not_grow_with_the_original():
    history = History()
    history.append(1, _row(1.0))
    copy = history.copy()
    history.append(2, _row(2.0))
    assert copy.steps == [1] and copy["loss_d"] == [1.0]


def test_the_trainer_records_every_stat_by_name_and_a_checkpoint_round_trip_keeps_them():
    trainer = make_trainer("ring", TrainConfig(batch_size=16, log_every=4, seed=0), device="cpu")
    row = trainer.train_step()
    assert set(row) == set(STATS)
    trainer.run(9)
    assert trainer.history.steps == list(range(1, 10))
    assert all(not math.isnan(v) for name in STATS for v in trainer.history[name])
    restored = History.from_state_dict(trainer.history.state_dict())
    assert restored.stats == trainer.history.stats and restored.steps == trainer.history.steps
