"""Semi-supervised learning with a GAN (Salimans et al. 2016, "Improved techniques for training GANs", section 5).

The discriminator is a classifier of K real classes plus one class "fake". Its K logits l_k(x) are free and
the fake logit is fixed at 0 (softmax is unchanged when one adds the same number to every logit, so nothing
is lost), which makes

    p(fake | x) = 1 / (Z(x) + 1),   D(x) = p(real | x) = Z(x) / (Z(x) + 1),   Z(x) = sum_k exp(l_k(x)).

Labelled images train the K logits by cross entropy; unlabelled and generated images train D(x) as a GAN
discriminator; the generator matches the mean of D's last hidden features on real images (feature matching).
This module holds those pieces, the seeded split of the labels and the networks of the MNIST recipe.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import weight_norm

from ganlib.checks import (
    as_float,
    as_int,
    as_seed,
    check_classes_present,
    check_images,
    check_labels,
    check_tensor,
    describe,
    is_int,
    labels_on_cpu,
    require,
)
from ganlib.data import first_of_each_class

IMAGE_DIM = 28 * 28
D_WIDTHS = (1000, 500, 250, 250, 250)  # Salimans et al.'s MNIST discriminator
G_WIDTHS = (500, 500)


@dataclass(frozen=True)
class LabelSplit:
    """Indices into the training set: the few labelled images, the unlabelled pool, and a held-out validation set."""

    labelled: torch.Tensor  # (n_classes * per_class,), class by class
    unlabelled: torch.Tensor  # every training index outside validation (the labelled ones included)
    validation: torch.Tensor  # for choices (settings, when to stop); never trained on


def split_labels(labels: torch.Tensor, per_class: int = 10, n_validation: int = 10_000, seed: int = 0) -> LabelSplit:
    """Hold out `n_validation` random images, then keep the labels of `per_class` random images of each class.

    The unlabelled pool is everything outside validation, the labelled images included, as in the reference
    code of Salimans et al. (they are unlabelled copies there; their labels are used only by the labelled batch).
    """
    labels = labels_on_cpu(labels)
    check_labels(labels, None, None, "labels")
    require(len(labels) > 0, "labels", describe(labels), "a non-empty tensor of class labels")
    check_classes_present(labels, int(labels.max()) + 1, "labels")
    per_class = as_int(per_class, "per_class", "an int >= 1", 1)
    n_validation = as_int(n_validation, "n_validation", f"an int in [0, {len(labels) - 1}]", 0, len(labels) - 1)
    labels = labels.cpu()
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(as_seed(seed)))
    validation, pool = order[:n_validation], order[n_validation:]
    return LabelSplit(first_of_each_class(labels, pool, per_class), pool.sort().values, validation.sort().values)


def real_probability(logits: torch.Tensor) -> torch.Tensor:
    """D(x) = Z / (Z + 1) = sigmoid(log Z), from the K real-class logits (the fake logit is 0)."""
    check_tensor(logits, "logits", (None, None))
    return torch.sigmoid(torch.logsumexp(logits, dim=1))


def supervised_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """-log p(y | x, real): cross entropy over the K real classes (the fake class is known to be absent)."""
    check_tensor(logits, "logits", (None, None))
    check_labels(labels, len(logits), logits.shape[1], "labels")
    return F.cross_entropy(logits, labels)


def unsupervised_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    """The GAN loss of D = Z/(Z+1): -E log D(x) - E log(1 - D(G(z))), written stably in log Z.

    -log D = -log Z + log(1 + Z) = -lse + softplus(lse);  -log(1 - D) = log(1 + Z) = softplus(lse).
    """
    check_tensor(logits_real, "logits_real", (None, None), accepted="a (n, K) tensor of class logits")
    K = logits_real.shape[1]
    check_tensor(logits_fake, "logits_fake", (None, K), accepted=f"a (n, {K}) tensor of class logits, like logits_real")
    lse_real, lse_fake = torch.logsumexp(logits_real, dim=1), torch.logsumexp(logits_fake, dim=1)
    return (-lse_real + F.softplus(lse_real)).mean() + F.softplus(lse_fake).mean()


def feature_matching_loss(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """||E f(x) - E f(G(z))||^2 / dim: G matches the batch mean of D's features on real images."""
    check_tensor(real_features, "real_features", (None, None), accepted="a batch of features (n, d)")
    d = real_features.shape[1]
    check_tensor(
        fake_features, "fake_features", (None, d), accepted=f"a batch of features (n, {d}), like real_features"
    )
    return (real_features.mean(dim=0) - fake_features.mean(dim=0)).square().mean()


def _normed_linear(n_in: int, n_out: int, train_scale: bool, v_std: float = 0.1) -> nn.Linear:
    """A weight-normed linear layer w = g v / ||v|| set up as in the reference code: v ~ N(0, v_std^2), bias 0,
    g = 1 until `init_from_data` sets it, and trained only where `train_scale` (D's hidden layers keep g fixed).

    The scale of v matters although w does not depend on it: Adam moves every entry of v by about the learning
    rate, so v's scale sets how fast w turns. PyTorch's default init (entries of std 1/sqrt(3 n_in)) would turn
    w several times faster than the reference's N(0, 0.1^2).
    """
    linear = nn.Linear(n_in, n_out)
    nn.init.normal_(linear.weight, std=v_std)
    nn.init.zeros_(linear.bias)
    linear = weight_norm(linear)
    scale = linear.parametrizations.weight.original0
    with torch.no_grad():
        scale.fill_(1.0)
    scale.requires_grad_(train_scale)
    return linear


class GaussianNoise(nn.Module):
    """Adds N(0, std^2) noise in training mode only: the discriminator's regulariser in the reference code."""

    def __init__(self, std: float) -> None:
        super().__init__()
        self.std = as_float(std, "std", "a number >= 0", 0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.std * torch.randn_like(x) if self.training and self.std > 0 else x


class SSLDiscriminator(nn.Module):
    """The K-logit MLP of Salimans et al. for MNIST: 784-1000-500-250-250-250-K, ReLU, weight norm (the scales of
    the hidden layers fixed by `init_from_data`), Gaussian noise on the input (std 0.3) and after every hidden
    layer (std 0.5).

    `forward` returns the K logits and the last hidden layer (250 units, before its noise): the features G matches.
    """

    def __init__(
        self,
        n_classes: int = 10,
        widths: tuple[int, ...] = D_WIDTHS,
        input_noise: float = 0.3,
        hidden_noise: float = 0.5,
    ) -> None:
        super().__init__()
        require(is_int(n_classes) and n_classes >= 2, "n_classes", n_classes, "an int >= 2")
        _check_widths(widths)
        input_noise = as_float(input_noise, "input_noise", "a number >= 0", 0.0)
        hidden_noise = as_float(hidden_noise, "hidden_noise", "a number >= 0", 0.0)
        self.n_classes = int(n_classes)
        layers: list[nn.Module] = [GaussianNoise(input_noise)]
        for i, width in enumerate(widths):
            layers += [_normed_linear(IMAGE_DIM if i == 0 else widths[i - 1], width, train_scale=False), nn.ReLU()]
            if i < len(widths) - 1:
                layers.append(GaussianNoise(hidden_noise))
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(GaussianNoise(hidden_noise), _normed_linear(widths[-1], n_classes, train_scale=True))

    @torch.no_grad()
    def init_from_data(self, x: torch.Tensor) -> None:
        """Data-dependent initialisation of weight norm (Salimans & Kingma 2016), as the reference code does: each
        layer's scale and bias set so that its pre-activations on the batch `x` have mean 0 and variance 1.

        PyTorch's default initialisation shrinks the signal layer by layer; the noise of std 0.5 added after each
        hidden layer is only a regulariser if the signal it is added to has a scale near 1.
        """
        check_images(x, "x", (IMAGE_DIM,), (0.0, 1.0), min_count=2)  # once: a standard deviation needs 2 rows
        h = x
        for module in [*self.body, *self.head]:
            if isinstance(module, nn.Linear):
                weight = module.parametrizations.weight
                t = F.linear(h, weight.original1 / weight.original1.norm(dim=1, keepdim=True))  # (B, out), unit rows
                mean, std = t.mean(dim=0), t.std(dim=0) + 1e-6
                weight.original0.copy_((1 / std)[:, None])
                module.bias.copy_(-mean / std)
            h = module(h)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        ok = isinstance(x, torch.Tensor) and x.ndim >= 2 and x.is_floating_point() and x.shape[1:].numel() == IMAGE_DIM
        require(ok and len(x) >= 1, "x", describe(x), f"float images, (n >= 1, {IMAGE_DIM}) or (n, 1, 28, 28)")
        features = self.body(x.flatten(1))  # (B, widths[-1])
        return self.head(features), features  # (B, K), (B, widths[-1])


class SSLGenerator(nn.Module):
    """z ~ U(0, 1)^100 -> 784 pixels in [0, 1]: two softplus layers of 500 with batch norm, a sigmoid output."""

    def __init__(self, z_dim: int = 100, widths: tuple[int, ...] = G_WIDTHS) -> None:
        super().__init__()
        require(is_int(z_dim) and z_dim >= 1, "z_dim", z_dim, "an int >= 1")
        _check_widths(widths)
        self.z_dim = z_dim = int(z_dim)
        layers: list[nn.Module] = []
        for i, width in enumerate(widths):
            layers += [nn.Linear(z_dim if i == 0 else widths[i - 1], width, bias=False), nn.BatchNorm1d(width)]
            layers.append(nn.Softplus())
        # the reference's Glorot-uniform init for this layer has entries of std sqrt(2 / (n_in + n_out))
        v_std = (2 / (widths[-1] + IMAGE_DIM)) ** 0.5
        layers += [_normed_linear(widths[-1], IMAGE_DIM, train_scale=True, v_std=v_std), nn.Sigmoid()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", (None, self.z_dim))
        return self.net(z)  # (B, 784)


def _check_widths(widths: tuple[int, ...]) -> None:
    ok = isinstance(widths, tuple | list) and len(widths) >= 1 and all(is_int(w) and w >= 1 for w in widths)
    require(ok, "widths", widths, "a tuple of ints >= 1, at least one")
