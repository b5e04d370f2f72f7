"""ganlib: the small PyTorch library behind the GAN workbook.

The flow, one module or folder each: data -> nets, losses, remedies -> config, train (history, control,
trainer_state, divergence, checkpoint, optimizers) -> recipes -> evaluation/ -> plots/ -> live/; experiments/
trains many runs and tabulates them. The names below are the ones a notebook needs most.
"""

from ganlib.config import FastPath, TrainConfig
from ganlib.data import GaussianMixture, TensorSampler, grid, load_mnist, make_sampler, mixture_1d, ring
from ganlib.devices import default_device, resolve_device
from ganlib.divergence import TrainingDiverged
from ganlib.history import STATS, History
from ganlib.nets import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from ganlib.recipes import fast_mnist_config, fast_mnist_trainer, make_trainer
from ganlib.seeding import seed_everything
from ganlib.train import Trainer

__all__ = [
    "STATS",
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
    "fast_mnist_config",
    "fast_mnist_trainer",
    "grid",
    "load_mnist",
    "make_sampler",
    "make_trainer",
    "mixture_1d",
    "resolve_device",
    "ring",
    "seed_everything",
]
