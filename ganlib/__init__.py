"""ganlib: the small PyTorch library behind the GAN workbook."""

from ganlib.config import FastPath, TrainConfig
from ganlib.data import GaussianMixture, TensorSampler, grid, load_mnist, make_sampler, mixture_1d, ring
from ganlib.nets import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from ganlib.seeding import seed_everything
from ganlib.train import History, Trainer, TrainingDiverged, default_device

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "FastPath",
    "GaussianMixture",
    "History",
    "MLPDiscriminator",
    "MLPGenerator",
    "TensorSampler",
    "TrainConfig",
    "Trainer",
    "TrainingDiverged",
    "default_device",
    "grid",
    "load_mnist",
    "make_sampler",
    "mixture_1d",
    "ring",
    "seed_everything",
]
