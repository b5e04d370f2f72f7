import re

import numpy as np
import pytest

from ganlib.clock import ChapterClock


def test_expected_names_the_full_settings_range_and_the_machine():
    assert ChapterClock((7, 10), full=True).expected() == (
        "expected wall time: full settings 7 to 10 minutes on a quiet 2-core CPU"
    )


def test_smoke_run_says_seconds_and_still_gives_the_full_range():
    clock = ChapterClock((7, 10), full=False)
    assert "smoke settings" in clock.expected() and "7 to 10 minutes" in clock.expected()
    assert "full settings take 7 to 10 minutes" in clock.finished()


def test_finished_says_over_when_the_run_took_longer_than_promised(monkeypatch):
    clock = ChapterClock((1, 2), full=True)
    monkeypatch.setattr(clock, "elapsed_seconds", lambda: 150.0)
    assert "over the expected 1 to 2 minutes" in clock.finished()
    monkeypatch.setattr(clock, "elapsed_seconds", lambda: 90.0)
    assert "within the expected 1 to 2 minutes" in clock.finished()


def test_numpy_minutes_are_numbers():
    assert ChapterClock((np.float64(1), np.int64(3)), full=True).expected_minutes == (1.0, 3.0)


@pytest.mark.parametrize(
    ("expected", "full", "named"),
    [
        ((3, 1), True, "expected_minutes[1]"),
        ((0, 1), True, "expected_minutes[0]"),
        (5, True, "expected_minutes"),
        ((True, 2), True, "expected_minutes[0]"),
        ((1, 2), "yes", "full"),
        ((1, 2), 1, "full"),
    ],
)
def test_bad_settings_are_refused_by_name(expected, full, named):
    with pytest.raises(ValueError, match="^" + re.escape(named) + "="):
        ChapterClock(expected, full)
