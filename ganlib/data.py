"""Data: MNIST from the repository's `data/` folder and seeded toy Gaussian mixtures.

Everything a trainer draws comes from a *sampler*: an object with `sample(n, generator)` returning
`(x, y)`, where `y` holds class labels or is None. Samplers keep their tensors on one device, so a
training step never waits for a DataLoader.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import shutil
from functools import lru_cache
from pathlib import Path

import torch
from torchvision.datasets import MNIST

from ganlib.checks import is_int, is_number, require
from ganlib.devices import resolve_device

DATA_ROOT = Path(__file__).resolve().parent.parent / "data"
MNIST_SPLITS = ("train", "test")
TOY_DATASETS = ("mixture1d", "ring", "grid")
# sha256 of the gz files committed in data/MNIST/raw (recompressed copies: their md5s differ from torchvision's)
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
    "train-labels-idx1-ubyte.gz": "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
    "t10k-images-idx3-ubyte.gz": "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
    "t10k-labels-idx1-ubyte.gz": "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
}
# ... and of the files extracted from them, checked at every first load in a process: a truncated or altered
# extracted file (torchvision would read it, or fail with a shape error) is extracted again from its gz file
MNIST_EXTRACTED_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
DATASETS = (*TOY_DATASETS, "mnist")
MAX_DRAW = 10**7  # samples drawn at once: more is a typo, and would exhaust memory


class GaussianMixture:
    """An equal-weight mixture of isotropic Gaussians with known centres: a toy data set whose modes we can count."""

    def __init__(self, centres: torch.Tensor, std: float, name: str = "mixture") -> None:
        require(centres.ndim == 2 and len(centres) > 0, "centres", centres.shape, "a non-empty (modes, dim) tensor")
        require(is_number(std) and 0 < std < math.inf, "std", std, "a positive float")
        self.centres = centres.float()  # (modes, dim)
        self.std = float(std)
        self.name = name

    @property
    def dim(self) -> int:
        return self.centres.shape[1]

    @property
    def n_modes(self) -> int:
        return self.centres.shape[0]

    @property
    def device(self) -> torch.device:
        return self.centres.device

    @property
    def n_classes(self) -> int:
        """A sample's label is the index of the mode it was drawn from."""
        return self.n_modes

    def to(self, device: torch.device | str) -> GaussianMixture:
        """The same mixture with its centres on `device`."""
        return GaussianMixture(self.centres.to(device), self.std, self.name)

    def sample(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """`n` points and the index of the mode each was drawn from."""
        require(is_int(n) and 1 <= n <= MAX_DRAW, "n", n, f"an int in [1, {MAX_DRAW}]")
        modes = torch.randint(self.n_modes, (n,), generator=generator, device=self.device)
        noise = torch.randn(n, self.dim, generator=generator, device=self.device)
        return self.centres[modes] + self.std * noise, modes

    def density(self, x: torch.Tensor) -> torch.Tensor:
        """p_data(x) for points `x` of shape (n, dim): needed for the optimal discriminator."""
        require(x.ndim == 2 and x.shape[1] == self.dim, "x", tuple(x.shape), f"a tensor of shape (n, {self.dim})")
        sq_dist = torch.cdist(x.double(), self.centres.double().to(x.device)) ** 2  # (n, modes)
        log_norm = -0.5 * self.dim * math.log(2 * math.pi * self.std**2)
        log_p = torch.logsumexp(log_norm - sq_dist / (2 * self.std**2), dim=1) - math.log(self.n_modes)
        return log_p.exp().to(x.dtype)


def mixture_1d(centres: tuple[float, ...] = (-2.0, 2.0), std: float = 0.5) -> GaussianMixture:
    """A 1D mixture: the setting of Goodfellow et al. 2014, Figure 1, with room for more than one mode."""
    return GaussianMixture(torch.tensor(centres, dtype=torch.float32)[:, None], std, "mixture1d")


def ring(n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """Gaussians evenly spaced on a circle: the ring benchmark of Metz et al. 2016 and Srivastava et al. 2017."""
    require(is_int(n_modes) and n_modes >= 1, "n_modes", n_modes, "an int >= 1")
    angles = torch.arange(n_modes, dtype=torch.float64) * (2 * math.pi / n_modes)
    centres = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    return GaussianMixture(centres.float(), std, "ring")


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """A side x side grid of Gaussians centred on 0: the 25-mode benchmark of VEEGAN (2017) and PacGAN (2018)."""
    require(is_int(side) and side >= 1, "side", side, "an int >= 1")
    axis = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing  # -4, -2, 0, 2, 4
    centres = torch.cartesian_prod(axis, axis)
    return GaussianMixture(centres, std, "grid")


class TensorSampler:
    """Random minibatches (with replacement) of a tensor data set that lives on the training device."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None = None) -> None:
        require(isinstance(x, torch.Tensor) and len(x) > 0, "x", getattr(x, "shape", x), "a non-empty tensor")
        require(
            y is None or (isinstance(y, torch.Tensor) and y.shape == (len(x),) and not y.is_floating_point()),
            "y",
            getattr(y, "shape", y),
            f"None or ({len(x)},) integer labels",
        )
        require(y is None or int(y.min()) >= 0, "y", "negative labels", "class labels >= 0")
        self.x, self.y = x, y
        self.n_classes = 0 if y is None else int(y.max()) + 1  # labels run from 0 to n_classes - 1

    @property
    def device(self) -> torch.device:
        return self.x.device

    def to(self, device: torch.device | str) -> TensorSampler:
        return TensorSampler(self.x.to(device), None if self.y is None else self.y.to(device))

    def sample(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        require(is_int(n) and 1 <= n <= MAX_DRAW, "n", n, f"an int in [1, {MAX_DRAW}]")
        idx = torch.randint(len(self.x), (n,), generator=generator, device=self.device)
        return self.x[idx], None if self.y is None else self.y[idx]


def first_of_each_class(labels: torch.Tensor, order: torch.Tensor, per_class: int) -> torch.Tensor:
    """The first `per_class` indices of each class in `order` (a seeded permutation of candidate indices), class by
    class: a balanced labelled set drawn at random, as one labels a few examples of each class. The one way both
    few-label chapters draw theirs (evaluation.cas.balanced_subset, semi_supervised.split_labels)."""
    labels = labels.cpu()
    chosen = []
    for k in range(int(labels.max()) + 1):
        of_class = order[labels[order] == k]
        require(len(of_class) >= per_class, "per_class", per_class, f"at most {len(of_class)} (examples of class {k})")
        chosen.append(of_class[:per_class])
    return torch.cat(chosen)


def _prepare_mnist_raw(root: Path) -> None:
    """Check the committed gz files and extract them where torchvision looks; never download."""
    raw = root / "MNIST" / "raw"
    for name, sha256 in MNIST_SHA256.items():
        gz = raw / name
        if not gz.is_file():
            raise FileNotFoundError(
                f"MNIST file {gz} is missing. Restore it from the repository (git checkout -- {gz}); "
                "ganlib never downloads data."
            )
        if not _intact(gz, sha256):
            raise ValueError(f"MNIST file {gz} is corrupt (sha256 mismatch). Restore it with: git checkout -- {gz}")
        extracted = gz.with_suffix("")
        if not _intact(extracted, MNIST_EXTRACTED_SHA256[extracted.name]):
            tmp = extracted.with_name(f".{extracted.name}.{os.getpid()}.tmp")  # one per process: ranks extract at once
            with gzip.open(gz, "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
            tmp.replace(extracted)


def _intact(path: Path, sha256: str) -> bool:
    """The file exists and has the expected content; checked once per process while it stays unchanged."""
    if not path.is_file():
        return False
    stat = path.stat()
    return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns) == sha256


@lru_cache(maxsize=16)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a file, cached by (path, size, modification time): a changed file is hashed again."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_mnist(
    split: str = "train", device: torch.device | str = "cpu", root: Path | str = DATA_ROOT
) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST images as a (N, 1, 28, 28) float tensor in [-1, 1] and their labels, on `device`."""
    require(split in MNIST_SPLITS, "split", split, f"one of {MNIST_SPLITS}")
    root = Path(root)
    _prepare_mnist_raw(root)
    ds = MNIST(str(root), train=split == "train", download=False)
    device = resolve_device(device)
    images = ds.data.to(device=device, dtype=torch.float32).unsqueeze(1) / 127.5 - 1.0
    return images, ds.targets.to(device)


def make_sampler(dataset: str, device: torch.device | str = "cpu") -> GaussianMixture | TensorSampler:
    """The sampler for a data set by name: one of DATASETS."""
    require(dataset in DATASETS, "dataset", dataset, f"one of {DATASETS}")
    if dataset == "mnist":
        return TensorSampler(*load_mnist("train", device))
    return {"mixture1d": mixture_1d, "ring": ring, "grid": grid}[dataset]().to(device)
