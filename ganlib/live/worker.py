"""The dashboard's threads: the training thread, the one that changes the trainer, and the frame thread.

Buttons that rebuild or step the trainer are queued to the training thread as commands and run in order,
between two chunks of training; while playing with no command waiting, it trains one chunk (`advance`). The
kernel's own thread stays free to receive slider changes, which `Trainer.update` applies at the next step.
The frame thread (`FrameThread`) asks for frames between two steps while the training thread trains on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class TrainingThread:
    """Runs queued commands and, while playing, `advance()` chunk after chunk, in a daemon thread started on demand.

    An exception in either goes to `on_error(err)` (shown to the reader instead of dying silently with the
    thread); the thread then goes on with the next command, so `on_error` pauses it to stop training.
    """

    def __init__(self, advance: Callable[[], None], on_error: Callable[[Exception], None]) -> None:
        self._advance, self._on_error = advance, on_error
        self._commands: queue.Queue[Callable[[], None]] = queue.Queue()
        self._playing = threading.Event()
        self._closing = threading.Event()
        self.thread: threading.Thread | None = None  # None until the first play or command

    @property
    def playing(self) -> bool:
        return self._playing.is_set()

    def play(self) -> None:
        self._playing.set()
        self._ensure_thread()

    def pause(self) -> None:
        """Start no further chunk; the chunk under way ends when its trainer is stopped."""
        self._playing.clear()

    def submit(self, command: Callable[[], None]) -> None:
        """Run `command` in the training thread, after the chunk under way."""
        self._commands.put(command)
        self._ensure_thread()

    def finish_commands(self) -> None:
        """Wait until every command submitted so far has run (a notebook's code that must see their effect)."""
        if threading.current_thread() is not self.thread:
            self._commands.join()

    def close(self, timeout: float) -> None:
        """End the thread after what it is doing now; wait for it at most `timeout` seconds."""
        self._closing.set()
        self._playing.clear()
        if self.thread is not None:
            self.thread.join(timeout)

    def _ensure_thread(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self._closing.clear()
            self.thread = threading.Thread(target=self._loop, name="ganlib-live", daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        while not self._closing.is_set():
            command = self._next_command()
            try:
                if command is not None:
                    command()
                elif self.playing:
                    self._advance()
            except Exception as err:  # noqa: BLE001 -- shown to the reader instead of dying silently in a thread
                self._on_error(err)
            finally:
                if command is not None:
                    self._commands.task_done()

    def _next_command(self) -> Callable[[], None] | None:
        """A queued button press; while paused, wait a little for one instead of spinning."""
        try:
            return self._commands.get_nowait() if self.playing else self._commands.get(timeout=0.1)
        except queue.Empty:
            return None


class FrameThread:
    """Keeps frames coming while the training thread trains without a break: while `active()`, it shows what
    `collect()` finds ready and, whenever `until_due()` says a frame is due, calls `request()`.

    Its own work is small (copying weights, sending a picture): the frame's numbers are computed in the frame
    process (ganlib.live.capture). It polls every POLL_SECONDS, and idles while not active.
    """

    POLL_SECONDS = 0.01  # how soon a finished frame is shown; 100 cheap wake-ups a second while playing
    IDLE_SECONDS = 0.1

    def __init__(
        self,
        active: Callable[[], bool],
        until_due: Callable[[], float],
        request: Callable[[], None],
        collect: Callable[[], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self._active, self._until_due, self._request, self._collect = active, until_due, request, collect
        self._on_error = on_error
        self._closing = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self._closing.clear()
            self.thread = threading.Thread(target=self._loop, name="ganlib-live-frames", daemon=True)
            self.thread.start()

    def close(self, timeout: float) -> None:
        self._closing.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _loop(self) -> None:
        while not self._closing.is_set():
            if not self._active():
                self._closing.wait(self.IDLE_SECONDS)
                continue
            try:
                self._collect()
                wait = self._until_due()
                if wait <= 0:
                    self._request()
                    wait = self._until_due()
            except Exception as err:  # noqa: BLE001 -- shown to the reader instead of dying silently in a thread
                self._on_error(err)
                wait = self.IDLE_SECONDS
            self._closing.wait(min(max(wait, 0.0), self.POLL_SECONDS))
