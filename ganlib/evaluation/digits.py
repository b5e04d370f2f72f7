"""MNIST: what a digit classifier says about generated images (class histogram, confidence, an Inception-like
score) and the Frechet distance of its features (classifier FID)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from ganlib.checks import check_finite, check_images, check_rows, check_tensor, require
from ganlib.data import load_mnist
from ganlib.evaluation.classifier import classify, load_classifier


def gaussian_statistics(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (d,) and covariance (d, d) of (n, d) features, in float64."""
    check_rows(features, "features", min_rows=2)
    features = features.double()
    return features.mean(dim=0), torch.cov(features.T)


def frechet_distance(mu1: torch.Tensor, cov1: torch.Tensor, mu2: torch.Tensor, cov2: torch.Tensor) -> float:
    """Frechet (2-Wasserstein) distance between N(mu1, cov1) and N(mu2, cov2), the formula behind FID.

    d^2 = |mu1 - mu2|^2 + tr(cov1 + cov2 - 2 (cov1 cov2)^(1/2)). The trace of the matrix square root is
    taken as sum sqrt(eig(S cov2 S)) with S = cov1^(1/2): a symmetric problem, stable where scipy's
    sqrtm of the non-symmetric product can return complex noise.
    """
    check_tensor(mu1, "mu1", (None,))
    d = len(mu1)
    for name, value, shape in (("cov1", cov1, (d, d)), ("mu2", mu2, (d,)), ("cov2", cov2, (d, d))):
        check_tensor(value, name, shape)
    for name, value in (("mu1", mu1), ("cov1", cov1), ("mu2", mu2), ("cov2", cov2)):
        check_finite(value, name)
    mu1, cov1, mu2, cov2 = (t.double().cpu() for t in (mu1, cov1, mu2, cov2))
    eigenvalues, eigenvectors = torch.linalg.eigh(cov1)
    sqrt_cov1 = eigenvectors @ torch.diag(eigenvalues.clamp_min(0).sqrt()) @ eigenvectors.T
    trace_sqrt = torch.linalg.eigvalsh(sqrt_cov1 @ cov2 @ sqrt_cov1).clamp_min(0).sqrt().sum()
    return float(((mu1 - mu2) ** 2).sum() + cov1.trace() + cov2.trace() - 2 * trace_sqrt)


@lru_cache(maxsize=4)
def _test_set_statistics(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and covariance of the classifier's features on the 10,000 MNIST test images, once per process."""
    images, _ = load_mnist("test")
    return gaussian_statistics(classify(load_classifier(device), images)[1])


def classifier_fid(images: torch.Tensor, reference: torch.Tensor | None = None) -> float:
    """Frechet distance between the classifier features of `images` and of `reference` (default: MNIST test set).

    This is the offline equivalent of FID (Heusel et al. 2017): the same formula, on the penultimate
    layer of our MNIST classifier (ganlib.evaluation.classifier) instead of Inception-v3, whose weights cannot be
    downloaded here. Values are comparable with each other, not with published FIDs. Like FID it is
    biased upwards for small samples: compare runs at the same number of images (10,000 is usual).
    """
    check_images(images, min_count=2)
    if reference is not None:
        check_images(reference, "reference", min_count=2)
    model = load_classifier(str(images.device))
    stats = _test_set_statistics(str(images.device)) if reference is None else _statistics_of(model, reference)
    return frechet_distance(*_statistics_of(model, images), *stats)


def _statistics_of(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return gaussian_statistics(classify(model, images)[1])


@dataclass(frozen=True)
class DigitReport:
    """What the MNIST classifier says about a batch of generated digits (see `digit_metrics`)."""

    class_counts: tuple[int, ...]  # samples per predicted class 0..9
    classes_covered: int  # classes predicted with confidence > CONFIDENT for at least one sample
    mean_confidence: float  # mean top-class probability
    confident_fraction: float  # share of samples with top-class probability > CONFIDENT
    inception_score: float  # exp E_x KL(p(y|x) || p(y)), from 1 (one class or unreadable) to 10
    fid: float  # classifier_fid against the MNIST test set


CONFIDENT = 0.9


def inception_score(probabilities: torch.Tensor) -> float:
    """exp(E_x KL(p(y|x) || p(y))) of (N, classes) class probabilities (Salimans et al. 2016), one split.

    1 when every image gets the same distribution; the number of classes when each image is one class
    with certainty and the classes are equally frequent.
    """
    check_rows(probabilities, "probabilities")
    p = probabilities.double()
    ok = bool((p >= 0).all() and ((p.sum(dim=1) - 1).abs() < 1e-3).all())
    require(ok, "probabilities", "rows not in [0, 1] or not summing to 1", "(N, C) class probabilities, e.g. softmax")
    log_ratio = p.clamp_min(1e-30).log() - p.mean(dim=0).clamp_min(1e-30).log()
    return float((p * log_ratio).sum(dim=1).mean().exp())


def digit_metrics(images: torch.Tensor) -> DigitReport:
    """Class histogram, classes covered, confidence, an Inception-Score-like score and classifier FID of digits.

    `images`: (N, 1, 28, 28) in [-1, 1]. The score is the Inception Score of Salimans et al. 2016 computed
    with our MNIST classifier instead of Inception (offline, see classifier_fid): high when each image is
    read confidently as one digit and the digits are varied. A class is covered, like a mode of a 2D
    mixture, when at least one sample is read as it with confidence > CONFIDENT.
    """
    check_images(images, min_count=2)
    model = load_classifier(str(images.device))
    probabilities, features = classify(model, images)
    probabilities = probabilities.double().cpu()
    confidence, predicted = probabilities.max(dim=1)
    confident = confidence > CONFIDENT
    return DigitReport(
        class_counts=tuple(torch.bincount(predicted, minlength=10).tolist()),
        classes_covered=int(torch.unique(predicted[confident]).numel()),
        mean_confidence=float(confidence.mean()),
        confident_fraction=float(confident.double().mean()),
        inception_score=inception_score(probabilities),
        fid=frechet_distance(*gaussian_statistics(features), *_test_set_statistics(str(images.device))),
    )
