"""Notebook 04's exercises: mode coverage as the papers count it, minibatch standard deviation, two predictions."""

from __future__ import annotations

import math

import torch

from ganlib.exercises.code import CodeExercise, call, close, number, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction


def _ring_case() -> tuple[torch.Tensor, torch.Tensor, float, int, int]:
    """Samples near the 8 modes of a ring of std 0.02: (samples, centres, std, modes covered, high-quality ones)."""
    angles = torch.arange(8) * (2 * math.pi / 8)
    centres = 2 * torch.stack([angles.cos(), angles.sin()], dim=1)
    std = 0.02
    rng = torch.Generator().manual_seed(0)
    near = centres[torch.arange(5)].repeat_interleave(6, dim=0) + 0.5 * std * torch.randn(30, 2, generator=rng)
    off = centres[5] + torch.tensor([3.5 * std, 0.0])  # 3.5 standard deviations from mode 5: not high-quality
    between = 0.5 * (centres[6] + centres[7]) + 0.1 * torch.randn(9, 2, generator=rng)  # nearest 6 or 7, far off
    return torch.cat([near, off[None], between]), centres, std, 5, 30


def _check_count_modes(function) -> None:
    samples, centres, std, covered, n_high_quality = _ring_case()
    share = n_high_quality / len(samples)
    when = "on 40 samples near a ring of 8 modes of std 0.02"
    result = call(function, samples, centres, std, when=when)
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise Mistake(f"return two numbers, (modes covered, share of high-quality samples); yours is {result!r}")
    modes, fraction = number(result[0], "your number of modes covered"), number(result[1], "your high-quality share")
    if fraction == 1.0:
        raise Mistake("every sample counts as high-quality: the threshold is 3 standard deviations, 3 * std, not 3")
    if fraction == n_high_quality and modes == covered:
        raise Mistake("your second number counts the high-quality samples; return their share of all samples")
    if modes == n_high_quality:
        raise Mistake("you counted high-quality samples, not modes: a mode covered by many samples counts once")
    if modes > covered and math.isclose(fraction, share):
        raise Mistake(
            "you counted modes whose nearest samples are far from them: only high-quality samples (within 3 std "
            "of their nearest centre) cover a mode"
        )
    if not math.isclose(fraction, share, abs_tol=1e-6):
        raise Mistake(f"your high-quality share is {fraction:.3f}, not what 3 standard deviations give {when}")
    if modes != covered:
        raise Mistake(f"your count of modes covered ({modes:g}) is wrong {when}")
    lost = call(function, centres.mean(dim=0, keepdim=True).repeat(4, 1), centres, std, when="on samples far off")
    if tuple(number(v, "your result") for v in lost) != (0, 0):
        raise Mistake("when no sample is within 3 standard deviations of a mode, the answer is (0, 0.0)")


count_modes = CodeExercise(
    "Exercise 4.2, counting modes as VEEGAN and PacGAN do",
    _check_count_modes,
    hints=(
        "For each sample find its nearest centre and the distance to it, measured in standard deviations.",
        "`torch.cdist(samples, centres) / std` gives every distance at once; `.min(dim=1)` the nearest of each row.",
        "High-quality: distance < 3. A mode is covered when it is the nearest centre of a high-quality sample: "
        "count the distinct nearest centres among those samples (`.unique()`).",
    ),
    solution="""
def count_modes(samples, centres, std):
    distance, nearest = (torch.cdist(samples, centres) / std).min(dim=1)
    high_quality = distance < 3
    return nearest[high_quality].unique().numel(), high_quality.float().mean().item()
""",
    reason="Distances are measured in the modes' standard deviation, so 3 means the same on any data set; a "
    "sample far from every mode neither counts as high-quality nor covers the mode it happens to be nearest to.",
)


def _minibatch_std(h: torch.Tensor, unbiased: bool = False, dim: int = 0, eps: float = 1e-8) -> torch.Tensor:
    spread = (h.var(dim=dim, unbiased=unbiased) + eps).sqrt().mean()
    return torch.cat([h, spread.expand(len(h), 1)], dim=1)


def _check_minibatch_std(function) -> None:
    h = torch.randn(128, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    when = "on a batch of 128 samples of 16 features"
    out = tensor(call(function, h, when=when), (128, 17), "your D input")
    if not torch.equal(out[:, :16], h):
        raise Mistake("the first 16 columns must be the features themselves; append the spread as one more column")
    if out[:, 16].std() > 1e-9:
        raise Mistake("your extra feature differs from sample to sample: it is one number for the whole batch")
    spread = out[0, 16]
    if close(spread, _minibatch_std(h, dim=1)[0, 16]):
        raise Mistake("you took the spread across each sample's features; it is over the batch (dim=0)")
    if close(spread, _minibatch_std(h, unbiased=True)[0, 16]):
        raise Mistake("you used the unbiased estimate (it divides by n - 1); Karras et al. and ganlib divide by n")
    if close(spread, h.std(unbiased=False)):
        raise Mistake("you took one standard deviation over all entries: take each feature's over the batch, average")
    if not close(spread, _minibatch_std(h)[0, 16]):
        raise Mistake(f"your extra feature is not the features' standard deviation over the batch, averaged, {when}")
    batch = h.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(tensor(call(function, batch), (128, 17), "your D input")[:, 16].sum(), batch)
    if gradient.abs().max() == 0:
        raise Mistake("the spread is cut off from the graph (`.detach()` or `.item()`): G must feel the gradient")
    collapsed = torch.ones(16, 8, dtype=torch.float64, requires_grad=True)
    out = tensor(call(function, collapsed, when="on 16 identical samples"), (16, 9), "your D input")
    (gradient,) = torch.autograd.grad(out[:, 8].sum(), collapsed)
    if not torch.isfinite(gradient).all():
        raise Mistake(
            "on a batch of identical samples your gradient is nan: sqrt's slope at 0 is infinite; "
            "add 1e-8 under the root"
        )


minibatch_std = CodeExercise(
    "Exercise 4.3, minibatch standard deviation",
    _check_minibatch_std,
    hints=(
        "The spread is measured over the batch: each feature's variance across the n samples (dim=0).",
        "Average the features' standard deviations into one number, then give every sample that number as one more "
        "feature: `torch.cat([h, spread.expand(len(h), 1)], dim=1)`.",
        "`h.var(dim=0, unbiased=False)` divides by n; a small 1e-8 under the square root keeps its gradient finite "
        "when a collapsed batch has no spread at all.",
    ),
    solution="""
def minibatch_std(h):
    spread = (h.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
    return torch.cat([h, spread.expand(len(h), 1)], dim=1)
""",
    reason="One number for the batch tells D how varied the batch is: a real batch has the data's spread, a "
    "collapsed G's batch almost none. The gradient flows through it, so G is pushed to spread its samples.",
)


real_share = Prediction(
    "Prediction 4.1, the share of real samples within 3 standard deviations",
    explain=lambda share: f"{share:.2%} of 2,500 real ring samples lie within 3 standard deviations of their mode.",
    within=0.006,
    hints=(
        "The famous 99.7% within 3 standard deviations is a one-dimensional rule. These modes are 2D Gaussians.",
        "In 2D the squared distance from the centre, in standard deviations, is chi-squared with 2 degrees of "
        "freedom: P(r < t) = 1 - exp(-t^2 / 2).",
    ),
    solution="import math\n\nprediction = 1 - math.exp(-4.5)",
    reason="For an isotropic 2D Gaussian, P(r < 3) = 1 - exp(-9/2) = 0.989, less than the 0.997 of one dimension: "
    "with two directions to stray in, a sample is more often far from the centre. A perfect generator scores the "
    "same, which is the yardstick for every high-quality share below.",
)


noise_confidence = Prediction(
    "Prediction 4.4, how sure the digit classifier is of pure noise",
    explain=lambda share: f"the classifier read {share:.0%} of the noise images with confidence above 0.9.",
    options=("under 10%", "10% to 90%", "over 90%"),
    edges=(0.1, 0.9),
    hints=("A softmax classifier must spread probability 1 over ten digits, whatever it is shown.",),
    solution='prediction = "over 90%"',
    reason="Trained on digits only, the classifier has no 'none of these' answer, and an input far from every "
    "training image can push one logit far above the others: confidence measures how digit-like an image is "
    "to this network, not whether it is a digit. Hence the feature-space FID for broken generators.",
)
