"""Notebook 01's exercises: the value function, the optimal discriminator, and two predictions."""

from __future__ import annotations

import math

import torch

from ganlib.exercises.code import CodeExercise, call, close, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction


def _probabilities(n: int, seed: int) -> torch.Tensor:
    """D's outputs on a batch: probabilities in (0.02, 0.98), shaped (n, 1) like the notebook's D(x)."""
    return 0.02 + 0.96 * torch.rand(n, 1, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _value(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    return d_real.log().mean() + (-d_fake).log1p().mean()


def _check_value_function(function) -> None:
    d_real, d_fake = _probabilities(32, 0), _probabilities(20, 1)  # two batch sizes: each term has its own mean
    when = "on 32 values of D(x) and 20 of D(G(z))"
    v = tensor(call(function, d_real, d_fake, when=when), (), "your V")
    if not close(v, _value(d_real, d_fake)):
        if close(v, -_value(d_real, d_fake)):
            raise Mistake("wrong sign: that is D's loss (the binary cross-entropy); V is minus it, what D maximises")
        if close(v, d_real.log().sum() + (-d_fake).log1p().sum()):
            raise Mistake("your V grows with the batch: it sums over samples where each expectation is an average")
        if close(v, torch.cat([d_real.log(), (-d_fake).log1p()]).mean()):
            raise Mistake("you averaged the two terms together; V adds two expectations, each over its own batch")
        if close(v, d_real.log().mean() + d_fake.log().mean()):
            raise Mistake("your second term is log D(G(z)); in V it is log(1 - D(G(z))): D gains by calling fakes fake")
        if close(v, d_real.mean() + (1 - d_fake).mean()):
            raise Mistake("the logarithms are missing: V averages log D(x) and log(1 - D(G(z)))")
        raise Mistake(f"your V differs from the value function {when}")
    half = torch.full((8, 1), 0.5, dtype=torch.float64)
    v_half = tensor(call(function, half, half, when="when D says 1/2 everywhere"), (), "your V")
    if not close(v_half, torch.tensor(-math.log(4))):
        raise Mistake("when D says 1/2 everywhere, V must be -log 4, the value of a D that knows nothing")
    surer = tensor(call(function, d_real.sqrt(), d_fake), (), "your V")  # sqrt moves every D(x) toward 1
    if not surer > v:
        raise Mistake("your V does not rise as D(x) on real samples rises toward 1")


value_function = CodeExercise(
    "Exercise 1.1, the value function",
    _check_value_function,
    hints=(
        "V has two terms: an average over real samples and an average over generated ones.",
        "The inputs are already probabilities D(x) and D(G(z)); take their logarithms with `torch.log`.",
        "`torch.log(d_real).mean() + torch.log(1 - d_fake).mean()`: each batch is averaged on its own.",
    ),
    solution="""
def value_function(d_real, d_fake):
    return torch.log(d_real).mean() + torch.log(1 - d_fake).mean()
""",
    reason="Each expectation in V is estimated by the average over its own batch; the real and generated batches "
    "need not be the same size. D maximises this number, which is why D's loss (minimised) is minus it.",
    praise="your V is the log-likelihood D maximises; the next cell checks the same identity with D's loss.",
)


def _check_optimal_discriminator(function) -> None:
    p_data = torch.tensor([0.8, 0.5, 0.15, 0.0, 0.3, 0.0, 1e-300], dtype=torch.float64)
    p_g = torch.tensor([0.2, 0.5, 0.6, 0.4, 0.0, 0.0, 1e-300], dtype=torch.float64)
    expected = torch.tensor([0.8, 0.5, 0.2, 0.0, 1.0, 0.5, 0.5], dtype=torch.float64)
    out = tensor(call(function, p_data, p_g, when="on densities at 7 points"), (7,), "your D*", finite=False)
    if out.isinf().any() or (out < 0).any() or (out > 1).any():
        raise Mistake("your D* leaves [0, 1]; it is a probability: divide p_data by the total p_data + p_g")
    defined = torch.arange(7) != 5  # every point but the one where p_data = p_g = 0
    if close(out[defined], 1 - expected[defined]):
        raise Mistake("inverted: yours is the probability that x is fake; D* is near 1 where only real data lives")
    if out[5].isnan():
        raise Mistake(
            "where p_data = p_g = 0 your D* is nan (0/0): no sample lands there, D has no evidence; return 1/2"
        )
    if not close(out, expected):
        wrong = int((~torch.isclose(out, expected, atol=1e-6)).nonzero()[0])
        raise Mistake(f"your D* is wrong where p_data = {p_data[wrong]:.3g} and p_g = {p_g[wrong]:.3g}")
    grid = torch.rand(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    call_2d = tensor(call(function, grid, grid.flip(0), when="on a (3, 4) grid"), (3, 4), "your D* on a (3, 4) grid")
    if not close(call_2d, grid / (grid + grid.flip(0))):
        raise Mistake("your D* works on a line of points but not on a (3, 4) grid: compute it point by point")


optimal_discriminator = CodeExercise(
    "Exercise 1.2, the optimal discriminator",
    _check_optimal_discriminator,
    hints=(
        "D* is computed point by point: the same formula at every x, so the result has the shape of its inputs.",
        "At each x, D* = p_data / (p_data + p_g). Where only fakes land it is 0, where only data lives it is 1.",
        "Where both densities are 0 the formula is 0/0; `torch.where(total > 0, p_data / total, 0.5)` decides it.",
    ),
    solution="""
def optimal_discriminator(p_data, p_g):
    total = p_data + p_g
    return torch.where(total > 0, p_data / total, torch.full_like(total, 0.5))
""",
    reason="At each x, D maximises p_data log D + p_g log(1 - D), whose derivative vanishes at p_data / (p_data + "
    "p_g). Where neither density has mass nothing is at stake; 1/2 says 'no idea', as ganlib's version does.",
)


v_far_apart = Prediction(
    "Prediction 1.3, V against the best D when the fakes are far from the data",
    explain=lambda v: (
        f"V(D*, G) measured at shift 3.0: {v:.4f} (-log 4 = {-math.log(4):.4f}), "
        f"so JS = {(v + math.log(4)) / 2:.4f} nats, against ln 2 = {math.log(2):.4f} for distributions fully apart."
    ),
    options=("about -log 4", "in between", "about 0"),
    edges=(-math.log(4) + 0.1, -0.1),
    hints=(
        "Far apart, D* can be sure everywhere: 1 on the data, 0 on the fakes. What are log 1 and log(1 - 0)?",
        "JS between two distributions that never overlap is ln 2, its largest value.",
    ),
    solution='prediction = "about 0"',
    reason="With no overlap D* is 1 where the data lives and 0 where the fakes land, so both logarithms are 0 and "
    "V(D*, G) = 0 = -log 4 + 2 ln 2: JS is at its ceiling, ln 2. From there on, moving G a little changes nothing "
    "in V, which is one reason G's gradient can vanish when D is perfect (Arjovsky and Bottou 2017).",
)


stronger_gradient = Prediction(
    "Prediction 1.4, which loss pushes G harder against a confident D",
    explain=lambda ratio: f"the non-saturating gradient measured {ratio:.1f} times the saturating one.",
    options=("saturating", "non-saturating"),
    edges=(1.0,),
    hints=(
        "Look at the slopes of the two losses near D(G(z)) = 0 in the figure above.",
        "With respect to D's logit, the saturating gradient is -D(G(z)) and the non-saturating one -(1 - D(G(z))).",
    ),
    solution='prediction = "non-saturating"',
    reason="When D rejects the fakes, D(G(z)) is near 0: the saturating loss's slope -D(G(z)) is near 0, the "
    "non-saturating one's -(1 - D(G(z))) near -1. The same holds, through the chain rule, for G's weights.",
)
