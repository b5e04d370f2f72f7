"""The held-out training digits notebook 06's benches choose on, and the options those benches share.

The last N_SPLIT digits of a seeded permutation of the training set validate; the first N_SPLIT are the real
digits (and the labels) a classifier or a generated set is compared with. The test set is never read.
"""

from __future__ import annotations

import argparse

import torch
from _output import parse_seeded_options

from ganlib import load_mnist

N_SPLIT = 10_000


def parse_cgan_options(parser: argparse.ArgumentParser, table: str) -> argparse.Namespace:
    """Add --steps and parse_seeded_options' --seed, --threads and output options; parse; set torch's threads."""
    parser.add_argument("--steps", type=int, default=9000, help="cGAN steps, as notebook 06")
    return parse_seeded_options(parser, table, 2, "torch threads (the notebook uses every core)")


def validation_split(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The training images and labels, the indices of the first N_SPLIT ("fit") and of the last N_SPLIT."""
    images, labels = load_mnist("train", "cpu")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    return images, labels, order[:N_SPLIT], order[-N_SPLIT:]
