"""Shared fixtures: every test runs on the CPU with fixed seeds."""

from __future__ import annotations

import pytest
import torch

import ganlib


@pytest.fixture(autouse=True)
def _seeded():
    ganlib.seed_everything(0)


@pytest.fixture(scope="session")
def mnist_test() -> tuple[torch.Tensor, torch.Tensor]:
    return ganlib.load_mnist("test")
