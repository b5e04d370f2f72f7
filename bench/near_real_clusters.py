"""How many k-means clusters for the near-real recipe (issue 16): chosen on training digits, never the test set.

ganlib.recipes.near_real_mnist_trainer trains the fast recipe's networks on k-means clusters of the training
pixels. More clusters cost k-means time and make each cluster smaller; this script measures what they buy.
For each k it trains the recipe (seeded, on all 60,000 training digits) and every --every steps scores
--samples generated digits with ganlib's digit classifier: classifier FID against the features of 50,000
training digits (the first of a seeded permutation), the share read with confidence > 0.9 and the rarest
digit's share. The other 10,000 training digits, scored the same way, show what real digits get. It also
prints how pure the clusters are: the share of training digits whose label is the most common one in their
cluster (labels only describe the clusters here; the recipe never reads them). The test set plays no part:
its FID is the bench's bar (bench/time_to_quality.py), not a criterion of choice.

    python bench/near_real_clusters.py --publish            # data/near_real_clusters.json (5 to 15 min per k, 1 thread)
    python bench/near_real_clusters.py --clusters 10 --steps 200 --every 100   # a short check (build/bench/)
"""

from __future__ import annotations

import argparse
import time

import torch
from _output import parse_seeded_options, write_table

from ganlib import load_mnist
from ganlib.clusters import clustered_trainer
from ganlib.config import FastPath
from ganlib.evaluation.classifier import classify, load_classifier
from ganlib.evaluation.digits import frechet_distance, gaussian_statistics
from ganlib.recipes import FAST_MNIST_WIDTH, fast_mnist_config

TABLE = "near_real_clusters.json"
N_REAL = 10_000  # training digits scored as the real row; the rest are the FID reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, nargs="+", default=[100, 300, 600], help="k of k-means")
    parser.add_argument("--steps", type=int, default=12_000)
    parser.add_argument("--every", type=int, default=3000, help="steps between evaluations")
    parser.add_argument("--samples", type=int, default=10_000, help="generated digits per evaluation")
    args = parse_seeded_options(parser, TABLE, 1, "torch threads (1: other work on the CPU hurts less)")

    images, labels = load_mnist("train", "cpu")
    judge = load_classifier("cpu")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))
    reference = gaussian_statistics(classify(judge, images[order[N_REAL:]])[1])

    def score(digits: torch.Tensor) -> dict[str, float]:
        probabilities, features = classify(judge, digits)
        confidence, predicted = probabilities.max(1)
        return {
            "fid": frechet_distance(*gaussian_statistics(features), *reference),
            "confident": (confidence > 0.9).double().mean().item(),
            "smallest_class": torch.bincount(predicted, minlength=10).min().item() / len(digits),
        }

    real = score(images[order[:N_REAL]])
    print(f"{N_REAL:,} real training digits: {_describe(real)}", flush=True)
    rows = []
    print(f"{'k':>5s} {'step':>6s} {'seconds':>8s}  scores of {args.samples:,} samples")
    for k in args.clusters:
        start = time.perf_counter()
        gan = clustered_trainer(
            images, fast_mnist_config(args.seed), k, "cpu", FAST_MNIST_WIDTH, fast=FastPath.for_device("cpu")
        )
        seconds = time.perf_counter() - start  # k-means
        clusters = gan.trainer.data.y
        print(
            f"{k:5d} clusters of median size {clusters.bincount().median().item()}: {purity(clusters, labels):.1%}"
            " of the training digits share their cluster's most common label",
            flush=True,
        )
        while gan.trainer.step < args.steps:
            start = time.perf_counter()
            gan.trainer.run(min(args.every, args.steps - gan.trainer.step))
            seconds += time.perf_counter() - start
            row = {"k": k, "step": gan.trainer.step, "seconds": seconds, "purity": purity(clusters, labels)}
            row |= score(gan.sample(args.samples, seed=1))
            rows.append(row)
            print(f"{k:5d} {row['step']:6d} {seconds:8.0f}  {_describe(row)}", flush=True)
    write_table(
        args,
        TABLE,
        {
            "seed": args.seed,
            "threads": args.threads,
            "real": real,
            "rows": rows,
        },
    )


def purity(clusters: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of rows whose label is the most common label of their cluster."""
    counts = torch.zeros(int(clusters.max()) + 1, 10, dtype=torch.long).index_put_(
        (clusters, labels), torch.ones_like(labels), accumulate=True
    )
    return counts.max(1).values.sum().item() / len(labels)


def _describe(scores: dict[str, float]) -> str:
    return f"FID {scores['fid']:6.2f}  confident {scores['confident']:.3f}  rarest digit {scores['smallest_class']:.3f}"


if __name__ == "__main__":
    main()
