"""The training loop of Goodfellow et al. 2014, Algorithm 1: k discriminator steps per generator step.

`Trainer.train_step` is the algorithm and `run` the loop around it; the rest of this file wires them to
helpers, each in a module a reader can skip: `history` (the record), `control` (changes, pause and stop
from other threads), `trainer_state` (sync, rollback, snapshots and checkpoints, which `Trainer` inherits),
`divergence` (NaN/inf: stop and keep the last good state), `checkpoint` (atomic files), `optimizers`.
Per-step statistics stay on the device and are copied to the host every `config.log_every` steps, so a
fast device is not stalled by a sync per step; at each such sync the run is checked for NaN/inf.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from ganlib.checkpoint import training_state
from ganlib.checks import as_int, check_labels, check_networks_fit, is_int, labels_on_cpu, require
from ganlib.config import FastPath, TrainConfig
from ganlib.control import RunControl, StepLock
from ganlib.data import MAX_DRAW
from ganlib.devices import resolve_device
from ganlib.divergence import DivergenceGuard
from ganlib.ema_statistics import EmaStatistics, state_versions
from ganlib.history import History
from ganlib.losses import d_loss, g_loss, gradient_penalty, mode_seeking_loss, real_probability
from ganlib.optimizers import make_optimizers, retune
from ganlib.remedies import ema_for, ema_update, unrolled_parameters, with_parameters
from ganlib.trainer_state import TrainerState

Callback = tuple[int, Callable[["Trainer"], None]]  # (every n steps, fn(trainer))


class Trainer(EmaStatistics, TrainerState):
    """Trains generator `G` against discriminator `D` on samples from `data` (see ganlib.data).

    Thread rule: while `run` trains, other threads may call update, pause, resume, stop, save, sample,
    state_dict, load and history_copy; each acts between two steps. Read `history` itself only from the
    training thread (or after `run` returns); elsewhere use `history_copy()`.
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        data: Any,
        config: TrainConfig | None = None,
        device: torch.device | str | None = None,
        fast: FastPath | None = None,
    ) -> None:
        config = TrainConfig() if config is None else config
        fast = FastPath() if fast is None else fast
        require(isinstance(fast, FastPath), "fast", type(fast).__name__, "a ganlib.FastPath or None")
        require(isinstance(config, TrainConfig), "config", type(config).__name__, "a ganlib.TrainConfig")
        check_networks_fit(generator, discriminator, data)
        self.device = resolve_device(device)
        self.G, self.D, self.data = generator.to(self.device), discriminator.to(self.device), data.to(self.device)
        self.n_classes = getattr(generator, "n_classes", 0)
        self.fast = fast
        if fast.channels_last:
            self.G, self.D = self.G.to(memory_format=torch.channels_last), self.D.to(memory_format=torch.channels_last)
        self._G, self._D = self.G, self.D  # what train_step calls (see wrap_networks)
        if fast.compile:
            self.wrap_networks(torch.compile)
        self.config = config
        self.rng = torch.Generator(self.device).manual_seed(config.seed)
        self._sample_rng = torch.Generator(self.device).manual_seed(config.seed + 1)
        self.opt_g, self.opt_d = make_optimizers(config, self.G, self.D, fast.fused_adam)
        self.G_ema = ema_for(config.ema_decay, None, self.G)  # the moving average of G's weights, if any
        self._ema_statistics_of: tuple[
            tuple[int, int], ...
        ] = ()  # G_ema's tensor versions when its statistics were last its own
        self.step = 0
        self.history = History()
        self.control = RunControl()
        self.lock = StepLock()  # held per step by run; save, sample, load and history_copy take their turn
        self._unsynced: list[dict[str, torch.Tensor]] = []  # per-step statistics still on the device
        self.guard = DivergenceGuard(lambda: training_state(self))

    def wrap_networks(self, wrap: Callable[[nn.Module], Callable[..., torch.Tensor]]) -> None:
        """Have `train_step` call wrap(G) and wrap(D) (torch.compile, DistributedDataParallel) instead of G and D.

        The wrappers share the plain networks' weights; checkpoints, `sample` and the metrics keep using those.
        """
        self._G, self._D = wrap(self.G), wrap(self.D)

    # ----- Algorithm 1 --------------------------------------------------------------------------------------------
    def train_step(self) -> dict[str, torch.Tensor]:
        """One iteration of Algorithm 1; returns this step's STATS by name, as tensors on the device (no host sync)."""
        return {**self.train_discriminator(self.config.k), **self.train_generator()}

    def train_discriminator(self, k: int) -> dict[str, torch.Tensor]:
        """k steps of the discriminator, the generator fixed; D's statistics of the last one (no host sync)."""
        cfg, G, D = self.config, self._G, self._D
        for i in range(k):
            real, labels = self.data.sample(cfg.batch_size, self.rng)
            with torch.no_grad():
                fake = G(self.noise(cfg.batch_size), labels)
            loss_d, real_logits, fake_logits = self._d_objective(D, real, fake, labels)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            if i == k - 1:  # the history records the last D step of each generator step
                grad_norm_d = _grad_norm(self.D)
            self.opt_d.step()
        p_real = real_probability(real_logits.detach(), cfg.loss)
        p_fake = real_probability(fake_logits.detach(), cfg.loss)
        return {
            "loss_d": loss_d.detach(),
            "d_real": p_real.mean(),
            "d_fake": p_fake.mean(),
            "acc_real": (p_real > 0.5).float().mean(),
            "acc_fake": (p_fake <= 0.5).float().mean(),
            "grad_norm_d": grad_norm_d,
        }

    def train_generator(self) -> dict[str, torch.Tensor]:
        """One step of the generator, the discriminator fixed; G's loss and gradient norm (no host sync)."""
        cfg, G = self.config, self._G
        labels = self.random_labels(cfg.batch_size)
        if cfg.mode_seeking and labels is not None:  # the second half asks for the first half's labels
            labels = labels[: cfg.batch_size // 2].repeat(2)
        self.D.requires_grad_(False)  # G's step needs gradients through D, not for D's weights
        D_seen = self._unrolled_discriminator() if cfg.unroll_steps else self._D
        z = self.noise(cfg.batch_size)
        fake = G(z, labels)
        loss_g = g_loss(D_seen(fake, labels), cfg.loss)
        if cfg.mode_seeking:
            loss_g = loss_g + cfg.mode_seeking * mode_seeking_loss(*fake.chunk(2), *z.chunk(2))
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.D.requires_grad_(True)
        grad_norm_g = _grad_norm(self.G)
        self.opt_g.step()
        if self.G_ema is not None:
            ema_update(self.G_ema, self.G, cfg.ema_decay)
        return {"loss_g": loss_g.detach(), "grad_norm_g": grad_norm_g}

    def noise(self, n: int) -> torch.Tensor:
        """n draws of the latent z ~ N(0, I) from the trainer's seeded generator."""
        return torch.randn(n, self.G.z_dim, generator=self.rng, device=self.device)

    def random_labels(self, n: int) -> torch.Tensor | None:
        """Uniform class labels for a conditional generator, else None."""
        if not self.n_classes:
            return None
        return torch.randint(self.n_classes, (n,), generator=self.rng, device=self.device)

    def _d_objective(
        self, D: Callable[..., torch.Tensor], real: torch.Tensor, fake: torch.Tensor, labels: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """D's loss on a real and a fake batch (plus the gradient penalty for wgan-gp), and D's scores of both."""
        cfg = self.config
        real_logits, fake_logits = D(real, labels), D(fake, labels)
        loss = d_loss(real_logits, fake_logits, cfg.loss)
        if cfg.loss == "wgan-gp":
            loss = loss + cfg.gp_weight * gradient_penalty(partial(D, y=labels), real, fake, self.rng)
        return loss, real_logits, fake_logits

    def _unrolled_discriminator(self) -> Callable[..., torch.Tensor]:
        """D as it will be after config.unroll_steps more updates on fresh batches (Metz et al. 2016)."""
        cfg = self.config

        def objective(params: dict[str, torch.Tensor]) -> torch.Tensor:
            real, labels = self.data.sample(cfg.batch_size, self.rng)
            fake = self.G(self.noise(cfg.batch_size), labels)  # not detached: G learns how D would react to it
            return self._d_objective(with_parameters(self.D, params), real, fake, labels)[0]

        return with_parameters(self.D, unrolled_parameters(self.D, self.opt_d, objective, cfg.unroll_steps))

    # ----- running it -------------------------------------------------------------------------------------------
    def run(self, steps: int, callbacks: Iterable[Callback] = (), progress: bool = False) -> History:
        """Train `steps` generator steps (each after k discriminator steps); callbacks run every n steps.

        Other threads may meanwhile call `update`, `pause`, `resume`, `stop`, `save`, `sample`, `state_dict`,
        `load` and `history_copy`: each acts between two steps.
        """
        steps = as_int(steps, "steps", "an int >= 0", 0)
        ok = isinstance(callbacks, Iterable) and not isinstance(callbacks, str)
        require(ok, "callbacks", callbacks, "a list of (every n steps, fn(trainer)) pairs; () for none")
        callbacks = list(callbacks)
        for pair in callbacks:
            ok = isinstance(pair, tuple | list) and len(pair) == 2 and is_int(pair[0]) and pair[0] >= 1
            require(ok and callable(pair[1]), "callbacks", pair, "(every >= 1, fn) pairs")
        if self.paused:
            raise RuntimeError("run() on a paused trainer would wait forever: call resume() first")
        self.control.begin_run()
        target = self.step + steps
        with tqdm(total=steps, disable=not progress, desc="training", unit="step") as bar:
            while self.step < target and not self.control.should_stop():
                with self.lock.step():
                    self._apply_change(self.control.take_change())
                    with torch.autocast(self.device.type, self.fast.autocast, enabled=self.fast.autocast is not None):
                        self._unsynced.append(self.train_step())
                    self.step += 1
                    due = [fn for every, fn in callbacks if self.step % every == 0]
                    if due or self.step % self.config.log_every == 0 or self.step == target:
                        self.sync()
                    for fn in due:
                        fn(self)
                bar.update()
        self.sync()
        return self.history

    def history_copy(self) -> History:
        """A copy of the history as it stands between two steps: safe to read from another thread."""
        with self.lock.turn():
            return self.history.copy()

    def sample(self, n: int, z: torch.Tensor | None = None, labels: torch.Tensor | None = None) -> torch.Tensor:
        """n generated samples in eval mode (BatchNorm uses running statistics), from fixed `z` if given.

        With config.ema_decay > 0 they come from the moving average of G's weights, G_ema, with BatchNorm
        statistics of its own: recomputed (`recompute_ema_statistics`) whenever its weights have moved since.
        Safe from another thread: it runs between two training steps and leaves the run as it would have been.
        """
        n = as_int(n, "n", f"an int in [1, {MAX_DRAW}]", 1, MAX_DRAW)
        with self.lock.turn():
            G = self.G if self.G_ema is None else self.G_ema
            if z is None:  # drawn from a generator of its own, so looking at samples never changes the run
                z = torch.randn(n, self.G.z_dim, generator=self._sample_rng, device=self.device)
            require(
                isinstance(z, torch.Tensor) and z.is_floating_point() and z.shape == (n, self.G.z_dim),
                "z",
                f"{tuple(z.shape)} {z.dtype}" if isinstance(z, torch.Tensor) else z,
                f"a float tensor of shape ({n}, {self.G.z_dim})",
            )
            require(bool(torch.isfinite(z).all()), "z", "a tensor holding NaN or inf", "finite noise")
            z = z.to(self.device, next(G.parameters()).dtype)
            if labels is None and self.n_classes:
                labels = torch.randint(self.n_classes, (n,), generator=self._sample_rng, device=self.device)
            elif labels is not None:
                check_labels(labels_on_cpu(labels), n, self.n_classes)
                labels = labels.to(self.device)
            if G is self.G_ema and state_versions(G) != self._ema_statistics_of:
                self._recompute_ema_statistics(None, 256)
            was_training = G.training
            G.eval()
            try:
                with torch.no_grad():
                    return G(z, labels)
            finally:
                G.train(was_training)

    # ----- control from other threads (see ganlib.control) --------------------------------------------------------
    def update(self, **changes: Any) -> TrainConfig:
        """Validate `changes` now (ValueError on bad input) and apply them at the start of the next step."""
        return self.control.queue_change(self.config, **changes)

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def stop(self) -> None:
        """Ask a running `run` to return after the current step (also when paused)."""
        self.control.stop()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def _apply_change(self, new: TrainConfig | None) -> None:
        """Swap in a queued config between steps, recording each changed field in the history."""
        if new is None or new == self.config:
            return
        old = self.config
        for name, value in new.to_dict().items():
            if value != getattr(old, name):
                self.history.record_change(self.step, name, getattr(old, name), value)
        if new.optimizer != old.optimizer:
            self.opt_g, self.opt_d = make_optimizers(new, self.G, self.D, self.fast.fused_adam)  # fresh moments
        else:
            retune(self.opt_g, new.lr_g, new.betas)
            retune(self.opt_d, new.lr_d, new.betas)
        self.config = new
        self.G_ema = ema_for(new.ema_decay, self.G_ema, self.G)


def _grad_norm(module: nn.Module) -> torch.Tensor:
    """The L2 norm of all of a module's gradients, as a device tensor (no host sync)."""
    return torch.nn.utils.get_total_norm([p.grad for p in module.parameters() if p.grad is not None])
