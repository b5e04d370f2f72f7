"""bench/claims_over_seeds.py: every assert of a notebook becomes a recorded claim, and the run goes on past it."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

_spec = importlib.util.spec_from_file_location(
    "claims_over_seeds", Path(__file__).resolve().parent.parent / "bench" / "claims_over_seeds.py"
)
claims_over_seeds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(claims_over_seeds)


def test_asserts_become_claims_whose_message_is_read_only_on_failure():
    source = claims_over_seeds.claims_recorded("%matplotlib inline\nif True:\n    assert x == 2, f'x is {x}'\n", 7)
    assert "assert" not in source
    assert "_claim(x == 2, lambda: f'x is {x}', 7, 3)" in source
    assert "run_line_magic('matplotlib', 'inline')" in source


def test_a_run_lists_every_failed_claim_and_every_cell_that_raised(tmp_path):
    parameters = nbformat.v4.new_code_cell("seed = 0")
    parameters.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# a notebook"),
            parameters,
            nbformat.v4.new_code_cell("assert seed == 0, f'seed {seed}'\nassert seed < 5\nreached = True"),
            nbformat.v4.new_code_cell("raise RuntimeError('boom')"),
            nbformat.v4.new_code_cell("assert reached, 'the claims did not stop the cell'"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = tmp_path / "claims.ipynb"
    nbformat.write(nb, path)
    result = claims_over_seeds.run_once(path, {"seed": 7}, "seed7", out=tmp_path / "out")
    assert result["failed_claims"] == [
        {"cell": 2, "line": 1, "message": "seed 7"},
        {"cell": 2, "line": 2, "message": "seed < 5"},
    ]
    assert result["errors"] == [{"cell": 3, "error": "RuntimeError: boom"}]


@pytest.mark.parametrize(("seed", "width", "value"), [(2, 1, 2), (1, 3, [3, 4, 5])])
def test_a_seed_is_given_as_one_number_or_as_consecutive_seeds(seed, width, value):
    assert claims_over_seeds.seed_value(seed, width) == value


def test_a_run_leaves_the_saved_results_as_they_were(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "kept.json").write_text('{"old": 1}')
    parameters = nbformat.v4.new_code_cell("seed = 0")
    parameters.metadata["tags"] = ["parameters"]
    write = (
        "from pathlib import Path\n"
        f"root = Path({str(results)!r})\n"
        "(root / 'kept.json').write_text('{\"new\": 2}')\n"
        "(root / 'added.json').write_text('{}')"
    )
    nb = nbformat.v4.new_notebook(
        cells=[
            parameters,
            nbformat.v4.new_code_cell(write),
            nbformat.v4.new_code_cell("assert (root / 'added.json').exists()"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = tmp_path / "saves.ipynb"
    nbformat.write(nb, path)
    result = claims_over_seeds.run_once(path, {"seed": 1}, "seed1", out=tmp_path / "out", results=results)
    assert result["failed_claims"] == [] and result["errors"] == []  # the run did write them
    assert (results / "kept.json").read_text() == '{"old": 1}'
    assert sorted(p.name for p in results.iterdir()) == ["kept.json"]
