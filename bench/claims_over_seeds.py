"""Does each claim a notebook asserts hold on other seeds? Runs a notebook at full settings once per seed and lists,
per seed, every assertion that failed with its message.

A notebook stops at its first failed `assert`; here every `assert` statement in its code cells is rewritten into a
call that records the failure and goes on (the test is evaluated exactly as before), and the run continues past
cells that raise, so one run lists every claim that did not hold. Other errors (a cell that raised) are listed too:
after a failed claim a later cell may fail only because of it, so read them in order.

    python bench/claims_over_seeds.py notebooks/05_judging_a_generator.ipynb --seeds 0 1 2
    python bench/claims_over_seeds.py notebooks/07_semi_supervised.ipynb --seeds 1 --seed-parameter seeds --seed-width 3
    python bench/claims_over_seeds.py notebooks/01_adversarial_game.ipynb --seeds 1 --set steps=200   # a short check

Each run's findings go to build/claims/<notebook>-seed<S>.json (the executed copy beside it), then a table.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ganlib.checkpoint import write_atomically
from ganlib.results import RESULTS_ROOT

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "claims"
RECORDER = """\
import json as _claims_json


def _claim(holds, message, cell, line):
    # a failed assert, recorded instead of raised (bench/claims_over_seeds.py); message() as assert reads it: on failure
    if not holds:
        with open({path!r}, "a") as _file:
            _file.write(_claims_json.dumps({{"cell": cell, "line": line, "message": str(message())}}) + "\\n")
"""


class _AssertToClaim(ast.NodeTransformer):
    """`assert test, msg` -> `_claim(test, lambda: msg, cell, line)`: the message is read only when the test fails."""

    def __init__(self, cell: int) -> None:
        self.cell = cell

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        message = node.msg if node.msg is not None else ast.Constant(ast.unparse(node.test))
        call = ast.Call(
            ast.Name("_claim", ast.Load()),
            [node.test, ast.Lambda(_no_arguments(), message), ast.Constant(self.cell), ast.Constant(node.lineno)],
            [],
        )
        return ast.copy_location(ast.Expr(call), node)


def _no_arguments() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])


def claims_recorded(source: str, cell: int) -> str:
    """A code cell's source with every assert statement turned into a recorded claim (magics made Python first)."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    return ast.unparse(ast.fix_missing_locations(_AssertToClaim(cell).visit(tree)))


@contextlib.contextmanager
def results_unchanged(root: Path) -> Iterator[None]:
    """The results files in `root` as they were before, whatever the run in between wrote: a notebook run on other
    seeds saves its numbers like a reader's full run, and must not replace those the executed copies print (a run
    of 07 on seeds 3-5 did, once)."""
    saved = {path: path.read_bytes() for path in root.glob("*.json")}
    try:
        yield
    finally:
        for path in root.glob("*.json"):
            if path not in saved:
                path.unlink()
        for path, data in saved.items():
            if not path.exists() or path.read_bytes() != data:
                write_atomically(path, lambda file, data=data: file.write(data))


def run_once(
    notebook: Path, parameters: dict[str, object], label: str, out: Path = OUT, results: Path = RESULTS_ROOT / "full"
) -> dict[str, object]:
    """Execute one parameterised copy with claims recorded; returns its failed claims, other errors and wall time.
    The results files in `results` are left as they were (results_unchanged)."""
    out.mkdir(parents=True, exist_ok=True)
    record = out / f"{notebook.stem}-{label}.jsonl"
    record.unlink(missing_ok=True)
    nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters)
    source_index = [-1] * len(nb.cells)  # each cell's index in the notebook as committed (-1: injected here)
    committed = 0
    for index, cell in enumerate(nb.cells):
        if "injected-parameters" not in cell.metadata.get("tags", []):
            source_index[index], committed = committed, committed + 1
        if cell.cell_type == "code":
            cell.source = claims_recorded(cell.source, source_index[index])
    nb.cells.insert(0, nbformat.v4.new_code_cell(RECORDER.format(path=str(record))))
    source_index.insert(0, -1)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=None,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    with results_unchanged(results):
        client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, out / f"{notebook.stem}-{label}.ipynb")
    failed = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    errors = [
        {"cell": source_index[index], "error": f"{output.ename}: {output.evalue}"[:300]}
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    result = {"notebook": notebook.name, "run": label, "parameters": parameters, "seconds": seconds}
    result |= {"failed_claims": failed, "errors": errors}
    (out / f"{notebook.stem}-{label}.json").write_text(json.dumps(result, indent=1))
    return result


def seed_value(seed: int, width: int) -> object:
    """The value given to the seed parameter: the seed, or `width` consecutive seeds starting at seed * width."""
    return seed if width == 1 else list(range(seed * width, seed * width + width))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--seed-parameter", default="seed", help="the parameter the seed is given to")
    parser.add_argument("--seed-width", type=int, default=1, help="a list of this many seeds per run (e.g. 07's)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=JSON", help="another parameter to set")
    parser.add_argument("--jobs", type=int, default=1, help="runs at once (give each OMP_NUM_THREADS=1)")
    args = parser.parse_args()
    if args.seed_width < 1 or args.jobs < 1:
        parser.error(f"--seed-width and --jobs take an int >= 1, not {args.seed_width} and {args.jobs}")
    fixed = {}
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            fixed[name] = json.loads(value)
        except json.JSONDecodeError:
            parser.error(f"--set {item!r}: the value after '=' must be JSON (a number, list, string in quotes)")
    runs = [({**fixed, args.seed_parameter: seed_value(seed, args.seed_width)}, f"seed{seed}") for seed in args.seeds]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run_once, [args.notebook.resolve()] * len(runs), *zip(*runs, strict=True)))
    print(f"{args.notebook.name}, load average {os.getloadavg()[0]:.1f} at the end ({' '.join(sys.argv[1:])})")
    for result in results:
        print(
            f"  {result['run']}: {len(result['failed_claims'])} claims failed, {len(result['errors'])} cells raised,"
            f" {result['seconds']:.0f} s"
        )
        for claim in result["failed_claims"]:
            print(f"    cell {claim['cell']}, line {claim['line']}: {claim['message']}")
        for error in result["errors"]:
            print(f"    cell {error['cell']} raised {error['error']}")


if __name__ == "__main__":
    main()
