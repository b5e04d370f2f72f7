"""The live challenges, checked on crafted records: one that passes, near misses that do not, an empty one.

Each check reads a History (and the modes covered as the frames counted them) and says how close the reader got;
as an exercise (`LiveChallenge`) it says correct, not yet with the best so far, or not attempted.
"""

from __future__ import annotations

import numpy as np
import pytest

from ganlib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from ganlib.history import History
from ganlib.live.challenges import (
    LiveChallenge,
    Progress,
    collapse_and_recover,
    d_wins_outright,
    evaluate,
    keep_best,
    oscillates,
    oscillation_swings,
)


def _history(acc: list[float] | None = None, loss_g: list[float] | None = None) -> History:
    """Rows whose D accuracy (on real and fake alike) and G's loss are given; the rest of a calm game."""
    n = len(acc if acc is not None else loss_g)
    history = History()
    for i in range(n):
        a = acc[i] if acc is not None else 0.8
        row = {"loss_d": 1.2, "d_real": 0.7, "d_fake": 0.3, "acc_real": a, "acc_fake": a}
        history.append(i + 1, {**row, "loss_g": loss_g[i] if loss_g is not None else 0.9})
    return history


def test_d_wins_outright_when_its_accuracy_holds_99_percent_over_200_steps_in_a_row():
    progress = d_wins_outright(_history([0.8] * 300 + [0.995] * 200 + [0.9] * 100))
    assert progress.done and "99.5%" in progress.text


@pytest.mark.parametrize(
    "acc, best",
    [
        ([0.8] * 300 + [0.995] * 150 + [0.9] * 100, "best so far: 97.1%"),  # a spell at 99.5%, but too short
        ([0.985] * 600, "best so far: 98.5%"),  # high, but under the bar all along
        ([1.0] * 150, "over only 150 steps"),  # perfect, but not yet 200 steps of it
    ],
)
def test_a_d_that_nearly_wins_is_told_how_close_it_got(acc, best):
    progress = d_wins_outright(_history(acc))
    assert not progress.done and progress.attempted and best in progress.text and 0 < progress.score < 1


def test_collapse_and_recover_needs_a_spread_then_a_collapse_then_all_modes_again():
    log = [(100, 3, 8), (400, 7, 8), (900, 4, 8), (1200, 1, 8), (1800, 5, 8), (2500, 8, 8)]
    progress = collapse_and_recover(log)
    assert progress.done and "collapsed to 1 of 8 modes at step 1200" in progress.text and "step 2500" in progress.text


@pytest.mark.parametrize(
    "log, said, stage",
    [
        ([(100, 3, 8), (300, 5, 8)], "best so far: 5 of 8 modes", 0),  # never spread
        ([(100, 7, 8), (500, 3, 8)], "the fewest since: 3", 1),  # spread, then fell, but not to 2
        ([(100, 7, 8), (500, 2, 8), (900, 7, 8)], "best so far since: 7 of 8 modes", 2),  # back to 7 of 8
        ([(50, 0, 8), (900, 8, 8)], "G covered 8 of 8 modes at step 900", 1),  # from 0 to 8 is a spread, no collapse
    ],
)
def test_a_near_miss_of_collapse_and_recover_says_how_far_it_got(log, said, stage):
    progress = collapse_and_recover(log)
    assert not progress.done and said in progress.text
    assert stage / 3 <= progress.score < (stage + 1) / 3


def test_a_collapse_never_counts_from_the_untrained_start():
    # an untrained G covers no mode: 0 of 8 then 8 of 8 is a run that spread, not one that collapsed and recovered
    assert collapse_and_recover([(10, 0, 8), (500, 8, 8)]).score == pytest.approx(1 / 3)


def test_swings_of_g_s_loss_are_counted_with_a_threshold_not_noise():
    steps = np.arange(1000)
    cycle = 2 + np.sin(2 * np.pi * steps / 250)  # swings of 2 nats, 8 half-cycles
    assert 6 <= len(oscillation_swings(cycle)) <= 8
    noise = 2 + 0.5 * np.random.default_rng(0).standard_normal(1000)  # noisy steps, calm on average
    assert oscillation_swings(noise) == []


def test_the_game_oscillates_when_g_s_loss_swings_four_times_within_1000_steps():
    steps = np.arange(1500)
    progress = oscillates(_history(loss_g=list(2 + np.sin(2 * np.pi * steps / 300))))
    assert progress.done and "the game oscillates" in progress.text


@pytest.mark.parametrize(
    "loss_g, best",
    [
        (2 + 0.3 * np.sin(2 * np.pi * np.arange(1500) / 300), "0 of 4"),  # cycles, but too small
        (2 + np.sin(2 * np.pi * np.arange(1500) / 1400), "2 of 4"),  # large, but too slow
        (np.r_[np.full(700, 1.0), np.full(800, 3.0)], "1 of 4"),  # one jump, no cycle
    ],
)
def test_a_game_that_does_not_quite_oscillate_is_told_how_many_swings_it_made(loss_g, best):
    progress = oscillates(_history(loss_g=list(loss_g)))
    assert not progress.done and f"best so far: {best} swings" in progress.text


def test_an_empty_record_is_not_attempted_and_raises_nothing():
    for progress in evaluate(History(), []).values():
        assert not progress.attempted and not progress.done and progress.score == 0


def test_the_best_so_far_is_kept_when_a_later_record_does_worse():
    best = {"d_wins": Progress(0.9, "best so far: 89%")}
    now = {"d_wins": Progress(0.5, "best so far: 50%"), "oscillate": Progress(0.25, "1 of 4")}
    kept = keep_best(best, now)
    assert kept["d_wins"].text == "best so far: 89%" and kept["oscillate"].score == 0.25
    assert keep_best(kept, {"d_wins": Progress(1.0, "done")})["d_wins"].done


class _Board:
    """What a LiveChallenge reads of a dashboard: its challenges' progress."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def challenges(self) -> dict[str, Progress]:
        return {"d_wins": self.progress}


@pytest.mark.parametrize(
    "board, status, said",
    [
        (..., NOT_ATTEMPTED, "set `board` to the dashboard you played"),
        (None, NOT_ATTEMPTED, "set `board`"),
        ("ring", INCORRECT, "pass a dashboard"),
        (_Board(Progress(0.0, "no step trained yet", attempted=False)), NOT_ATTEMPTED, "press play"),
        (_Board(Progress(0.9, "best so far: 89.1% over 200 steps")), INCORRECT, "not yet: best so far: 89.1%"),
        (_Board(Progress(1.0, "D wins outright")), CORRECT, "D wins outright"),
    ],
)
def test_a_live_challenge_says_correct_not_yet_with_the_best_so_far_or_not_attempted(board, status, said):
    challenge = LiveChallenge("Challenge", "d_wins", hints=("a hint",), solution="board = ring", reason="why")
    verdict = challenge.check(board)
    assert verdict.status == status and said in verdict.text


def test_a_live_challenge_names_a_challenge_the_record_has():
    with pytest.raises(ValueError, match="^name="):
        LiveChallenge("Challenge", "win", hints=("a hint",), solution="", reason="")
