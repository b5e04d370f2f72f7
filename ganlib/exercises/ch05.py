"""Notebook 05's exercises: precision's k-NN balls, spherical interpolation, and a prediction on FID's bias."""

from __future__ import annotations

import torch

from ganlib.evaluation import inside_balls, knn_radii, precision_recall
from ganlib.exercises.code import CodeExercise, call, close, number, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction


def _clouds() -> tuple[torch.Tensor, torch.Tensor]:
    """Real features and generated ones, half of them off to one side, in 8 dimensions."""
    rng = torch.Generator().manual_seed(0)
    real = torch.randn(60, 8, generator=rng, dtype=torch.float64)
    fake = torch.cat(
        [
            torch.randn(20, 8, generator=rng, dtype=torch.float64),
            1.5 + torch.randn(20, 8, generator=rng, dtype=torch.float64),
        ]
    )
    return real, fake


def _nearest_ball_only(real: torch.Tensor, fake: torch.Tensor, k: int) -> float:
    distance, nearest = torch.cdist(fake, real).min(dim=1)
    return float((distance <= knn_radii(real, k)[nearest]).double().mean())


def _check_precision(function) -> None:
    real, fake = _clouds()
    k = 3
    when = "on 60 real and 40 generated feature vectors, k = 3"
    share = number(call(function, real, fake, k, when=when), "your precision")
    if close(torch.tensor(share), torch.tensor(precision_recall(real, fake, k).precision)):
        edge = torch.tensor([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [7.0, 0.0]], dtype=torch.float64)
        on_rim = torch.tensor([[0.0, 1.0], [10.0, 10.0]], dtype=torch.float64)  # exactly on (0, 0)'s ball; far off
        rim = number(call(function, edge, on_rim, 1, when="with a sample exactly on a ball's rim"), "your precision")
        if rim != 0.5:
            raise Mistake("a generated sample exactly on a ball's rim counts as inside: distance <= radius")
        return
    variants = {
        "your radii count each real sample as its own nearest neighbour: the radius is the distance to the k-th "
        "nearest *other* real sample": inside_balls(fake, real, knn_radii(real, k - 1)),
        "your radius is the distance to the (k + 1)-th neighbour: k = 3 means the third nearest other sample": (
            inside_balls(fake, real, knn_radii(real, k + 1))
        ),
        "that is recall (real samples in the generated balls); precision asks how many generated samples fall in "
        "the real balls": torch.tensor([precision_recall(real, fake, k).recall]),
        "you compared squared distances with radii: compare the distance itself": inside_balls(
            fake, real, knn_radii(real, k) ** 0.5
        ),
    }
    for mistake, inside in variants.items():
        if close(torch.tensor(share), inside.double().mean()):
            raise Mistake(mistake)
    if close(torch.tensor(share), torch.tensor(_nearest_ball_only(real, fake, k))):
        raise Mistake(
            "you tested only the nearest real sample's ball; a farther real sample with a wider ball can hold it"
        )
    raise Mistake(f"your precision ({share:.3f}) is not the share of generated samples inside the real balls {when}")


knn_precision = CodeExercise(
    "Exercise 5.1, precision from k-NN balls",
    _check_precision,
    hints=(
        "Each real sample gets a ball reaching to its k-th nearest *other* real sample; the union of the balls "
        "estimates the real support.",
        "`torch.cdist(real, real)` gives every distance; each row's smallest is the sample itself (0), so the k-th "
        "nearest other one is at index k of the sorted row (`.topk(k + 1, largest=False).values[:, k]`).",
        "A generated sample is inside when its distance to *some* real sample is at most that sample's radius: "
        "`(torch.cdist(fake, real) <= radii).any(dim=1)`; precision is the share inside.",
    ),
    solution="""
def knn_precision(real, fake, k):
    radii = torch.cdist(real, real).topk(k + 1, dim=1, largest=False).values[:, k]
    return (torch.cdist(fake, real) <= radii).any(dim=1).double().mean().item()
""",
    reason="Kynkaanniemi et al. 2019 estimate each distribution's support as a union of k-NN balls. Every ball "
    "counts, not only the nearest sample's: in a sparse region a farther sample's ball is wider.",
)


def _check_slerp(function) -> None:
    rng = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(64, generator=rng, dtype=torch.float64), torch.randn(64, generator=rng, dtype=torch.float64)
    t = torch.linspace(0, 1, 5, dtype=torch.float64)
    when = "between two random z of 64 numbers, t = 0, 0.25, ..., 1"
    path = tensor(call(function, z0, z1, t, when=when), (5, 64), "your path", finite=False)
    omega = torch.arccos(torch.dot(z0 / z0.norm(), z1 / z1.norm()))
    expected = (torch.sin((1 - t[:, None]) * omega) * z0 + torch.sin(t[:, None] * omega) * z1) / torch.sin(omega)
    if not close(path, expected):
        if close(path, (1 - t[:, None]) * z0 + t[:, None] * z1):
            raise Mistake("that is the straight line: its midpoint is shorter than both ends; follow the great circle")
        if close(path, expected.flip(0)):
            raise Mistake("reversed: at t = 0 the path must start at z0 and end at z1 at t = 1")
        if not torch.isfinite(path).all():
            raise Mistake("your path holds nan: the angle is the arccos of the dot product of the *unit* vectors")
        raise Mistake(f"your path is not the great circle from z0 to z1 {when}")
    parallel = tensor(call(function, z0, 2 * z0, t, when="when z1 = 2 z0"), (5, 64), "your path", finite=False)
    if not torch.isfinite(parallel).all():
        raise Mistake("when z0 and z1 are parallel your path is nan: sin(omega) = 0; the arc is then the straight line")
    if not close(parallel, (1 + t[:, None]) * z0):
        raise Mistake("when z0 and z1 are parallel the arc is the straight line between them")


spherical_path = CodeExercise(
    "Exercise 5.2, spherical interpolation",
    _check_slerp,
    hints=(
        "The angle between the two vectors: omega = arccos of the dot product of z0 / |z0| and z1 / |z1|.",
        "slerp(t) = (sin((1 - t) omega) z0 + sin(t omega) z1) / sin(omega), one row per t: use t[:, None].",
        "When omega is about 0 (parallel vectors), sin(omega) = 0: return the straight line (1 - t) z0 + t z1.",
    ),
    solution="""
def spherical_path(z0, z1, t):
    t = t[:, None]
    omega = torch.arccos(torch.dot(z0 / z0.norm(), z1 / z1.norm()).clamp(-1, 1))
    if omega.abs() < 1e-6:
        return (1 - t) * z0 + t * z1
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)
""",
    reason="In 64 dimensions almost all of N(0, I) lies near the sphere of radius 8; the great circle between two "
    "samples stays near it, where G was trained, while the straight line cuts through the improbable interior.",
)


midpoint_norm = Prediction(
    "Prediction 5.3, the norm of the straight line's midpoint",
    explain=lambda norm: (
        f"the midpoints of the straight lines measured a norm of {norm:.2f} on average; the ends lie near sqrt(64) = 8."
    ),
    within=0.6,
    hints=(
        "Each end is z ~ N(0, I) in 64 dimensions: its squared norm averages 64.",
        "The midpoint (z0 + z1) / 2 is again Gaussian, each coordinate with variance 1/4 + 1/4 = 1/2.",
    ),
    solution="import math\n\nprediction = 8 / math.sqrt(2)",
    reason="(z0 + z1) / 2 has 64 coordinates of variance 1/2, so its squared norm is about 32 and its norm about "
    "8 / sqrt(2) = 5.7: well inside the sphere of radius 8 where nearly every z that G was trained on lies.",
)


fid_bias = Prediction(
    "Prediction 5.4, FID on few samples",
    explain=lambda ratio: f"FID on the fewest samples is {ratio:.2f} times FID on the most, for the same generator.",
    options=("smaller", "about the same", "larger"),
    edges=(0.95, 1.05),
    hints=("FID fits a mean and a covariance to each sample. How well does a small sample estimate a covariance?",),
    solution='prediction = "larger"',
    reason="A covariance estimated from few samples is noisy, and the noise adds to the distance: FID's estimate "
    "is biased upward, more so the smaller the sample (Chong and Forsyth 2020). Compare FIDs on equal sample sizes.",
)
