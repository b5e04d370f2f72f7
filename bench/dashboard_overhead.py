"""What watching costs: training steps/s with the live dashboard's view on, against the same trainer with it off.

One kernel-like process, one dashboard (interactive, as in JupyterLab, but with no browser: the widget messages
go nowhere, so this is the kernel's side of the cost: capturing, packing and sending frames). Windows alternate
in that one process, so a machine that gets busier or quieter affects both alike:
- view on: the dashboard plays as a reader gets it, its frames made on the training thread between two chunks;
- view off: the dashboard is paused and the same trainer trains in chunks of the same size, frames none;
- with --frame-process, a third window: a dashboard whose frames a process of their own computes
  (`Dashboard(frame_process=True)`, ganlib.live.capture), the alternative the default was measured against.
Each on/off pair gives an overhead, 1 - on/off; the script prints every window, then the median overhead with
its spread (lowest and highest of the pairs) and the load average before and after. Target: under 10%.
With --memory-steps N it also trains N steps with the view on and prints the process's memory on the way.

    .venv/bin/python bench/dashboard_overhead.py [--dataset ring] [--seconds 5] [--pairs 6] [--frame-process]
        [--render-budget 0.1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import psutil
import torch

from ganlib import TrainConfig
from ganlib.checks import number_option
from ganlib.live import Dashboard

CONFIG = TrainConfig(lr_g=1e-3, lr_d=1e-3, seed=0)
READY_SECONDS = 120  # the frame process's start (imports) on a busy machine


def view_on(board: Dashboard, seconds: float) -> tuple[float, float]:
    """Steps/s and frames/s with the dashboard playing for `seconds`."""
    board.play()
    time.sleep(0.5)  # past the first chunk
    start, first, frames = time.perf_counter(), board.trainer.step, board.frames
    time.sleep(seconds)
    elapsed = time.perf_counter() - start
    steps, shown = board.trainer.step - first, board.frames - frames
    board.pause()
    time.sleep(0.2)
    return steps / elapsed, shown / elapsed


def view_off(board: Dashboard, seconds: float) -> float:
    """Steps/s of the same trainer run alone in chunks as long as the dashboard's."""
    trainer, chunk = board.trainer, board.steps_per_frame
    trainer.run(chunk)
    start, first = time.perf_counter(), trainer.step
    while time.perf_counter() - start < seconds:
        trainer.run(chunk)
        trainer.history.keep_last(board.history_window)
    return (trainer.step - first) / (time.perf_counter() - start)


def wait_for_frame_process(board: Dashboard) -> None:
    """Play until the frame process (its imports take seconds) makes the frames, then pause."""
    board.play()
    deadline = time.monotonic() + READY_SECONDS
    while board.feed.process is None and time.monotonic() < deadline:
        time.sleep(0.5)
    board.pause()
    print(f"frame process ready: {board.feed.process is not None}", flush=True)


def memory_run(board: Dashboard, steps: int) -> None:
    """Train `steps` steps with the view on; print the resident memory ten times on the way."""
    process, start, first = psutil.Process(), time.perf_counter(), board.trainer.step
    board.play()
    for mark in range(1, 11):
        while board.trainer.step - first < steps * mark // 10:
            time.sleep(0.2)
        rss, rows = process.memory_info().rss / 2**20, len(board.trainer.history)
        print(f"  step {board.trainer.step:>7}: RSS {rss:7.1f} MiB, history rows {rows}, frames {board.frames}, "
              f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
    board.pause()


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.1%} (lowest {min(values):.1%}, highest {max(values):.1%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ring")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each window")
    parser.add_argument("--pairs", type=int, default=6, help="on/off pairs (each window alternates)")
    parser.add_argument("--frame-process", action="store_true", help="also windows with frames from a process")
    parser.add_argument("--threads", type=number_option(int, 1), default=1, help="torch threads (MLPs gain nothing)")
    parser.add_argument("--render-budget", type=float, default=None, help="the dashboards' (default: Dashboard's)")
    parser.add_argument("--max-fps", type=float, default=None, help="the dashboards' (default: Dashboard's)")
    parser.add_argument("--memory-steps", type=int, default=0, help="also train this many steps, printing memory")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    budget = args.render_budget or "Dashboard's default"
    print(f"{args.dataset}, CPU, render budget {budget}, {args.threads} torch thread(s), {args.pairs} pairs of "
          f"{args.seconds:.0f} s windows; load before {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs",
          flush=True)  # fmt: skip
    options = {} if args.render_budget is None else {"render_budget": args.render_budget}
    if args.max_fps is not None:
        options["max_fps"] = args.max_fps
    board = Dashboard(args.dataset, CONFIG, device="cpu", interactive=True, **options)
    process = None
    if args.frame_process:
        process = Dashboard(args.dataset, CONFIG, device="cpu", interactive=True, frame_process=True, **options)
    try:
        if process is not None:
            wait_for_frame_process(process)
        overheads, process_overheads, fps, process_fps = [], [], [], []
        for pair in range(args.pairs):
            windows = ["on", "off", "process"] if process else ["on", "off"]
            if pair % 2:  # alternate which comes first
                windows.reverse()
            rates: dict[str, float] = {}
            for window in windows:
                if window == "off":
                    rates["off"] = view_off(board, args.seconds)
                else:
                    rates[window], frames = view_on(board if window == "on" else process, args.seconds)
                    (fps if window == "on" else process_fps).append(frames)
            overheads.append(1 - rates["on"] / rates["off"])
            text = (
                f"pair {pair + 1}: view off {rates['off']:.1f} steps/s, on {rates['on']:.1f} ({fps[-1]:.1f} frames/s)"
            )
            if process:
                process_overheads.append(1 - rates["process"] / rates["off"])
                text += f", frame process {rates['process']:.1f} ({process_fps[-1]:.1f} frames/s)"
            print(f"{text}; load {os.getloadavg()[0]:.2f}", flush=True)
        print(f"overhead of the view: {spread(overheads)}, {statistics.median(fps):.1f} frames/s; target < 10%")
        if process:
            print(f"overhead with the frame process: {spread(process_overheads)}; "
                  f"{statistics.median(process_fps):.1f} frames/s")  # fmt: skip
        print(f"load after {os.getloadavg()[0]:.2f}")
        if args.memory_steps:
            print(f"memory over {args.memory_steps} steps with the view on:")
            memory_run(board, args.memory_steps)
    finally:
        board.close()
        if process is not None:
            process.close()


if __name__ == "__main__":
    main()
