"""Shared fixtures: every test runs on the CPU with fixed seeds."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest
import torch

import ganlib


@pytest.fixture(autouse=True)
def _seeded():
    ganlib.seed_everything(0)


@pytest.fixture(scope="session")
def mnist_test() -> tuple[torch.Tensor, torch.Tensor]:
    return ganlib.load_mnist("test")


@contextlib.contextmanager
def _training_in_background(trainer: ganlib.Trainer) -> Iterator[None]:
    """The trainer runs in a thread of its own for the block; afterwards it is stopped and the thread has ended."""
    worker = threading.Thread(target=trainer.run, args=(1_000_000,))
    worker.start()
    try:
        yield
    finally:
        trainer.stop()
        worker.join(timeout=20)
    assert not worker.is_alive()


@pytest.fixture
def training_in_background():
    """`with training_in_background(trainer): ...` trains in another thread for the block."""
    return _training_in_background
