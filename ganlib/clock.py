"""A chapter's clock: the wall time a reader should expect, said at the top, and what the run took, at the bottom.

Why: a reader deciding whether to run a chapter needs its cost before the first cell trains, and the promise
must be one a quiet 2-core CPU keeps. The expected range is measured (the executed copies record each full
run's wall time), not guessed.
"""

from __future__ import annotations

import time

from ganlib.checks import as_float, require

REFERENCE_MACHINE = "a quiet 2-core CPU"


class ChapterClock:
    """Started when made; `expected()` and `finished()` are the sentences printed at a chapter's top and bottom."""

    def __init__(self, expected_minutes: tuple[float, float], full: bool) -> None:
        require(
            isinstance(expected_minutes, tuple | list) and len(expected_minutes) == 2,
            "expected_minutes",
            expected_minutes,
            "a (low, high) pair of minutes",
        )
        low = as_float(expected_minutes[0], "expected_minutes[0]", "minutes > 0", 1e-3)
        high = as_float(expected_minutes[1], "expected_minutes[1]", f"minutes >= expected_minutes[0]={low}", low)
        require(isinstance(full, bool), "full", full, "True (full settings) or False (smoke settings)")
        self.expected_minutes, self.full = (low, high), full
        self._start = time.perf_counter()

    def elapsed_seconds(self) -> float:
        """Seconds since the clock was made."""
        return time.perf_counter() - self._start

    def _range(self) -> str:
        low, high = self.expected_minutes
        return f"{low:g} to {high:g} minutes" if low != high else f"{low:g} minutes"

    def expected(self) -> str:
        """What this run should take: the full-settings range, or that smoke settings take seconds."""
        settings = "full settings" if self.full else "smoke settings (CI): seconds; at full settings"
        return f"expected wall time: {settings} {self._range()} on {REFERENCE_MACHINE}"

    def finished(self) -> str:
        """What the run took, beside what was expected of it."""
        minutes = self.elapsed_seconds() / 60
        said = f"this notebook ran in {minutes:.1f} minutes ({self.elapsed_seconds():.0f} s)"
        if not self.full:
            return f"{said} at smoke settings; full settings take {self._range()}"
        low, high = self.expected_minutes
        verdict = "within" if minutes <= high else "over"
        return f"{said}: {verdict} the expected {self._range()} on {REFERENCE_MACHINE}"
