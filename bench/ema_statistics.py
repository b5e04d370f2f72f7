"""What the moving average of G's BatchNorm statistics changes: the average sampled with G's statistics (copied
each step, as the averaging does) against statistics of its own (Trainer.sample recomputes them), side by side.

The workbook samples every moving average with statistics of its own. This script shows how much that moves the
numbers the notebooks print: for the fast MNIST recipe (notebooks 02, 05, 08) at two checkpoints and the
conditional fast recipe (notebook 06), per seed, 10,000 samples from the same z scored both ways: classifier FID
against the test set (as the notebooks report it), the share read with confidence, improved precision and recall
(5,000 per side, the test set's features as the real side, as notebook 05). No choice is made from these numbers.

    python bench/ema_statistics.py                                   # seeds 0-2, 600 and 3,000 steps (about 15 min)
    python bench/ema_statistics.py --seeds 0 --checkpoints 50        # a short check
"""

from __future__ import annotations

import argparse
import copy
import statistics

import torch
from _output import add_output_options, write_table

from ganlib import load_mnist
from ganlib.evaluation import CONFIDENT, digit_metrics, precision_recall
from ganlib.evaluation.classifier import classify, load_classifier
from ganlib.recipes import FAST_MNIST_WIDTH, fast_mnist_config, fast_mnist_trainer, make_trainer
from ganlib.train import Trainer

TABLE = "ema_statistics.json"
N_SAMPLES, N_PR = 10_000, 5_000


def with_gs_statistics(trainer: Trainer) -> torch.nn.Module:
    """The average as the trainer kept it before sampling: G's BatchNorm statistics, copied by each EMA step."""
    average = copy.deepcopy(trainer.G_ema).eval()
    for mine, gs in zip(average.buffers(), trainer.G.buffers(), strict=True):
        mine.copy_(gs)
    return average


def scores(images: torch.Tensor, reference: torch.Tensor) -> dict[str, float]:
    report = digit_metrics(images)
    features = classify(load_classifier("cpu"), images[:N_PR])[1]
    quality = precision_recall(reference, features)
    return {
        "fid": report.fid,
        "confident": report.confident_fraction,
        "precision": quality.precision,
        "recall": quality.recall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[600, 3000], help="fast recipe steps")
    parser.add_argument("--cgan-steps", type=int, default=6000, help="conditional fast recipe, as notebook 06")
    parser.add_argument("--threads", type=int, default=2)
    add_output_options(parser, TABLE)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    test_images, _ = load_mnist("test", "cpu")
    reference = classify(load_classifier("cpu"), test_images[:N_PR])[1]
    rows = []
    for seed in args.seeds:
        runs = {"fast recipe": fast_mnist_trainer("cpu", seed)}
        if args.cgan_steps:
            runs["conditional fast recipe"] = make_trainer(
                "mnist", fast_mnist_config(seed), "dcgan", "cpu", width=FAST_MNIST_WIDTH, n_classes=10,
                discriminator_options={"conditioning": "projection"},
            )  # fmt: skip
        for name, trainer in runs.items():
            checkpoints = args.checkpoints if name == "fast recipe" else [args.cgan_steps]
            for steps in checkpoints:
                trainer.run(steps - trainer.step)
                z = torch.randn(N_SAMPLES, trainer.G.z_dim, generator=torch.Generator().manual_seed(seed + 10))
                z_chunks = z.split(1000)
                if trainer.n_classes:
                    label_chunks = torch.arange(10).repeat_interleave(N_SAMPLES // 10).split(1000)
                else:
                    label_chunks = [None] * len(z_chunks)
                average = with_gs_statistics(trainer)
                with torch.no_grad():
                    copied = torch.cat([average(zc, yc) for zc, yc in zip(z_chunks, label_chunks, strict=True)])
                own = torch.cat(
                    [trainer.sample(len(zc), zc, yc) for zc, yc in zip(z_chunks, label_chunks, strict=True)]
                )
                row = {"recipe": name, "seed": seed, "steps": steps}
                row |= {"copied": scores(copied, reference), "own": scores(own, reference)}
                rows.append(row)
                print(
                    f"{name}, seed {seed}, step {steps}: "
                    + "  ".join(f"{k} {row['copied'][k]:.3f} -> {row['own'][k]:.3f}" for k in row["own"]),
                    flush=True,
                )
    print(f"median change (own - copied) over seeds; confident = read with probability > {CONFIDENT}:")
    for name, steps in sorted({(row["recipe"], row["steps"]) for row in rows}):
        same = [row for row in rows if (row["recipe"], row["steps"]) == (name, steps)]
        changes = {k: statistics.median(r["own"][k] - r["copied"][k] for r in same) for k in same[0]["own"]}
        relative = statistics.median(r["own"]["fid"] / r["copied"]["fid"] - 1 for r in same)
        print(
            f"  {name}, step {steps}: FID {changes['fid']:+.2f} ({100 * relative:+.1f}%), confident"
            f" {100 * changes['confident']:+.1f} points, precision {changes['precision']:+.3f},"
            f" recall {changes['recall']:+.3f}"
        )
    write_table(args, TABLE, {"seeds": args.seeds, "threads": args.threads, "rows": rows})


if __name__ == "__main__":
    main()
