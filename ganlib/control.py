"""What other threads may do to a running trainer: queue a config change, pause, resume, stop.

The training thread asks `take_change` at the start of each step, so a change never lands mid-step;
`wait_while_paused` blocks between steps while paused. A reader can skip this module: it holds no maths.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ganlib.checks import require
from ganlib.config import TrainConfig


class RunControl:
    """A thread-safe mailbox for config changes plus pause and stop flags."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: TrainConfig | None = None
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._stop = threading.Event()

    def queue_change(self, current: TrainConfig, **changes: object) -> TrainConfig:
        """Validate `changes` on top of `current` (and of changes queued before) now; return the config to come."""
        require("seed" not in changes, "seed", changes.get("seed"), "no change after the trainer is built")
        with self._lock:
            self._pending = (self._pending or current).replace(**changes)
            return self._pending

    def take_change(self) -> TrainConfig | None:
        """The queued config, if any (the queue is then empty)."""
        with self._lock:
            pending, self._pending = self._pending, None
        return pending

    @property
    def pending(self) -> TrainConfig | None:
        """The queued config, left in the queue: a checkpoint keeps it, so that a resumed run applies it too."""
        with self._lock:
            return self._pending

    def replace_pending(self, config: TrainConfig | None) -> None:
        """Put `config` (or nothing) in the queue in place of what was there: a loaded checkpoint's own queue."""
        with self._lock:
            self._pending = config

    def pause(self) -> None:
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    def stop(self) -> None:
        """Ask a running loop to return after the current step (also when paused)."""
        self._stop.set()
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    def begin_run(self) -> None:
        """A new run starts: an old stop request no longer applies."""
        self._stop.clear()

    def should_stop(self) -> bool:
        """Wait while paused, then say whether a stop was asked for."""
        self._unpaused.wait()
        return self._stop.is_set()


class StepLock:
    """The trainer's lock: the training loop holds it one step at a time, and a call from another thread
    (save, sample, load, a history copy) waits for the current step to end, then goes before the next one.

    A plain lock would let the loop take it again at once, so a waiting call could starve; here the loop
    steps aside while a call waits. Re-entrant, so a callback inside a step may save or sample.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count = threading.Lock()
        self._waiting = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the trainer between two steps (any thread)."""
        with self._count:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._count:
                self._waiting -= 1
        try:
            yield
        finally:
            self._lock.release()

    @contextmanager
    def step(self) -> Iterator[None]:
        """Hold the trainer for one training step, after every waiting call has had its turn."""
        while self._waiting:
            time.sleep(0.0005)
        with self._lock:
            yield
