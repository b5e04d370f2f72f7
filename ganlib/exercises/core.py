"""What every exercise shares: a Verdict, hints revealed one at a time, a solution with its reason.

The shape follows Kaggle Learn's learntools (check / hint / solution, "not attempted") and Neuromatch Academy's
stubs. Two promises hold for every exercise: a check never raises on a reader's answer (Run All always finishes,
a wrong or skipped answer never breaks the chapter), and a check never prints the reference answer.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from IPython.display import display

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
STATUSES = (CORRECT, INCORRECT, NOT_ATTEMPTED)
COLOURS = {CORRECT: "#2e7d32", INCORRECT: "#c62828", NOT_ATTEMPTED: "#757575", "note": "#1565c0"}
_expected: str | None = None  # set only by CI's copies of the notebooks, through expect_verdicts


class Mistake(Exception):
    """Raised inside a check: the reader's answer is wrong, and the message says how, in plain words."""


class NotAttempted(Exception):
    """Raised inside a check: the answer is still the stub (None, `...`, or NotImplementedError)."""


class VerdictNotExpected(AssertionError):
    """A CI copy of a notebook expected every check to say one thing (e.g. correct) and one said another."""


def expect_verdicts(status: str | None) -> None:
    """From now on, a check whose verdict is not `status` raises VerdictNotExpected (None: never).

    Only CI's copies call it: the copy answered with the solutions expects "correct", the untouched copy
    "not attempted", so a broken solution or a stub the checks do not recognise fails the run.
    """
    global _expected
    if status is not None and status not in STATUSES:
        raise ValueError(f"status={status!r} is not accepted: expected None or one of {STATUSES}")
    _expected = status


def _inline_html(text: str) -> str:
    """Escape `text`, then show `code` in backticks as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


@dataclass
class Note:
    """A message a cell shows once, even when `display(note)` is followed by `note` as the cell's last line."""

    heading: str
    text: str
    kind: str = "note"  # its colour: "note", or a verdict's status
    code: str = ""
    _shown: bool = field(default=False, init=False, repr=False, compare=False)

    def __str__(self) -> str:
        return "\n\n".join(part for part in (f"{self.heading}: {self.text}".rstrip(": "), self.code) if part)

    def _ipython_display_(self) -> None:
        if self._shown:
            return
        self._shown = True
        colour = COLOURS[self.kind]
        code = f"<pre><code>{html.escape(self.code)}</code></pre>" if self.code else ""
        page = (
            f'<div class="ganlib-exercise" data-kind="{self.kind}" '
            f'style="border-left: 4px solid {colour}; padding: 0.3em 0.8em">'
            f'<b style="color: {colour}">{html.escape(self.heading)}</b> {_inline_html(self.text)}{code}</div>'
        )
        display({"text/plain": str(self), "text/html": page}, raw=True)


class Verdict(Note):
    """What a check found: its `status` (its kind) is correct, incorrect or not attempted; `text` says why."""

    @property
    def status(self) -> str:
        return self.kind

    @property
    def correct(self) -> bool:
        return self.status == CORRECT


class Exercise:
    """An exercise's title, its hints (revealed one at a time) and its solution (code and the reason it is right)."""

    def __init__(self, title: str, hints: tuple[str, ...], solution: str, reason: str) -> None:
        if not hints:
            raise ValueError(f"hints={hints!r} is not accepted: expected at least one hint")
        self.title, self.hints, self.solution_code, self.reason = title, tuple(hints), solution.strip(), reason
        self._hints_seen = 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.title!r}>"

    def hint(self, n: int | None = None) -> Note:
        """The next hint (or hint `n`, counted from 1); each is a little more specific than the one before."""
        if n is None:
            n = min(self._hints_seen + 1, len(self.hints))
        if not (isinstance(n, int) and 1 <= n <= len(self.hints)):
            note = Note("Hint", f"this exercise has hints 1 to {len(self.hints)}; hint({n!r}) is not one")
        else:
            self._hints_seen = max(self._hints_seen, n)
            more = " (the last one: `solution()` shows the answer)" if n == len(self.hints) else ""
            note = Note(f"Hint {n} of {len(self.hints)}{more}", self.hints[n - 1])
        display(note)
        return note

    def solution(self) -> Note:
        """The reference answer as code, with the reason it is right."""
        note = Note(f"Solution of {self.title}", self.reason, code=self.solution_code)
        display(note)
        return note

    def _deliver(self, status: str, text: str) -> Verdict:
        """Show the verdict; in CI's copies, fail the run if it is not the one expected."""
        verdict = Verdict(f"{status.capitalize()} ({self.title})", text, kind=status)
        display(verdict)
        if _expected is not None and status != _expected:
            raise VerdictNotExpected(f"{self.title}: expected {_expected!r}, the check said {status!r}: {text}")
        return verdict
