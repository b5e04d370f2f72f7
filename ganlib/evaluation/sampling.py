"""Reading a generator while it trains: a private frozen copy per thread, and samples from fixed noise.

Every evaluation function that takes a `Trainer` works on such a copy and draws its own seeded noise, so it may
be called from another thread while the trainer runs (the live view does), and it never moves the trainer's
random generator: measuring a run does not change it.
"""

from __future__ import annotations

import copy
import threading
import weakref

import torch
from torch import nn

from ganlib.checks import as_seed, check_instance, is_int, require
from ganlib.data import MAX_DRAW
from ganlib.ema_statistics import tensor_versions
from ganlib.train import Trainer


def snapshot(module: nn.Module) -> nn.Module:
    """A frozen copy in eval mode: reading it is safe while another thread trains the original.

    Each thread keeps one copy per module and copies the current weights into it only when they changed
    since (every in-place update, an optimizer's or a load's, bumps a tensor's version counter): the live
    view takes four snapshots a frame, of two modules that change once a step. So a snapshot holds until
    the same thread takes the next one of the same module: use it at once.
    """
    check_instance(module, "module", nn.Module, "a torch nn.Module")
    copies = _snapshots.__dict__.setdefault("by_module", weakref.WeakKeyDictionary())
    sources = list(module.state_dict(keep_vars=True).values())
    versions = tensor_versions(sources)
    entry = copies.get(module)
    if entry is None:
        copies[module] = (copy.deepcopy(module).eval().requires_grad_(False), versions)
    elif entry[1] != versions:
        frozen = entry[0]
        with torch.no_grad():
            for target, source in zip(frozen.state_dict(keep_vars=True).values(), sources, strict=True):
                target.copy_(source)
        copies[module] = (frozen, versions)
    return copies[module][0]


_snapshots = threading.local()


def fixed_samples(trainer: Trainer, n: int, seed: int = 0) -> torch.Tensor:
    """`n` samples of G from noise fixed by `seed` (balanced labels if G is conditional), without touching trainer.rng.

    The same seed gives the same z at every call, so a sample grid shows how G's map of fixed points changes.
    """
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    require(is_int(n) and 1 <= n <= MAX_DRAW, "n", n, f"an int in [1, {MAX_DRAW}]")
    rng = torch.Generator(trainer.device).manual_seed(as_seed(seed))
    z = torch.randn(int(n), trainer.G.z_dim, generator=rng, device=trainer.device)
    labels = torch.arange(n, device=trainer.device) % trainer.n_classes if trainer.n_classes else None
    with torch.no_grad():
        return snapshot(trainer.G)(z, labels)
