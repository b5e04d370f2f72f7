"""Executed copies of the notebooks: where they live, what run made them, and whether they still match the sources.

`make notebooks` writes each notebook's executed copy (full settings) to notebooks/executed/, where a repository
browser renders it with its figures, and records in it the commit, date, machine and wall time of its run. A copy
is stale when a code cell of its source changed since (the parameters cell aside): tests/test_executed_copies.py
fails then, so a notebook changed without a re-run does not land.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from ganlib.verdict import chapter_results, verdict_markdown, verdict_rows

ROOT = Path(__file__).resolve().parent.parent
EXECUTED_DIR = ROOT / "notebooks" / "executed"
README = ROOT / "README.md"
VERDICT_BEGIN = "<!-- verdict: remade by `make notebooks` (tools/executed.py) from notebooks/executed/results/full -->"
VERDICT_END = "<!-- /verdict -->"
RECORD_TAG = "run-record"  # the markdown cell at the top of an executed copy that says how it was made
SIZE_LIMIT_MB = 15.0
_SKIPPED_TAGS = {"parameters", "injected-parameters", RECORD_TAG}
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_EXPECTED = re.compile(r"expected wall time: [^\n]*?full settings ([\d.]+)(?: to ([\d.]+))? minutes")


def _cpu_model() -> str:
    try:
        names = [
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
    except OSError:
        names = []
    return names[0] if names else platform.processor() or platform.machine()


def machine() -> dict[str, object]:
    """The CPU model, its logical CPUs, torch's threads and the GPU (None without one): what a run's time depends on."""
    import torch  # only here: the rest of the module reads notebooks

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpu": _cpu_model(), "cpus": os.cpu_count(), "threads": torch.get_num_threads(), "gpu": gpu}


def commit() -> str:
    """The checked-out commit, marked '+changes' when the code the notebooks run differs from it."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "ganlib", "notebooks", "tools", "data", ":(exclude)notebooks/executed"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (head or "unknown") + ("+changes" if changed else "")


def record_sentence(record: dict[str, object]) -> str:
    """The run record in words, for the top of the executed copy."""
    m = record["machine"]
    gpu = f"GPU {m['gpu']}" if m["gpu"] else "no GPU"
    return (
        f"> **Executed copy**, run at {record['settings']} settings on {record['date'][:10]} from commit "
        f"`{record['commit']}`: {record['wall_seconds'] / 60:.1f} minutes ({record['wall_seconds']:.0f} s) on "
        f"{m['cpu']} ({m['cpus']} CPUs, {m['threads']} torch threads), {gpu}. "
        f"The notebook to run yourself is `notebooks/{record['notebook']}`."
    )


def add_run_record(path: Path, settings: str, wall_seconds: float) -> dict[str, object]:
    """Write into the executed copy at `path` how it was made: in its metadata, and in words in a first cell."""
    nb = nbformat.read(path, as_version=4)
    record = {
        "notebook": path.name,
        "settings": settings,
        "commit": commit(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "wall_seconds": round(wall_seconds, 1),
    }
    nb.metadata.setdefault("ganlib", {})["run"] = record
    if not any(_WIDGET_VIEW in output.get("data", {}) for cell in nb.cells for output in cell.get("outputs", [])):
        nb.metadata.pop("widgets", None)  # the state of widgets no output shows (03's headless dashboards): 0.7 MB
    nb.cells.insert(0, new_markdown_cell(record_sentence(record), metadata={"tags": [RECORD_TAG]}))
    nbformat.write(nb, path)
    return record


def code_sources(nb: nbformat.NotebookNode) -> list[str]:
    """The code a notebook runs, cell by cell, less its parameters (the executed copy's settings may differ)."""
    return [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "code" and not _SKIPPED_TAGS & set(cell.metadata.get("tags", []))
    ]


def stale_cells(source: Path, executed: Path) -> list[int]:
    """Positions (among the code cells, parameters aside) where the executed copy's code differs from the source."""
    ours = code_sources(nbformat.read(source, as_version=4))
    theirs = code_sources(nbformat.read(executed, as_version=4))
    differ = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b]
    return differ + list(range(min(len(ours), len(theirs)), max(len(ours), len(theirs))))


def expected_minutes(nb: nbformat.NotebookNode) -> tuple[float, float] | None:
    """The full-settings range the run printed (ganlib.clock.ChapterClock.expected), or None if it printed none."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found = _EXPECTED.search(output.get("text", ""))
            if found:
                low = float(found.group(1))
                return low, float(found.group(2) or low)
    return None


def total_megabytes(directory: Path = EXECUTED_DIR) -> float:
    """Everything under `directory` (the copies and the results files), in MB."""
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file()) / 1e6


def report(directory: Path = EXECUTED_DIR) -> str:
    """One line per executed copy (size, wall time, the expected range) and the total against SIZE_LIMIT_MB."""
    lines = []
    for path in sorted(directory.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        run = nb.metadata.get("ganlib", {}).get("run", {})
        expected = expected_minutes(nb)
        said = f"expected {expected[0]:g}-{expected[1]:g} min" if expected else "no expected time printed"
        wall = f"{run['wall_seconds'] / 60:5.1f} min" if run else "  no run record"
        lines.append(f"{path.name:40s} {path.stat().st_size / 1e6:6.2f} MB  {wall}  ({said})")
    lines.append(f"{'total, results included':40s} {total_megabytes(directory):6.2f} MB  (limit {SIZE_LIMIT_MB:g} MB)")
    return "\n".join(lines)


def readme_with_verdict(readme: str) -> str:
    """The README with the verdict table between its markers remade from the committed full results."""
    rows = verdict_rows(chapter_results("full"))
    table = verdict_markdown(rows, link=lambda notebook: f"notebooks/executed/{notebook}")
    begin, end = readme.index(VERDICT_BEGIN) + len(VERDICT_BEGIN), readme.index(VERDICT_END)
    return f"{readme[:begin]}\n{table}\n{readme[end:]}"


def main() -> None:
    """After the full runs: the README's verdict from their results, and the copies' sizes and times."""
    README.write_text(readme_with_verdict(README.read_text()))
    print(report())


if __name__ == "__main__":
    main()
