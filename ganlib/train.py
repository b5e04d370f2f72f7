"""The training loop of Goodfellow et al. 2014, Algorithm 1: k discriminator steps per generator step.

A `Trainer` owns the networks, their optimizers, a seeded random generator and the history. Its config
may be replaced from another thread (the live dashboard's sliders) and takes effect at the next step.
Per-step statistics stay on the device and are copied to the host every `config.log_every` steps, so
a fast device is not stalled by a sync per step; at each such sync the run is checked for NaN/inf.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from ganlib.checkpoint import load_checkpoint, save_checkpoint
from ganlib.checks import require
from ganlib.config import FastPath, TrainConfig
from ganlib.losses import d_loss, g_loss, gradient_penalty, real_probability
from ganlib.remedies import ema_update, unrolled_parameters, with_parameters

STATS = ("loss_d", "loss_g", "d_real", "d_fake", "acc_real", "acc_fake", "grad_norm_d", "grad_norm_g")
Callback = tuple[int, Callable[["Trainer"], None]]  # (every n steps, fn(trainer))


class TrainingDiverged(RuntimeError):
    """A loss or parameter became NaN or infinite; the trainer holds its last good state."""


def default_device() -> torch.device:
    """CUDA when present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_device(device: torch.device | str | None) -> torch.device:
    """`device` as a torch.device that exists on this machine; None picks `default_device()`."""
    if device is None:
        return default_device()
    accepted = "None, 'cpu' or, on a machine with a GPU, 'cuda' / 'cuda:N'"
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device={device!r} is not accepted: expected {accepted}") from None
    require(
        device.type == "cpu" or (device.type == "cuda" and torch.cuda.is_available()), "device", str(device), accepted
    )
    return device


@dataclass
class History:
    """One row per training step (STATS), plus every config change with the step it took effect."""

    steps: list[int] = field(default_factory=list)
    stats: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in STATS})
    changes: list[dict[str, Any]] = field(default_factory=list)

    def __getitem__(self, name: str) -> list[float]:
        require(name in self.stats, "name", name, f"one of {STATS}")
        return self.stats[name]

    def __len__(self) -> int:
        return len(self.steps)

    def state_dict(self) -> dict[str, Any]:
        return {
            "steps": list(self.steps),
            "stats": {k: list(v) for k, v in self.stats.items()},
            "changes": list(self.changes),
        }

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> History:
        return cls(list(state["steps"]), {k: list(v) for k, v in state["stats"].items()}, list(state["changes"]))


def make_optimizer(
    name: str, params: Iterable[nn.Parameter], lr: float, betas: tuple[float, float], fused: bool = False
) -> torch.optim.Optimizer:
    """Adam (with the config's betas), plain SGD or RMSprop; `fused`: one kernel for all of Adam's updates."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, fused=fused)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    require(name == "rmsprop", "optimizer", name, "one of ('adam', 'sgd', 'rmsprop')")
    return torch.optim.RMSprop(params, lr=lr)


class Trainer:
    """Trains generator `G` against discriminator `D` on samples from `data` (see ganlib.data)."""

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
        require(
            isinstance(generator, nn.Module) and isinstance(getattr(generator, "z_dim", None), int),
            "generator",
            type(generator).__name__,
            "an nn.Module with an int attribute z_dim",
        )
        require(isinstance(discriminator, nn.Module), "discriminator", type(discriminator).__name__, "an nn.Module")
        require(
            callable(getattr(data, "sample", None)) and hasattr(data, "to"),
            "data",
            type(data).__name__,
            "a sampler with sample(n, generator) and to(device), see ganlib.data",
        )
        self.device = resolve_device(device)
        self.G, self.D, self.data = generator.to(self.device), discriminator.to(self.device), data.to(self.device)
        self.n_classes = getattr(generator, "n_classes", 0)
        require(
            getattr(discriminator, "n_classes", 0) == self.n_classes,
            "discriminator",
            f"n_classes={getattr(discriminator, 'n_classes', 0)}",
            f"n_classes={self.n_classes}, as the generator's",
        )
        self._check_shapes()
        self.fast = fast
        if fast.channels_last:
            self.G, self.D = self.G.to(memory_format=torch.channels_last), self.D.to(memory_format=torch.channels_last)
        self._G, self._D = self.G, self.D  # what train_step calls (see wrap_networks)
        if fast.compile:
            self.wrap_networks(torch.compile)
        self.config = config
        self.rng = torch.Generator(self.device).manual_seed(config.seed)
        self._sample_rng = torch.Generator(self.device).manual_seed(config.seed + 1)
        self.opt_g, self.opt_d = self._make_optimizers(config)
        self.G_ema: nn.Module | None = None  # the moving average of G's weights, when config.ema_decay > 0
        self._match_ema_to_config()
        self.step = 0
        self.history = History()
        self._pending_config: TrainConfig | None = None
        self._lock = threading.Lock()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._stop_requested = threading.Event()
        self._unsynced: list[torch.Tensor] = []  # per-step STATS rows still on the device
        self._last_good = self._snapshot()

    def wrap_networks(self, wrap: Callable[[nn.Module], Callable[..., torch.Tensor]]) -> None:
        """Have `train_step` call wrap(G) and wrap(D) (torch.compile, DistributedDataParallel) instead of G and D.

        The wrappers share the plain networks' weights; checkpoints, `sample` and the metrics keep using those.
        """
        self._G, self._D = wrap(self.G), wrap(self.D)

    # ----- control from other threads ---------------------------------------------------------------
    def update(self, **changes: Any) -> TrainConfig:
        """Validate `changes` now (ValueError on bad input) and apply them at the start of the next step."""
        require("seed" not in changes, "seed", changes.get("seed"), "no change after the trainer is built")
        with self._lock:
            base = self._pending_config or self.config
            self._pending_config = base.replace(**changes)
            return self._pending_config

    def pause(self) -> None:
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    def stop(self) -> None:
        """Ask a running `run` to return after the current step (also when paused)."""
        self._stop_requested.set()
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    # ----- training ---------------------------------------------------------------------------------
    def run(self, steps: int, callbacks: Iterable[Callback] = (), progress: bool = False) -> History:
        """Train `steps` generator steps (each after k discriminator steps); callbacks run every n steps."""
        require(isinstance(steps, int) and steps >= 0, "steps", steps, "an int >= 0")
        callbacks = list(callbacks)
        for every, fn in callbacks:
            require(
                isinstance(every, int) and every >= 1 and callable(fn),
                "callbacks",
                (every, fn),
                "(every >= 1, fn) pairs",
            )
        self._stop_requested.clear()
        target = self.step + steps
        with tqdm(total=steps, disable=not progress, desc="training", unit="step") as bar:
            while self.step < target:
                self._unpaused.wait()
                if self._stop_requested.is_set():
                    break
                self._apply_pending_config()
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

    def train_step(self) -> torch.Tensor:
        """One iteration of Algorithm 1; returns this step's STATS as a tensor on the device (no host sync)."""
        cfg, G, D = self.config, self._G, self._D
        for i in range(cfg.k):  # k steps of the discriminator, the generator fixed
            real, labels = self.data.sample(cfg.batch_size, self.rng)
            with torch.no_grad():
                fake = G(self.noise(cfg.batch_size), labels)
            loss_d, real_logits, fake_logits = self._d_objective(D, real, fake, labels)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            if i == cfg.k - 1:  # the history records the last D step of each generator step
                grad_norm_d = _grad_norm(D)
            self.opt_d.step()
        # one step of the generator, the discriminator fixed
        labels = self.random_labels(cfg.batch_size)
        D.requires_grad_(False)  # G's step needs gradients through D, not for D's weights
        D_seen = self._unrolled_discriminator() if cfg.unroll_steps else D
        loss_g = g_loss(D_seen(G(self.noise(cfg.batch_size), labels), labels), cfg.loss)
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        D.requires_grad_(True)
        grad_norm_g = _grad_norm(G)
        self.opt_g.step()
        if self.G_ema is not None:
            ema_update(self.G_ema, self.G, cfg.ema_decay)
        p_real, p_fake = (
            real_probability(real_logits.detach(), cfg.loss),
            real_probability(fake_logits.detach(), cfg.loss),
        )
        return torch.stack(
            [
                loss_d.detach(),
                loss_g.detach(),
                p_real.mean(),
                p_fake.mean(),
                (p_real > 0.5).float().mean(),
                (p_fake <= 0.5).float().mean(),
                grad_norm_d,
                grad_norm_g,
            ]
        )

    def noise(self, n: int) -> torch.Tensor:
        """n draws of the latent z ~ N(0, I) from the trainer's seeded generator."""
        return torch.randn(n, self.G.z_dim, generator=self.rng, device=self.device)

    def random_labels(self, n: int) -> torch.Tensor | None:
        """Uniform class labels for a conditional generator, else None."""
        if not self.n_classes:
            return None
        return torch.randint(self.n_classes, (n,), generator=self.rng, device=self.device)

    @torch.no_grad()
    def sample(self, n: int, z: torch.Tensor | None = None, labels: torch.Tensor | None = None) -> torch.Tensor:
        """n generated samples in eval mode (BatchNorm uses running statistics), from fixed `z` if given.

        With config.ema_decay > 0 they come from the moving average of G's weights, G_ema.
        """
        if z is None:  # drawn from a generator of its own, so looking at samples never changes the run
            z = torch.randn(n, self.G.z_dim, generator=self._sample_rng, device=self.device)
        z = z.to(self.device)
        require(z.shape == (n, self.G.z_dim), "z", tuple(z.shape), f"shape ({n}, {self.G.z_dim})")
        if labels is None and self.n_classes:
            labels = torch.randint(self.n_classes, (n,), generator=self._sample_rng, device=self.device)
        G = self.G if self.G_ema is None else self.G_ema
        was_training = G.training
        G.eval()
        try:
            return G(z, labels)
        finally:
            G.train(was_training)

    # ----- synchronisation, divergence, checkpoints -------------------------------------------------
    def sync(self) -> None:
        """Copy unsynced rows into the history; on NaN/inf, restore the last good state and raise."""
        if not self._unsynced:
            return
        rows = torch.stack(self._unsynced).cpu()
        first_step = self.step - len(rows) + 1
        self._unsynced.clear()
        bad_rows = (~torch.isfinite(rows)).any(dim=1).nonzero()
        bad_param = next((name for name, p in self._named_state_tensors() if not torch.isfinite(p).all()), None)
        if len(bad_rows) or bad_param is not None:
            where = (
                (
                    f"{STATS[int((~torch.isfinite(rows[bad_rows[0, 0]])).nonzero()[0, 0])]} at step "
                    f"{first_step + int(bad_rows[0, 0])}"
                )
                if len(bad_rows)
                else f"parameter {bad_param}"
            )
            self._restore(self._last_good)
            raise TrainingDiverged(
                f"training diverged: {where} is NaN or infinite. The trainer holds the last good state "
                f"(step {self.step}); lower the learning rates (lr_d={self.config.lr_d}, lr_g={self.config.lr_g}) "
                "or switch the loss, then run again."
            )
        self.history.steps.extend(range(first_step, self.step + 1))
        for name, column in zip(STATS, rows.T.tolist(), strict=True):
            self.history.stats[name].extend(column)
        self._last_good = self._snapshot()

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue bit for bit: weights, optimizer moments, RNG, step, config, history."""
        self.sync()
        return {**self._training_state(), "config": self.config.to_dict(), "history": self.history.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from `state_dict` into this trainer's (identically built) networks."""
        missing = {"generator", "discriminator", "opt_g", "opt_d", "rng", "step", "config", "history"} - set(state)
        require(not missing, "state", f"missing keys {sorted(missing)}", "a ganlib Trainer checkpoint")
        config = TrainConfig(**{**state["config"], "betas": tuple(state["config"]["betas"])})
        self._restore({**state, "config": config, "history": History.from_state_dict(state["history"])})
        self._last_good = self._snapshot()

    def save(self, path: str | Path) -> Path:
        """Write a checkpoint atomically (temporary file + rename)."""
        return save_checkpoint(self.state_dict(), path)

    def load(self, path: str | Path) -> None:
        """Resume from a checkpoint written by `save` (loaded with weights_only=True)."""
        self.load_state_dict(load_checkpoint(path))

    # ----- internals --------------------------------------------------------------------------------
    def _check_shapes(self) -> None:
        probe, labels = self.data.to("cpu").sample(2, torch.Generator().manual_seed(0))
        out_shape, in_shape = getattr(self.G, "out_shape", None), getattr(self.D, "in_shape", None)
        require(
            out_shape is None or tuple(probe.shape[1:]) == tuple(out_shape),
            "generator",
            f"out_shape={out_shape}",
            f"the data's sample shape {tuple(probe.shape[1:])}",
        )
        require(
            in_shape is None or tuple(probe.shape[1:]) == tuple(in_shape),
            "discriminator",
            f"in_shape={in_shape}",
            f"the data's sample shape {tuple(probe.shape[1:])}",
        )
        require(
            not self.n_classes or labels is not None,
            "data",
            type(self.data).__name__,
            "a labelled data set for class-conditional networks",
        )

    def _make_optimizers(self, cfg: TrainConfig) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
        return (
            make_optimizer(cfg.optimizer, self.G.parameters(), cfg.lr_g, cfg.betas, self.fast.fused_adam),
            make_optimizer(cfg.optimizer, self.D.parameters(), cfg.lr_d, cfg.betas, self.fast.fused_adam),
        )

    def _apply_pending_config(self) -> None:
        with self._lock:
            new, self._pending_config = self._pending_config, None
        if new is None or new == self.config:
            return
        old = self.config
        for name, value in new.to_dict().items():
            if value != getattr(old, name):
                self.history.changes.append({"step": self.step, "field": name, "old": getattr(old, name), "new": value})
        if new.optimizer != old.optimizer:
            self.opt_g, self.opt_d = self._make_optimizers(new)  # a new optimizer starts with fresh moments
        else:
            for opt, lr in ((self.opt_g, new.lr_g), (self.opt_d, new.lr_d)):
                for group in opt.param_groups:
                    group["lr"] = lr
                    if "betas" in group:
                        group["betas"] = new.betas
        self.config = new
        self._match_ema_to_config()

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

    def _match_ema_to_config(self) -> None:
        """Start averaging G's weights (from G as it is now) when ema_decay turns positive; stop when it is 0."""
        if self.config.ema_decay == 0:
            self.G_ema = None
        elif self.G_ema is None:
            self.G_ema = copy.deepcopy(self.G).requires_grad_(False)

    def _named_state_tensors(self) -> Iterable[tuple[str, torch.Tensor]]:
        for prefix, module in (("G", self.G), ("D", self.D)):
            for name, tensor in module.state_dict().items():
                if tensor.is_floating_point():
                    yield f"{prefix}.{name}", tensor

    def _training_state(self) -> dict[str, Any]:
        """Weights, optimizer moments, RNG and step: what a checkpoint and a divergence snapshot both keep."""
        return {
            "generator": self.G.state_dict(),
            "discriminator": self.D.state_dict(),
            "generator_ema": None if self.G_ema is None else self.G_ema.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": self.rng.get_state(),
            "step": self.step,
        }

    def _snapshot(self) -> dict[str, Any]:
        """The current state; the history is append-only, so its length is enough to roll it back."""
        state = copy.deepcopy({**self._training_state(), "config": self.config})
        return {
            **state,
            "history": self.history,
            "history_rows": len(self.history),
            "changes": len(self.history.changes),
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.G.load_state_dict(state["generator"])
        self.D.load_state_dict(state["discriminator"])
        self.config = state["config"]
        self.G_ema = None  # restarted from the restored G, then overwritten by the saved average when there is one
        self._match_ema_to_config()
        if self.G_ema is not None and state.get("generator_ema") is not None:
            self.G_ema.load_state_dict(state["generator_ema"])
        self.opt_g, self.opt_d = self._make_optimizers(self.config)
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.rng.set_state(state["rng"])
        self.step = state["step"]
        self.history = state["history"]
        if "history_rows" in state:  # a snapshot of this run: drop the rows and changes written since
            rows, changes = state["history_rows"], state["changes"]
            del self.history.steps[rows:], self.history.changes[changes:]
            for column in self.history.stats.values():
                del column[rows:]
        self._unsynced.clear()


def _grad_norm(module: nn.Module) -> torch.Tensor:
    """The L2 norm of all of a module's gradients, as a device tensor (no host sync)."""
    return torch.nn.utils.get_total_norm([p.grad for p in module.parameters() if p.grad is not None])
