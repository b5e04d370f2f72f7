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
from ganlib.checks import (
    IMAGE_SHAPE,
    as_int,
    as_rows,
    as_seed,
    check_images,
    check_instance,
    check_labels,
    check_tensor,
    labels_on_cpu,
)
from ganlib.nets import DCGANGenerator

TOP_ROWS = 14  # rows 0-13 are given, rows 14-27 are completed


def split_halves(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, 1, 28, 28) images -> their top halves (n, 1, 14, 28), rows 0-13, and bottom halves, rows 14-27."""
    check_images(images)
    return images[:, :, :TOP_ROWS], images[:, :, TOP_ROWS:]


def hide_bottom(images: torch.Tensor) -> torch.Tensor:
    """The input of a completion network: the images with their bottom halves blanked to background (-1)."""
    check_images(images)
    hidden = images.clone()
    hidden[:, :, TOP_ROWS:] = -1.0
    return hidden


def train_validation_split(n: int, n_validation: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Disjoint index sets (n - n_validation,) and (n_validation,) of range(n), drawn by a seeded permutation.

    Choices (when is a generator ignoring z? how ambiguous is a top?) are made on the validation part; the test
    set is only measured.
    """
    n = as_int(n, "n", "an int >= 2", 2)
    n_validation = as_int(n_validation, "n_validation", f"an int in [1, {n - 1}]", 1, n - 1)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(as_seed(seed)))
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
        code_dim = as_int(code_dim, "code_dim", "an int in [1, 4096]", 1, 4096)
        self.noise_dim = noise_dim = as_int(noise_dim, "noise_dim", "an int in [0, 4096]", 0, 4096)
        self.n_styles = as_int(n_styles, "n_styles", "an int in [0, 100000]", 0, 100_000)
        self.encoder = ConvEncoder(code_dim, width)
        self.decoder = DCGANGenerator(code_dim + noise_dim, width, n_classes=self.n_styles)

    def forward(
        self, hidden: torch.Tensor, z: torch.Tensor | None = None, style: torch.Tensor | None = None
    ) -> torch.Tensor:
        check_tensor(hidden, "hidden", (None, *IMAGE_SHAPE))  # shapes only: a forward pass is a training step
        if self.n_styles:
            check_labels(style, len(hidden), self.n_styles, "style")
        code = self.encoder(hidden)  # (B, code_dim)
        if self.noise_dim:
            check_tensor(z, "z", (len(hidden), self.noise_dim), min_rows=len(hidden))
            code = torch.cat([code, z.to(code)], dim=1)
        drawn = self.decoder(code, style if self.n_styles else None)  # (B, 1, 28, 28)
        return torch.cat([hidden[:, :, :TOP_ROWS], drawn[:, :, TOP_ROWS:]], dim=2)


def nearest_rows(query: torch.Tensor, reference: torch.Tensor, k: int, chunk: int = 500) -> torch.Tensor:
    """(n_query, k) indices of each query row's k nearest reference rows (pixel distance, images flattened)."""
    query = as_rows(query, "query").float()
    reference = as_rows(reference, "reference", query.shape[1], like="query").float()
    k = as_int(k, "k", f"an int in [1, {len(reference)}]", 1, len(reference))
    chunk = as_int(chunk, "chunk", "an int >= 1", 1)
    blocks = [torch.cdist(block, reference).topk(k, dim=1, largest=False).indices for block in query.split(chunk)]
    return torch.cat(blocks)


def neighbour_label_share(
    query: torch.Tensor, reference: torch.Tensor, labels: torch.Tensor, k: int = 50, chunk: int = 500
) -> torch.Tensor:
    """(n_query,) share of the most common label among each query's k nearest reference rows (pixel distance).

    Near 1: the tops that look like this one all belong to one digit. Well below 1: the data itself says this
    top has several right completions. Uses only the inputs and the reference labels, never a model's output.
    """
    check_instance(reference, "reference", torch.Tensor, "(n, ...) rows or images")
    check_labels(labels_on_cpu(labels), len(reference), None, "labels")
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
    check_instance(reference, "reference", torch.Tensor, "(n, ...) rows or images")
    check_labels(labels_on_cpu(styles), len(reference), None, "styles")
    draws = as_int(draws, "draws", "an int >= 1", 1)
    check_instance(generator, "generator", torch.Generator, "a torch.Generator: the draws are seeded")
    nearest = nearest_rows(query, reference, k)  # (n_query, k)
    pick = torch.randint(nearest.shape[1], (draws, len(nearest)), generator=generator, device=generator.device)
    return styles[nearest.gather(1, pick.T.to(nearest.device)).T]
