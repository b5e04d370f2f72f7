"""When the live view's next frame is due, and how many training steps fit before it.

Two limits: at most `max_fps` frames a second, and capturing and sending frames at most `render_budget` of
the time, so that a slow frame cannot eat the training. Training runs in chunks that end when the next
frame is due (a check after every step would cost a host sync per step, about a third of the speed).
"""

from __future__ import annotations

import math
import time

from ganlib.checks import is_number, require

EARLY_STEPS = 2  # a frame due within this many training steps is taken now, rather than after a chunk of them ...
EARLY_SHARE = 0.2  # ... and within this share of the interval between frames


class FramePacer:
    """Measures the training rate and the cost of a frame, and says when the next frame is due."""

    def __init__(self, max_fps: float, render_budget: float) -> None:
        require(is_number(max_fps) and 0 < max_fps < math.inf, "max_fps", max_fps, "a number > 0")
        require(
            is_number(render_budget) and 0 < render_budget <= 1,
            "render_budget",
            render_budget,
            "a share of the time in (0, 1]",
        )
        self.max_fps, self.render_budget = float(max_fps), float(render_budget)
        self.frame_seconds = 0.0  # moving average of the time one frame takes to capture and send
        self.steps_per_second = 0.0  # training rate over the last chunk
        self._frames = 0
        self._last_frame_at = -math.inf

    def interval(self) -> float:
        """Seconds from the start of one frame to the start of the next: the fps limit, or longer for slow frames
        (the budget). Counted from start to start, so that `max_fps` is the frame rate a fast machine gets; counted
        from the end of one frame, 30 frames/s of 5 ms each came 26 times a second."""
        return max(1 / self.max_fps, self.frame_seconds / self.render_budget)

    def until_frame(self) -> float:
        """Seconds until the next frame is due (<= 0: now)."""
        return self._last_frame_at + self.interval() - time.perf_counter()

    def due(self) -> bool:
        """Whether to take the next frame now: it is due, or due within EARLY_STEPS steps at the measured rate (and
        within EARLY_SHARE of the interval, for slow steps).

        The rate moves from chunk to chunk, so a chunk sized to end at the frame often ends a step or two short;
        training those steps as a chunk of their own costs a sync and a history update each (on the ring, 170
        such chunks for 246 frames)."""
        early = self._early_steps() / self.steps_per_second if self.steps_per_second > 0 else 0.0
        return self.until_frame() <= early

    def chunk(self, most: int, step: int = 0, sync_every: int = 1) -> int:
        """Steps to train before the next frame is due at the measured rate, between 1 and `most`; moved to end on a
        multiple of `sync_every` when the trainer is at `step`, if that is within EARLY_STEPS steps and EARLY_SHARE of
        the interval between frames: a chunk that ends between two of the trainer's syncs adds one of its own (chunks
        of 11 steps trained the ring 4% slower than chunks of 10), but moving a frame by two of MNIST's 22-ms steps cost
        it a quarter of its frames and made them uneven."""
        if self.steps_per_second <= 0:
            return most
        want = max(1, min(most, math.ceil(self.until_frame() * self.steps_per_second)))
        end = round((step + want) / sync_every) * sync_every
        return end - step if step < end <= step + most and abs(end - step - want) <= self._early_steps() else want

    def _early_steps(self) -> float:
        """How early a frame may come, in training steps: EARLY_STEPS, or fewer where they would be more than
        EARLY_SHARE of the interval between frames (the rule of both `due` and `chunk`)."""
        return min(EARLY_STEPS, EARLY_SHARE * self.interval() * self.steps_per_second)

    def trained(self, steps: int, seconds: float) -> None:
        """Record a chunk of training."""
        if steps > 0 and seconds > 0:
            self.steps_per_second = steps / seconds

    def framed(self, seconds: float) -> None:
        """Record a frame that took `seconds` to capture and send."""
        self._frames += 1
        self.frame_seconds = seconds if self._frames == 1 else 0.7 * self.frame_seconds + 0.3 * seconds
        self._last_frame_at = time.perf_counter() - seconds  # when it started

    def restart(self) -> None:
        """A new trainer: its rate is not known yet."""
        self.steps_per_second = 0.0
