"""Mode collapse measured as VEEGAN and PacGAN measure it: each remedy trained under one budget, over seeds.

The setting is documented in one place (`BASE`, `collapse_trainer`) so the notebook and the benchmark
script compare the same things: MLPs of 3 x 128 units, a 256-dimensional latent as in Metz et al. 2016,
Adam at 1e-3 with beta1 = 0.5, batches of 128. With it the plain GAN often collapses onto one or two modes of
the ring (on 5 of the 8 seeds tried in notebook 04) and hops between them; each remedy changes one thing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from ganlib.checks import require
from ganlib.config import TrainConfig
from ganlib.devices import resolve_device
from ganlib.evaluation.modes import N_MODE_SAMPLES, ModeCoverage, mode_coverage
from ganlib.experiments.processes import map_in_processes
from ganlib.recipes import make_trainer
from ganlib.train import Trainer

BASE = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=128, log_every=100)
Z_DIM, WIDTH, DEPTH = 256, 128, 3


@dataclass(frozen=True)
class Remedy:
    """A named change to the plain GAN: TrainConfig fields, options of the discriminator or of the generator."""

    name: str
    config: dict[str, Any] = field(default_factory=dict)
    discriminator: dict[str, Any] = field(default_factory=dict)  # pack, minibatch_std (MLPDiscriminator)
    z_dim: int = Z_DIM  # the length of G's noise vector
    later: dict[int, dict[str, Any]] = field(default_factory=dict)  # {step: TrainConfig changes made then}


REMEDIES = {
    r.name: r
    for r in (
        Remedy("vanilla"),
        Remedy("unrolled, 5 steps", {"unroll_steps": 5}),  # Metz et al. 2016
        Remedy("PacGAN, pack 4", discriminator={"pack": 4}),  # Lin et al. 2018
        Remedy("minibatch std", discriminator={"minibatch_std": True}),  # Karras et al. 2018
        # Gulrajani et al. 2017 train the critic 5 times per G step with Adam(1e-4, betas (0.5, 0.9))
        Remedy("WGAN-GP", {"loss": "wgan-gp", "k": 5, "lr_g": 1e-4, "lr_d": 1e-4, "betas": (0.5, 0.9)}),
    )
}


def precise_recipe(steps: int, batch_size: int = BASE.batch_size) -> Remedy:
    """What helped precision most here: a 2D latent, learning rates 10x lower at 70% of the run and 50x lower at 90%,
    and from the first decay on a moving average of G's weights, which averages out G's last oscillations.
    On the 25-mode grid, batches of 512 also covered more modes: each batch shows D every mode about 20 times.
    (Decays at 60% and 80% gave fewer grid modes and fewer high-quality samples after 1,500 ring / 3,000 grid steps.)
    """
    require(isinstance(steps, int) and steps >= 5, "steps", steps, "an int >= 5")
    require(isinstance(batch_size, int) and batch_size >= 1, "batch_size", batch_size, "an int >= 1")
    return Remedy(
        "z 2, lr decay, EMA" + ("" if batch_size == BASE.batch_size else f", batch {batch_size}"),
        config={} if batch_size == BASE.batch_size else {"batch_size": batch_size},
        z_dim=2,
        later={
            int(0.7 * steps): {"lr_g": 1e-4, "lr_d": 1e-4, "ema_decay": 0.99},
            int(0.9 * steps): {"lr_g": 2e-5, "lr_d": 2e-5},
        },
    )


def collapse_trainer(
    dataset: str, remedy: Remedy, seed: int, base: TrainConfig = BASE, device: torch.device | str | None = None
) -> Trainer:
    """A seeded trainer for `dataset` ('ring' or 'grid') in the documented setting, with `remedy` applied."""
    require(dataset in ("ring", "grid"), "dataset", dataset, "'ring' or 'grid'")
    require(isinstance(remedy, Remedy), "remedy", remedy, "a ganlib.experiments.collapse.Remedy")
    config = base.replace(**remedy.config, seed=seed)
    return make_trainer(
        dataset, config, "mlp", device, z_dim=remedy.z_dim, discriminator_options=remedy.discriminator, width=WIDTH,
        depth=DEPTH,
    )  # fmt: skip


@dataclass(frozen=True)
class RunResult:
    """One trained run: its final mode coverage on N_MODE_SAMPLES samples and the coverage along the way."""

    dataset: str
    remedy: str
    seed: int
    steps: int
    seconds: float  # training time, evaluation excluded
    coverage: ModeCoverage
    curve: tuple[tuple[int, ModeCoverage], ...]  # (step, coverage) every eval_every steps
    samples: torch.Tensor  # the N_MODE_SAMPLES final samples, on the CPU
    changes: tuple[dict[str, Any], ...]  # the config changes made on the way (Remedy.later), with their steps


def run(
    dataset: str,
    remedy: Remedy,
    seed: int,
    steps: int,
    eval_every: int | None = None,
    base: TrainConfig = BASE,
    device: torch.device | str | None = None,
) -> RunResult:
    """Train one run for `steps` generator steps and measure its mode coverage (every `eval_every` steps too)."""
    require(isinstance(steps, int) and steps >= 1, "steps", steps, "an int >= 1")
    eval_every = eval_every or steps
    require(isinstance(eval_every, int) and eval_every >= 1, "eval_every", eval_every, "an int >= 1 or None")
    trainer = collapse_trainer(dataset, remedy, seed, base, device)
    curve, seconds = [], 0.0
    for mark in sorted({*range(eval_every, steps, eval_every), steps, *(s for s in remedy.later if s < steps)}):
        start = time.perf_counter()
        trainer.run(mark - trainer.step)
        seconds += time.perf_counter() - start
        if mark in remedy.later:
            trainer.update(**remedy.later[mark])
        if mark % eval_every == 0 or mark == steps:
            samples = trainer.sample(N_MODE_SAMPLES)  # from the EMA generator when there is one
            curve.append((trainer.step, mode_coverage(samples, trainer.data)))
    changes = tuple(trainer.history.changes)
    return RunResult(dataset, remedy.name, seed, steps, seconds, curve[-1][1], tuple(curve), samples.cpu(), changes)


def run_many(
    tasks: Iterable[tuple[str, Remedy, int, int]], jobs: int = 1, device: torch.device | str | None = None
) -> Iterator[RunResult]:
    """`run` for each (dataset, remedy, seed, steps), in order; `jobs` > 1 trains that many at once in processes.

    The runs are independent and each uses one CPU thread, so on a CPU with n idle cores jobs=n is n times faster.
    """
    tasks = [(*task, str(resolve_device(device))) for task in tasks]
    yield from map_in_processes(_run_task, tasks, jobs)


def _run_task(task: tuple[str, Remedy, int, int, str]) -> RunResult:
    dataset, remedy, seed, steps, device = task
    torch.set_num_threads(1)  # small MLPs: more threads only add overhead
    return run(dataset, remedy, seed, steps, device=device)


def summarise(results: Iterable[RunResult]) -> list[dict[str, Any]]:
    """Mean and standard error over seeds per (dataset, remedy), in the order first seen."""
    groups: dict[tuple[str, str], list[RunResult]] = {}
    for result in results:
        groups.setdefault((result.dataset, result.remedy), []).append(result)
    rows = []
    for (dataset, remedy), group in groups.items():
        row: dict[str, Any] = {"dataset": dataset, "remedy": remedy, "seeds": len(group), "steps": group[0].steps}
        for name, values in (
            ("modes", [r.coverage.modes_covered for r in group]),
            ("high_quality_pct", [100 * r.coverage.high_quality_fraction for r in group]),
            ("kl", [r.coverage.kl_to_uniform for r in group]),
            ("seconds", [r.seconds for r in group]),
        ):
            row[name], row[f"{name}_se"] = mean_and_standard_error(values)
        row["n_modes"] = group[0].coverage.n_modes
        rows.append(row)
    return rows


def mean_and_standard_error(values: list[float]) -> tuple[float, float]:
    """The mean and its standard error, sample std / sqrt(n) (0 for a single value; inf stays inf)."""
    require(len(values) >= 1, "values", values, "at least one number")
    mean = sum(values) / len(values)
    if len(values) == 1 or not math.isfinite(mean):
        return mean, 0.0 if len(values) == 1 else math.nan
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(variance / len(values))


# Published results on the same benchmarks (2,500 samples, high-quality within 3 std). Their networks and
# budgets differ from ours, so our own plain GAN is the baseline that counts.
PUBLISHED = (
    # (dataset, method, modes, +-, high-quality %, source)
    ("ring", "GAN", 6.3, 0.5, 98.2, "Lin et al. 2018 (PacGAN), Table 1"),
    ("ring", "GAN", 1.0, None, 99.3, "Srivastava et al. 2017 (VEEGAN), Table 1"),
    ("ring", "PacGAN2", 7.9, 0.1, 95.6, "Lin et al. 2018 (PacGAN), Table 1"),
    ("ring", "Unrolled GAN", 7.6, None, 35.6, "Srivastava et al. 2017 (VEEGAN), Table 1"),
    ("ring", "VEEGAN", 8.0, None, 52.9, "Srivastava et al. 2017 (VEEGAN), Table 1"),
    ("grid", "GAN", 17.3, 0.8, 94.8, "Lin et al. 2018 (PacGAN), Table 1"),
    ("grid", "GAN", 3.3, None, 0.5, "Srivastava et al. 2017 (VEEGAN), Table 1"),
    ("grid", "PacGAN4", 24.8, 0.2, 93.6, "Lin et al. 2018 (PacGAN), Table 1"),
    ("grid", "Unrolled GAN", 23.6, None, 16.0, "Srivastava et al. 2017 (VEEGAN), Table 1"),
    ("grid", "VEEGAN", 24.6, None, 40.0, "Srivastava et al. 2017 (VEEGAN), Table 1"),
)


def markdown_table(rows: Iterable[dict[str, Any]]) -> str:
    """`summarise` rows as a Markdown table: mean +- standard error over seeds."""
    lines = [
        "| data | method | seeds | steps | modes covered | high-quality % | KL to uniform | time (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['remedy']} | {r['seeds']} | {r['steps']} "
            f"| {_pm(r['modes'], r['modes_se'], 1)} / {r['n_modes']} "
            f"| {_pm(r['high_quality_pct'], r['high_quality_pct_se'], 1)} "
            f"| {_pm(r['kl'], r['kl_se'], 3)} | {_pm(r['seconds'], r['seconds_se'], 0)} |"
        )
    return "\n".join(lines)


def _pm(mean: float, error: float, digits: int) -> str:
    """'mean ± error'; an infinite mean (a KL where some run had no high-quality sample) is shown alone."""
    return f"{mean:.{digits}f} ± {error:.{digits}f}" if math.isfinite(mean) else f"{mean}"


def published_table(dataset: str | None = None) -> str:
    """The PUBLISHED figures as a Markdown table, for one data set or both."""
    lines = ["| data | method | modes covered | high-quality % | source |", "|---|---|---|---|---|"]
    for data, method, modes, error, high_quality, source in PUBLISHED:
        if dataset in (None, data):
            spread = "" if error is None else f" ± {error}"
            lines.append(f"| {data} | {method} | {modes}{spread} | {high_quality} | {source} |")
    return "\n".join(lines)
