"""What watching costs: training steps/s with the live dashboard attached against the bare trainer.

The dashboard trains in its background thread and captures and packs real frames (its default throttling)
for its browser view (ganlib.live.view); without a browser the widget messages go nowhere, so the figure is
capture + packing + thread overhead, what a notebook pays on the kernel's side (bench/live_view.py measures
it with Chromium drawing). Target: under 20% overhead. The "blitted" share is the headless renderer's.
With --memory-steps N it also trains N steps with the dashboard and prints the process's memory on the way.

    .venv/bin/python bench/dashboard_overhead.py [--seconds 20] [--repeats 2] [--memory-steps 100000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import psutil
import torch

from ganlib import TrainConfig
from ganlib.checks import number_option
from ganlib.live import Dashboard
from ganlib.recipes import make_trainer

CONFIG = TrainConfig(lr_g=1e-3, lr_d=1e-3, seed=0)


def bare_rate(dataset: str, seconds: float, chunk: int) -> float:
    """Steps/s of trainer.run alone, in chunks as long as the dashboard's."""
    trainer = make_trainer(dataset, CONFIG, device="cpu")
    trainer.run(chunk)  # warm-up
    start, first = time.perf_counter(), trainer.step
    while time.perf_counter() - start < seconds:
        trainer.run(chunk)
    return (trainer.step - first) / (time.perf_counter() - start)


def dashboard_rate(dataset: str, seconds: float, chunk: int) -> tuple[float, float, float, float]:
    """Steps/s, frames/s, seconds per frame and the share of frames blitted, with the dashboard training in its thread.

    A blitted frame redraws only the data on a cached background; the others redraw the whole figure.
    """
    board = Dashboard(dataset, CONFIG, steps_per_frame=chunk, interactive=True)
    try:
        board.play()
        while board.trainer.step < chunk:  # warm-up
            time.sleep(0.01)
        start, first, frames = time.perf_counter(), board.trainer.step, board.frames
        backgrounds = board.renderer.backgrounds_drawn
        time.sleep(seconds)
        elapsed = time.perf_counter() - start
        drawn = board.frames - frames
        blitted = 1 - (board.renderer.backgrounds_drawn - backgrounds) / drawn if drawn else 0.0
        return (board.trainer.step - first) / elapsed, drawn / elapsed, board.pacer.frame_seconds, blitted
    finally:
        board.close()


def memory_run(dataset: str, steps: int, chunk: int) -> None:
    """Train `steps` steps with the dashboard drawing frames; print the resident memory ten times on the way."""
    process = psutil.Process()
    board = Dashboard(dataset, CONFIG, steps_per_frame=chunk, interactive=True)
    try:
        board.play()
        start = time.perf_counter()
        for mark in range(1, 11):
            while board.trainer.step < steps * mark // 10:
                time.sleep(0.2)
            print(
                f"  step {board.trainer.step:>7}: RSS {process.memory_info().rss / 2**20:7.1f} MiB, "
                f"history rows {len(board.trainer.history)}, frames {board.frames}, "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    finally:
        board.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ring")
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring time per run")
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each; medians are printed")
    parser.add_argument("--chunk", type=int, default=20, help="steps per frame (the dashboard's default)")
    parser.add_argument("--threads", type=number_option(int, 1), default=1, help="torch threads (MLPs gain nothing)")
    parser.add_argument("--memory-steps", type=int, default=0, help="also train this many steps, printing memory")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{args.dataset}, CPU, {args.threads} torch thread(s), {args.seconds:.0f} s per run, {args.repeats} repeats")
    bare, live, fps, frame_s, blit = [], [], [], [], []
    for _ in range(args.repeats):
        bare.append(bare_rate(args.dataset, args.seconds, args.chunk))
        rate, frames, seconds, blitted = dashboard_rate(args.dataset, args.seconds, args.chunk)
        live.append(rate)
        fps.append(frames)
        frame_s.append(seconds)
        blit.append(blitted)
    bare_m, live_m = statistics.median(bare), statistics.median(live)
    print(f"bare trainer:       {bare_m:8.1f} steps/s  (runs: {', '.join(f'{r:.1f}' for r in bare)})")
    print(f"dashboard attached: {live_m:8.1f} steps/s  (runs: {', '.join(f'{r:.1f}' for r in live)})")
    print(
        f"frames: {statistics.median(fps):.2f} /s, {statistics.median(frame_s) * 1000:.0f} ms each (wall), "
        f"{statistics.median(blit):.0%} blitted"
    )
    print(f"overhead: {100 * (1 - live_m / bare_m):.1f}% (target < 20%)")
    if args.memory_steps:
        print(f"memory over {args.memory_steps} steps with the dashboard:")
        memory_run(args.dataset, args.memory_steps, args.chunk)


if __name__ == "__main__":
    main()
