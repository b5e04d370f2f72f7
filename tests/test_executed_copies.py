"""The committed executed copies: made from today's code, at full settings, within the time and size they promise.

A notebook without an executed copy yet is skipped (with the reason); a stale copy fails.
"""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.executed import (
    EXECUTED_DIR,
    README,
    RECORD_TAG,
    SIZE_LIMIT_MB,
    add_run_record,
    expected_minutes,
    readme_with_verdict,
    stale_cells,
    total_megabytes,
)
from tools.notebooks import execute, notebook_paths

NOTEBOOKS = notebook_paths()


def _executed(path: Path) -> Path:
    copy = EXECUTED_DIR / path.name
    if not copy.exists():
        pytest.skip(f"no executed copy of {path.name} yet: `make notebooks` writes it at full settings")
    return copy


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_copy_runs_the_code_of_its_source(path):
    stale = stale_cells(path, _executed(path))
    assert not stale, f"{path.name} changed since its executed copy was made (code cells {stale}): make notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_copy_was_run_at_full_settings_and_says_how(path):
    nb = nbformat.read(_executed(path), as_version=4)
    run = nb.metadata.get("ganlib", {}).get("run")
    assert run, f"{path.name}'s executed copy has no run record (a failed or hand-made run?): make notebooks"
    assert run["settings"] == "full" and run["notebook"] == path.name
    assert RECORD_TAG in nb.cells[0].metadata.get("tags", []) and run["commit"] in nb.cells[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_copy_took_the_time_its_notebook_promises(path):
    nb = nbformat.read(_executed(path), as_version=4)
    expected = expected_minutes(nb)
    assert expected, f"{path.name} printed no expected wall time (ganlib.clock.ChapterClock.expected)"
    minutes = nb.metadata["ganlib"]["run"]["wall_seconds"] / 60
    low, high = expected
    assert low <= minutes <= high, f"{path.name} ran {minutes:.1f} minutes, outside its expected {low:g}-{high:g}"


def test_executed_copies_fit_in_the_size_limit():
    if not any(EXECUTED_DIR.glob("*.ipynb")):
        pytest.skip("no executed copies yet: `make notebooks` writes them")
    assert total_megabytes() <= SIZE_LIMIT_MB, (
        f"{total_megabytes():.1f} MB of executed copies (python -m tools.executed)"
    )


def test_readme_verdict_is_the_one_the_committed_results_give():
    text = README.read_text()
    assert text == readme_with_verdict(text), "the README's verdict is stale: python -m tools.executed remakes it"


def _notebook(*sources: str, parameters: str = "steps = 10") -> nbformat.NotebookNode:
    cells = [new_markdown_cell("# title"), new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    return new_notebook(cells=cells + [new_code_cell(source) for source in sources])


def test_stale_cells_sees_changed_added_and_removed_code_but_not_the_parameters(tmp_path):
    source, copy = tmp_path / "source.ipynb", tmp_path / "copy.ipynb"
    nbformat.write(_notebook("a = 1", "b = 2"), source)
    nbformat.write(_notebook("a = 1", "b = 2", parameters="steps = 1000"), copy)
    assert stale_cells(source, copy) == []
    nbformat.write(_notebook("a = 1", "b = 3"), copy)
    assert stale_cells(source, copy) == [1]
    nbformat.write(_notebook("a = 1"), copy)
    assert stale_cells(source, copy) == [1]
    nbformat.write(_notebook("a = 1", "b = 2", "c = 3"), copy)
    assert stale_cells(source, copy) == [2]


def test_run_record_goes_into_the_metadata_and_the_first_cell(tmp_path):
    path = tmp_path / "07_x.ipynb"
    nbformat.write(_notebook("a = 1"), path)
    record = add_run_record(path, "full", 125.0)
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["ganlib"]["run"] == record and record["machine"]["cpus"] >= 1
    assert "2.1 minutes (125 s)" in nb.cells[0].source and record["commit"] in nb.cells[0].source
    assert stale_cells(path, path) == [] and len(nb.cells) == 4  # the record is a markdown cell, not code


def test_run_record_drops_the_state_of_widgets_that_no_output_shows(tmp_path):
    path = tmp_path / "03_x.ipynb"
    nb = _notebook("board")
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, path)
    add_run_record(path, "smoke", 1.0)
    assert "widgets" not in nbformat.read(path, as_version=4).metadata
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "a"}, "text/plain": "board"}
    nb.cells[-1].outputs = [new_output("display_data", data=view)]
    nbformat.write(nb, path)
    add_run_record(path, "smoke", 1.0)
    assert "widgets" in nbformat.read(path, as_version=4).metadata


def test_expected_minutes_reads_the_printed_range():
    nb = _notebook("print(clock.expected())")
    assert expected_minutes(nb) is None
    nb.cells[-1].outputs = [new_output("stream", text="expected wall time: full settings 6 to 10 minutes on a CPU\n")]
    assert expected_minutes(nb) == (6.0, 10.0)
    nb.cells[-1].outputs = [new_output("stream", text="expected wall time: full settings 0.5 minutes on a CPU\n")]
    assert expected_minutes(nb) == (0.5, 0.5)


def test_a_smoke_run_never_writes_the_committed_copies():
    with pytest.raises(ValueError, match="out_dir=.*smoke run"):
        execute(NOTEBOOKS[0], EXECUTED_DIR, smoke=True)
