"""The hyper-parameters of a run, validated on creation so a bad value fails before training starts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from ganlib.checks import require
from ganlib.losses import LOSSES

OPTIMIZERS = ("adam", "sgd", "rmsprop")


@dataclass(frozen=True)
class TrainConfig:
    """What a trainer reads at every step. Frozen: a change is a new config, swapped in between steps."""

    lr_g: float = 2e-4
    lr_d: float = 2e-4
    # beta1 = 0.5 (Radford et al. 2016): Adam's default 0.9 carries too much stale momentum into a moving game
    betas: tuple[float, float] = (0.5, 0.999)
    k: int = 1  # discriminator steps per generator step (Goodfellow et al. 2014, Algorithm 1)
    batch_size: int = 64
    loss: str = "non-saturating"
    optimizer: str = "adam"
    gp_weight: float = 10.0  # weight of the gradient penalty; used by loss="wgan-gp" only
    seed: int = 0
    # steps between host synchronisations: history rows are copied from the device, the run is checked
    # for NaN/inf and the last good state is kept; larger values trade that granularity for speed
    log_every: int = 10
    # remedies for mode collapse (ganlib.remedies); packing and minibatch std are options of the discriminator
    # G's step looks this many Adam steps of D ahead (unrolled GAN, Metz et al. 2016); 0: off
    unroll_steps: int = 0
    # decay of an exponential moving average of G's weights, which `Trainer.sample` then uses
    # (Karras et al. 2018; Yazici et al. 2019): it smooths G's oscillation around the modes; 0: off
    ema_decay: float = 0.0

    def __post_init__(self) -> None:
        for name in ("lr_g", "lr_d"):
            value = getattr(self, name)
            require(_is_number(value) and 0 < value < 10, name, value, "a learning rate in (0, 10)")
        require(
            isinstance(self.betas, tuple)
            and len(self.betas) == 2
            and all(_is_number(b) and 0 <= b < 1 for b in self.betas),
            "betas",
            self.betas,
            "a tuple (beta1, beta2), each in [0, 1)",
        )
        for name in ("k", "batch_size", "log_every"):
            value = getattr(self, name)
            require(_is_int(value) and value >= 1, name, value, "an int >= 1")
        require(self.loss in LOSSES, "loss", self.loss, f"one of {LOSSES}")
        require(self.optimizer in OPTIMIZERS, "optimizer", self.optimizer, f"one of {OPTIMIZERS}")
        require(_is_number(self.gp_weight) and self.gp_weight >= 0, "gp_weight", self.gp_weight, "a float >= 0")
        require(_is_int(self.seed) and self.seed >= 0, "seed", self.seed, "an int >= 0")
        require(
            _is_int(self.unroll_steps)
            and self.unroll_steps >= 0
            and (self.unroll_steps == 0 or self.optimizer == "adam"),
            "unroll_steps",
            self.unroll_steps,
            "an int >= 0, and 0 unless optimizer='adam' (the look-ahead repeats Adam's update)",
        )
        decay = self.ema_decay
        require(_is_number(decay) and 0 <= decay < 1, "ema_decay", decay, "a float in [0, 1)")

    def replace(self, **changes: object) -> TrainConfig:
        """A copy with `changes` applied (and validated); unknown field names are refused."""
        names = {f.name for f in dataclasses.fields(self)}
        for name in changes:
            require(name in names, "field", name, f"one of {sorted(names)}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


AUTOCAST_DTYPES = (None, torch.bfloat16)


@dataclass(frozen=True)
class FastPath:
    """How a trainer runs its step, not what it computes: the same losses, in less time on the right device.

    compile: torch.compile G and D (one-off compilation, then fused kernels); channels_last: convolutions
    in NHWC memory layout (faster on GPUs and with oneDNN); autocast: forward passes in this dtype
    (torch.bfloat16: half the memory traffic on tensor cores, same exponent range as fp32, so no loss scaling);
    fused_adam: Adam's update of all weights in one kernel instead of a dozen small ops per weight.
    """

    compile: bool = False
    channels_last: bool = False
    autocast: torch.dtype | None = None
    fused_adam: bool = False

    def __post_init__(self) -> None:
        for name in ("compile", "channels_last", "fused_adam"):
            value = getattr(self, name)
            require(isinstance(value, bool), name, value, "True or False")
        require(self.autocast in AUTOCAST_DTYPES, "autocast", self.autocast, f"one of {AUTOCAST_DTYPES}")

    @classmethod
    def for_device(cls, device: torch.device | str) -> FastPath:
        """What pays off on `device`: everything on a GPU; on the CPU no compilation (a minute or more on 2 cores,
        longer than the training it would speed up), but fused Adam (2.2 -> 0.3 ms per step for the fast MNIST
        recipe's two optimizers) and bf16 where the CPU computes it natively (AVX512-BF16): on a 2-core EPYC it
        cut the DCGAN step by 30% with the same digits after the same number of steps."""
        if torch.device(device).type == "cuda":
            return cls(compile=True, channels_last=True, autocast=torch.bfloat16, fused_adam=True)
        if torch.cpu._is_avx512_bf16_supported():  # no public query yet; elsewhere bf16 is emulated, slower
            return cls(channels_last=True, autocast=torch.bfloat16, fused_adam=True)
        return cls(fused_adam=True)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) and value == value  # NaN fails
