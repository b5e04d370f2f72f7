"""The live view's frame pacer on a fake clock: when a frame is due, and where a chunk of training ends."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import ganlib.live.pacing as pacing
from ganlib.live.pacing import EARLY_SHARE, EARLY_STEPS, FramePacer


@pytest.fixture
def clock(monkeypatch):
    """The pacer's clock, set by the test: [seconds]."""
    now = [100.0]
    monkeypatch.setattr(pacing, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    return now


def pacer_at_100_steps_per_second(clock) -> FramePacer:
    """A frame every 0.1 s (the fps limit binds: frames cost nothing), 100 steps/s, the last frame at t = 100."""
    pacer = FramePacer(max_fps=10, render_budget=1.0)
    pacer.trained(100, 1.0)
    pacer.framed(0.0)
    return pacer


def test_a_frame_is_taken_when_due_or_due_within_early_steps(clock):
    pacer = pacer_at_100_steps_per_second(clock)
    clock[0] = 100.1 - (EARLY_STEPS + 1) / 100  # one step more than EARLY_STEPS still to go
    assert not pacer.due()
    clock[0] = 100.1 - (EARLY_STEPS - 0.5) / 100
    assert pacer.due()
    clock[0] = 100.2  # late
    assert pacer.due()


def test_slow_steps_take_a_frame_early_by_at_most_a_share_of_the_interval(clock):
    pacer = pacer_at_100_steps_per_second(clock)
    pacer.trained(4, 1.0)  # 4 steps/s: two steps would be half a second, five times the interval
    clock[0] = 100.1 - 1.5 * EARLY_SHARE * 0.1
    assert not pacer.due()
    clock[0] = 100.1 - 0.5 * EARLY_SHARE * 0.1
    assert pacer.due()


def test_a_chunk_ends_on_the_trainers_next_sync_when_that_is_within_early_steps(clock):
    pacer = pacer_at_100_steps_per_second(clock)  # the frame is 10 steps away
    assert pacer.chunk(20) == 10
    assert pacer.chunk(20, step=10, sync_every=10) == 10  # already aligned
    assert pacer.chunk(20, step=12, sync_every=10) == 8  # ends at step 20, 2 early, where the trainer syncs anyway
    assert pacer.chunk(20, step=19, sync_every=10) == 11  # ends at step 30, 1 late
    assert pacer.chunk(20, step=14, sync_every=10) == 10  # the nearest sync is 4 steps off: not moved
    assert pacer.chunk(20, step=0, sync_every=50) == 10  # syncs far apart (MNIST): not moved
    assert pacer.chunk(9, step=19, sync_every=10) == 9  # never more than `most`
    clock[0] = 100.2  # the frame is overdue: one step, then the frame
    assert pacer.chunk(20, step=5, sync_every=10) == 1


def test_frames_are_paced_from_start_to_start_so_max_fps_is_the_frame_rate(clock):
    pacer = FramePacer(max_fps=10, render_budget=1.0)
    clock[0] = 100.05
    pacer.framed(0.05)  # a frame of 50 ms that started at t = 100
    assert pacer.until_frame() == pytest.approx(0.05)  # the next starts at 100.1, 0.1 s after this one started


def test_slow_frames_start_at_most_their_budget_apart(clock):
    pacer = FramePacer(max_fps=100, render_budget=0.25)
    clock[0] = 100.1
    pacer.framed(0.1)  # a frame of 0.1 s at a quarter of the time: one start every 0.4 s
    assert pacer.interval() == pytest.approx(0.4)
    assert pacer.until_frame() == pytest.approx(0.3)


def test_slow_steps_move_no_chunk_end_to_a_sync(clock):
    pacer = FramePacer(max_fps=10, render_budget=1.0)
    pacer.trained(40, 1.0)  # 40 steps/s: two steps would move the frame by half its interval
    pacer.framed(0.0)
    assert pacer.chunk(20, step=16, sync_every=10) == 4  # the frame is 4 steps away; the sync at 20 is 0 steps off
    assert pacer.chunk(20, step=17, sync_every=10) == 4  # the sync at 20 is a step early: not moved
    assert pacer.chunk(20, step=15, sync_every=10) == 4  # ... or a step late: not moved
