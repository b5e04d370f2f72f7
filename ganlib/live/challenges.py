"""Live challenges: goals a reader reaches by playing a dashboard, checked from what the run recorded.

Each check is a pure function of the dashboard's record: the trainer's `History` of recent steps and the modes
covered as the frames measured them, `(step, covered, of how many)` each time the count changed. It reads,
never trains, and says how close the reader got ("best so far: 5 of 8 modes"), so a reader who has not made
it yet knows what to try next. The dashboard keeps each challenge's best so far (`keep_best`), because its
history keeps only the last few thousand steps. `LiveChallenge` gives each the exercises' check, hints and solution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ganlib.checks import require
from ganlib.exercises.code import is_stub
from ganlib.exercises.core import CORRECT, INCORRECT, NOT_ATTEMPTED, Exercise, Verdict
from ganlib.history import History

WIN_STEPS, WIN_ACCURACY = 200, 0.99  # D wins outright: accuracy at least 99% over 200 steps in a row
SPREAD_AT_LEAST, COLLAPSED_AT_MOST = 6, 2  # of 8 modes: G first spreads, then collapses, then covers all again
# the game oscillates: G's loss, averaged over SMOOTH steps, swings by at least SWING (nats, for the cross-entropy
# losses), up and down, at least SWINGS times within OSCILLATION_STEPS steps. On the ring at lr 1e-3, k = 1 the best
# 1,000 steps of seeds 0, 1, 2 held 1, 0 and 0 such swings in 1,500 steps; with k = 5 and lr D 3e-3, 11
SMOOTH, SWING, SWINGS, OSCILLATION_STEPS = 25, 1.0, 4, 1000


@dataclass(frozen=True)
class Progress:
    """How far a challenge got: `score` in [0, 1] (1: done) orders attempts; `text` says it in words."""

    score: float
    text: str
    attempted: bool = True  # False when there is nothing to judge yet (no step trained, no mode counted)

    @property
    def done(self) -> bool:
        return self.score >= 1.0


def d_wins_outright(history: History, window: int = WIN_STEPS, target: float = WIN_ACCURACY) -> Progress:
    """D's accuracy (real and fake together) at least `target` over `window` steps in a row."""
    if not len(history):
        return Progress(0.0, "no step trained yet", attempted=False)
    accuracy = (np.asarray(history["acc_real"]) + np.asarray(history["acc_fake"])) / 2
    if len(accuracy) < window:
        best = float(accuracy.mean())
        return Progress(min(best / target, 0.99), f"best so far: {best:.1%} over only {len(accuracy)} steps "
                        f"(the goal: {target:.0%} over {window} steps in a row)")  # fmt: skip
    best = float(np.convolve(accuracy, np.ones(window) / window, mode="valid").max())
    if best >= target:
        return Progress(1.0, f"D's accuracy reached {best:.1%} over {window} steps in a row: D wins outright")
    return Progress(best / target, f"best so far: {best:.1%} over {window} steps (the goal: {target:.0%})")


def collapse_and_recover(
    coverage: Sequence[tuple[int, int, int]], spread: int = SPREAD_AT_LEAST, collapsed: int = COLLAPSED_AT_MOST
) -> Progress:
    """G covers at least `spread` modes, falls to `collapsed` or fewer, then covers them all, in one run (no reset).

    `coverage`: (step, modes covered, of how many) in order, since the last reset."""
    if not coverage:
        return Progress(0.0, "no modes counted yet", attempted=False)
    n_modes = coverage[-1][2]
    stage, best, at = 0, 0, None  # 0: spreading, 1: collapsing (best = fewest), 2: recovering (best = most)
    for step, covered, _ in coverage:
        if stage == 0:
            best = max(best, covered)
            if covered >= spread:
                stage, best, at = 1, covered, (step, covered)
        elif stage == 1:
            best = min(best, covered)
            if covered <= collapsed:
                stage, best, at = 2, covered, (step, covered)
        else:
            best = max(best, covered)
            if covered >= n_modes:
                return Progress(1.0, f"collapsed to {at[1]} of {n_modes} modes at step {at[0]}, and back to all "
                                f"{n_modes} at step {step}, without a reset")  # fmt: skip
    if stage == 0:
        return Progress(best / spread / 3, f"best so far: {best} of {n_modes} modes; first let G spread over at "
                        f"least {spread}, then collapse it to {collapsed} or fewer")  # fmt: skip
    if stage == 1:
        fall = (at[1] - best) / max(at[1] - collapsed, 1)
        return Progress((1 + fall) / 3, f"G covered {at[1]} of {n_modes} modes at step {at[0]}; the fewest since: "
                        f"{best} (the goal: {collapsed} or fewer, then back to all {n_modes})")  # fmt: skip
    rise = (best - at[1]) / max(n_modes - at[1], 1)
    return Progress(min((2 + rise) / 3, 0.99), f"collapsed to {at[1]} of {n_modes} modes at step {at[0]}; best "
                    f"so far since: {best} of {n_modes} modes (the goal: all {n_modes}, without a reset)")  # fmt: skip


def oscillation_swings(values: Sequence[float], smooth: int = SMOOTH, swing: float = SWING) -> list[int]:
    """The indices at which `values` (G's loss), averaged over `smooth` steps, have turned after moving by at least
    `swing` from their last extreme: each is half a cycle of the game (a swing up or a swing down)."""
    values = np.asarray(values, dtype=float)
    if len(values) < smooth:
        return []
    values = np.convolve(values, np.ones(smooth) / smooth, mode="valid")
    turns, direction, high, low = [], 0, values[0], values[0]
    for i, value in enumerate(values):
        high, low = max(high, value), min(low, value)
        if direction >= 0 and high - value >= swing:  # fell by a swing from its high
            turns.append(i + smooth - 1)
            direction, low = -1, value
        elif direction <= 0 and value - low >= swing:  # rose by a swing from its low
            turns.append(i + smooth - 1)
            direction, high = 1, value
    return turns


def oscillates(history: History, swings: int = SWINGS, within: int = OSCILLATION_STEPS) -> Progress:
    """G's loss swings up and down by at least SWING, `swings` times within `within` steps: G escapes, D catches
    up, again and again; the players chase each other round a cycle instead of settling."""
    if not len(history):
        return Progress(0.0, "no step trained yet", attempted=False)
    steps = np.asarray(history.steps)[oscillation_swings(history["loss_g"])]
    best = max((int(np.searchsorted(steps, s + within, side="right")) - i for i, s in enumerate(steps)), default=0)
    if best >= swings:
        return Progress(1.0, f"G's loss swung {best} times by more than {SWING:g} nat within {within} steps: the "
                        "game oscillates")  # fmt: skip
    return Progress(best / swings, f"best so far: {best} of {swings} swings of G's loss by more than {SWING:g} nat "
                    f"within {within} steps")  # fmt: skip


CHALLENGES = ("d_wins", "collapse", "oscillate")


def evaluate(history: History, coverage: Sequence[tuple[int, int, int]]) -> dict[str, Progress]:
    """Every challenge's progress on this record."""
    return {
        "d_wins": d_wins_outright(history),
        "collapse": collapse_and_recover(coverage),
        "oscillate": oscillates(history),
    }


def keep_best(best: dict[str, Progress], now: dict[str, Progress]) -> dict[str, Progress]:
    """Each challenge's better progress of `best` (so far) and `now`."""
    return {name: now[name] if name not in best or now[name].score >= best[name].score else best[name] for name in now}


class LiveChallenge(Exercise):
    """A goal the reader reaches by playing a dashboard, in the exercises' form (ganlib.exercises): `check(board)`
    reads the dashboard's record and says correct, not yet (with the best so far), or not attempted; it never
    trains. `name` is the challenge's key in `evaluate`."""

    def __init__(self, title: str, name: str, hints: tuple[str, ...], solution: str, reason: str) -> None:
        require(name in CHALLENGES, "name", name, f"one of {CHALLENGES}")
        super().__init__(title, hints, solution, reason)
        self.name = name

    def check(self, board: Any) -> Verdict:
        """The verdict on `board` (a ganlib.live.Dashboard), from its record alone."""
        if is_stub(board):
            return self._deliver(NOT_ATTEMPTED, "set `board` to the dashboard you played (ring, strong_d, ...), "
                                 "then run the cell again")  # fmt: skip
        if not callable(getattr(board, "challenges", None)):
            return self._deliver(INCORRECT, f"`board` is a {type(board).__name__}: pass a dashboard (ring, ...)")
        progress = board.challenges()[self.name]
        if progress.done:
            return self._deliver(CORRECT, progress.text)
        if not progress.attempted:
            return self._deliver(NOT_ATTEMPTED, f"{progress.text}: press play on that dashboard first")
        return self._deliver(INCORRECT, f"not yet: {progress.text}")
