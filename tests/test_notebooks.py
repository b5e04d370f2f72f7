"""Every notebook: committed clean, parameterised, and runs headlessly with its smoke settings (papermill).

The nbval run of the same notebooks (`--nbval-lax` on smoke copies in build/smoke) is part of `make test`.
"""

from pathlib import Path

import nbformat
import pytest

from tools.notebooks import execute, notebook_paths, smoke_parameters

NOTEBOOKS = notebook_paths()
OUT = Path(__file__).resolve().parent.parent / "build" / "papermill"


def test_the_workbook_has_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"strip outputs of cells {dirty} (make strip)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_one_tagged_parameters_cell_that_defines_every_smoke_parameter(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    defined = {line.split("=")[0].split(":")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert set(smoke_parameters(path)) <= defined


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_headlessly_with_smoke_settings(path):
    execute(path, OUT, smoke=True)
