"""A small CNN that reads MNIST digits: the judge behind the digit metrics in ganlib.evaluation.digits.

FID and the Inception Score use an Inception network trained on ImageNet, whose weights cannot be
downloaded here (and which knows little about digits). This classifier plays its part: its class
probabilities give the Inception-Score-like score and class histogram, and its penultimate layer gives
the features for a Frechet distance ("classifier FID"). Train it with `python -m ganlib.evaluation.classifier`
(seeded and deterministic on the CPU, a few minutes); the weights are committed in data/, so a notebook
only loads them.
"""

from __future__ import annotations

import argparse
import time
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from ganlib.checks import as_int, as_seed, check_images, check_instance, check_labels, labels_on_cpu
from ganlib.data import DATA_ROOT, load_mnist
from ganlib.devices import resolve_device

WEIGHTS = DATA_ROOT / "mnist_classifier.pt"
N_FEATURES = 128  # the penultimate layer: what the classifier FID compares


class MnistClassifier(nn.Module):
    """Three 3x3 convolutions with BatchNorm and max-pooling, then a 128-unit layer and 10 class logits."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),  # (B, 32, 28, 28)
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (B, 32, 14, 14)
            nn.Conv2d(32, 64, 3, padding=1),  # (B, 64, 14, 14)
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (B, 64, 7, 7)
            nn.Conv2d(64, 64, 3),  # (B, 64, 5, 5)
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(64 * 5 * 5, N_FEATURES),
            nn.ReLU(),
        )
        self.dropout = nn.Dropout(0.3)  # active in training only; features are read in eval mode
        self.head = nn.Linear(N_FEATURES, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) images in [-1, 1] -> (B, N_FEATURES) penultimate activations."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))


def train_classifier(
    images: torch.Tensor,
    labels: torch.Tensor,
    epochs: int = 2,
    batch_size: int = 128,
    seed: int = 0,
    extra: tuple[torch.Tensor, torch.Tensor] | None = None,
    extra_weight: float = 1.0,
) -> MnistClassifier:
    """Train a fresh classifier with Adam and a one-cycle learning rate; the same seed gives the same weights.

    With `extra` (images, labels), e.g. generated digits, each minibatch of `images` is joined by as many extra
    examples (cycling through `extra` in seeded passes) and the loss adds `extra_weight` times their cross-entropy.
    The real minibatches, their order and their dropout masks are exactly those of training without `extra`, so
    the real digits' exposure is the same with and without it: only the extra term differs.
    """
    check_images(images)
    check_labels(labels_on_cpu(labels), len(images), 10, "labels")
    epochs = as_int(epochs, "epochs", "an int >= 1", 1)
    batch_size = as_int(batch_size, "batch_size", "an int >= 1", 1)
    seed = as_seed(seed)
    extra_batches = None if extra is None else _ExtraBatches(extra, seed)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # the initial weights and dropout masks
    model = MnistClassifier()
    steps_per_epoch = -(-len(images) // batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 4e-3, total_steps=epochs * steps_per_epoch)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(images), generator=generator)
        for batch in order.split(batch_size):
            loss = F.cross_entropy(model(images[batch]), labels[batch])
            if extra_batches is not None:
                loss = loss + extra_weight * extra_batches.loss(model, len(batch))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


class _ExtraBatches:
    """Minibatches of an extra labelled set, drawn in seeded passes with random numbers of their own, so that the
    real minibatches' order and dropout masks do not change when extra examples are added."""

    def __init__(self, extra: tuple[torch.Tensor, torch.Tensor], seed: int) -> None:
        images, labels = extra
        check_images(images, "extra[0]")
        check_labels(labels_on_cpu(labels), len(images), 10, "extra[1]")
        self.images, self.labels = images, labels
        self.generator = torch.Generator().manual_seed(seed + 1)
        self.order, self.position = torch.empty(0, dtype=torch.long), 0

    def _next(self, n: int) -> torch.Tensor:
        taken = []
        while n > 0:
            if self.position == len(self.order):
                self.order, self.position = torch.randperm(len(self.images), generator=self.generator), 0
            chunk = self.order[self.position : self.position + n]
            taken.append(chunk)
            self.position += len(chunk)
            n -= len(chunk)
        return torch.cat(taken)

    def loss(self, model: MnistClassifier, n: int) -> torch.Tensor:
        """Cross-entropy of the model on the next n extra examples, its dropout drawn outside the real stream."""
        batch = self._next(n)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(torch.randint(2**62, (1,), generator=self.generator)))
            return F.cross_entropy(model(self.images[batch]), self.labels[batch])


@torch.no_grad()
def classify(model: MnistClassifier, images: torch.Tensor, batch_size: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities (N, 10) and penultimate features (N, N_FEATURES) of (N, 1, 28, 28) images in [-1, 1]."""
    check_instance(model, "model", MnistClassifier, "a ganlib MnistClassifier (load_classifier())")
    check_images(images)
    batch_size = as_int(batch_size, "batch_size", "an int >= 1", 1)
    device = next(model.parameters()).device
    probabilities, features = [], []
    for batch in images.split(batch_size):
        h = model.features(batch.to(device=device, dtype=torch.float32))
        features.append(h)
        probabilities.append(model.head(h).softmax(dim=1))
    return torch.cat(probabilities), torch.cat(features)


def accuracy(model: MnistClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of `images` whose most probable class is their label."""
    probabilities, _ = classify(model, images)
    check_labels(labels_on_cpu(labels), len(images), 10, "labels")
    return float((probabilities.argmax(dim=1).cpu() == labels.cpu()).double().mean())


def load_classifier(device: torch.device | str = "cpu", path: str | Path = WEIGHTS) -> MnistClassifier:
    """The committed classifier in eval mode on `device`, loaded once per process (weights_only=True)."""
    return _load_classifier(str(resolve_device(device)), str(path))


@lru_cache(maxsize=4)
def _load_classifier(device: str, path: str) -> MnistClassifier:
    weights = Path(path)
    if not weights.is_file():
        raise FileNotFoundError(
            f"classifier weights {weights} are missing: run `python -m ganlib.evaluation.classifier`"
        )
    model = MnistClassifier()
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return model.to(device).eval().requires_grad_(False)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the MNIST classifier behind the digit metrics.")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    start = time.perf_counter()
    model = train_classifier(*load_mnist("train"), epochs=args.epochs, seed=args.seed)
    elapsed = time.perf_counter() - start
    test_accuracy = accuracy(model, *load_mnist("test"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out)
    print(f"trained in {elapsed:.0f} s on {torch.get_num_threads()} CPU threads; test accuracy {test_accuracy:.4f}")
    print(f"weights: {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
