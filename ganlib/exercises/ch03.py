"""Notebook 03's exercises: the arrows and the divergence curve written by the reader, a prediction about a step of
G alone, and three live challenges checked from a dashboard's own record (ganlib.live.challenges)."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganlib.evaluation.densities import js_divergence
from ganlib.evaluation.discriminator import generator_gradient
from ganlib.exercises.code import CodeExercise, call, close, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction
from ganlib.live.challenges import LiveChallenge


def _histograms(seed: int, bins: int = 12) -> tuple[torch.Tensor, torch.Tensor]:
    """Two histograms of counts (not normalised, some bins empty in one of them), as the divergence curve has."""
    generator = torch.Generator().manual_seed(seed)
    p, q = (torch.randint(0, 40, (bins,), generator=generator).double() for _ in range(2))
    p[:2], q[-3:] = 0, 0
    return p, q


def _check_jensen_shannon(function) -> None:
    p, q = _histograms(0)
    when = "on two histograms of counts, each with empty bins"
    js = tensor(call(function, p, q, when=when), (), "your JS", finite=False)
    if not torch.isfinite(js):
        raise Mistake(f"your JS is {float(js)} {when}: a log of 0 somewhere. Compare each with their average "
                      "m = (p + q) / 2, 0 only where both are, and leave out bins where p is 0")  # fmt: skip
    scaled = tensor(call(function, 10 * p, q, when="with p's counts ten times larger"), (), "your JS", finite=False)
    if not close(scaled, js):
        raise Mistake("your JS changes when p's counts are ten times larger: normalise each histogram to sum to 1")
    right = js_divergence(p, q)
    if not close(js, torch.tensor(right)):
        if close(js, torch.tensor(right / math.log(2))):
            raise Mistake("your JS is in bits (log base 2); the curve is in nats (natural log), where ln 2 = 0.693 "
                          "means the two never overlap")  # fmt: skip
        if close(js, torch.tensor(2 * right)):
            raise Mistake("your JS is twice too large: it is the average of the two KL terms, not their sum")
        p_norm, q_norm = p / p.sum(), q / q.sum()
        m = (p_norm + q_norm) / 2
        keep = p_norm > 0
        if close(js, (p_norm[keep] * (p_norm[keep] / m[keep]).log()).sum()):
            raise Mistake("you kept only KL(p || m): JS adds half of KL(q || m), so that JS(p, q) = JS(q, p)")
        raise Mistake(f"your JS differs from the Jensen-Shannon divergence {when}")
    same = tensor(call(function, p, p, when="on a histogram and itself"), (), "your JS")
    apart = tensor(call(function, torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]), when="on two disjoint ones"),
                   (), "your JS")  # fmt: skip
    if not (close(same, torch.tensor(0.0)) and close(apart, torch.tensor(math.log(2)))):
        raise Mistake("JS must be 0 for a histogram and itself and ln 2 for two that never overlap")


jensen_shannon = CodeExercise(
    "Exercise 3.1, the divergence curve",
    _check_jensen_shannon,
    hints=(
        "Normalise both histograms to sum to 1, then compare each with their average m = (p + q) / 2.",
        "KL(a || m) = sum over the bins where a > 0 of a log(a / m); m is never 0 there.",
        "JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2, with natural logarithms (nats).",
    ),
    solution="""
def jensen_shannon(p, q):
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a, b):
        keep = a > 0
        return (a[keep] * (a[keep] / b[keep]).log()).sum()

    return kl(p, m) / 2 + kl(q, m) / 2
""",
    reason="JS compares each distribution with their average, which is positive wherever either is, so it stays "
    "finite where KL(p || q) would be infinite (a bin G never reaches); it is symmetric, 0 when p = q and at most "
    "ln 2, reached when they never overlap: the scale of the dashboard's divergence curve.",
)


def _discriminator() -> nn.Module:
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1)).double()


def _check_arrows(function) -> None:
    D, x = _discriminator(), torch.randn(24, 2, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    when = "for 24 samples and a small D"
    arrows = tensor(call(function, D, x, when=when), (24, 2), "your arrows")
    if any(p.grad is not None for p in D.parameters()):
        raise Mistake("your function left gradients in D's weights: take the gradient with respect to x alone "
                      "(torch.autograd.grad(loss, x)), as G's step does not train D")  # fmt: skip
    right = generator_gradient(D, x, "non-saturating")
    if not close(arrows, right):
        if close(arrows, -right):
            raise Mistake("wrong sign: your arrows point where G's loss rises; an arrow is -dL_G/dx, the way down")
        if close(arrows, right / len(x)):
            raise Mistake("your arrows are 24 times too short: each is the gradient of that sample's own loss, "
                          "not of the batch's mean (sum the losses before taking the gradient)")  # fmt: skip
        if close(arrows, generator_gradient(D, x, "saturating")):
            raise Mistake("that is the saturating loss's push, from log(1 - D(x)); the dashboard's G uses the "
                          "non-saturating loss -log D(x)")  # fmt: skip
        raise Mistake(f"your arrows differ from -dL_G/dx of the non-saturating loss {when}")


arrows = CodeExercise(
    "Exercise 3.2, G's gradient arrows",
    _check_arrows,
    hints=(
        "G's non-saturating loss on a sample x is -log D(x) = softplus(-score), with score = D(x), D's logit.",
        "Make x a leaf that needs a gradient (x.detach().clone().requires_grad_(True)) and sum the samples' losses.",
        "`torch.autograd.grad(loss, x)` gives dL/dx for every sample at once; the arrow is its negative.",
    ),
    solution="""
def arrows(D, x):
    x = x.detach().clone().requires_grad_(True)
    loss = torch.nn.functional.softplus(-D(x)).sum()  # each sample's -log D(x)
    (grad,) = torch.autograd.grad(loss, x)
    return -grad
""",
    reason="Summing the samples' losses keeps each sample's own gradient (a mean would shrink every arrow by 1/n); "
    "autograd.grad with respect to x touches no weight of D; and the arrow is minus the gradient, the direction in "
    "which G's loss falls, which G then follows through its own weights.",
)


g_alone = Prediction(
    "Prediction 3.3, D's accuracy on G's samples after steps of G alone",
    explain=lambda change: f"D's accuracy on G's samples changed by {change:+.1%} over 20 steps of G alone.",
    options=("down", "up"),  # in the order of the measured change: below 0, above
    edges=(0.0,),
    hints=(
        "While G steps alone, D stands still: G moves its samples along the arrows of a D that does not answer.",
        "The arrows point where D's probability of 'real' rises.",
    ),
    solution='prediction = "down"',
    reason="Each step of G alone moves G's samples where the fixed D says 'real' more strongly, so more of them cross "
    "D's boundary and D, which does not move, calls fewer of them fake. Against a D that stands still G always gains; "
    "that is why Algorithm 1 lets D answer after every G step.",
)

d_wins = LiveChallenge(
    "Challenge 3.4, make D win outright",
    "d_wins",
    hints=(
        "D wins when G cannot keep up: slow G down, speed D up.",
        "Try lr G at its minimum, lr D three times its start, k at 5 and a batch of 128, then play a few hundred "
        "steps.",
    ),
    solution="""
board = live("ring", TrainConfig(lr_g=1e-6, lr_d=3e-3, k=5, batch_size=128, seed=0), steps=0,
             interactive=interactive, play=False, device=device)  # a fresh dashboard, paused: played here in code
for _ in range(4):
    board.run(100)  # 400 steps, with a frame after every 100
""",
    reason="With G barely moving, D's five steps per G step, each on 128 samples of each kind, sharpen one boundary "
    "around the same fakes: D's accuracy climbs to 100% and stays there. The game is over, and the warnings say so.",
)

collapse = LiveChallenge(
    "Challenge 3.5, collapse the ring and bring it back",
    "collapse",
    hints=(
        "First let G spread: a batch of 256 at lr 5e-4 covers 6 modes or more within about 600 steps.",
        "A G ten times faster than it was against a D that all but stops (lr D at its minimum) piles up where D "
        "says 'real' most.",
        "To recover, give D the upper hand on speed (lr D above lr G) and wait: D rejects the pile, G spreads again.",
    ),
    solution="""
board = live("ring", TrainConfig(lr_g=5e-4, lr_d=5e-4, batch_size=256, seed=0), steps=0,
             interactive=interactive, play=False, device=device)  # a fresh dashboard, paused: played here in code
for lr_g, lr_d, n in ((5e-4, 5e-4, 600), (5e-3, 1e-6, 200), (5e-4, 1e-3, 600)):  # spread, collapse, recover
    board.controls["lr_g"].value, board.controls["lr_d"].value = lr_g, lr_d
    for _ in range(n // 100):
        board.run(100)  # a frame after every 100 steps counts the modes, as the live view does
""",
    reason="A D that no longer learns keeps pointing every arrow to the same few places, and a fast G follows them "
    "all there: the ring collapses. Once D learns faster than G, it calls the pile fake within a few hundred steps, "
    "the arrows turn outward, and G spreads over the ring again: collapse is a state of the game, not a defect G "
    "keeps (on seed 0: 7 modes at step 600, 2 at step 700, all 8 at step 1,000).",
)

oscillate = LiveChallenge(
    "Challenge 3.6, make the game oscillate",
    "oscillate",
    hints=(
        "An oscillation is G's loss rising and falling, again and again: G escapes, D catches up.",
        "Give D the upper hand in steps and speed (k = 5, lr D three times lr G) and watch G's loss.",
    ),
    solution="""
board = live("ring", TrainConfig(lr_g=1e-3, lr_d=3e-3, k=5, seed=0), steps=0,
             interactive=interactive, play=False, device=device)  # a fresh dashboard, paused: played here in code
for _ in range(10):
    board.run(100)  # 1,000 steps
""",
    reason="A D with five fast steps per G step catches each move of G at once: G's loss jumps as D rejects the "
    "samples, falls as G finds a place D has not yet learned, and jumps again. On the ring at lr 1e-3 and k = 1 "
    "the best 1,000 steps of seeds 0, 1 and 2 held 1, 0 and 0 swings of more than 1 nat; here 7 (seed 0).",
)
