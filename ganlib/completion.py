"""One input, many right answers: complete the bottom half of a digit from its top half.

The top of a 4 can be the top of a 9; a network trained with mean squared error on such inputs learns the
average of the possible bottoms, a blur. A conditional generator G(top, z) can draw one answer per z instead.
This module holds the task's pieces: the split of images into halves and of the training set into train and
validation parts, the completion network (one class for the MSE model and the conditional GAN), and a test of
how ambiguous a top is by its neighbours. (The mode-seeking term that stops G from ignoring z, Mao et al. 2019,
is a loss: ganlib.losses.mode_seeking_loss.)
"""

from __future__ import annotations

import torch
from torch import nn

from ganlib.autoencoders import ConvEncoder
from ganlib.checks import is_int, require
from ganlib.nets import IMAGE_SHAPE, DCGANGenerator, check_labels, labels_on_cpu

TOP_ROWS = 14  # rows 0-13 are given, rows 14-27 are completed


def _check_images(images: torch.Tensor) -> None:
    ok = isinstance(images, torch.Tensor) and images.ndim == 4 and tuple(images.shape[1:]) == IMAGE_SHAPE
    require(ok, "images", getattr(images, "shape", images), f"a batch of shape (n, *{IMAGE_SHAPE})")


def split_halves(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, 1, 28, 28) images -> their top halves (n, 1, 14, 28), rows 0-13, and bottom halves, rows 14-27."""
    _check_images(images)
    return images[:, :, :TOP_ROWS], images[:, :, TOP_ROWS:]


def hide_bottom(images: torch.Tensor) -> torch.Tensor:
    """The input of a completion network: the images with their bottom halves blanked to background (-1)."""
    _check_images(images)
    hidden = images.clone()
    hidden[:, :, TOP_ROWS:] = -1.0
    return hidden


def train_validation_split(n: int, n_validation: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Disjoint index sets (n - n_validation,) and (n_validation,) of range(n), drawn by a seeded permutation.

    Choices (when is a generator ignoring z? how ambiguous is a top?) are made on the validation part; the test
    set is only measured.
    """
    require(is_int(n) and n >= 2, "n", n, "an int >= 2")
    require(is_int(n_validation) and 1 <= n_validation < n, "n_validation", n_validation, f"an int in [1, {n - 1}]")
    require(is_int(seed) and seed >= 0, "seed", seed, "an int >= 0")
    order = torch.randperm(int(n), generator=torch.Generator().manual_seed(int(seed)))
    return order[n_validation:], order[:n_validation]


class Completer(nn.Module):
    """(image with its bottom hidden, noise z, style) -> the full image: the given top rows kept, the bottom drawn.

    A ConvEncoder reads the visible top into `code_dim` numbers; a DCGANGenerator draws the image from the code
    and `noise_dim` numbers of noise. With noise_dim=0 it is a plain regression network (the MSE model). With
    `n_styles` > 0 the decoder also reads a style index in [0, n_styles) (one-hot), the k-means cluster of the
    whole digit, as notebook 02's near-real recipe reads its cluster: the answer is chosen, then drawn.
    """

    def __init__(self, code_dim: int = 64, noise_dim: int = 0, width: int = 32, n_styles: int = 0) -> None:
        super().__init__()
        require(is_int(noise_dim) and 0 <= noise_dim <= 4096, "noise_dim", noise_dim, "an int in [0, 4096]")
        require(is_int(n_styles) and 0 <= n_styles <= 100_000, "n_styles", n_styles, "an int in [0, 100000]")
        self.noise_dim, self.n_styles = int(noise_dim), int(n_styles)
        self.encoder = ConvEncoder(code_dim, width)
        self.decoder = DCGANGenerator(code_dim + noise_dim, width, n_classes=self.n_styles)

    def forward(
        self, hidden: torch.Tensor, z: torch.Tensor | None = None, style: torch.Tensor | None = None
    ) -> torch.Tensor:
        if self.n_styles:
            check_labels(style, len(hidden), self.n_styles, "style")
        code = self.encoder(hidden)  # (B, code_dim)
        if self.noise_dim:
            require(
                isinstance(z, torch.Tensor) and z.shape == (len(hidden), self.noise_dim),
                "z",
                getattr(z, "shape", z),
                f"a ({len(hidden)}, {self.noise_dim}) noise tensor",
            )
            code = torch.cat([code, z.to(code)], dim=1)
        drawn = self.decoder(code, style if self.n_styles else None)  # (B, 1, 28, 28)
        return torch.cat([hidden[:, :, :TOP_ROWS], drawn[:, :, TOP_ROWS:]], dim=2)


def nearest_rows(query: torch.Tensor, reference: torch.Tensor, k: int, chunk: int = 500) -> torch.Tensor:
    """(n_query, k) indices of each query row's k nearest reference rows (pixel distance, images flattened)."""
    query, reference = query.flatten(1).float(), reference.flatten(1).float()
    require(query.shape[1] == reference.shape[1], "query", tuple(query.shape), f"(n, {reference.shape[1]})")
    require(is_int(k) and 1 <= k <= len(reference), "k", k, f"an int in [1, {len(reference)}]")
    blocks = [torch.cdist(block, reference).topk(k, dim=1, largest=False).indices for block in query.split(chunk)]
    return torch.cat(blocks)


def neighbour_label_share(
    query: torch.Tensor, reference: torch.Tensor, labels: torch.Tensor, k: int = 50, chunk: int = 500
) -> torch.Tensor:
    """(n_query,) share of the most common label among each query's k nearest reference rows (pixel distance).

    Near 1: the tops that look like this one all belong to one digit. Well below 1: the data itself says this
    top has several right completions. Uses only the inputs and the reference labels, never a model's output.
    """
    require(labels.shape == (len(reference),), "labels", tuple(labels.shape), f"({len(reference)},), one per row")
    nearest = nearest_rows(query, reference, k, chunk)  # (n_query, k)
    counts = nn.functional.one_hot(labels[nearest], int(labels.max()) + 1).sum(dim=1)  # (n_query, classes)
    return counts.max(dim=1).values.double() / k


def neighbour_styles(
    query: torch.Tensor, reference: torch.Tensor, styles: torch.Tensor, k: int, draws: int, generator: torch.Generator
) -> torch.Tensor:
    """(draws, n_query) styles, each that of one of the query's k nearest reference rows drawn at random.

    A draw from p(style | top) as the training set shows it: the style of a digit whose top looks like this one.
    An ambiguous top's neighbours carry several digits' styles, so the draws do too.
    """
    check_labels(labels_on_cpu(styles), len(reference), None, "styles")
    require(is_int(draws) and draws >= 1, "draws", draws, "an int >= 1")
    require(isinstance(generator, torch.Generator), "generator", generator, "a torch.Generator: the draws are seeded")
    nearest = nearest_rows(query, reference, k)  # (n_query, k)
    pick = torch.randint(k, (draws, len(nearest)), generator=generator, device=generator.device)
    return styles[nearest.gather(1, pick.T.to(nearest.device)).T]
