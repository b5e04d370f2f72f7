"""Where a benchmark writes its table: data/, which the notebooks show, only with --publish; else build/bench/.

A plain run (`make bench`, a quick check with fewer seeds) must never replace a published table with a
shorter one; the table records its command, so the published file says it was made with --publish.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

import torch

from ganlib.checks import number_option

ROOT = Path(__file__).resolve().parent.parent


def add_output_options(parser: argparse.ArgumentParser, name: str) -> None:
    """--publish (write data/<name>) or --out PATH; neither: build/bench/<name>."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--publish", action="store_true", help=f"write data/{name}, which the notebooks show (else build/bench/{name})"
    )
    where.add_argument("--out", type=Path, default=None, help="write the JSON table here instead")


def parse_seeded_options(
    parser: argparse.ArgumentParser, name: str, threads: int, threads_help: str
) -> argparse.Namespace:
    """Add --seed, --threads and the output options, parse, and set torch's threads: a bench that trains."""
    parser.add_argument("--seed", type=number_option(int, 0), default=0)
    parser.add_argument("--threads", type=number_option(int, 1), default=threads, help=threads_help)
    add_output_options(parser, name)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def output_path(args: argparse.Namespace, name: str) -> Path:
    """The file the table goes to, as chosen by add_output_options' arguments."""
    if args.out is not None:
        return args.out
    return ROOT / ("data" if args.publish else "build/bench") / name


def write_table(args: argparse.Namespace, name: str, fields: dict[str, Any]) -> Path:
    """Write `fields` as the table, after the command that made it, the date and the load average at the end."""
    path = output_path(args, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = {
        "command": " ".join(["python", f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]]),
        "date": datetime.date.today().isoformat(),
        "load_average_at_end": os.getloadavg()[0],
        **fields,
    }
    path.write_text(json.dumps(table, indent=1))
    print(f"written to {path}")
    return path
