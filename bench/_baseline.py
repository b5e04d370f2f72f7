"""The usual tutorial way to train a GAN, shared by the benchmarks: a torchvision DataLoader and an eager loop.

`dcgan64_networks` is the pytorch/examples dcgan recipe (Radford et al. 2016 at 64x64, nz=100, ngf=ndf=64);
`TutorialLoop` trains any generator/discriminator pair the way that script does: MNIST through
Resize/ToTensor/Normalize transforms and a shuffling DataLoader, Adam(lr 2e-4, beta1 0.5), binary
cross-entropy, fp32, one `.item()` per step for logging. The only change: D returns a logit and the loss is
BCEWithLogitsLoss instead of Sigmoid + BCELoss (the same function, computed stably).
"""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import MNIST

from ganlib.data import DATA_ROOT, load_mnist
from ganlib.nets import dcgan_init

NZ, NGF, NDF = 100, 64, 64  # pytorch/examples dcgan defaults


class DCGAN64Generator(nn.Module):
    """z (B, 100) -> 1x64x64 through four stride-2 transposed convolutions (pytorch/examples `Generator`)."""

    def __init__(self, z_dim: int = NZ, ngf: int = NGF) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, ngf * 8, 4, 1, 0, bias=False),  # (B, 512, 4, 4)
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),  # (B, 256, 8, 8)
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),  # (B, 128, 16, 16)
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),  # (B, 64, 32, 32)
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias=False),  # (B, 1, 64, 64)
            nn.Tanh(),
        )
        dcgan_init(self)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(z[:, :, None, None])


class DCGAN64Discriminator(nn.Module):
    """1x64x64 -> one logit through four stride-2 convolutions (pytorch/examples `Discriminator`, no Sigmoid)."""

    def __init__(self, ndf: int = NDF) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, ndf, 4, 2, 1, bias=False),  # (B, 64, 32, 32)
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),  # (B, 128, 16, 16)
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),  # (B, 256, 8, 8)
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),  # (B, 512, 4, 4)
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),  # (B, 1, 1, 1)
        )
        dcgan_init(self)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x).flatten()


def dcgan64_networks(seed: int) -> tuple[DCGAN64Generator, DCGAN64Discriminator]:
    """The baseline's generator and discriminator, initialised from `seed`."""
    torch.manual_seed(seed)
    return DCGAN64Generator(), DCGAN64Discriminator()


def mnist_loader(batch_size: int, image_size: int = 28, num_workers: int = 2, seed: int = 0) -> DataLoader:
    """MNIST from the repository through the tutorial transforms, shuffled (pytorch/examples uses 2 workers)."""
    load_mnist("train")  # checks and extracts the committed files; torchvision then reads them without downloading
    steps = [transforms.Resize(image_size)] if image_size != 28 else []
    tf = transforms.Compose([*steps, transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    dataset = MNIST(str(DATA_ROOT), train=True, download=False, transform=tf)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=True,
        num_workers=num_workers,
        drop_last=True,
        generator=torch.Generator().manual_seed(seed),
    )


class TutorialLoop:
    """The pytorch/examples dcgan training step, resumable so a benchmark can stop it to evaluate."""

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        loader: DataLoader,
        device: torch.device | str = "cpu",
        lr: float = 2e-4,
        betas: tuple[float, float] = (0.5, 0.999),
    ) -> None:
        self.device = torch.device(device)
        self.G, self.D, self.loader = generator.to(self.device), discriminator.to(self.device), loader
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas)
        self.criterion = nn.BCEWithLogitsLoss()
        self.batches = iter(loader)
        self.step, self.epoch = 0, 0
        self.losses: list[tuple[float, float]] = []

    def _next_batch(self) -> torch.Tensor:
        try:
            real, _ = next(self.batches)
        except StopIteration:  # a new epoch: a new shuffle
            self.epoch += 1
            self.batches = iter(self.loader)
            real, _ = next(self.batches)
        return real.to(self.device)

    def run(self, steps: int) -> float:
        """Train `steps` steps; returns the wall-clock seconds they took (data loading included)."""
        start = time.perf_counter()
        for _ in range(steps):
            real = self._next_batch()
            b = real.size(0)
            ones, zeros = torch.ones(b, device=self.device), torch.zeros(b, device=self.device)
            # (1) update D: maximise log D(x) + log(1 - D(G(z)))
            self.D.zero_grad()
            loss_real = self.criterion(self.D(real), ones)
            loss_real.backward()
            fake = self.G(torch.randn(b, self.G.z_dim, device=self.device))
            loss_fake = self.criterion(self.D(fake.detach()), zeros)
            loss_fake.backward()
            self.opt_d.step()
            # (2) update G: maximise log D(G(z))
            self.G.zero_grad()
            loss_g = self.criterion(self.D(fake), ones)
            loss_g.backward()
            self.opt_g.step()
            self.losses.append(((loss_real + loss_fake).item(), loss_g.item()))  # the tutorial's per-step logging
            self.step += 1
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter() - start
