"""Remedies for mode collapse, each a small piece the nets and the trainer switch on by an option.

- Packing (PacGAN, Lin et al. 2018): D judges m samples at once, so a generator that repeats itself is
  easy to spot. `pack` turns a batch of n samples into n/m packed samples.
- Minibatch standard deviation (Karras et al. 2018): D is shown how varied the whole batch is.
- Unrolled GAN (Metz et al. 2016): G's step is taken against D as it will be a few steps later, so
  G cannot win by jumping to the mode D currently neglects.
- An exponential moving average of G's weights (Karras et al. 2018; Yazici et al. 2019): the average of
  the generator's recent weights sits nearer the modes than any single, oscillating iterate; its BatchNorm
  statistics can be recomputed for it (`recompute_batchnorm`).
- The mode-seeking term (Mao et al. 2019) is a loss: ganlib.losses.mode_seeking_loss.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

import torch
from torch import nn

from ganlib.checks import require

Params = dict[str, torch.Tensor]


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """(n, c, ...) -> (n/m, m*c, ...): m consecutive samples joined along the feature (or channel) axis."""
    require(isinstance(m, int) and m >= 1, "pack", m, "an int >= 1")
    require(len(x) % m == 0, "x", tuple(x.shape), f"a batch whose size is a multiple of pack={m}")
    return x.reshape(len(x) // m, m * x.shape[1], *x.shape[2:])


class MinibatchStd(nn.Module):
    """Appends one feature (or feature map): the standard deviation of each feature over the batch, averaged.

    Karras et al. 2018 (Section 3) describe it over the minibatch (their code uses groups of 4 samples); here the
    group is the whole batch, which D always sees as all real or all fake.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        std = (x.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()  # one number for the batch
        return torch.cat([x, std.expand(len(x), 1, *x.shape[2:])], dim=1)


def ema_update(average: nn.Module, model: nn.Module, decay: float) -> None:
    """average <- decay * average + (1 - decay) * model, weight by weight; buffers (BatchNorm statistics) copied."""
    with torch.no_grad():
        torch._foreach_lerp_(list(average.parameters()), list(model.parameters()), 1.0 - decay)
        for mine, theirs in zip(average.buffers(), model.buffers(), strict=True):
            mine.copy_(theirs)


def ema_for(decay: float, average: nn.Module | None, model: nn.Module) -> nn.Module | None:
    """The moving average a trainer keeps at `decay`: none at 0, else `average`, or a fresh copy of `model` to start."""
    if decay == 0:
        return None
    return average if average is not None else copy.deepcopy(model).requires_grad_(False)


def recompute_batchnorm(model: nn.Module, batches: Iterable[tuple[torch.Tensor, ...]]) -> None:
    """Set `model`'s BatchNorm running statistics to their plain average over `batches` of inputs, run in training mode.

    Why: a moving average of G's weights is a network of its own, but ema_update copies it G's statistics, which fit
    G's activations, not the average's. Recomputing them is BigGAN's "standing statistics" (Brock et al. 2019).
    """
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta, was_training = [m.momentum for m in norms], model.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # None: a cumulative average over the batches, each weighted equally
    model.train()
    try:
        with torch.no_grad():
            for inputs in batches:
                model(*inputs)
    finally:
        for m, momentum in zip(norms, momenta, strict=True):
            m.momentum = momentum
        model.train(was_training)


def unrolled_parameters(
    discriminator: nn.Module, optimizer: torch.optim.Adam, objective: Callable[[Params], torch.Tensor], steps: int
) -> Params:
    """D's parameters after `steps` more Adam updates on `objective`, as a differentiable function of G.

    Metz et al. 2016: G is trained against these look-ahead parameters and the gradient flows
    through the updates (create_graph=True), so G also sees how D would react to its move. D's own
    weights and Adam moments are left untouched. `objective(params)` is D's loss on a fresh batch.
    """
    group = optimizer.param_groups[0]
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    names, params = zip(*discriminator.named_parameters(), strict=True)
    state = [optimizer.state.get(p, {}) for p in params]
    t = float(state[0].get("step", 0))
    avg = [s.get("exp_avg", torch.zeros_like(p)) for s, p in zip(state, params, strict=True)]
    avg_sq = [s.get("exp_avg_sq", torch.zeros_like(p)) for s, p in zip(state, params, strict=True)]
    params = [p.detach().requires_grad_(True) for p in params]
    for _ in range(steps):
        t += 1
        grads = torch.autograd.grad(objective(dict(zip(names, params, strict=True))), params, create_graph=True)
        avg = [beta1 * a + (1 - beta1) * g for a, g in zip(avg, grads, strict=True)]
        avg_sq = [beta2 * a + (1 - beta2) * g * g for a, g in zip(avg_sq, grads, strict=True)]
        step_size, root_correction = lr / (1 - beta1**t), (1 - beta2**t) ** 0.5
        # the 1e-16 keeps sqrt's derivative finite where a gradient is exactly zero (a dead ReLU unit)
        params = [
            p - step_size * a / ((s + 1e-16).sqrt() / root_correction + eps)
            for p, a, s in zip(params, avg, avg_sq, strict=True)
        ]
    return dict(zip(names, params, strict=True))


def with_parameters(module: nn.Module, params: Params) -> Callable[..., torch.Tensor]:
    """`module` as a function that uses `params` instead of its own weights, and copies of its buffers."""

    def call(x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        buffers = {name: b.clone() for name, b in module.named_buffers()}  # BatchNorm must not update the real D
        return torch.func.functional_call(module, {**buffers, **params}, (x, y))

    return call
