"""Time to quality: training seconds until generated digits are as good as the standard DCGAN's after 2 epochs.

The bar is what the baseline (bench/_baseline.py: the pytorch/examples dcgan recipe, Radford et al. 2016 at
64x64, batch 64, Adam 2e-4 / beta1 0.5, BCE, DataLoader, fp32, eager) reaches after --baseline-epochs of
MNIST, read by ganlib's digit classifier (ganlib.evaluation.digit_metrics on --eval-samples images from fixed
noise, the baseline's 64x64 output resized to 28x28): classifier FID against the test set, share of samples
classified with confidence > 0.9, classes covered. A run reaches the bar when all three are as good.
Both runs stop every few steps to be evaluated; only training time counts (data loading included).

A second bar asks for near-real digits (issue 16): at least 90% of samples read with confidence > 0.9, every
class at least 7% of the samples, and classifier FID at most 5x that of real training digits scored the same
way, on --near-real-eval-samples (10,000, the workbook's standard: real training digits score 1.44 there, and
3.11 on 2,000, where FID's bias with sample size would flatter the ratio). The fast recipe plateaus below it
(about 66% confident), so the second bar times another unconditional recipe,
ganlib.recipes.near_real_mnist_trainer (a GAN on k-means clusters, no labels), until the bar or
--max-seconds; its k-means counts as training time.

2 epochs of the 64x64 baseline take hours on a 2-core CPU, so the bar and the baseline's runs are cached
with their provenance in --bar-file (--recompute-bar runs them again). --baseline picks how the baseline's
time on this machine is found: `run` trains it here up to the bar (the default on a GPU), `estimate` times
a few of its steps here and multiplies by the steps its cached runs needed (the default on the CPU).

Run: .venv/bin/python bench/time_to_quality.py [--device cuda] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from _baseline import NZ, TutorialLoop, dcgan64_networks, mnist_loader
from torch.nn import functional as F

from ganlib import Trainer, load_mnist, resolve_device
from ganlib.config import FastPath
from ganlib.data import DATA_ROOT
from ganlib.evaluation import digit_metrics
from ganlib.recipes import fast_mnist_trainer, near_real_mnist_trainer

BAR_FILE = DATA_ROOT / "dcgan_baseline_bar.json"
STEPS_PER_EPOCH = 60_000 // 64  # the baseline's DataLoader drops the last incomplete batch
Point = dict[str, float]  # step, seconds (training only), fid, confident, classes, smallest_class
NEAR_REAL = {"confident": 0.90, "smallest_class": 0.07}  # the second bar, with FID <= NEAR_REAL_FID_FACTOR x real
NEAR_REAL_FID_FACTOR = 5.0


def quality(images: torch.Tensor) -> dict[str, float]:
    """The three numbers of the bar, from the digit classifier; 64x64 images are resized to its 28x28 input."""
    if images.shape[-1] != 28:
        images = F.interpolate(images.float(), size=(28, 28), mode="bilinear", antialias=True).clamp(-1, 1)
    report = digit_metrics(images.float())
    smallest_class = min(report.class_counts) / len(images)
    return {
        "fid": report.fid,
        "confident": report.confident_fraction,
        "classes": report.classes_covered,
        "smallest_class": smallest_class,
    }


def reaches(point: Point, bar: Point) -> bool:
    """FID at most the bar's, every other number of the bar at least as high."""
    return all(point[key] <= value if key == "fid" else point[key] >= value for key, value in bar.items())


def near_real_bar(eval_samples: int) -> Point:
    """The second bar: NEAR_REAL, with an FID limit of NEAR_REAL_FID_FACTOR x that of real training digits."""
    images, _ = load_mnist("train", "cpu")
    chosen = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))[:eval_samples]
    return {"fid": NEAR_REAL_FID_FACTOR * quality(images[chosen])["fid"], **NEAR_REAL}


def time_to_bar(points: list[Point], bar: Point) -> tuple[float, int] | None:
    """(training seconds, steps) at the first evaluation that reaches the bar, or None."""
    return next(((p["seconds"], int(p["step"])) for p in points if reaches(p, bar)), None)


def train_and_evaluate(
    train: Callable[[int], float],
    sample: Callable[[], torch.Tensor],
    every: int,
    max_steps: float,
    max_seconds: float,
    bar: Point | None,
    setup_seconds: float = 0.0,
) -> list[Point]:
    """Alternate `every` timed training steps with an untimed evaluation until `bar`, max_steps or max_seconds.

    The clock starts at `setup_seconds`: work a recipe does before its first step (k-means) is training time.
    """
    points: list[Point] = []
    step, seconds = 0, setup_seconds
    while step < max_steps and seconds < max_seconds:
        n = int(min(every, max_steps - step))
        seconds += train(n)
        step += n
        points.append({"step": step, "seconds": seconds, **quality(sample())})
        print(f"    step {step:>6}  {seconds:8.1f} s  " + _describe(points[-1]), flush=True)
        if bar is not None and reaches(points[-1], bar):
            break
    return points


def _describe(point: Point) -> str:
    parts = [f"FID {point['fid']:7.2f}", f"confident {point['confident']:.3f}"]
    parts += [f"classes {int(point['classes'])}"] if "classes" in point else []
    parts += [f"smallest class {point['smallest_class']:.3f}"] if "smallest_class" in point else []
    return "  ".join(parts)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _fixed_noise(n: int, z_dim: int, device: torch.device) -> torch.Tensor:
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(1234)).to(device)


# ----- the baseline ------------------------------------------------------------------------------------------------
def baseline_loop(seed: int, device: torch.device) -> TutorialLoop:
    torch.manual_seed(seed)
    return TutorialLoop(*dcgan64_networks(seed), mnist_loader(64, image_size=64, seed=seed), device)


def run_baseline(seed: int, device: torch.device, args: argparse.Namespace, bar: Point | None) -> list[Point]:
    """The baseline trained for --baseline-epochs (or until `bar`), evaluated every --baseline-eval-every steps."""
    loop = baseline_loop(seed, device)
    z = _fixed_noise(args.eval_samples, NZ, device)

    @torch.no_grad()
    def sample() -> torch.Tensor:
        loop.G.eval()  # BatchNorm's running statistics, as Trainer.sample does for ours
        try:
            return torch.cat([loop.G(chunk) for chunk in z.split(500)])
        finally:
            loop.G.train()

    max_steps = round(args.baseline_epochs * STEPS_PER_EPOCH)
    return train_and_evaluate(loop.run, sample, args.baseline_eval_every, max_steps, math.inf, bar)


def baseline_seconds_per_step(device: torch.device, steps: int) -> float:
    """The baseline's training time per step on this machine, after a warm-up step."""
    loop = baseline_loop(0, device)
    loop.run(1)
    return loop.run(steps) / steps


def compute_bar(device: torch.device, args: argparse.Namespace) -> dict:
    """Run the baseline for every --baseline-seeds; the bar is the median of their final numbers."""
    runs = []
    for seed in args.baseline_seeds:
        print(f"  baseline seed {seed}: {args.baseline_epochs:g} epochs ({STEPS_PER_EPOCH} steps each)", flush=True)
        runs.append({"seed": seed, "points": run_baseline(seed, device, args, bar=None)})
    bar = {key: statistics.median(run["points"][-1][key] for run in runs) for key in ("fid", "confident", "classes")}
    return {
        "bar": bar,
        "provenance": {
            **_machine(device),
            "what": "bench/_baseline.py: pytorch/examples dcgan (64x64, batch 64, Adam 2e-4, beta1 0.5, BCE)",
            "epochs": args.baseline_epochs,
            "steps": round(args.baseline_epochs * STEPS_PER_EPOCH),
            "eval_samples": args.eval_samples,
            "eval_every": args.baseline_eval_every,
        },
        "runs": runs,
    }


# ----- ours --------------------------------------------------------------------------------------------------------
def run_ours(seed: int, device: torch.device, args: argparse.Namespace, bar: Point) -> tuple[list[Point], float]:
    """ganlib's fast MNIST recipe until `bar` or --max-seconds; returns its points and the compile warm-up time."""
    warmup = _compile_warmup(lambda: fast_mnist_trainer(device, seed), device)
    trainer = fast_mnist_trainer(device, seed)
    z = _fixed_noise(args.eval_samples, trainer.G.z_dim, device)
    points = train_and_evaluate(
        _timed(trainer), lambda: trainer.sample(len(z), z), args.eval_every, math.inf, args.max_seconds, bar
    )
    return points, warmup


def run_near_real(seed: int, device: torch.device, args: argparse.Namespace, bar: Point) -> tuple[list[Point], float]:
    """The near-real recipe (k-means clusters, then a GAN on them) until `bar` or --max-seconds, k-means timed."""
    warmup = _compile_warmup(lambda: near_real_mnist_trainer(device, seed).trainer, device)
    _sync(device)
    start = time.perf_counter()
    gan = near_real_mnist_trainer(device, seed)
    _sync(device)
    setup = time.perf_counter() - start
    z = _fixed_noise(args.near_real_eval_samples, gan.trainer.G.z_dim, device)
    sample = lambda: gan.sample(len(z), z, seed=seed)  # noqa: E731 -- the clusters fixed, as z is
    points = train_and_evaluate(
        _timed(gan.trainer), sample, args.near_real_eval_every, math.inf, args.max_seconds, bar, setup
    )
    return points, warmup


def _compile_warmup(make: Callable[[], Trainer], device: torch.device) -> float:
    """Seconds to compile a recipe's step once, outside the timed run (reported apart); 0 where nothing compiles."""
    if not FastPath.for_device(device).compile:
        return 0.0
    start = time.perf_counter()
    make().run(5)
    _sync(device)
    return time.perf_counter() - start


def _timed(trainer: Trainer) -> Callable[[int], float]:
    def train(steps: int) -> float:
        _sync(trainer.device)
        start = time.perf_counter()
        trainer.run(steps)
        _sync(trainer.device)
        return time.perf_counter() - start

    return train


# ----- the report --------------------------------------------------------------------------------------------------
def _machine(device: torch.device) -> dict:
    return {
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({platform.machine()})",
        "cpu_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average": round(os.getloadavg()[0], 1),
    }


def load_bar(path: Path, args: argparse.Namespace) -> dict | None:
    if args.recompute_bar or not path.is_file():
        return None
    cached = json.loads(path.read_text())
    p = cached["provenance"]
    if p["eval_samples"] != args.eval_samples:
        raise SystemExit(f"{path} used {p['eval_samples']} samples, not {args.eval_samples}: add --recompute-bar")
    if p["epochs"] != args.baseline_epochs:
        print(f"!! the cached bar is the baseline after {p['epochs']:g} epochs, not {args.baseline_epochs:g}")
    return cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cpu, cuda (default: cuda when present)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds of our runs")
    parser.add_argument("--baseline", choices=("run", "estimate"), default=None, help="see above")
    parser.add_argument("--baseline-seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--baseline-epochs", type=float, default=2.0)
    parser.add_argument("--baseline-eval-every", type=int, default=100, help="baseline steps between evaluations")
    parser.add_argument("--eval-every", type=int, default=25, help="our steps between evaluations")
    parser.add_argument("--near-real-eval-every", type=int, default=500, help="steps between evaluations, 2nd bar")
    parser.add_argument("--eval-samples", type=int, default=2000, help="samples per evaluation, first bar")
    parser.add_argument("--near-real-eval-samples", type=int, default=10_000, help="the same, second bar")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="our training time limit per seed")
    parser.add_argument("--estimate-steps", type=int, default=5, help="baseline steps timed by --baseline estimate")
    parser.add_argument("--bar-file", type=Path, default=BAR_FILE)
    parser.add_argument("--recompute-bar", action="store_true", help="run the baseline again for the bar")
    args = parser.parse_args()
    device = resolve_device(args.device)
    mode = args.baseline or ("run" if device.type == "cuda" else "estimate")
    print(f"machine: {_machine(device)}")

    cached = load_bar(args.bar_file, args)
    if cached is None:
        print(f"computing the bar: the baseline for {args.baseline_epochs:g} epochs on {device}", flush=True)
        cached = compute_bar(device, args)
        args.bar_file.parent.mkdir(parents=True, exist_ok=True)
        args.bar_file.write_text(json.dumps(cached, indent=1))
        print(f"saved {args.bar_file}")
    bar, p = cached["bar"], cached["provenance"]
    if "note" in p:
        print(f"!! {p['note']}")
    print(
        f"\nbar: the baseline after {p['epochs']:g} epochs ({p['steps']} steps; seeds "
        f"{[r['seed'] for r in cached['runs']]}; {p['device']}, {p['date']}): {_describe(bar)}"
    )

    second = near_real_bar(args.near_real_eval_samples)
    print(f"second bar, near-real digits: {_describe(second)} (FID {NEAR_REAL_FID_FACTOR:g}x real training digits)")

    rows = []  # (who, seed, seconds or None, steps or None, note)
    near_real_rows = []  # the near-real recipe: (seed, seconds or None, steps or None, [last point] or [], warm-up)
    if mode == "run":
        for seed in args.baseline_seeds:
            print(f"  baseline seed {seed}, until the bar", flush=True)
            hit = time_to_bar(run_baseline(seed, device, args, bar), bar)
            rows.append(("baseline", seed, *(hit or (None, None)), "measured here"))
    else:
        per_step = baseline_seconds_per_step(device, args.estimate_steps)
        for run in cached["runs"]:
            hit = time_to_bar(run["points"], bar)
            steps = hit[1] if hit else None
            rows.append(
                (
                    "baseline",
                    run["seed"],
                    steps and steps * per_step,
                    steps,
                    f"estimate: {per_step:.2f} s/step here x steps of the cached run",
                )
            )
    for seed in args.seeds:
        print(f"  ours seed {seed}", flush=True)
        points, warmup = run_ours(seed, device, args, bar)
        hit = time_to_bar(points, bar)
        note = f"compile warm-up {warmup:.1f} s, not counted" if warmup else ""
        rows.append(("ours", seed, *(hit or (None, None)), note))
    for seed in args.seeds:
        print(f"  near-real recipe seed {seed}", flush=True)
        points, warmup = run_near_real(seed, device, args, second)
        near_real_rows.append((seed, *(time_to_bar(points, second) or (None, None)), points[-1:], warmup))

    print(f"\ntime to the bar on {_machine(device)['device']} (training seconds, evaluation excluded)")
    print(f"{'':<10}{'seed':>5}{'steps':>8}{'seconds':>10}  note")
    for who, seed, seconds, steps, note in rows:
        shown = "not reached" if seconds is None else f"{seconds:10.1f}"
        print(f"{who:<10}{seed:>5}{steps or '-':>8}{shown:>10}  {note}")
    medians = {}
    for who in ("baseline", "ours"):
        times = [s if s is not None else math.inf for w, _, s, _, _ in rows if w == who]
        medians[who] = statistics.median(times)
    print(
        f"\nmedian: baseline {medians['baseline']:.1f} s, ours {medians['ours']:.1f} s, "
        f"ratio {medians['baseline'] / medians['ours']:.1f}x"
    )
    print(
        "\ntime to the second bar, near-real digits (near_real_mnist_trainer, k-means included; "
        f"--max-seconds {args.max_seconds:g} s per seed)"
    )
    for seed, seconds, steps, last, warmup in near_real_rows:
        shown = f"{seconds:.1f} s, {steps} steps" if seconds is not None else "not reached"
        note = f"; compile warm-up {warmup:.1f} s, not counted" if warmup else ""
        end = f"; at the end: {_describe(last[0])}" if last else "; --max-seconds spent before the first step"
        print(f"  seed {seed}: {shown}{end}{note}")
    times = [s if s is not None else math.inf for _, s, _, _, _ in near_real_rows]
    print(f"median {statistics.median(times):.1f} s")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (2 cores: above 2 means the timings are inflated)")


if __name__ == "__main__":
    main()
