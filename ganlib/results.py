"""Chapter results: the few numbers each notebook saves so that the closing verdict (notebook 08) reads them.

A notebook saves under the name of its settings ("full" for a reader's run and `make notebooks`, "smoke" for
CI), so a CI run never overwrites what a reader's full run measured, and the verdict says which it read.
Files are JSON in `notebooks/executed/results/<settings>/<chapter>.json`, written atomically: the full runs' files
are committed beside the executed copies of the notebooks (`make notebooks`), the smoke runs' are ignored by git.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from ganlib.checkpoint import write_atomically
from ganlib.checks import require

RESULTS_ROOT = Path(__file__).resolve().parent.parent / "notebooks" / "executed" / "results"
SETTINGS = ("full", "smoke")


def _path(chapter: str, settings: str, root: Path) -> Path:
    require(isinstance(settings, str) and settings in SETTINGS, "settings", settings, f"one of {SETTINGS}")
    require(isinstance(chapter, str) and chapter.isidentifier(), "chapter", chapter, "a name such as 'cgan'")
    require(isinstance(root, str | os.PathLike), "root", root, "a folder path (str or pathlib.Path)")
    return Path(root) / settings / f"{chapter}.json"


def _plain(name: str, value: object) -> object:
    """Python numbers, strings, lists and dicts of them: what JSON keeps exactly (NaN and inf refused)."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        value = value.item()  # NumPy and torch scalars
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float):
        require(math.isfinite(value), f"result {name}", value, "a finite number")
        return value
    if isinstance(value, list | tuple):
        return [_plain(f"{name}[{i}]", v) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): _plain(f"{name}.{k}", v) for k, v in value.items()}
    raise ValueError(f"result {name}={value!r} is not accepted: expected a number, string, list or dict")


def save_results(chapter: str, results: dict[str, object], settings: str, root: Path = RESULTS_ROOT) -> Path:
    """Write one chapter's results (replacing the previous file atomically); returns the path."""
    require(isinstance(results, dict) and bool(results), "results", results, "a non-empty dict")
    path = _path(chapter, settings, root)
    payload = json.dumps({"chapter": chapter, "settings": settings, "results": _plain(chapter, results)}, indent=1)
    return write_atomically(path, lambda f: f.write(payload.encode()))


def load_results(chapter: str, settings: str, root: Path = RESULTS_ROOT) -> dict[str, object] | None:
    """One chapter's saved results, or None when that chapter has not been run with these settings."""
    path = _path(chapter, settings, root)
    if not path.exists():
        return None
    try:
        payload = json.loads(path.read_bytes().decode("utf-8"), parse_constant=_refuse_constant)
        ok = isinstance(payload, dict) and isinstance(payload.get("results"), dict)
        require(ok, "content", type(payload).__name__, "a JSON object whose 'results' is a dict")
        results = _plain(chapter, payload["results"])  # numbers beyond float64 read as inf: refused here
    except (OSError, ValueError) as error:  # a folder, a binary file (UnicodeDecodeError), bad JSON: ValueErrors
        raise ValueError(f"{path} is not a results file ({error}): run its notebook again") from None
    said = (payload.get("chapter"), payload.get("settings"))
    if said != (chapter, settings):
        raise ValueError(
            f"{path} holds the results of chapter {said[0]!r} with settings {said[1]!r}, not of {chapter!r} with "
            f"{settings!r}: a file copied or renamed? Run chapter {chapter!r}'s notebook again"
        )
    return results


def _refuse_constant(name: str) -> float:
    """json.loads reads NaN and Infinity, which save_results never writes: a file holding them was not written here."""
    raise ValueError(f"{name} is not a finite number")
