"""Semi-supervised MNIST with 100 labels under the published protocol, beside the published rows.

Salimans et al. 2016 train their feature-matching GAN for 300 epochs of 600 steps (batches of 100, all 60,000
training images unlabelled, 10 labels per class drawn by seed) and report the test error as mean +- s.d. over
draws of the labelled set. This script does the same with ganlib.experiments.ssl (5 seeds by default), records
a curve of test error against epochs and training time, prints the table and writes it to build/bench/, or
with --publish to data/ssl_table.json, which notebook 07 shows. The curve reads the test set after every
epoch for the picture only: the number in the table is the last epoch's, fixed in advance, and nothing is
chosen on it.

    python bench/ssl_table.py --publish                # the protocol: 5 seeds x 300 epochs (days on a CPU)
    python bench/ssl_table.py --epochs 20 --ema 0.999 --jobs 3   # 5 seeds, 3 at once: about 25 min on 2 cores
    python bench/ssl_table.py --seeds 1 --epochs 2     # a short check that it works (build/bench/ssl_table.json)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from _output import add_output_options, output_path

from ganlib import default_device, load_mnist
from ganlib.experiments.processes import map_in_processes
from ganlib.experiments.ssl import SSLConfig, SSLRun, accuracy, train_ssl
from ganlib.semi_supervised import split_labels

TABLE = "ssl_table.json"
STEPS_PER_EPOCH = 600  # 60,000 unlabelled images in batches of 100
PUBLISHED = [  # test error (%) on MNIST with 100 labels, mean and s.d. over labelled sets
    {"method": "Improved GAN, feature matching (Salimans et al. 2016, Table 1)", "error": 0.93, "sd": 0.065},
    {"method": "Triple-GAN (Li et al. 2017, Table 1)", "error": 0.91, "sd": 0.58},
    {"method": "Bad GAN (Dai et al. 2017, Table 1)", "error": 0.795, "sd": 0.098},
]


def run_seed(task: tuple[int, int, float, int]) -> dict[str, object]:
    """One labelled set and one run (seed, epochs, ema, threads; 0 threads: torch's default); the test error (%)
    of D's weight average after every epoch."""
    seed, epochs, ema, threads = task
    if threads:
        torch.set_num_threads(threads)
    device = default_device()
    train_images, train_labels = load_mnist("train", device)
    test_images, test_labels = load_mnist("test", device)
    train_x, test_x = ((train_images + 1) / 2).flatten(1), ((test_images + 1) / 2).flatten(1)
    split = split_labels(train_labels, per_class=10, n_validation=0, seed=seed)
    curve: dict[str, list[float]] = {"epochs": [], "seconds": [], "test_error": []}

    def record(run: SSLRun) -> None:
        curve["epochs"].append(run.steps[-1] / STEPS_PER_EPOCH)
        curve["seconds"].append(run.seconds[-1])
        curve["test_error"].append(100 * (1 - accuracy(run.D_avg, test_x, test_labels)))
        print(f"seed {seed}, epoch {curve['epochs'][-1]:g}: test error {curve['test_error'][-1]:.2f}%", flush=True)

    config = SSLConfig(steps=epochs * STEPS_PER_EPOCH, ema=ema, eval_every=STEPS_PER_EPOCH, seed=seed)
    train_ssl((train_x[split.labelled], train_labels[split.labelled]), train_x, None, config, on_eval=record)
    return {"seed": seed, "labelled": split.labelled.tolist(), **curve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="labelled sets drawn (seeds 0, 1, ...)")
    parser.add_argument("--epochs", type=int, default=300, help="epochs of 600 steps (Salimans et al.: 300)")
    parser.add_argument("--ema", type=float, default=0.9999, help="decay of D's weight average (the reference code)")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads per run (0: torch's default)")
    parser.add_argument("--jobs", type=int, default=1, help="seeds trained at once, one process and thread each")
    add_output_options(parser, TABLE)
    args = parser.parse_args()
    out = output_path(args, TABLE)
    print(f"{args.seeds} seed(s) x {args.epochs} epoch(s) of {STEPS_PER_EPOCH} steps; the table goes to {out}")
    threads = 1 if args.jobs > 1 else args.threads
    start = time.perf_counter()
    tasks = [(seed, args.epochs, args.ema, threads) for seed in range(args.seeds)]
    runs = list(map_in_processes(run_seed, tasks, args.jobs))
    errors = [run["test_error"][-1] for run in runs]
    mean, sd = statistics.mean(errors), statistics.stdev(errors) if len(errors) > 1 else 0.0
    print(
        f"\n| method | test error (%), 100 labels |\n| --- | --- |\n| ours, {args.epochs} epochs, {len(runs)} seeds | "
        f"{mean:.2f} +- {sd:.2f} |"
    )
    for row in PUBLISHED:
        print(f"| {row['method']} | {row['error']} +- {row['sd']} |")
    record = {
        "what": "MNIST test error (%) with 100 labels, the weight average of D after the last epoch, per seed",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "device": torch.cuda.get_device_name() if default_device().type == "cuda" else f"CPU, {os.cpu_count()} cores",
        "threads": threads or torch.get_num_threads(),
        "jobs": args.jobs,
        "torch": torch.__version__,
        "total_seconds": time.perf_counter() - start,
        "epochs": args.epochs,
        "steps_per_epoch": STEPS_PER_EPOCH,
        "ema": args.ema,
        "seeds": list(range(args.seeds)),
        "mean_error": mean,
        "std_error": sd,
        "runs": runs,
        "published": PUBLISHED,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
