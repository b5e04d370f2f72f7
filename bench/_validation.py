"""The held-out training digits notebook 06's benches choose on, and the options those benches share.

The last N_SPLIT digits of a seeded permutation of the training set validate; the first N_SPLIT are the real
digits (and the labels) a classifier or a generated set is compared with. The test set is never read.
"""

from __future__ import annotations

import argparse

import torch
from _output import add_output_options

from ganlib import load_mnist

N_SPLIT = 10_000


def parse_cgan_options(parser: argparse.ArgumentParser, table: str) -> argparse.Namespace:
    """Add --steps, --seed, --threads and the output options, parse, and set torch's threads."""
    parser.add_argument("--steps", type=int, default=9000, help="cGAN steps, as notebook 06")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the notebook uses every core)")
    add_output_options(parser, table)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def validation_split(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The training images and labels, the indices of the first N_SPLIT ("fit") and of the last N_SPLIT."""
    images, labels = load_mnist("train", "cpu")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    return images, labels, order[:N_SPLIT], order[-N_SPLIT:]
