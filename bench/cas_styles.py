"""How many styles per class, and how wide a network, for notebook 06's cGAN: chosen on held-out training digits.

Notebook 06 closes part of its train-on-synthetic, test-on-real (CAS) gap by conditioning the cGAN on k-means
clusters within each class (ganlib.clusters, labels=...). The number of clusters and the network width are
choices, and the test set must not make them. This script makes them on a validation split of the training
set: the 10,000 digits last in a seeded permutation, which no classifier here trains on. (The cGAN sees them,
as it sees every training digit; the test digits it never sees.) For each setting it trains the cGAN of the
fast MNIST recipe on all 60,000 training digits, draws as many generated digits as the notebook's n_cas real
ones (the first 10,000 of the permutation, same labels), and trains the notebook's classifier recipe on the
generated and on the real set; both are tested on the validation digits. styles=1 is the plain cGAN. The choice
is the smallest gap; the FID column is against the test set (ganlib's default reference), printed for the
reader and never used to choose.

    python bench/cas_styles.py                                   # the table of the session note (hours on a CPU)
    python bench/cas_styles.py --styles 1 30 --widths 32 --steps 100   # a short check (build/bench/)
"""

from __future__ import annotations

import argparse
import time

import torch
from _output import add_output_options, write_table

from ganlib import load_mnist
from ganlib.clusters import clustered_trainer
from ganlib.config import FastPath
from ganlib.evaluation import classifier_fid
from ganlib.evaluation.cas import train_and_test
from ganlib.evaluation.classifier import classify, load_classifier
from ganlib.recipes import fast_mnist_config

TABLE = "cas_styles.json"
N_SPLIT = 10_000  # classifier training digits (the notebook's n_cas) and validation digits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", type=int, nargs="+", default=[1, 10, 30, 60], help="k-means clusters per class")
    parser.add_argument("--widths", type=int, nargs="+", default=[32, 48], help="DCGAN widths of G and D")
    parser.add_argument("--steps", type=int, default=6000, help="cGAN steps, as notebook 06")
    parser.add_argument("--updates", type=int, default=200, help="classifier updates, as notebook 06")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: other work on the CPU hurts less)")
    add_output_options(parser, TABLE)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    images, labels = load_mnist("train", "cpu")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))
    fit, validation = order[:N_SPLIT], order[-N_SPLIT:]
    real = train_and_test(
        images[fit], labels[fit], images[validation], labels[validation], args.updates, seed=args.seed
    )
    print(f"trained on {N_SPLIT:,} real digits: {real.accuracy:.2%} of the validation digits", flush=True)
    judge = load_classifier("cpu")
    rows = []
    print(f"{'styles':>6s} {'width':>5s} {'seconds':>7s} {'cond. acc.':>10s} {'test FID':>8s} {'CAS':>7s} {'gap':>5s}")
    for width in args.widths:
        for styles in args.styles:
            start = time.perf_counter()
            config = fast_mnist_config(args.seed)
            gan = clustered_trainer(
                images, config, styles, "cpu", width, fast=FastPath.for_device("cpu"), labels=labels
            )
            gan.trainer.run(args.steps)
            seconds = time.perf_counter() - start
            wanted = labels[fit]
            generated = torch.cat([gan.sample(len(y), labels=y) for y in wanted.split(1000)])
            conditional = (classify(judge, generated)[0].argmax(1) == wanted).double().mean().item()
            cas = train_and_test(
                generated, wanted, images[validation], labels[validation], args.updates, seed=args.seed
            )
            row = {
                "styles": styles,
                "width": width,
                "seconds": seconds,
                "conditional_accuracy": conditional,
                "fid": classifier_fid(generated),
                "cas": cas.accuracy,
                "gap_points": 100 * (real.accuracy - cas.accuracy),
                "cas_per_class": cas.per_class,
            }
            rows.append(row)
            print(
                f"{styles:6d} {width:5d} {seconds:7.0f} {conditional:10.2%} {row['fid']:8.2f} {cas.accuracy:7.2%}"
                f" {row['gap_points']:5.2f}",
                flush=True,
            )
    write_table(
        args,
        TABLE,
        {
            "steps": args.steps,
            "seed": args.seed,
            "threads": args.threads,
            "real_validation_accuracy": real.accuracy,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
