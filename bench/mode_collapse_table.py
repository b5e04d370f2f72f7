"""Mode collapse on the 8-Gaussian ring and the 25-Gaussian grid under the published protocol.

VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018) count, on 2,500 generated samples, the
modes covered and the share of high-quality samples (within 3 standard deviations of a mode), over
several trials. This script trains our plain GAN and our best recipe that way, over 5 seeds, prints the
table beside the published rows and saves it to build/bench/, or with --publish to
data/mode_collapse_table.json, which notebook 04 shows.

    .venv/bin/python bench/mode_collapse_table.py --publish             # full length: a GPU when there is one
    .venv/bin/python bench/mode_collapse_table.py --jobs 2 --publish    # two runs at once on a 2-core CPU
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

import torch
from _output import add_output_options, output_path

from ganlib import default_device
from ganlib.experiments.collapse import (
    PUBLISHED,
    REMEDIES,
    markdown_table,
    precise_recipe,
    published_table,
    run_many,
    summarise,
)

TABLE = "mode_collapse_table.json"


# (data set, recipe, generator steps); each recipe is trained with every seed
RECIPES = (
    ("ring", REMEDIES["vanilla"], 6_000),
    ("ring", precise_recipe(6_000), 6_000),
    ("grid", REMEDIES["vanilla"], 8_000),
    ("grid", precise_recipe(8_000, batch_size=512), 8_000),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="trials per recipe (the papers use 10; we use >= 5)")
    parser.add_argument("--only", choices=("ring", "grid"), help="one data set")
    parser.add_argument("--vanilla", action=argparse.BooleanOptionalAction, default=True, help="train the plain GAN")
    parser.add_argument("--jobs", type=int, default=1, help="runs trained at once, in processes (CPU)")
    add_output_options(parser, TABLE)
    args = parser.parse_args()
    out = output_path(args, TABLE)
    device = str(default_device())
    recipes = [r for r in RECIPES if args.only in (None, r[0]) and (args.vanilla or r[1].name != "vanilla")]
    tasks = [(dataset, recipe, seed, steps) for dataset, recipe, steps in recipes for seed in range(args.seeds)]
    print(f"{len(tasks)} runs ({len(recipes)} recipes x {args.seeds} seeds), {args.jobs} at once; the table: {out}")
    start, results = time.perf_counter(), []
    for result in run_many(tasks, args.jobs, device):
        results.append(result)
        c = result.coverage
        print(
            f"{result.dataset} | {result.remedy} | seed {result.seed}: {c.modes_covered}/{c.n_modes} modes, "
            f"{c.high_quality_fraction:.1%} high-quality, KL {c.kl_to_uniform:.3f}, {result.seconds:.0f} s",
            flush=True,
        )
    rows = summarise(results)
    print(f"\n{markdown_table(rows)}\n\nPublished:\n{published_table()}")
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "what": "mode coverage on 2,500 samples per run (VEEGAN/PacGAN protocol), mean and standard error over seeds",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "device": torch.cuda.get_device_name() if device == "cuda" else f"CPU, {os.cpu_count()} cores",
        "torch": torch.__version__,
        "total_seconds": time.perf_counter() - start,
        "jobs": args.jobs,
        "recipes": [
            {
                "dataset": d,
                "name": r.name,
                "steps": n,
                "config": r.config,
                "discriminator": r.discriminator,
                "z_dim": r.z_dim,
                "later": r.later,
            }
            for d, r, n in recipes
        ],
        "rows": rows,
        "runs": [
            {
                "dataset": r.dataset,
                "remedy": r.remedy,
                "seed": r.seed,
                "steps": r.steps,
                "seconds": r.seconds,
                "modes": r.coverage.modes_covered,
                "high_quality": r.coverage.high_quality_fraction,
                "kl": r.coverage.kl_to_uniform,
            }
            for r in results
        ],
        "published": PUBLISHED,
    }
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
