"""How many styles per class, and how wide a network, for notebook 06's cGAN: chosen on held-out training digits.

Notebook 06 closes part of its train-on-synthetic, test-on-real (CAS) gap by conditioning the cGAN on k-means
clusters within each class (ganlib.recipes.styled_mnist_cgan). The number of clusters and the network width are
choices, and the test set must not make them. This script makes them on a validation split of the training
set: the 10,000 digits last in a seeded permutation, which no classifier here trains on. (The cGAN sees them,
as it sees every training digit; the test digits it never sees.) For each setting it trains the cGAN on all
60,000 training digits, draws as many generated digits as the notebook's n_cas real ones (the first 10,000 of
the permutation, same labels), and trains the notebook's classifier recipe on the generated and on the real set;
both are tested on the validation digits. Classifier FID is taken against the validation digits too, beside
that of the 10,000 real training digits. styles=1 is a plain cGAN (one style per class). The choice is the
smallest gap among the settings whose FID is within 2x real digits' and whose conditional accuracy is >= 98%
(notebook 06's targets), or the smallest gap if none is.

    python bench/cas_styles.py --publish                                 # the table notebook 06 reads (about 20 min)
    python bench/cas_styles.py --styles 1 30 --widths 32 --steps 100    # a short check (build/bench/)
"""

from __future__ import annotations

import argparse
import time

import torch
from _output import write_table
from _validation import N_SPLIT, parse_cgan_options, validation_split

from ganlib.evaluation import classifier_fid
from ganlib.evaluation.cas import train_and_test
from ganlib.evaluation.classifier import classify, load_classifier
from ganlib.recipes import styled_mnist_cgan

TABLE = "cas_styles.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", type=int, nargs="+", default=[1, 120, 240, 360], help="k-means clusters per class")
    parser.add_argument("--widths", type=int, nargs="+", default=[64], help="DCGAN widths of G and D")
    parser.add_argument("--updates", type=int, default=200, help="classifier updates, as notebook 06")
    args = parse_cgan_options(parser, TABLE)
    images, labels, fit, validation = validation_split(args.seed)
    real = train_and_test(
        images[fit], labels[fit], images[validation], labels[validation], args.updates, seed=args.seed
    )
    real_fid = classifier_fid(images[fit], images[validation])
    print(f"trained on {N_SPLIT:,} real digits: {real.accuracy:.2%} of the validation digits", flush=True)
    print(f"classifier FID of {N_SPLIT:,} real training digits against the validation digits: {real_fid:.2f}")
    judge = load_classifier("cpu")
    rows = []
    print(
        f"{'styles':>6s} {'width':>5s} {'seconds':>7s} {'cond. acc.':>10s} {'FID':>5s} {'x real':>6s}"
        f" {'CAS':>7s} {'gap':>5s}"
    )
    for width in args.widths:
        for styles in args.styles:
            start = time.perf_counter()
            gan = styled_mnist_cgan(images, labels, styles, width, "cpu", args.seed)
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
                "fid": classifier_fid(generated, images[validation]),
                "cas": cas.accuracy,
                "gap_points": 100 * (real.accuracy - cas.accuracy),
                "cas_per_class": cas.per_class,
            }
            rows.append(row)
            print(
                f"{styles:6d} {width:5d} {seconds:7.0f} {conditional:10.2%} {row['fid']:5.2f}"
                f" {row['fid'] / real_fid:6.2f} {cas.accuracy:7.2%} {row['gap_points']:5.2f}",
                flush=True,
            )
    chosen = choose(rows, real_fid)
    print(f"chosen: {chosen['styles']} styles per class at width {chosen['width']}")
    write_table(
        args,
        TABLE,
        {
            "steps": args.steps,
            "seed": args.seed,
            "threads": args.threads,
            "real_validation_accuracy": real.accuracy,
            "real_validation_fid": real_fid,
            "rows": rows,
            "chosen": {"styles": chosen["styles"], "width": chosen["width"]},
        },
    )


def choose(rows: list[dict], real_fid: float) -> dict:
    """The row of smallest gap among those meeting notebook 06's targets (FID <= 2x real, conditional accuracy
    >= 98%), or of smallest gap overall if none does."""
    meeting = [row for row in rows if row["fid"] <= 2 * real_fid and row["conditional_accuracy"] >= 0.98]
    return min(meeting or rows, key=lambda row: row["gap_points"])


if __name__ == "__main__":
    main()
