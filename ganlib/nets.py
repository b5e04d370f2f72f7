"""Generators and discriminators: small MLPs for toy data and DCGAN-style convnets for 1x28x28 images.

Every discriminator returns raw scores ("logits"), one per sample: the losses decide what they mean.
Conditioning on a class (`n_classes > 0`) appends a one-hot label to G's noise and to D's input; the DCGAN
discriminator can instead project the label onto its features (Miyato & Koyama 2018), and the DCGANs can take a
learned code per class instead of a one-hot label (`code_dim > 0`, ganlib.label_codes: many classes, cheaply).
Two discriminator options fight mode collapse (see ganlib.remedies): `pack=m` scores m samples jointly,
returning one logit per pack, and `minibatch_std=True` shows D how varied its batch is.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from ganlib.checks import IMAGE_SHAPE, check_labels, is_int, require
from ganlib.label_codes import label_code
from ganlib.remedies import MinibatchStd, pack

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh, "elu": nn.ELU}
CONDITIONINGS = ("concat", "projection")  # how a conditional DCGAN discriminator takes the label


def _check_common(width: int, depth: int, activation: str, n_classes: int) -> None:
    require(is_int(width) and 1 <= width <= 4096, "width", width, "an int in [1, 4096]")
    require(is_int(depth) and 1 <= depth <= 64, "depth", depth, "an int in [1, 64]")
    require(
        isinstance(activation, str) and activation in ACTIVATIONS,
        "activation",
        activation,
        f"one of {tuple(ACTIVATIONS)}",
    )
    require(is_int(n_classes) and n_classes >= 0, "n_classes", n_classes, "an int >= 0 (0: unconditional)")


def _check_remedies(pack: int, minibatch_std: bool) -> None:
    require(is_int(pack) and pack >= 1, "pack", pack, "an int >= 1")
    require(isinstance(minibatch_std, bool), "minibatch_std", minibatch_std, "True or False")


def _check_shape(name: str, shape: object) -> None:
    require(
        isinstance(shape, tuple | list) and len(shape) >= 1 and all(is_int(d) and d >= 1 for d in shape),
        name,
        shape,
        "a shape such as (2,) or (1, 28, 28)",
    )


def _mlp(
    in_dim: int, out_dim: int, width: int, depth: int, activation: str, minibatch_std: bool = False
) -> nn.Sequential:
    """depth hidden layers of `width` units, then a linear output layer.

    With `minibatch_std`, the batch's spread (ganlib.remedies.MinibatchStd) joins the last hidden layer's input.
    """
    layers: list[nn.Module] = []
    for i in range(depth):
        features = in_dim if i == 0 else width
        if minibatch_std and i == depth - 1:
            layers.append(MinibatchStd())
            features += 1
        layers += [nn.Linear(features, width), ACTIVATIONS[activation]()]
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def _with_label(x: torch.Tensor, y: torch.Tensor | None, n_classes: int) -> torch.Tensor:
    """Concatenate a one-hot label to flat features when the network is conditional."""
    if n_classes == 0:
        return x
    check_labels(y, len(x), n_classes)
    return torch.cat([x, F.one_hot(y, n_classes).to(x.dtype)], dim=1)


class MLPGenerator(nn.Module):
    """z -> x through an MLP; `out_shape` (1, 28, 28) with tanh output gives images in [-1, 1]."""

    def __init__(
        self,
        z_dim: int = 2,
        out_shape: tuple[int, ...] = (2,),
        width: int = 128,
        depth: int = 3,
        activation: str = "relu",
        tanh_output: bool = False,
        n_classes: int = 0,
    ) -> None:
        super().__init__()
        _check_common(width, depth, activation, n_classes)
        require(is_int(z_dim) and 1 <= z_dim <= 4096, "z_dim", z_dim, "an int in [1, 4096]")
        _check_shape("out_shape", out_shape)
        self.z_dim, self.out_shape, self.n_classes = int(z_dim), tuple(int(d) for d in out_shape), int(n_classes)
        self.net = _mlp(z_dim + n_classes, math.prod(out_shape), width, depth, activation)
        self.tanh_output = tanh_output

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        x = self.net(_with_label(z, y, self.n_classes))
        x = torch.tanh(x) if self.tanh_output else x
        return x.view(len(z), *self.out_shape)


class MLPDiscriminator(nn.Module):
    """x -> one logit per sample (per pack of `pack` samples) through an MLP."""

    def __init__(
        self,
        in_shape: tuple[int, ...] = (2,),
        width: int = 128,
        depth: int = 3,
        activation: str = "leaky_relu",
        n_classes: int = 0,
        pack: int = 1,
        minibatch_std: bool = False,
    ) -> None:
        super().__init__()
        _check_common(width, depth, activation, n_classes)
        _check_remedies(pack, minibatch_std)
        _check_shape("in_shape", in_shape)
        self.in_shape, self.n_classes, self.pack = tuple(int(d) for d in in_shape), int(n_classes), int(pack)
        self.net = _mlp(pack * (math.prod(in_shape) + n_classes), 1, width, depth, activation, minibatch_std)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        require(tuple(x.shape[1:]) == self.in_shape, "x", tuple(x.shape), f"a batch of shape (n, *{self.in_shape})")
        return self.net(pack(_with_label(x.flatten(1), y, self.n_classes), self.pack)).squeeze(1)


class DCGANGenerator(nn.Module):
    """Radford et al. 2016 at 28x28: project z to 7x7 maps, then two stride-2 transposed convolutions to 1x28x28.

    The projection is a linear layer reshaped to maps, as in the paper. It computes the same function as the
    pytorch/examples 1x1 -> 7x7 transposed convolution, as one matrix product: 2-3x faster on a CPU.
    """

    def __init__(
        self, z_dim: int = 64, width: int = 64, n_classes: int = 0, code_dim: int = 0, styles: int = 1
    ) -> None:
        super().__init__()
        _check_common(width, 1, "relu", n_classes)
        require(is_int(z_dim) and 1 <= z_dim <= 4096, "z_dim", z_dim, "an int in [1, 4096]")
        z_dim, width = int(z_dim), int(width)  # NumPy integers as Python ones: nn.Unflatten takes no other
        self.z_dim, self.out_shape, self.n_classes = z_dim, IMAGE_SHAPE, int(n_classes)
        self.code = label_code(n_classes, code_dim, styles)  # None: the label joins z one-hot
        self.net = nn.Sequential(
            nn.Linear(z_dim + (n_classes if self.code is None else code_dim), 2 * width * 7 * 7, bias=False),
            nn.Unflatten(1, (2 * width, 7, 7)),  # (B, 2w, 7, 7)
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False),  # (B, w, 14, 14)
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, 2, 1),  # (B, 1, 28, 28)
            nn.Tanh(),
        )
        dcgan_init(self)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.code is None:
            return self.net(_with_label(z, y, self.n_classes))
        check_labels(y, len(z), self.n_classes)
        return self.net(torch.cat([z, self.code(y).to(z.dtype)], dim=1))


class DCGANDiscriminator(nn.Module):
    """Two stride-2 convolutions (28 -> 14 -> 7) and a 7x7 convolution to one logit; no BatchNorm on the input layer.

    `pack=m` stacks m images as channels (one logit per pack); `minibatch_std` adds the batch's spread as
    one more 7x7 map before the last convolution (Karras et al. 2018).
    A conditional D (`n_classes > 0`) reads the label as constant one-hot input channels (`conditioning="concat"`),
    or (`"projection"`, Miyato & Koyama 2018) scores f(x, y) = psi(phi(x)) + <V[y], phi(x)>: phi(x) the features
    the last convolution sees, psi that convolution (the unconditional score), V a learned vector per class.
    """

    def __init__(
        self,
        width: int = 64,
        n_classes: int = 0,
        pack: int = 1,
        minibatch_std: bool = False,
        conditioning: str = "concat",
        code_dim: int = 0,
        styles: int = 1,
    ) -> None:
        super().__init__()
        _check_common(width, 1, "relu", n_classes)
        _check_remedies(pack, minibatch_std)
        require(conditioning in CONDITIONINGS, "conditioning", conditioning, f"one of {CONDITIONINGS}")
        projection = conditioning == "projection" and n_classes > 0
        require(not projection or pack == 1, "pack", pack, "1 with conditioning='projection' (one label per score)")
        self.in_shape, self.n_classes, self.pack = IMAGE_SHAPE, int(n_classes), int(pack)
        self.conditioning = conditioning
        label_channels = 0 if projection else n_classes
        self.net = nn.Sequential(
            nn.Conv2d(pack * (1 + label_channels), width, 4, 2, 1),  # (B/pack, w, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),  # (B/pack, 2w, 7, 7)
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            *([MinibatchStd()] if minibatch_std else []),  # (B/pack, 2w + 1, 7, 7)
            nn.Conv2d(2 * width + minibatch_std, 1, 7, 1, 0),  # (B/pack, 1, 1, 1)
        )
        # V: one vector per class, as long as phi(x) (the last convolution's input, flattened); with code_dim > 0,
        # a learned label code (ganlib.label_codes) mapped to that length by one shared layer
        code, features = label_code(n_classes, code_dim, styles), (2 * width + minibatch_std) * 7 * 7
        require(code is None or projection, "code_dim", code_dim, "0 unless conditioning='projection'")
        self.embed = None
        if projection:
            self.embed = (
                nn.Embedding(n_classes, features)
                if code is None
                else nn.Sequential(code, nn.Linear(code_dim, features, bias=False))
            )
        dcgan_init(self)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        require(tuple(x.shape[1:]) == IMAGE_SHAPE, "x", tuple(x.shape), f"a batch of shape (n, *{IMAGE_SHAPE})")
        if self.n_classes:
            check_labels(y, len(x), self.n_classes)
        if self.n_classes and self.embed is None:
            maps = F.one_hot(y, self.n_classes).to(x.dtype)[:, :, None, None].expand(-1, -1, *x.shape[2:])
            x = torch.cat([x, maps], dim=1)  # label as constant extra channels
        if self.embed is None:
            return self.net(pack(x, self.pack)).flatten()
        phi = self.net[:-1](x)  # (B, 2w, 7, 7)
        return self.net[-1](phi).flatten() + (self.embed(y) * phi.flatten(1)).sum(dim=1)  # psi(phi) + <V[y], phi>


def dcgan_init(module: nn.Module) -> None:
    """Radford et al. 2016: conv and linear weights ~ N(0, 0.02), BatchNorm scale ~ N(1, 0.02), biases 0.

    A label embedding (the projection discriminator's V) gets the same small weights as a linear layer.
    """
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear | nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
