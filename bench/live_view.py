"""The live view as a reader sees it: Chromium against a real JupyterLab, for the ring and MNIST.

For each data set a notebook shows one dashboard, trained on the CPU; the script prints
- new pictures per second seen in the browser over `--seconds` (paints of new frames, the view's own
  counter, cross-checked by hashing the canvas's pixels at every animation frame),
- training steps/s with the view against the bare trainer in the same kernel (target: < 10% overhead),
- the latency from a slider key press (k: 1 -> 2) to the first painted frame made with k=2 (target < 0.5 s),
- the kernel's memory and the browser tab's JavaScript heap at the start and end of the run (`--seconds 500`
  on the ring is about 100k steps).
Targets: >= 20 new pictures/s on the ring, >= 10 on MNIST.

    .venv/bin/python bench/live_view.py [--seconds 20] [--datasets ring mnist] [--width 1280] [--render-budget 0.1]

Frames cost about as much CPU as a training step of the toy MLPs, and the dashboard gives them `render_budget`
(15%) of the time: pictures/s = budget / seconds per frame, so a loaded machine shows fewer pictures, not
a slower run. --render-budget trades one for the other.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_browser import CANVAS_HASH, CHROMIUM, CHROMIUM_ARGS, jupyterlab_server, open_notebook  # noqa: E402

CONFIGS = {  # the notebook's ring settings; MNIST with the fast recipe's batch
    "ring": "TrainConfig(lr_g=1e-3, lr_d=1e-3, seed=0)",
    "mnist": "TrainConfig(lr_g=2e-4, lr_d=2e-4, batch_size=32, seed=0)",
}
SETUP = """import json, time, resource, torch
from ganlib import TrainConfig
from ganlib.live import Dashboard
torch.set_num_threads(1)
board = Dashboard({dataset!r}, {config}, device="cpu", interactive=True, render_budget={budget})
board.play()
board"""
# JavaScript run in the page: code sent to the notebook's kernel, its printed output returned
KERNEL = """async (code) => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let out = ''; const f = k.requestExecute({code, store_history: false});
  f.onIOPub = (m) => { if (m.header.msg_type === 'stream') out += m.content.text;
    if (m.header.msg_type === 'error') out += JSON.stringify({error: m.content.evalue}); };
  await f.done; return out; }"""
# counts pictures for `ms` milliseconds: the view's paints, and changes of the canvas's pixels at each animation frame
WATCH = """async ([view, ms]) => { const hash = HASH; const t0 = performance.now(), p0 = +view.dataset.framesDrawn;
  let last = hash(view), changed = 0, ticks = 0;
  while (performance.now() - t0 < ms) { await new Promise(requestAnimationFrame); ticks++;
    const h = hash(view); if (h !== last) { changed++; last = h; } }
  return {paints: +view.dataset.framesDrawn - p0, changed, ticks,
    seconds: (performance.now() - t0) / 1000}; }""".replace("HASH", CANVAS_HASH)
JS_HEAP = "() => performance.memory.usedJSHeapSize / 2 ** 20"  # the tab's JavaScript heap (precise with the flag below)
BARE_SECONDS = 30  # the bare trainer's window: a long run (--seconds 500, about 100k ring steps) measures memory
STATE = "print(json.dumps({'step': board.trainer.step, 'rss_mb': resource.getrusage(resource.RUSAGE_SELF)[2] / 1024}))"
BARE = """board.pause(); time.sleep(0.5); t = board.trainer; t.run(20); s0, t0 = t.step, time.perf_counter()
while time.perf_counter() - t0 < {seconds}: t.run(20)
print(json.dumps({{'bare': (t.step - s0) / (time.perf_counter() - t0)}}))"""
# the time from the key press to the first paint whose readout says k=2
LATENCY = """(view) => { window.__latency = (async () => { const t0 = performance.now(); window.__pressed = null;
  document.addEventListener('keydown', () => { window.__pressed ??= performance.now(); }, {capture: true, once: true});
  while (performance.now() - t0 < 60000) { await new Promise(requestAnimationFrame);
    if (window.__pressed && view.querySelector('.ganlib-readout').textContent.includes('k=2'))
      return (performance.now() - window.__pressed) / 1000; }
  return null; })(); }"""


def measure(browser, base: str, token: str, dataset: str, seconds: float, width: int) -> dict[str, float]:
    page = open_notebook(browser, base, token, f"{dataset}.ipynb", {"width": width, "height": 1000})
    view = page.locator(".ganlib-live-view").first
    view.wait_for(state="attached", timeout=300_000)
    view.evaluate("v => v.scrollIntoView()")  # JupyterLab skips drawing cells out of view
    page.wait_for_function("(v) => +v.dataset.step > 0", arg=view.element_handle(), timeout=300_000)
    time.sleep(3)  # past the first frames' warm-up
    kernel = lambda code: json.loads(page.evaluate(KERNEL, code))  # noqa: E731
    before, heap_before = kernel(STATE), page.evaluate(JS_HEAP)
    watched = page.evaluate(WATCH, [view.element_handle(), seconds * 1000])
    after, heap_after = kernel(STATE), page.evaluate(JS_HEAP)
    with_view = (after["step"] - before["step"]) / watched["seconds"]
    handle = page.locator(".ganlib-k .noUi-handle").first
    handle.click()
    page.evaluate(LATENCY, view.element_handle())  # starts watching, returns at once
    page.keyboard.press("ArrowRight")
    latency_s = page.evaluate("() => window.__latency")
    shot = Path("build/screenshots") / f"live_view_{dataset}_{width}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    tall = int(view.evaluate("v => v.getBoundingClientRect().height")) + 200  # JupyterLab clips to its window
    page.set_viewport_size({"width": width, "height": max(1000, tall)})
    view.evaluate("v => v.scrollIntoView()")
    time.sleep(1)  # a frame drawn at the new size
    view.screenshot(path=str(shot))
    bare = kernel(BARE.format(seconds=min(seconds, BARE_SECONDS)))["bare"]
    page.close()
    return {
        "pictures_per_s": watched["paints"] / watched["seconds"],
        "changed_per_s": watched["changed"] / watched["seconds"],
        "animation_frames_per_s": watched["ticks"] / watched["seconds"],
        "steps_per_s_view": with_view,
        "steps_per_s_bare": bare,
        "overhead": 1 - with_view / bare,
        "latency_s": latency_s,
        "rss_mb": (before["rss_mb"], after["rss_mb"]),
        "js_heap_mb": (heap_before, heap_after),
        "steps": (before["step"], after["step"]),
        "screenshot": str(shot),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--datasets", nargs="+", default=["ring", "mnist"])
    parser.add_argument("--width", type=int, default=1280, help="the browser window's width in pixels")
    parser.add_argument("--render-budget", type=float, default=0.15, help="the dashboard's share of time for frames")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load before: {os.getloadavg()}, {os.cpu_count()} CPUs, render_budget {args.render_budget}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        precise_memory = [*CHROMIUM_ARGS, "--enable-precise-memory-info"]
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=precise_memory, headless=True)
        for dataset in args.datasets:  # a JupyterLab of its own each: no other notebook in its workspace
            state = Path(tmp) / dataset
            root = state / "notebooks"
            root.mkdir(parents=True)
            cell = SETUP.format(dataset=dataset, config=CONFIGS[dataset], budget=args.render_budget)
            kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)], metadata=kernel)
            nbformat.write(notebook, root / f"{dataset}.ipynb")
            with jupyterlab_server(root, state) as (base, token):
                r = measure(browser, base, token, dataset, args.seconds, args.width)
            print(
                f"{dataset}: {r['pictures_per_s']:.1f} new pictures/s seen ({r['changed_per_s']:.1f}/s by pixel "
                f"hash, {r['animation_frames_per_s']:.0f} animation frames/s); steps/s {r['steps_per_s_view']:.1f} "
                f"with the view, {r['steps_per_s_bare']:.1f} bare: overhead {r['overhead']:.1%}; slider -> "
                f"picture {r['latency_s']:.3f} s; steps {r['steps'][0]} -> {r['steps'][1]}: kernel max RSS "
                f"{r['rss_mb'][0]:.0f} -> {r['rss_mb'][1]:.0f} MiB, tab JS heap {r['js_heap_mb'][0]:.1f} -> "
                f"{r['js_heap_mb'][1]:.1f} MiB;"
                f" {r['screenshot']}; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        browser.close()


if __name__ == "__main__":
    main()
