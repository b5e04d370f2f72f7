"""The committed MNIST classifier and the digit metrics built on it: accuracy, classifier FID, Inception-like score."""

import math

import pytest
import torch

from ganlib import evaluation as M
from ganlib import load_mnist
from ganlib.evaluation.classifier import WEIGHTS, accuracy, classify, load_classifier, train_classifier

N = 5000  # images per FID sample: enough for a stable estimate in a few seconds


@pytest.fixture(scope="module")
def train_images():
    images, _ = load_mnist("train")
    return images[:N]


def _noisy(images, sigma, seed=0):
    noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
    return (images + sigma * noise).clamp(-1, 1)


def test_committed_weights_are_small_and_load_as_plain_tensors():
    assert WEIGHTS.stat().st_size < 2_000_000
    state = torch.load(WEIGHTS, weights_only=True)
    assert all(isinstance(t, torch.Tensor) for t in state.values())


def test_committed_classifier_reads_the_test_set_with_at_least_99_percent_accuracy(mnist_test):
    assert accuracy(load_classifier(), *mnist_test) >= 0.99


def test_training_is_deterministic_for_a_seed(mnist_test):
    images, labels = mnist_test[0][:256], mnist_test[1][:256]
    a, b = train_classifier(images, labels, epochs=1, seed=3), train_classifier(images, labels, epochs=1, seed=3)
    c = train_classifier(images, labels, epochs=1, seed=4)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))
    assert not torch.equal(a.head.weight, c.head.weight)


def test_classifier_fid_of_the_test_set_against_itself_is_zero(mnist_test):
    assert M.classifier_fid(mnist_test[0]) == pytest.approx(0.0, abs=1e-4)


def test_classifier_fid_refuses_reference_images_outside_the_digit_range(mnist_test):
    with pytest.raises(ValueError, match="^reference="):
        M.classifier_fid(mnist_test[0][:100], (mnist_test[0][:100] + 1) * 127.5)  # 0-255 pixels


def test_classifier_fid_is_small_for_real_digits_and_grows_with_noise(train_images):
    real = M.classifier_fid(train_images)
    noisy = [M.classifier_fid(_noisy(train_images, sigma)) for sigma in (0.1, 0.25, 0.5, 1.0)]
    pure_noise = M.classifier_fid(torch.rand(N, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1)
    assert real < noisy[0]
    assert noisy == sorted(noisy)
    assert pure_noise > 100 * real and pure_noise > noisy[1]


def test_classifier_fid_takes_another_reference(train_images, mnist_test):
    assert M.classifier_fid(train_images, reference=train_images) == pytest.approx(0.0, abs=1e-4)
    assert M.classifier_fid(train_images, reference=mnist_test[0]) == pytest.approx(M.classifier_fid(train_images))


def test_inception_score_is_one_for_identical_and_n_for_certain_balanced_predictions():
    assert M.inception_score(torch.full((7, 10), 0.1)) == pytest.approx(1.0)
    assert M.inception_score(torch.eye(10).repeat(3, 1)) == pytest.approx(10.0)
    assert M.inception_score(torch.eye(10)[[2, 2, 5, 5]]) == pytest.approx(2.0)


def test_digit_metrics_of_real_test_digits_cover_every_class(mnist_test):
    images, labels = mnist_test
    report = M.digit_metrics(images)
    assert report.classes_covered == 10
    assert sum(report.class_counts) == len(images)
    label_counts = torch.bincount(labels, minlength=10)
    assert all(
        abs(c - t) <= 0.01 * len(images) for c, t in zip(report.class_counts, label_counts.tolist(), strict=True)
    )
    assert report.confident_fraction > 0.95 and report.mean_confidence > 0.95
    assert 9.0 < report.inception_score <= 10.0
    assert report.fid == pytest.approx(0.0, abs=1e-4)


def test_digit_metrics_of_a_single_class_show_the_collapse(mnist_test):
    images = mnist_test[0][:2000]
    predicted = classify(load_classifier(), images)[0].argmax(dim=1)
    threes = images[predicted == 3]
    report = M.digit_metrics(threes)
    assert report.classes_covered == 1 and report.class_counts[3] == len(threes)
    assert report.inception_score < 1.2
    assert report.fid > M.classifier_fid(images)


def test_inception_score_refuses_a_flat_vector():
    with pytest.raises(ValueError, match="probabilities="):
        M.inception_score(torch.ones(10) / 10)
    assert math.isfinite(M.inception_score(torch.tensor([[1.0, 0.0]])))
