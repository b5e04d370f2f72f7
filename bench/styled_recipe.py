"""What each part of notebook 06's styled cGAN recipe buys, one part added at a time, on held-out training digits.

ganlib.recipes.styled_mnist_cgan differs from the fast recipe conditioned on one-hot styles (the notebook's
cGAN before) in three ways: a learned code per style (ganlib.label_codes), the mode-seeking term (Mao et al.
2019) and a slower moving average of G. Every row samples the moving average with BatchNorm statistics of its
own (Trainer.sample recomputes them). This script trains the four
steps from one to the other, same seed, styles, width and steps, and prints for each the training time (k-means
included), its steps per second, and on 10,000 generated digits with the labels of 10,000 training digits: the
conditional accuracy, the classifier FID against the 10,000 validation digits of bench/cas_styles.py (the last of
a seeded permutation of the training set) and improved precision and recall (Kynkaanniemi et al. 2019) in the
classifier's features. Real training digits stand in the first row. The test set is not read.

    python bench/styled_recipe.py --publish                      # data/styled_recipe.json (15-30 min, 2 cores)
    python bench/styled_recipe.py --steps 100 --width 16         # a short check (build/bench/)
"""

from __future__ import annotations

import argparse
import time

import torch
from _output import write_table
from _validation import parse_cgan_options, validation_split

from ganlib.clusters import ClusteredGAN, clustered_trainer
from ganlib.config import FastPath
from ganlib.evaluation import classifier_fid, precision_recall
from ganlib.evaluation.classifier import classify, load_classifier
from ganlib.recipes import STYLED_CODE_DIM, STYLED_MODE_SEEKING, fast_mnist_config, styled_mnist_cgan

TABLE = "styled_recipe.json"


def variants(images: torch.Tensor, labels: torch.Tensor, args: argparse.Namespace) -> dict:
    """name -> a function that builds and trains that variant's ClusteredGAN; each adds one part to the one before."""
    fast = FastPath.for_device("cpu")

    def build(code_dim: int, mode_seeking: float) -> ClusteredGAN:
        config = fast_mnist_config(args.seed).replace(mode_seeking=mode_seeking)
        return clustered_trainer(
            images, config, args.styles, "cpu", args.width, fast=fast, labels=labels, code_dim=code_dim
        )

    def trained(gan: ClusteredGAN) -> ClusteredGAN:
        gan.trainer.run(args.steps)
        return gan

    def recipe() -> ClusteredGAN:
        return styled_mnist_cgan(images, labels, args.styles, args.width, "cpu", args.seed)

    return {
        "one-hot styles": lambda: trained(build(0, 0.0)),
        "+ learned codes": lambda: trained(build(STYLED_CODE_DIM, 0.0)),
        "+ mode seeking": lambda: trained(build(STYLED_CODE_DIM, STYLED_MODE_SEEKING)),
        "+ slower average": lambda: trained(recipe()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", type=int, default=120, help="k-means clusters per class")
    parser.add_argument("--width", type=int, default=64, help="DCGAN width of G and D")
    args = parse_cgan_options(parser, TABLE)
    images, labels, fit, validation = validation_split(args.seed)
    judge = load_classifier("cpu")
    reference = classify(judge, images[validation])[1]
    wanted = labels[fit]

    def scores(digits: torch.Tensor) -> dict:
        read, features = classify(judge, digits)
        quality = precision_recall(reference, features)
        return {
            "conditional_accuracy": (read.argmax(1) == wanted).double().mean().item(),
            "fid": classifier_fid(digits, images[validation]),
            "precision": quality.precision,
            "recall": quality.recall,
        }

    rows = [{"name": "real training digits", **scores(images[fit])}]
    for name, train in variants(images, labels, args).items():
        start = time.perf_counter()
        gan = train()
        seconds = time.perf_counter() - start
        generated = torch.cat([gan.sample(len(y), labels=y) for y in wanted.split(1000)])
        rows.append({"name": name, "seconds": seconds, "steps_per_second": args.steps / seconds, **scores(generated)})
        print(f"{name}: {seconds:.0f} s", flush=True)
    print(f"{args.styles} styles per class, width {args.width}, {args.steps} steps, seed {args.seed}")
    print(f"{'':34s} {'seconds':>7s} {'cond. acc.':>10s} {'FID':>6s} {'x real':>6s} {'precision':>9s} {'recall':>6s}")
    for row in rows:
        seconds = f"{row['seconds']:7.0f}" if "seconds" in row else " " * 7
        print(
            f"{row['name']:34s} {seconds} {row['conditional_accuracy']:10.2%} {row['fid']:6.2f}"
            f" {row['fid'] / rows[0]['fid']:6.2f} {row['precision']:9.3f} {row['recall']:6.3f}"
        )
    fields = {"styles": args.styles, "width": args.width, "steps": args.steps, "seed": args.seed}
    write_table(args, TABLE, {**fields, "threads": args.threads, "rows": rows})


if __name__ == "__main__":
    main()
