"""The moving average of G (config.ema_decay) sampled with BatchNorm statistics of its own: copying G's would
judge the average with the raw generator's statistics (issue 33: FID moved by about 3% at step 600). `Trainer`
inherits this; `Trainer.sample` recomputes them whenever the average has moved since (`state_versions`)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from ganlib.checks import as_int, check_labels, labels_on_cpu, require
from ganlib.data import MAX_DRAW
from ganlib.remedies import recompute_batchnorm

EMA_STATISTICS_SAMPLES = 10_240  # samples of G_ema behind its BatchNorm statistics (40 batches of 256)


class EmaStatistics:
    """G_ema's own BatchNorm statistics, for a Trainer (it supplies G, G_ema, config, data, device, lock)."""

    def recompute_ema_statistics(self, labels: torch.Tensor | None = None, batch_size: int = 256) -> None:
        """Give G_ema BatchNorm statistics of its own (ganlib.remedies.recompute_batchnorm) from its samples for
        `labels` (n,), `batch_size` at a time; by default 10,240 samples whose labels (for a conditional G) are
        drawn from the training data, each class with its share. Seeded: the same weights give the same
        statistics. `sample` calls it whenever G_ema has moved; the next training step copies G's back. Safe from
        another thread."""
        require(self.G_ema is not None, "config.ema_decay", self.config.ema_decay, "> 0 (a moving average of G)")
        batch_size = as_int(batch_size, "batch_size", f"an int in [2, {MAX_DRAW}]", 2, MAX_DRAW)
        if labels is not None:
            check_labels(labels_on_cpu(labels), None, self.n_classes, "labels")
            require(len(labels) >= 2, "labels", f"{len(labels)} labels", "at least 2 (BatchNorm needs a batch)")
        with self.lock.turn():
            self._recompute_ema_statistics(labels, batch_size)

    def _recompute_ema_statistics(self, labels: torch.Tensor | None, batch_size: int) -> None:
        """recompute_ema_statistics under the step lock, its arguments checked."""
        rng = torch.Generator(self.device).manual_seed(self.config.seed + 2)
        n = EMA_STATISTICS_SAMPLES if labels is None else len(labels)
        if labels is not None:
            labels = labels.to(self.device)
        rows = torch.arange(n, device=self.device).split(batch_size)

        def batches() -> Iterable[tuple[torch.Tensor, ...]]:
            for chunk in rows:
                z = torch.randn(len(chunk), self.G.z_dim, generator=rng, device=self.device)
                if not self.n_classes:
                    yield (z,)
                elif labels is None:  # the classes as the training data has them
                    yield z, self.data.sample(len(chunk), rng)[1]
                else:
                    yield z, labels[chunk]

        if any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in self.G_ema.modules()):
            recompute_batchnorm(self.G_ema, batches())
        self._ema_statistics_of = state_versions(self.G_ema)


def state_versions(module: nn.Module) -> tuple[tuple[int, int], ...]:
    """Each weight's and buffer's identity and version counter: every in-place change (an EMA update, a load) bumps
    a version, so an unchanged tuple means an unchanged module (the rule of evaluation.sampling.snapshot)."""
    return tensor_versions(module.state_dict(keep_vars=True).values())


def tensor_versions(tensors: Iterable[torch.Tensor]) -> tuple[tuple[int, int], ...]:
    """state_versions of tensors already at hand (a state_dict walks every submodule: snapshot has one)."""
    return tuple((id(tensor), tensor._version) for tensor in tensors)
