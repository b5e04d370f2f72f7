"""Train on one set of labelled digits, test on another: the Classification Accuracy Score and its few-label uses.

Ravuri & Vinyals (2019) judge a conditional generator by training a classifier only on its samples and
testing it on real data (CAS). Every classifier here is the recipe of ganlib.evaluation.classifier, trained
for about the same number of updates whatever the size of its training set, so that a larger set is not
also a longer training: the comparisons are about the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganlib.checks import (
    as_float,
    as_int,
    as_seed,
    check_classes_present,
    check_images,
    check_labels,
    labels_on_cpu,
    require,
)
from ganlib.data import first_of_each_class
from ganlib.evaluation.classifier import classify, train_classifier

N_CLASSES = 10  # the classifier's outputs: the MNIST digits


@dataclass(frozen=True)
class ClassifierScore:
    """How a classifier trained on one set reads a test set (see `train_and_test`)."""

    accuracy: float  # share of test images read as their label
    per_class: tuple[float, ...]  # the same share among the test images of each true class 0..9
    n_train: int  # training images
    updates: int  # minibatch updates the classifier was trained for


def per_class_accuracy(predicted: torch.Tensor, labels: torch.Tensor, n_classes: int = N_CLASSES) -> tuple[float, ...]:
    """For each class c, the share of the examples labelled c that are predicted as c (the recall of c).

    The diagnostic of Ravuri & Vinyals (2019, Figure 3): a generator that draws one class badly shows as one low bar.
    """
    n_classes = as_int(n_classes, "n_classes", "an int >= 1", 1)
    labels = labels_on_cpu(labels)
    check_labels(labels, None, n_classes, "labels")
    predicted = labels_on_cpu(predicted)
    check_labels(predicted, len(labels), n_classes, "predicted")
    counts = check_classes_present(labels, n_classes, "labels")
    correct = torch.bincount(labels[predicted == labels], minlength=n_classes)
    return tuple((correct.double() / counts.double()).tolist())


def train_and_test(
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    test_images: torch.Tensor,
    test_labels: torch.Tensor,
    updates: int = 300,
    batch_size: int = 128,
    seed: int = 0,
    extra: tuple[torch.Tensor, torch.Tensor] | None = None,
    extra_weight: float = 1.0,
) -> ClassifierScore:
    """Train a fresh classifier on one labelled set for about `updates` minibatch updates, test it on another.

    Whole epochs are run: ceil(n / batch_size) updates each, as many epochs as come nearest `updates` (at least
    one). Trained on generated digits and tested on real ones, the accuracy is the CAS of the generator.

    `extra` = (images, labels), e.g. generated digits, joins each minibatch with as many extra examples whose
    cross-entropy is added with weight `extra_weight`. The number of updates, and so each training image's
    exposure, depends on the training set alone: adding extra examples does not dilute it.
    """
    named = [("train", train_images, train_labels), ("test", test_images, test_labels)]
    if extra is not None:
        require(isinstance(extra, tuple | list) and len(extra) == 2, "extra", type(extra).__name__, "(images, labels)")
        named.append(("extra", *extra))
    for name, images, labels in named:
        check_images(images, f"{name}_images", min_count=2)
        check_labels(labels_on_cpu(labels), len(images), N_CLASSES, f"{name}_labels")
    updates = as_int(updates, "updates", "an int >= 1", 1)
    batch_size = as_int(batch_size, "batch_size", "an int >= 1", 1)
    seed = as_seed(seed)
    extra_weight = as_float(extra_weight, "extra_weight", "a finite number >= 0", 0.0)
    per_epoch = -(-len(train_images) // batch_size)
    epochs = max(1, round(updates / per_epoch))
    model = train_classifier(
        train_images, train_labels, epochs, batch_size, seed, None if extra is None else tuple(extra), extra_weight
    )
    predicted = classify(model, test_images)[0].argmax(dim=1).cpu()
    test_labels = test_labels.cpu()
    return ClassifierScore(
        accuracy=float((predicted == test_labels).double().mean()),
        per_class=per_class_accuracy(predicted, test_labels),
        n_train=len(train_images),
        updates=epochs * per_epoch,
    )


def balanced_subset(labels: torch.Tensor, n: int, seed: int, n_classes: int = N_CLASSES) -> torch.Tensor:
    """Indices of n examples, n / n_classes drawn at random from each class: a small labelled set chosen by seed.

    Balanced, as one would label a few examples of each class; random within a class, so no example is picked
    for being typical or easy.
    """
    n_classes = as_int(n_classes, "n_classes", "an int >= 1", 1)
    labels = labels_on_cpu(labels)
    check_labels(labels, None, n_classes, "labels")
    counts = check_classes_present(labels, n_classes, "labels")
    n = as_int(n, "n", f"a positive multiple of n_classes={n_classes}", n_classes)
    require(n % n_classes == 0, "n", n, f"a positive multiple of n_classes={n_classes}")
    per_class = n // n_classes
    require(
        int(counts.min()) >= per_class,
        "n",
        n,
        f"at most {n_classes} x {int(counts.min())}: the rarest class has {int(counts.min())} examples",
    )
    return first_of_each_class(
        labels, torch.randperm(len(labels), generator=torch.Generator().manual_seed(as_seed(seed))), per_class
    )
