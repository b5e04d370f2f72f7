"""The live view as a reader sees it: new pictures per second in Chromium against a real JupyterLab, quiet and loaded.

One command takes the issue's figures: `--runs` runs on the machine as it is, then `--loaded-runs` runs while one
other process keeps a core busy (a Python loop, started before each run and stopped after it). Each run opens a
fresh kernel with one playing dashboard per data set (ring, MNIST) at `--width` pixels and prints
- new pictures per second seen in the browser over `--seconds` (paints of new frames, the view's own counter,
  cross-checked by hashing the canvas's pixels at every animation frame), beside the frames the kernel sent,
- the trainer's steps/s while it was watched, and then with the view off (the dashboard paused, the same trainer
  training in the kernel in chunks of the same size, the page idle): what watching costs the reader, browser and all,
  where bench/dashboard_overhead.py measures the kernel's share alone (one window each here, on then off, so the
  host's drift enters each pair; that bench alternates many),
- the latency from a slider key press (k: 1 -> 2) to the first painted frame whose readout says k=2,
- the load average (1 minute) at the end of the run.
Then the medians of each set of runs. Targets (issue 35, Chromium at 1440 px on a 2-core CPU): ring >= 20 new
pictures/s in each quiet run and >= 12 in each loaded run, MNIST >= 12 quiet, slider to picture < 0.3 s.

--baseline REV measures the dashboard of another commit (its ganlib, exported with `git archive`) in the same
runs, alternating with this one, so that both see the same machine: on a shared machine the figures move with
the neighbours' load, and only a comparison within one run says what a change did. The kernel's own share of the
cost, in many alternating windows, is bench/dashboard_overhead.py's job. Screenshots of the first run go to
build/screenshots/.

    .venv/bin/python bench/live_view.py [--runs 5] [--loaded-runs 5] [--seconds 20] [--datasets ring mnist]
        [--loaded-datasets ring] [--width 1440] [--baseline abf29cb] [--max-fps 22] [--frame-process]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_browser import (  # noqa: E402
    CANVAS_HASH,
    CHROMIUM,
    CHROMIUM_ARGS,
    KERNEL,
    jupyterlab_server,
    open_notebook,
)

CONFIGS = {  # the notebook's ring settings; MNIST with the fast recipe's batch
    "ring": "TrainConfig(lr_g=1e-3, lr_d=1e-3, seed=0)",
    "mnist": "TrainConfig(lr_g=2e-4, lr_d=2e-4, batch_size=32, seed=0)",
}
SETUP = """import json, time, torch
from ganlib import TrainConfig
from ganlib.live import Dashboard
torch.set_num_threads(1)
board = Dashboard({dataset!r}, {config}, device="cpu", interactive=True{options})
board.play()
board"""
WARM_UP_SECONDS = 5  # past the first frames, once the frame process (where there is one) has started
READY_SECONDS = 180  # the frame process's start: importing torch takes seconds, on a busy machine tens of them
STEP = (  # and the cost of a frame on the kernel's side, as the pacer measures it (wall time: the cores are shared)
    "import json; print(json.dumps({'step': board.trainer.step, 'frames': board.frames, "
    "'frame_ms': 1000 * board.pacer.frame_seconds}))"
)
# whether the dashboard's frames come from its frame process yet (a dashboard without one: at once)
READY = (  # self-contained: a reopened notebook shows its last view before its cell has run again
    "import json; feed = getattr(globals().get('board'), 'feed', None); "
    "print(json.dumps({'ready': 'board' in globals() and "
    "(not getattr(feed, 'use_process', False) or feed.process is not None)}))"
)
# the trainer's steps/s with the view off (paused: no frames, the page idle), in chunks as long as the dashboard's;
# in a thread of the kernel, like the dashboard's training, so that the kernel is idle, as it is while the view plays
VIEW_OFF = """import threading, time
def _view_off(board=board, seconds={seconds}):
    board.pause(); time.sleep(0.5)
    trainer, first, start = board.trainer, board.trainer.step, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(board.steps_per_frame); trainer.history.keep_last(board.history_window)
    board.view_off_steps_per_s = (trainer.step - first) / (time.perf_counter() - start)
    board.play()
threading.Thread(target=_view_off).start()
print("{{}}")"""
VIEW_OFF_RESULT = "import json; print(json.dumps({'steps_per_s': getattr(board, 'view_off_steps_per_s', None)}))"
# counts pictures for `ms` milliseconds: the view's paints, and changes of the canvas's pixels at each animation frame
WATCH = """async ([view, ms]) => { const hash = HASH; const t0 = performance.now(), p0 = +view.dataset.framesDrawn;
  let last = hash(view), changed = 0, ticks = 0;
  while (performance.now() - t0 < ms) { await new Promise(requestAnimationFrame); ticks++;
    const h = hash(view); if (h !== last) { changed++; last = h; } }
  return {paints: +view.dataset.framesDrawn - p0, changed, ticks,
    seconds: (performance.now() - t0) / 1000}; }""".replace("HASH", CANVAS_HASH)
# the time from the key press to the first paint whose readout says k=2
LATENCY = """(view) => { window.__latency = (async () => { const t0 = performance.now(); window.__pressed = null;
  document.addEventListener('keydown', () => { window.__pressed ??= performance.now(); }, {capture: true, once: true});
  while (performance.now() - t0 < 60000) { await new Promise(requestAnimationFrame);
    if (window.__pressed && view.querySelector('.ganlib-readout').textContent.includes('k=2'))
      return (performance.now() - window.__pressed) / 1000; }
  return null; })(); }"""


@contextlib.contextmanager
def busy_core(on: bool) -> Iterator[None]:
    """One other process keeping a core busy for the block (a Python loop), when `on`."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if on else None
    try:
        yield
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


def export_ganlib(revision: str, into: Path) -> Path:
    """ganlib as it was at `revision`, unpacked under `into` (a directory to put first on PYTHONPATH)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "ganlib"], check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    (into / "data").symlink_to(ROOT / "data")  # ganlib finds MNIST beside its package
    return into


def shut_down_kernels(base: str, token: str) -> None:
    """A fresh kernel for the next run: this one's dashboard (and frame process) must not train on."""
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def measure(browser, base: str, token: str, dataset: str, seconds: float, width: int, shot: Path | None) -> dict:
    """One dashboard of `dataset` playing in a fresh kernel: pictures/s, steps/s and the slider's latency."""
    page = open_notebook(browser, base, token, f"{dataset}.ipynb", {"width": width, "height": 900})
    try:
        view = page.locator(".ganlib-live-view").first
        view.wait_for(state="attached", timeout=300_000)
        view.evaluate("v => v.scrollIntoView()")  # JupyterLab skips drawing cells out of view
        page.wait_for_function("(v) => +v.dataset.step > 0", arg=view.element_handle(), timeout=300_000)

        def kernel(code: str) -> dict:
            reply = json.loads(page.evaluate(KERNEL, code))
            if "error" in reply:
                raise RuntimeError(f"the kernel answered {code!r} with {reply}")
            return reply

        deadline = time.monotonic() + READY_SECONDS
        while not kernel(READY).get("ready") and time.monotonic() < deadline:
            time.sleep(1)
        time.sleep(WARM_UP_SECONDS)
        before = kernel(STEP)
        watched = page.evaluate(WATCH, [view.element_handle(), seconds * 1000])
        after = kernel(STEP)
        kernel(VIEW_OFF.format(seconds=seconds))  # before the slider's test, which sets k=2: a slower step
        time.sleep(seconds + 1.0)
        deadline = time.monotonic() + READY_SECONDS
        while (off := kernel(VIEW_OFF_RESULT)["steps_per_s"]) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the view-off window did not end")
            time.sleep(0.5)
        time.sleep(2.0)  # playing again
        page.locator(".ganlib-k .noUi-handle").first.click()
        page.evaluate(LATENCY, view.element_handle())  # starts watching, returns at once
        page.keyboard.press("ArrowRight")
        latency = page.evaluate("() => window.__latency")
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            view.evaluate("v => v.scrollIntoView()")
            page.screenshot(path=str(shot))
        return {
            "pictures_per_s": watched["paints"] / watched["seconds"],
            "changed_per_s": watched["changed"] / watched["seconds"],
            "steps_per_s": (after["step"] - before["step"]) / watched["seconds"],
            "sent_per_s": (after["frames"] - before["frames"]) / watched["seconds"],  # frames the kernel sent
            "frame_ms": after["frame_ms"],
            "off_steps_per_s": off,
            "latency_s": latency,
        }
    finally:
        page.close()
        shut_down_kernels(base, token)


def write_notebooks(root: Path, datasets: list[str], max_fps: float | None, frame_process: bool) -> None:
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    for dataset in datasets:
        options = "" if max_fps is None else f", max_fps={max_fps}"
        options += ", frame_process=True" if frame_process else ""
        cell = SETUP.format(dataset=dataset, config=CONFIGS[dataset], options=options)
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)], metadata=kernel)
        nbformat.write(notebook, root / f"{dataset}.ipynb")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs on the machine as it is")
    parser.add_argument("--loaded-runs", type=int, default=5, help="runs while one other process keeps a core busy")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each run watches the view")
    parser.add_argument("--datasets", nargs="+", default=["ring", "mnist"], choices=sorted(CONFIGS))
    parser.add_argument("--loaded-datasets", nargs="+", default=["ring"], choices=sorted(CONFIGS))
    parser.add_argument("--width", type=int, default=1440, help="the browser window's width in pixels")
    parser.add_argument("--baseline", help="also measure ganlib at this git revision, in the same runs")
    parser.add_argument("--max-fps", type=float, default=None, help="the dashboards' (default: Dashboard's)")
    parser.add_argument("--frame-process", action="store_true", help="dashboards with frames from a process")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load before: {os.getloadavg()}, {os.cpu_count()} CPUs; {args.seconds:.0f} s per run", flush=True)
    results: dict[tuple[str, str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright, contextlib.ExitStack() as servers:
        variants = {"this": {"PYTHONPATH": str(ROOT)}}
        if args.baseline:
            variants[args.baseline] = {"PYTHONPATH": str(export_ganlib(args.baseline, Path(tmp) / "baseline"))}
        lab = {}
        for name, env in variants.items():  # a JupyterLab each, its kernels importing that ganlib
            state = Path(tmp) / f"lab-{len(lab)}"
            (state / "notebooks").mkdir(parents=True)
            write_notebooks(state / "notebooks", sorted(set(args.datasets) | set(args.loaded_datasets)), args.max_fps,
                            args.frame_process)  # fmt: skip
            lab[name] = servers.enter_context(jupyterlab_server(state / "notebooks", state, env))
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        plan = [("quiet", i, args.datasets) for i in range(args.runs)]
        plan += [("loaded", i, args.loaded_datasets) for i in range(args.loaded_runs)]
        for condition, run, datasets in plan:
            order = list(variants) if run % 2 == 0 else list(reversed(variants))  # who goes first alternates
            for dataset in datasets:
                for name in order:
                    shot = None
                    if run == 0 and condition == "quiet":
                        shot = ROOT / "build" / "screenshots" / f"live_view_{dataset}_{args.width}_{name}.png"
                    try:
                        with busy_core(condition == "loaded"):
                            r = measure(browser, *lab[name], dataset, args.seconds, args.width, shot)
                    except Exception as err:  # noqa: BLE001 -- one failed run is reported, the others still taken
                        print(f"{condition} run {run + 1}, {dataset}, {name}: failed: {err!r}"[:500], flush=True)
                        continue
                    r["load"] = os.getloadavg()[0]
                    results.setdefault((condition, dataset, name), []).append(r)
                    print(f"{condition} run {run + 1}, {dataset}, {name}: {r['pictures_per_s']:.1f} new pictures/s "
                          f"({r['changed_per_s']:.1f}/s by pixel hash; the kernel sent {r['sent_per_s']:.1f}/s, "
                          f"{r['frame_ms']:.1f} ms each), {r['steps_per_s']:.0f} steps/s (view off "
                          f"{r['off_steps_per_s']:.0f}), slider -> picture {r['latency_s']:.2f} s; "
                          f"load {r['load']:.2f}", flush=True)  # fmt: skip
        browser.close()
    print("medians (lowest .. highest):")
    for (condition, dataset, name), rs in results.items():
        pictures, median = [r["pictures_per_s"] for r in rs], lambda key, rs=rs: statistics.median(r[key] for r in rs)
        print(f"  {condition:6} {dataset:5} {name:>8}: {statistics.median(pictures):.1f} new pictures/s "
              f"({min(pictures):.1f} .. {max(pictures):.1f}) over {len(rs)} runs, {median('steps_per_s'):.0f} "
              f"steps/s (view off {median('off_steps_per_s'):.0f}), slider -> picture {median('latency_s'):.2f} s, "
              f"load {median('load'):.2f}")  # fmt: skip
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
