"""The completion task's pieces: halves, the seeded train/validation split, the network, the mode-seeking term."""

import pytest
import torch

from ganlib.completion import (
    TOP_ROWS,
    Completer,
    hide_bottom,
    nearest_rows,
    neighbour_label_share,
    neighbour_styles,
    split_halves,
    train_validation_split,
)
from ganlib.losses import mode_seeking_loss


def test_halves_have_fourteen_rows_each_and_reassemble_the_image():
    images = torch.rand(5, 1, 28, 28) * 2 - 1
    top, bottom = split_halves(images)
    assert top.shape == bottom.shape == (5, 1, 14, 28)
    assert torch.equal(torch.cat([top, bottom], dim=2), images)


def test_hiding_the_bottom_keeps_the_top_and_blanks_the_rest_to_background():
    images = torch.rand(3, 1, 28, 28) * 2 - 1
    hidden = hide_bottom(images)
    assert torch.equal(hidden[:, :, :TOP_ROWS], images[:, :, :TOP_ROWS])
    assert torch.all(hidden[:, :, TOP_ROWS:] == -1)
    assert not torch.all(images[:, :, TOP_ROWS:] == -1)  # the input was left alone


def test_train_and_validation_indices_are_disjoint_cover_everything_and_follow_the_seed():
    train, validation = train_validation_split(1000, 150, seed=3)
    assert len(train) == 850 and len(validation) == 150
    assert not set(train.tolist()) & set(validation.tolist())
    assert sorted(train.tolist() + validation.tolist()) == list(range(1000))
    assert torch.equal(train_validation_split(1000, 150, seed=3)[1], validation)
    assert not torch.equal(train_validation_split(1000, 150, seed=4)[1], validation)


def test_a_completion_keeps_the_given_top_and_draws_the_bottom():
    images = torch.rand(4, 1, 28, 28) * 2 - 1
    hidden = hide_bottom(images)
    for model, z in ((Completer(8, 0, 8), None), (Completer(8, 3, 8), torch.randn(4, 3))):
        completed = model(hidden, z)
        assert completed.shape == images.shape
        assert torch.equal(completed[:, :, :TOP_ROWS], images[:, :, :TOP_ROWS])
        assert not torch.all(completed[:, :, TOP_ROWS:] == -1)


def test_the_noisy_completer_draws_different_bottoms_for_different_z():
    model = Completer(8, 3, 8).eval()
    hidden = hide_bottom(torch.rand(1, 1, 28, 28) * 2 - 1).expand(2, -1, -1, -1)
    completed = model(hidden, torch.randn(2, 3))
    assert not torch.allclose(completed[0], completed[1])


def test_the_style_changes_the_drawn_bottom_and_not_the_given_top():
    model = Completer(8, 3, 8, n_styles=5).eval()
    hidden = hide_bottom(torch.rand(1, 1, 28, 28) * 2 - 1).expand(2, -1, -1, -1)
    completed = model(hidden, torch.randn(1, 3).expand(2, -1), torch.tensor([0, 4]))
    assert torch.equal(completed[0, :, :TOP_ROWS], completed[1, :, :TOP_ROWS])
    assert not torch.allclose(completed[0, :, TOP_ROWS:], completed[1, :, TOP_ROWS:])


def test_mode_seeking_loss_is_the_inverse_ratio_of_image_to_noise_distances():
    images = torch.zeros(6, 1, 28, 28)
    z = torch.zeros(6, 4)
    # the images differ by 0.3 per pixel, the noise by 1.5 per entry: the ratio is 0.2
    loss = mode_seeking_loss(images, images + 0.3, z, z - 1.5, eps=0.05)
    assert loss.item() == pytest.approx(1 / (0.2 + 0.05))
    assert mode_seeking_loss(images, images + 0.6, z, z - 1.5).item() < loss.item()  # farther apart: smaller


def test_neighbour_label_share_counts_the_majority_among_the_nearest_rows():
    reference = torch.tensor([[0.0], [0.1], [0.2], [0.3], [10.0], [10.1]])
    labels = torch.tensor([1, 1, 2, 3, 4, 4])
    query = torch.tensor([[0.15], [10.05]])
    assert neighbour_label_share(query, reference, labels, k=4).tolist() == [0.5, 0.5]
    assert neighbour_label_share(query, reference, labels, k=2).tolist() == [0.5, 1.0]


def test_nearest_rows_are_ordered_by_distance():
    reference = torch.tensor([[0.0], [0.1], [0.2], [0.3], [10.0], [10.1]])
    assert nearest_rows(torch.tensor([[0.22], [10.2]]), reference, k=2).tolist() == [[2, 3], [5, 4]]


def test_neighbour_styles_are_drawn_from_the_nearest_rows_only_and_follow_the_generator():
    reference = torch.tensor([[0.0], [0.1], [0.2], [10.0], [10.1], [10.2]])
    styles = torch.tensor([7, 8, 9, 1, 2, 3])
    query = torch.tensor([[0.05], [10.05]])
    drawn = neighbour_styles(query, reference, styles, k=2, draws=400, generator=torch.Generator().manual_seed(0))
    assert drawn.shape == (400, 2)
    assert set(drawn[:, 0].tolist()) == {7, 8} and set(drawn[:, 1].tolist()) == {1, 2}  # both neighbours drawn
    again = neighbour_styles(query, reference, styles, k=2, draws=400, generator=torch.Generator().manual_seed(0))
    assert torch.equal(drawn, again)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: split_halves(torch.zeros(2, 1, 14, 28)), "images="),
        (lambda: train_validation_split(10, 10, 0), "n_validation=10"),
        (lambda: train_validation_split(10, 2, -1), "seed=-1"),
        (lambda: Completer(8, -1), "noise_dim=-1"),
        (lambda: Completer(8, 3, 8)(torch.zeros(2, 1, 28, 28)), "z=None"),
        (lambda: Completer(8, 0, 8, n_styles=True), "n_styles=True"),
        (lambda: Completer(8, 0, 8, n_styles=4)(torch.zeros(2, 1, 28, 28)), "style=None"),
        (lambda: Completer(8, 0, 8, n_styles=4)(torch.zeros(2, 1, 28, 28), None, torch.tensor([0, 4])), "style="),
        (lambda: Completer(8, 0, 8, n_styles=4)(torch.zeros(2, 1, 28, 28), None, torch.tensor([0.0, 1.0])), "style="),
        (lambda: neighbour_styles(torch.zeros(1, 2), torch.zeros(3, 2), torch.zeros(2).long(), 2, 1, None), "styles="),
        (lambda: neighbour_styles(torch.zeros(1, 2), torch.zeros(3, 2), torch.zeros(3).long(), 2, 1, 0), "generator=0"),
        (lambda: neighbour_styles(torch.zeros(1, 2), torch.zeros(3, 2), torch.zeros(3).long(), 2, 0, None), "draws=0"),
        (lambda: mode_seeking_loss(torch.zeros(2, 3), torch.zeros(2, 4), torch.zeros(2), torch.ones(2)), "images_2"),
        (lambda: neighbour_label_share(torch.zeros(1, 2), torch.zeros(3, 2), torch.zeros(3).long(), k=4), "k=4"),
    ],
)
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
