"""Notebook 02's exercises: D's loss, G's non-saturating loss, one iteration of Algorithm 1, two predictions."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ganlib.exercises.code import CodeExercise, call, close, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction
from ganlib.losses import d_loss, g_loss


def _logits(n: int, seed: int) -> torch.Tensor:
    return 4 * torch.randn(n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _check_discriminator_loss(function) -> None:
    real, fake = _logits(64, 0), _logits(48, 1)
    when = "on 64 real and 48 generated logits"
    loss = tensor(call(function, real, fake, when=when), (), "your loss")
    if not close(loss, d_loss(real, fake)):
        if close(loss, d_loss(fake, real)):
            raise Mistake("real and generated are swapped: D should score real images high, fakes low")
        if close(loss, -d_loss(real, fake)):
            raise Mistake("wrong sign: that is V, which D maximises; its loss, to minimise, is minus V")
        if close(loss, F.softplus(-real).sum() + F.softplus(fake).sum()):
            raise Mistake("your loss grows with the batch: it sums over images where each expectation is an average")
        if close(loss, torch.cat([F.softplus(-real), F.softplus(fake)]).mean()):
            raise Mistake("you averaged the two terms together; each is an average over its own batch")
        if close(loss, F.softplus(-real).mean() + F.softplus(-fake).mean()):
            raise Mistake("your fake term rewards D for calling fakes real: it is -log(1 - D(G(z))) = softplus(s)")
        raise Mistake(f"your loss differs from -E log D(x) - E log(1 - D(G(z))) {when}")
    wrong = torch.tensor([-100.0, -80.0]), torch.tensor([100.0, 80.0])  # float32, D sure and wrong: sigmoid -> 0
    when = "when D is sure and wrong (float32 logits of -100 on real images, +100 on fakes)"
    loss = tensor(call(function, *wrong, when=when), (), "your loss", finite=False)
    if not (torch.isfinite(loss) and close(loss, d_loss(*wrong), tolerance=1e-3)):
        raise Mistake(
            f"your loss is {loss.item():.4g} {when}, where it is about 180: sigmoid rounds to 0 and its log to -inf; "
            "write it with softplus: -log sigmoid(s) = softplus(-s)"
        )


discriminator_loss = CodeExercise(
    "Exercise 2.1, D's loss",
    _check_discriminator_loss,
    hints=(
        "D is a binary classifier: label 1 for real images, 0 for generated ones, binary cross-entropy on each batch.",
        "With D = sigmoid(s): -log D = softplus(-s) and -log(1 - D) = softplus(s) (`torch.nn.functional.softplus`).",
        "Average each term over its own batch and add them.",
    ),
    solution="""
from torch.nn import functional as F


def discriminator_loss(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
""",
    reason="-log D(x) - log(1 - D(G(z))) is minus the value function of notebook 01. Written with softplus it never "
    "takes the logarithm of a probability that has rounded to 0, so it stays exact when D is sure.",
)


def _check_generator_loss(function) -> None:
    fake = _logits(64, 2)
    when = "on 64 logits of generated images"
    loss = tensor(call(function, fake, when=when), (), "your loss", finite=False)
    if not close(loss, g_loss(fake)):
        if close(loss, g_loss(fake, "saturating")):
            raise Mistake("that is the saturating loss log(1 - D(G(z))), whose gradient vanishes when D is sure")
        if close(loss, -g_loss(fake)):
            raise Mistake("wrong sign: G minimises -log D(G(z)), so it pushes D(G(z)) up")
        if close(loss, F.softplus(fake).mean()):
            raise Mistake("that is D's term for the fakes, -log(1 - D(G(z))): G wants D to call them real")
        if close(loss, F.softplus(-fake).sum()):
            raise Mistake("your loss grows with the batch: average over the generated images")
        raise Mistake(f"your loss differs from -E log D(G(z)) {when}")
    rising = torch.linspace(-6, 6, 13, dtype=torch.float64)
    losses = [tensor(call(function, s.reshape(1)), (), "your loss").item() for s in rising]
    if not all(a > b for a, b in zip(losses, losses[1:], strict=False)):
        raise Mistake("your loss does not fall as D(G(z)) rises toward 1")
    rejected = torch.full((4,), -200.0)  # D rejects the fakes with certainty: the loss must stay finite, about 200
    loss = tensor(call(function, rejected, when="when D rejects the fakes with certainty"), (), "your loss", False)
    if not torch.isfinite(loss):
        raise Mistake("your loss is inf when D rejects the fakes with certainty: write -log sigmoid(s) as softplus(-s)")


generator_loss = CodeExercise(
    "Exercise 2.2, G's non-saturating loss",
    _check_generator_loss,
    hints=(
        "G wants D to call its images real: it minimises -log D(G(z)).",
        "With D = sigmoid(s), -log sigmoid(s) = softplus(-s); average over the batch.",
    ),
    solution="""
from torch.nn import functional as F


def generator_loss(fake_logits):
    return F.softplus(-fake_logits).mean()
""",
    reason="-log D(G(z)) has the same fixed point as the minimax log(1 - D(G(z))) but a gradient near -1, not 0, "
    "when D rejects the fakes: the non-saturating loss of notebook 01.",
)


def _players(seed: int = 0) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    G = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
    D = nn.Sequential(nn.Linear(3, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Flatten(0))
    return G, D


class _Game:
    """Two small players with their Adam optimizers, batch sources that count their calls, optimizers that count
    their steps: one iteration run on it by the reader's function or by a reference."""

    def __init__(self, seed: int = 0) -> None:
        self.G, self.D = _players(seed)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=1e-2, betas=(0.5, 0.999))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=1e-2, betas=(0.5, 0.999))
        self._real, self._noise = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
        self.calls = {"real": 0, "noise": 0, "D's optimizer": 0, "G's optimizer": 0}
        for name, opt in (("D's optimizer", self.opt_d), ("G's optimizer", self.opt_g)):
            opt.step = self._counted(name, opt.step)

    def _counted(self, name: str, step: Callable) -> Callable:
        def counted(*args, **kwargs):
            self.calls[name] += 1
            return step(*args, **kwargs)

        return counted

    def real_batch(self) -> torch.Tensor:
        self.calls["real"] += 1
        return torch.randn(32, 3, generator=self._real) + 2

    def noise_batch(self) -> torch.Tensor:
        self.calls["noise"] += 1
        return torch.randn(32, 2, generator=self._noise)

    def weights(self, net: nn.Module) -> torch.Tensor:
        return torch.cat([p.detach().flatten() for p in net.parameters()])


def _reference(game: _Game, k: int, g_objective: str = "non-saturating", zero_d: bool = True, keep: bool = False):
    """Algorithm 1 on `game`, or one of its plausible variants: G's saturating loss, D's gradients accumulated over
    its k steps (`zero_d=False`), D's steps leaving gradients in G that its step keeps (`keep=True`)."""
    for _ in range(k):
        real, fake = game.real_batch(), game.G(game.noise_batch())
        loss = d_loss(game.D(real), game.D(fake if keep else fake.detach()))
        if zero_d:
            game.opt_d.zero_grad()
        loss.backward()
        game.opt_d.step()
    game.D.requires_grad_(False)
    loss = g_loss(game.D(game.G(game.noise_batch())), g_objective)
    if not keep:
        game.opt_g.zero_grad()
    loss.backward()
    game.D.requires_grad_(True)
    game.opt_g.step()


def _check_algorithm_1(function) -> None:
    k = 2
    game = _Game()
    start_g, start_d = game.weights(game.G), game.weights(game.D)
    args = (game.G, game.D, game.opt_d, game.opt_g, game.real_batch, game.noise_batch, k)
    call(function, *args, when="with k = 2")
    d_steps, g_steps, reals, noises = (game.calls[n] for n in ("D's optimizer", "G's optimizer", "real", "noise"))
    if reals != k or d_steps != k:
        raise Mistake(
            f"D took {d_steps} steps on {reals} real batches: with k = {k}, Algorithm 1 takes k steps of D, each on "
            "a fresh real batch"
        )
    if g_steps != 1:
        raise Mistake(f"G's optimizer stepped {g_steps} times: one G step per iteration, after D's k steps")
    if noises != k + 1:
        raise Mistake(f"you drew {noises} noise batches: one for each D step and a fresh one for G's step")
    g_after, d_after = game.weights(game.G), game.weights(game.D)
    if torch.equal(g_after, start_g):
        raise Mistake("G did not move: its loss never reached G's weights (a `detach()` or `no_grad()` in G's step?)")
    reference = _Game()
    _reference(reference, k)
    if torch.allclose(g_after, reference.weights(reference.G), atol=1e-6) and torch.allclose(
        d_after, reference.weights(reference.D), atol=1e-6
    ):
        return
    for variant, mistake in (
        (dict(g_objective="saturating"), "G's step uses the saturating loss log(1 - D(G(z)))"),
        (dict(zero_d=False), "D's gradients accumulate over its k steps: zero them before each backward"),
        (dict(keep=True), "it keeps gradients into G from D's steps: detach the fakes there, zero G's before its own"),
    ):
        twin = _Game()
        _reference(twin, k, **variant)
        if torch.allclose(g_after, twin.weights(twin.G), atol=1e-6):
            raise Mistake(mistake)
    if not torch.allclose(d_after, reference.weights(reference.D), atol=1e-6):
        raise Mistake("D's weights after its k steps differ from Algorithm 1's: check D's loss and its update")
    if torch.equal(d_after, start_d):
        raise Mistake("D never moved")
    raise Mistake("G's weights after its step differ from Algorithm 1's: check G's loss and which weights it updates")


algorithm_1 = CodeExercise(
    "Exercise 2.3, one iteration of Algorithm 1",
    _check_algorithm_1,
    hints=(
        "First k steps of D, each on a fresh real batch and a fresh noise batch, G held fixed (no gradient into G); "
        "then one step of G on a fresh noise batch, with D's weights left as they are.",
        "A D step: fakes under `torch.no_grad()` (or `.detach()`), D's loss, `opt_d.zero_grad()`, `backward()`, "
        "`opt_d.step()`. A G step: G's non-saturating loss on D(G(z)), `opt_g.zero_grad()`, `backward()`, "
        "`opt_g.step()`.",
        "The losses are `ganlib.losses.d_loss(real_logits, fake_logits)` and `g_loss(fake_logits)`, or your own.",
    ),
    solution="""
from ganlib.losses import d_loss, g_loss


def algorithm_1(G, D, opt_d, opt_g, real_batch, noise_batch, k):
    for _ in range(k):
        real = real_batch()
        with torch.no_grad():
            fake = G(noise_batch())
        loss_d = d_loss(D(real), D(fake))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
    loss_g = g_loss(D(G(noise_batch())))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
""",
    reason="D's k steps hold G fixed, so no gradient may reach G there; G's step moves G only (a gradient left in "
    "D's weights is harmless, as D's next step zeroes it first). Each step draws fresh batches, as the paper's "
    "Algorithm 1 samples a minibatch for every update.",
)


coin_flip_loss = Prediction(
    "Prediction 2.4, D's loss at a coin flip",
    explain=lambda loss: f"a D that says 1/2 to every image has a loss of {loss:.4f}.",
    within=0.05,
    hints=("A D that cannot tell real from fake says D(x) = 1/2 everywhere: what is -log(1/2) - log(1 - 1/2)?",),
    solution="import math\n\nprediction = 2 * math.log(2)",
    reason="-log(1/2) - log(1/2) = 2 log 2 = 1.386: the dashed line of the training plot. Below it D can tell the two "
    "batches apart; a D loss near 0 would mean D has won and G receives little useful gradient.",
)


real_confidence = Prediction(
    "Prediction 2.5, how sure the judge is of real digits",
    explain=lambda share: f"the classifier read {share:.1%} of real training digits with confidence above 0.9.",
    options=("under 80%", "80% to 95%", "over 95%"),
    edges=(0.8, 0.95),
    hints=("The judge was trained on labelled MNIST digits and reads its test set with about 99% accuracy.",),
    solution='prediction = "over 95%"',
    reason="Real digits are what the judge was trained on: nearly all are read with confidence. That share is the "
    "ceiling for a generator, the yardstick its own share is read against (a few real digits are ambiguous even to "
    "a person).",
)
