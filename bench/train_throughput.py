"""Images per second of ganlib's training loop against the usual DataLoader loop, same models, same batch size.

ganlib keeps MNIST on the training device, draws each batch with one indexing op and syncs with the host
every `log_every` steps; the tutorial loop (bench/_baseline.py) pulls batches through torchvision transforms
and a DataLoader and calls `.item()` every step. Run: .venv/bin/python bench/train_throughput.py
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import time
from collections.abc import Callable

import torch
from _baseline import TutorialLoop, mnist_loader

from ganlib.config import FastPath, TrainConfig
from ganlib.recipes import make_trainer

ARCHS = ("mlp", "dcgan")


def images_per_second(run_steps: Callable[[int], object], batch_size: int, seconds: float, sync: Callable) -> float:
    """Throughput of `run_steps` after a warm-up, timed over chunks until at least `seconds` have passed."""
    run_steps(5)  # warm-up: worker start-up, first-call allocations, compilation
    sync()
    steps, start, chunk = 0, time.perf_counter(), 5
    while time.perf_counter() - start < seconds:
        run_steps(chunk)
        steps += chunk
        chunk = min(2 * chunk, 200)
    sync()
    return steps * batch_size / (time.perf_counter() - start)


def measure(device: torch.device, arch: str, batch_size: int, seconds: float, workers: int) -> dict[str, float]:
    """Images/s of ganlib's loop (plain and, where it differs, with the device's fast path) and the tutorial loop."""
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    config = TrainConfig(batch_size=batch_size)
    trainer = make_trainer("mnist", config, arch=arch, device=device)
    G, D = copy.deepcopy(trainer.G), copy.deepcopy(trainer.D)  # the same networks, the same initial weights
    rates = {"ganlib": images_per_second(trainer.run, batch_size, seconds, sync)}
    fast = FastPath.for_device(device)
    if fast != FastPath():
        fast_trainer = make_trainer("mnist", config, arch=arch, device=device, fast=fast)
        rates["ganlib fast path"] = images_per_second(fast_trainer.run, batch_size, seconds, sync)
    loop = TutorialLoop(G, D, mnist_loader(batch_size, num_workers=workers), device)
    rates["DataLoader loop"] = images_per_second(loop.run, batch_size, seconds, sync)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=8.0, help="timed seconds per measurement (after warm-up)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers of the tutorial loop")
    parser.add_argument("--devices", nargs="+", default=["cpu", *(["cuda"] if torch.cuda.is_available() else [])])
    args = parser.parse_args()

    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads")
    load = os.getloadavg()[0]
    print(f"batch {args.batch_size}, {args.seconds:g} s per measurement, load average {load:.1f} at start")
    if torch.cuda.is_available():
        print(f"GPU: {torch.cuda.get_device_name()}")
    header = f"{'device':<7}{'model':<7}{'ganlib':>12}{'ganlib fast':>13}{'DataLoader':>12}{'ganlib/DL':>11}"
    print(f"\nimages per second\n{header}\n{'-' * len(header)}")
    for name in args.devices:
        device = torch.device(name)
        for arch in ARCHS:
            r = measure(device, arch, args.batch_size, args.seconds, args.workers)
            best = max(r["ganlib"], r.get("ganlib fast path", 0.0))
            fast = f"{r['ganlib fast path']:>13,.0f}" if "ganlib fast path" in r else f"{'-':>13}"
            print(
                f"{device.type:<7}{arch:<7}{r['ganlib']:>12,.0f}{fast}{r['DataLoader loop']:>12,.0f}"
                f"{best / r['DataLoader loop']:>10.1f}x",
                flush=True,
            )
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end (2 cores: above 2 means the timings are inflated)")


if __name__ == "__main__":
    main()
