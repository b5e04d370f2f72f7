"""The hyper-parameters of a run, validated on creation so a bad value fails before training starts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from ganlib.checks import as_float, as_int, is_number, require
from ganlib.losses import LOSSES

OPTIMIZERS = ("adam", "sgd", "rmsprop")
MAX_BATCH = 65536  # more samples than MNIST has per step: a typo, not a setting
MAX_SEED = 2**31 - 1025  # NumPy takes seeds below 2**32; trainers and processes add small offsets (seed + 1, + rank)


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
    # weight of the mode-seeking term in G's loss (Mao et al. 2019; ganlib.losses.mode_seeking_loss): G's step pairs
    # the two halves of its batch, same labels and different z, and is penalised when their images lie close; 0: off
    mode_seeking: float = 0.0

    def __post_init__(self) -> None:
        """Validate every field and store it as a plain Python value (NumPy scalars become int/float/str)."""
        for name in ("lr_g", "lr_d"):
            value = getattr(self, name)
            require(is_number(value) and 0 < value < 10, name, value, "a learning rate in (0, 10)")
            self._set(name, float(value))
        require(
            isinstance(self.betas, tuple)
            and len(self.betas) == 2
            and all(is_number(b) and 0 <= b < 1 for b in self.betas),
            "betas",
            self.betas,
            "a tuple (beta1, beta2), each in [0, 1)",
        )
        self._set("betas", tuple(float(b) for b in self.betas))
        for name, high in (("k", 1000), ("batch_size", MAX_BATCH), ("log_every", 10**6)):
            self._set(name, as_int(getattr(self, name), name, f"an int in [1, {high}]", 1, high))
        for name, accepted in (("loss", LOSSES), ("optimizer", OPTIMIZERS)):
            value = getattr(self, name)
            require(isinstance(value, str) and value in accepted, name, value, f"one of {accepted}")
            self._set(name, str(value))
        self._set("gp_weight", as_float(self.gp_weight, "gp_weight", "a finite float >= 0", 0.0))
        self._set("seed", as_int(self.seed, "seed", f"an int in [0, {MAX_SEED}]", 0, MAX_SEED))
        self._set(
            "unroll_steps",
            as_int(self.unroll_steps, "unroll_steps", "an int in [0, 100] (unrolled D steps)", 0, 100),
        )
        require(
            self.unroll_steps == 0 or self.optimizer == "adam",
            "unroll_steps",
            self.unroll_steps,
            "0 unless optimizer='adam' (the look-ahead repeats Adam's update)",
        )
        decay = self.ema_decay
        require(is_number(decay) and 0 <= decay < 1, "ema_decay", decay, "a float in [0, 1)")
        self._set("ema_decay", float(decay))
        self._set("mode_seeking", as_float(self.mode_seeking, "mode_seeking", "a finite float >= 0", 0.0))
        require(
            self.mode_seeking == 0 or self.batch_size % 2 == 0,
            "batch_size",
            self.batch_size,
            "an even number when mode_seeking > 0 (G's batch is two halves, same labels)",
        )

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)  # the dataclass is frozen; this is its own validation, once

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
            require(isinstance(value, bool | np.bool_), name, value, "True or False")
            object.__setattr__(self, name, bool(value))
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
