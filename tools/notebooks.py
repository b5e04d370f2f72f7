"""Running the workbook's notebooks headlessly: full settings for `make notebooks`, smoke settings for CI.

Full runs write the executed copies that are committed (notebooks/executed/, see tools/executed.py); smoke runs
never do. Every executed copy records how it was made (commit, date, machine, wall time). Each notebook keeps its
smoke settings in its own metadata (`metadata.ganlib.smoke_parameters`), next to the tagged `parameters` cell
whose values are the full settings a reader gets. CI runs every notebook twice at smoke settings: untouched, where
every exercise must say "not attempted" (`execute`), and answered with the solutions kept in ganlib/exercises,
where every check must say "correct" (the copies nbval runs).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
import papermill
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ganlib.exercises import CORRECT, NOT_ATTEMPTED
from ganlib.exercises.notebook import expecting
from tools.executed import EXECUTED_DIR, add_run_record

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
SMOKE_DIR = Path(__file__).resolve().parent.parent / "build" / "smoke-run"


def notebook_paths() -> list[Path]:
    """The workbook's notebooks, in reading order: the chapters (00_, 01_, ...), then the appendices (A1_, ...)."""
    return sorted([*NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"), *NOTEBOOK_DIR.glob("A[0-9]_*.ipynb")])


def smoke_parameters(path: Path) -> dict[str, object]:
    """The few-steps settings CI uses for the notebook at `path`."""
    nb = nbformat.read(path, as_version=4)
    params = nb.metadata.get("ganlib", {}).get("smoke_parameters")
    if not isinstance(params, dict) or not params:
        raise ValueError(f"{path} has no metadata.ganlib.smoke_parameters: add the smoke settings CI should use")
    return dict(params)


def write_smoke_copies(out_dir: Path) -> list[Path]:
    """Copies of every notebook with the smoke settings injected after its parameters cell and every exercise
    answered with its solution, each check required to say correct (for nbval)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebook_paths():
        smoke = parameterize_notebook(load_notebook_node(str(path)), smoke_parameters(path))
        nb = expecting(smoke, CORRECT, solved=True)
        target = out_dir / path.name
        nbformat.write(nb, target)
        written.append(target)
    return written


def execute(path: Path, out_dir: Path, smoke: bool) -> float:
    """Execute one notebook top to bottom in a fresh kernel, with its run record; returns the wall time in seconds.
    With `smoke`, every exercise is left unanswered and must say "not attempted"."""
    if smoke and Path(out_dir).resolve() == EXECUTED_DIR:
        raise ValueError(f"out_dir={out_dir} is not accepted for a smoke run: the full runs' copies live there")
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    papermill.execute_notebook(
        expecting(load_notebook_node(str(path)), NOT_ATTEMPTED, solved=False) if smoke else str(path),
        str(out_dir / path.name),
        parameters=smoke_parameters(path) if smoke else {},
        cwd=str(NOTEBOOK_DIR),
        kernel_name="python3",
        progress_bar=False,
    )
    wall = time.perf_counter() - start
    add_run_record(out_dir / path.name, "smoke" if smoke else "full", wall)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help=f"where the copies go (default {EXECUTED_DIR}; smoke: {SMOKE_DIR})")
    parser.add_argument("--smoke", action="store_true", help="use each notebook's smoke settings")
    parser.add_argument("--smoke-copies", type=Path, help="only write smoke-parameterised copies here (for nbval)")
    parser.add_argument("names", nargs="*", help="only the notebooks whose file names start with these (e.g. 03 08)")
    args = parser.parse_args()
    if args.smoke_copies:
        for target in write_smoke_copies(args.smoke_copies):
            print(target)
        return
    out = args.out or (SMOKE_DIR if args.smoke else EXECUTED_DIR)
    # notebook 00 shows the verdict from the results the chapters save: it runs after them
    chosen = [path for path in notebook_paths() if not args.names or path.name.startswith(tuple(args.names))]
    if not chosen:
        parser.error(f"names={args.names} match no notebook in {NOTEBOOK_DIR}")
    for path in sorted(chosen, key=lambda path: path.name.startswith("00_")):
        print(f"{path.name}: {execute(path, out, args.smoke):.0f} s", flush=True)


if __name__ == "__main__":
    main()
