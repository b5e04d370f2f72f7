"""Train on one set, test on another (CAS): per-class accuracy, the train-and-test helper, balanced labelled subsets."""

import pytest
import torch

from ganlib.evaluation.cas import N_CLASSES, balanced_subset, per_class_accuracy, train_and_test
from ganlib.evaluation.classifier import _ExtraBatches, train_classifier
from ganlib.recipes import fast_mnist_config, few_label_cgan
from ganlib.semi_supervised import split_labels


def _squares(n_per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A trivially separable digit set: class c is a bright 4x4 square at a place of its own, plus faint noise."""
    labels = torch.arange(N_CLASSES).repeat_interleave(n_per_class)
    images = -1 + 0.1 * torch.rand(len(labels), 1, 28, 28, generator=torch.Generator().manual_seed(seed))
    for i, c in enumerate(labels.tolist()):
        row, column = 4 + 14 * (c // 5), 2 + 5 * (c % 5)
        images[i, 0, row : row + 4, column : column + 4] = 1.0
    return images, labels


def test_per_class_accuracy_is_the_share_of_each_class_read_as_itself():
    labels = torch.tensor([0, 0, 1, 1, 1, 2])
    predicted = torch.tensor([0, 1, 1, 1, 0, 0])
    assert per_class_accuracy(predicted, labels, n_classes=3) == pytest.approx((1 / 2, 2 / 3, 0 / 1))


def test_per_class_accuracy_needs_every_class_in_the_labels():
    with pytest.raises(ValueError, match=r"labels=.*classes \[2\]"):
        per_class_accuracy(torch.tensor([0, 1]), torch.tensor([0, 1]), n_classes=3)


def test_a_separable_set_is_learned_perfectly():
    score = train_and_test(*_squares(50, seed=0), *_squares(20, seed=1), updates=40, batch_size=50)
    assert score.accuracy == 1.0
    assert score.per_class == (1.0,) * N_CLASSES
    assert score.n_train == 500 and score.updates == 40


def test_swapped_training_labels_show_as_two_empty_bars():
    images, labels = _squares(50, seed=0)
    swapped = labels.clone()
    swapped[labels == 3], swapped[labels == 5] = 5, 3
    score = train_and_test(images, swapped, *_squares(20, seed=1), updates=40, batch_size=50)
    assert score.per_class[3] == score.per_class[5] == 0.0
    assert all(a == 1.0 for c, a in enumerate(score.per_class) if c not in (3, 5))
    assert score.accuracy == pytest.approx(1 - 2 / N_CLASSES)


def test_updates_are_whole_epochs_nearest_the_request():
    images, labels = _squares(3, seed=0)  # 30 images: one update per epoch at batch 128
    assert train_and_test(images, labels, images, labels, updates=7).updates == 7
    assert train_and_test(images, labels, images, labels, updates=7, batch_size=20).updates == 8  # 4 epochs of 2


def test_out_of_range_test_labels_are_refused_by_name():
    images, labels = _squares(2, seed=0)
    with pytest.raises(ValueError, match=r"test_labels=.*\[0, 10\)"):
        train_and_test(images, labels, images, labels + 1)


def test_balanced_subset_takes_as_many_of_each_class_and_depends_only_on_the_seed(mnist_test):
    labels = mnist_test[1]
    chosen = balanced_subset(labels, 100, seed=3)
    assert len(set(chosen.tolist())) == 100
    assert torch.bincount(labels[chosen], minlength=N_CLASSES).tolist() == [100 // N_CLASSES] * N_CLASSES
    assert torch.equal(chosen, balanced_subset(labels, 100, seed=3))
    assert not torch.equal(chosen, balanced_subset(labels, 100, seed=4))


def test_balanced_subset_is_the_labelled_draw_of_the_semi_supervised_split(mnist_test):
    labels = mnist_test[1]  # one way to label a few digits of each class in notebooks 06 and 07
    split = split_labels(labels, per_class=10, n_validation=0, seed=3)
    assert torch.equal(balanced_subset(labels, 100, seed=3), split.labelled)


@pytest.mark.parametrize("n", [0, 15, 10 * 1000])
def test_balanced_subset_refuses_sizes_it_cannot_balance(n):
    labels = torch.arange(N_CLASSES).repeat(50)  # 50 examples per class
    with pytest.raises(ValueError, match="n="):
        balanced_subset(labels, n, seed=0)


def _trained_parameters(images, labels, **extra_options) -> list[torch.Tensor]:
    model = train_classifier(images, labels, epochs=3, batch_size=16, seed=0, **extra_options)
    return [p.detach().clone() for p in model.parameters()]


def test_extra_examples_at_weight_zero_leave_the_real_digits_training_exactly_as_without_them():
    # the real minibatches, their order and their dropout masks do not depend on the extra set: same weights
    images, labels = _squares(4, seed=0)
    alone = _trained_parameters(images, labels)
    for n_extra in (7, 200):  # fewer and more extra examples than real ones
        extra = _squares(n_extra // N_CLASSES + 1, seed=1)
        with_extra = _trained_parameters(images, labels, extra=extra, extra_weight=0.0)
        assert all(torch.equal(a, b) for a, b in zip(alone, with_extra, strict=True))


def test_extra_examples_with_weight_change_the_classifier():
    images, labels = _squares(4, seed=0)
    alone = _trained_parameters(images, labels)
    with_extra = _trained_parameters(images, labels, extra=_squares(20, seed=1), extra_weight=1.0)
    assert not all(torch.equal(a, b) for a, b in zip(alone, with_extra, strict=True))


def test_extra_examples_do_not_change_the_number_of_updates_on_the_real_digits():
    images, labels = _squares(3, seed=0)  # 30 real digits, one update per epoch at batch 128
    extra = _squares(100, seed=1)  # 1,000 extra digits: diluted, they would have cut the real digits' passes to 1/33
    assert train_and_test(images, labels, images, labels, updates=7, extra=extra).updates == 7


def test_extra_examples_are_each_used_once_per_pass_in_batches_as_large_as_the_real_ones():
    batches = _ExtraBatches(_squares(1, seed=0), seed=0)  # 10 extra examples
    first_pass = torch.cat([batches._next(4), batches._next(4), batches._next(2)])
    assert sorted(first_pass.tolist()) == list(range(10))
    assert len(batches._next(16)) == 16  # more than one pass in one minibatch


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"extra": _squares(1, seed=0), "extra_weight": -1.0}, "extra_weight"),
        ({"extra": _squares(1, seed=0), "extra_weight": True}, "extra_weight"),
        ({"extra": (_squares(1, seed=0)[0], torch.zeros(3, dtype=torch.long))}, "extra_labels"),
        ({"extra": (_squares(1, seed=0)[0] * 255, _squares(1, seed=0)[1])}, "extra_images"),
        ({"extra": _squares(1, seed=0)[0]}, "extra"),
    ],
)
def test_bad_extra_sets_are_refused_by_name(options, named):
    images, labels = _squares(2, seed=0)
    with pytest.raises(ValueError, match=f"^{named}="):
        train_and_test(images, labels, images, labels, updates=2, **options)


def test_the_few_label_cgan_is_the_fast_recipe_on_the_labelled_digits_alone():
    images, labels = _squares(2, seed=0)
    gan = few_label_cgan(images, labels, "cpu", seed=4)
    assert torch.equal(gan.data.x, images) and torch.equal(gan.data.y, labels)
    assert gan.config == fast_mnist_config(4)
    assert gan.G.n_classes == 10 and gan.D.conditioning == "projection"
    gan.run(2)
    assert gan.sample(10, labels=torch.arange(10)).shape == (10, 1, 28, 28)
