"""Notebook 07's exercises: D's GAN loss as a K + 1-class classifier (the logit trick), feature matching, and two
predictions."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ganlib.exercises.code import CodeExercise, call, close, tensor
from ganlib.exercises.core import Mistake
from ganlib.exercises.prediction import Prediction
from ganlib.semi_supervised import feature_matching_loss, unsupervised_loss


def _logits(n: int, seed: int, scale: float = 3.0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return scale * torch.randn(n, 10, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _check_k_plus_one_loss(function) -> None:
    real, fake = _logits(64, 0), _logits(48, 1)  # two batch sizes: each term is averaged over its own batch
    when = "on 64 real and 48 generated images' logits"
    loss = tensor(call(function, real, fake, when=when), (), "your loss")
    expected = unsupervised_loss(real, fake)
    if not close(loss, expected):
        lse_real, lse_fake = real.logsumexp(dim=1), fake.logsumexp(dim=1)
        if close(loss, unsupervised_loss(fake, real)):
            raise Mistake("real and generated are swapped: D(x) = Z/(Z+1) should be high on real images, low on fakes")
        if close(loss, -lse_real.mean() + F.softplus(lse_fake).mean()):
            raise Mistake("your -log D(x) is -log Z: D(x) is Z/(Z + 1), so -log D(x) = -log Z + log(1 + Z)")
        if close(loss, (-lse_real + F.softplus(lse_real)).sum() + F.softplus(lse_fake).sum()):
            raise Mistake("your loss grows with the batch: it sums over images where each expectation is an average")
        max_real, max_fake = real.max(dim=1).values, fake.max(dim=1).values
        if close(loss, (-max_real + F.softplus(max_real)).mean() + F.softplus(max_fake).mean()):
            raise Mistake("log Z is the logsumexp of the ten digit logits, not the largest of them")
        if close(loss, -expected):
            raise Mistake("wrong sign: D minimises -log D(x) - log(1 - D(G(z)))")
        raise Mistake(f"your loss differs from -E log D(x) - E log(1 - D(G(z))) {when}")
    sure = _logits(16, 2, scale=1.0, dtype=torch.float32) + 100  # D very sure: exp(100) overflows float32
    when = "when every logit is about 100 (float32)"
    loss = tensor(call(function, sure, sure, when=when), (), "your loss", finite=False)
    if not torch.isfinite(loss):
        raise Mistake(
            f"your loss is {loss.item()} {when}: exp overflows; write it in log Z (`logsumexp`) and `softplus`"
        )
    if not close(loss, unsupervised_loss(sure, sure), tolerance=1e-3):
        raise Mistake(f"your loss loses precision {when}: write it in log Z (`logsumexp`) and `softplus`")


k_plus_one_loss = CodeExercise(
    "Exercise 7.1, D's GAN loss with K + 1 classes",
    _check_k_plus_one_loss,
    hints=(
        "With the fake logit fixed at 0, D(x) = Z/(Z + 1), Z = sum over the ten digits of exp(logit): "
        "D(x) = sigmoid(log Z).",
        "log Z is `torch.logsumexp(logits, dim=1)`, which never overflows. Then -log D = -log Z + softplus(log Z) "
        "and -log(1 - D) = softplus(log Z).",
        "Average each term over its own batch: the real images' -log D(x), the generated ones' -log(1 - D(G(z))).",
    ),
    solution="""
from torch.nn import functional as F


def k_plus_one_loss(logits_real, logits_fake):
    lse_real, lse_fake = logits_real.logsumexp(dim=1), logits_fake.logsumexp(dim=1)
    return (-lse_real + F.softplus(lse_real)).mean() + F.softplus(lse_fake).mean()
""",
    reason="Fixing the fake class's logit at 0 costs nothing (a softmax ignores a shift of all its logits) and "
    "turns D(x) into sigmoid(log Z). Written with logsumexp and softplus, the loss stays finite however sure D is, "
    "where exp(logits) would overflow.",
)


def _features(n: int, seed: int) -> torch.Tensor:
    return torch.randn(n, 250, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _check_feature_matching(function) -> None:
    real, fake = _features(100, 0) + 0.5, _features(100, 1)
    when = "on 100 real and 100 generated images' features"
    loss = tensor(call(function, real, fake, when=when), (), "your loss")
    per_feature = feature_matching_loss(real, fake)
    if close(loss, -per_feature) or close(loss, -per_feature * 250):
        raise Mistake("wrong sign: G minimises the distance between the two mean feature vectors")
    if close(loss, (real - fake).square().mean()) or close(loss, (real - fake).square().sum(dim=1).mean()):
        raise Mistake("you matched the images pair by pair; feature matching compares the batches' mean features")
    if not (close(loss, per_feature) or close(loss, per_feature * 250)):
        raise Mistake(f"your loss is not the squared distance between the mean real and mean generated features {when}")
    real_leaf, fake_leaf = real[:60].clone().requires_grad_(True), fake.clone().requires_grad_(True)
    loss = tensor(call(function, real_leaf, fake_leaf, when="on 60 real and 100 generated"), (), "your loss")
    if not loss.requires_grad:
        raise Mistake("no gradient reaches the generated features, so G cannot learn from this loss")
    real_grad, fake_grad = torch.autograd.grad(loss, [real_leaf, fake_leaf], allow_unused=True)
    if real_grad is not None and real_grad.abs().max() > 0:
        raise Mistake("it keeps gradients into D through the real features: they are G's target, `.detach()` them")
    if fake_grad is None or fake_grad.abs().max() == 0:
        raise Mistake("no gradient reaches the generated features, so G cannot learn from this loss")


feature_matching = CodeExercise(
    "Exercise 7.3, feature matching",
    _check_feature_matching,
    hints=(
        "Average each batch's features over its images first: two vectors of 250 numbers.",
        "The loss is the squared distance between those two vectors (this workbook averages the squares over the "
        "250 features; the paper's squared norm sums them, and both are accepted).",
        "The real features are G's target, not something G may move: `.detach()` them so no gradient flows into D.",
    ),
    solution="""
def feature_matching(real_features, fake_features):
    return (real_features.detach().mean(dim=0) - fake_features.mean(dim=0)).square().mean()
""",
    reason="G is asked to produce batches whose average D-features equal the real batch's, not to fool D sample by "
    "sample. The real side is a fixed target in G's step; without `.detach()`, G's loss would also move D's weights "
    "through the real images.",
)


d_of_equal_logits = Prediction(
    "Prediction 7.2, D(x) when all ten digit logits are 0",
    explain=lambda d: f"with all ten digit logits 0, D(x) = {d:.4f}.",
    within=0.02,
    hints=("p(fake | x) = 1 / (Z + 1) with Z = sum of exp(logit) over the ten digits.",),
    solution="prediction = 10 / 11",
    reason="Z = 10 e^0 = 10, so D(x) = Z / (Z + 1) = 10/11 = 0.909: ten digit classes share the probability that "
    "is not 'fake'. A K + 1-class D that knows nothing is not at 1/2.",
)


generated_fid = Prediction(
    "Prediction 7.4, how far feature matching's samples are from real digits",
    explain=lambda ratio: f"the generated digits' classifier FID is {ratio:.1f} times that of other real digits.",
    options=("within 5 times", "more than 5 times"),
    edges=(5.0,),
    hints=("Feature matching asks G for the right *average* of D's features, not for images that look like digits.",),
    solution='prediction = "more than 5 times"',
    reason="A batch can match D's average features while no single image looks like a digit; Dai et al. (2017) "
    "argue the classifier is even helped by a generator whose samples fall between the classes.",
)
