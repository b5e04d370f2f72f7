"""Where a benchmark writes its table: data/, which the notebooks show, only with --publish; else build/bench/.

A plain run (`make bench`, a quick check with fewer seeds) must never replace a published table with a
shorter one; the table records its command, so the published file says it was made with --publish.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def add_output_options(parser: argparse.ArgumentParser, name: str) -> None:
    """--publish (write data/<name>) or --out PATH; neither: build/bench/<name>."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--publish", action="store_true", help=f"write data/{name}, which the notebooks show (else build/bench/{name})"
    )
    where.add_argument("--out", type=Path, default=None, help="write the JSON table here instead")


def output_path(args: argparse.Namespace, name: str) -> Path:
    """The file the table goes to, as chosen by add_output_options' arguments."""
    if args.out is not None:
        return args.out
    return ROOT / ("data" if args.publish else "build/bench") / name
