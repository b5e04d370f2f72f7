"""Notebook 06's exercises: the label as input channels (concatenation), the projection term of a conditional D,
and a prediction."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ganlib.exercises.code import CodeExercise, call, close, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction


def _check_label_channels(function) -> None:
    rng = torch.Generator().manual_seed(0)
    x, y = torch.rand(4, 1, 28, 28, generator=rng) * 2 - 1, torch.tensor([0, 3, 3, 9])
    when = "on 4 images with labels 0, 3, 3, 9"
    out = call(function, x, y, 10, when=when)
    if isinstance(out, torch.Tensor) and out.shape[:1] == (4,) and out.shape[1] != 11:
        raise Mistake(f"your input has {out.shape[1]} channels: the image and one constant map per class, 1 + 10")
    out = tensor(out, (4, 11, 28, 28), "your D input")
    if torch.equal(out[:, -1:], x) and not torch.equal(out[:, :1], x):
        raise Mistake("the image must stay channel 0: append the label maps after it")
    if not torch.equal(out[:, :1], x):
        raise Mistake("channel 0 must be the image itself, unchanged")
    maps = out[:, 1:]
    expected = F.one_hot(y, 10).to(x.dtype)[:, :, None, None].expand(-1, -1, 28, 28)
    if maps.amin() == 1:
        raise Mistake("every label channel is all ones: only channel y is, the others are zeros")
    if not torch.equal(maps, expected):
        raise Mistake("the label maps are wrong: for label y, map y is all ones and the other nine all zeros")


label_channels = CodeExercise(
    "Exercise 6.1, the label as input channels",
    _check_label_channels,
    hints=(
        "`F.one_hot(y, n_classes)` turns labels into (n, n_classes) rows of zeros with a one at y.",
        "Give each row two more dimensions and expand them to the image's 28 x 28: "
        "`one_hot[:, :, None, None].expand(-1, -1, 28, 28)`.",
        "`torch.cat([x, maps], dim=1)`: the image first, then the label maps (match x's dtype with `.to(x.dtype)`).",
    ),
    solution="""
from torch.nn import functional as F


def label_channels(x, y, n_classes):
    maps = F.one_hot(y, n_classes).to(x.dtype)[:, :, None, None].expand(-1, -1, *x.shape[2:])
    return torch.cat([x, maps], dim=1)
""",
    reason="D's first convolution then sees the label at every pixel, beside the image; it must learn to use "
    "those ten extra channels before the label can shape its judgement.",
)


def _check_projection_score(function) -> None:
    rng = torch.Generator().manual_seed(1)
    phi, psi = (
        torch.randn(6, 32, generator=rng, dtype=torch.float64),
        torch.randn(6, generator=rng, dtype=torch.float64),
    )
    V, y = torch.randn(10, 32, generator=rng, dtype=torch.float64), torch.tensor([0, 1, 1, 4, 9, 9])
    when = "on 6 feature vectors of length 32, 10 classes"
    score = tensor(call(function, phi, psi, V, y, when=when), (6,), "your score")
    expected = psi + (V[y] * phi).sum(dim=1)
    if not close(score, expected):
        if close(score, (V[y] * phi).sum(dim=1)):
            raise Mistake("the unconditional term psi(phi(x)) is missing: the projection is added to it")
        if close(score, psi + (phi @ V.T).sum(dim=1)):
            raise Mistake("you projected onto every class's vector and summed: take only V[y], the label's row")
        if close(score, psi + (V[y] * phi).sum()):
            raise Mistake("you summed the inner products over the whole batch: one per sample, `.sum(dim=1)`")
        if close(score, psi - (V[y] * phi).sum(dim=1)):
            raise Mistake("wrong sign: the projection <V[y], phi(x)> is added to psi")
        raise Mistake(f"your score is not psi + <V[y], phi(x)> {when}")


projection_score = CodeExercise(
    "Exercise 6.2, the projection discriminator's score",
    _check_projection_score,
    hints=(
        "V holds one vector per class; `V[y]` picks the row of each sample's label: shape (n, features).",
        "The inner product of each sample's row with its features: `(V[y] * phi).sum(dim=1)`.",
        "Add the unconditional score psi, one number per sample.",
    ),
    solution="""
def projection_score(phi, psi, V, y):
    return psi + (V[y] * phi).sum(dim=1)
""",
    reason="Miyato & Koyama 2018: if the class posterior is log-linear in D's features, the optimal D's logit is an "
    "unconditional term plus an inner product of a class vector with the features. The label acts where D decides.",
)


synthetic_accuracy = Prediction(
    "Prediction 6.3, training on generated digits",
    explain=lambda points: (
        f"the classifier trained on generated digits scored {points:+.2f} points against the one "
        "trained on as many real digits."
    ),
    options=("lower", "about the same", "higher"),
    edges=(-0.5, 0.5),
    hints=(
        "G draws the class it is asked for almost every time. Does it draw every *style* of each class as often as "
        "real handwriting has it?",
    ),
    solution='prediction = "lower"',
    reason="A classifier learns each class from the styles it is shown. G repeats the styles it has learned and "
    "under-draws the rest, so real test digits in those styles are misread: CAS is lower than the real-data "
    "accuracy, and the per-class bars show where.",
)
