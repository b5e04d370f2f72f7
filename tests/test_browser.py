"""The live notebook in a real browser: JupyterLab runs 03_game_live and a reader drives the first dashboard.

A slider and a layer switch change the running trainer and its view; a step of D alone changes D's heatmap and
not G's samples, a step of G alone the reverse; slow motion steps about once a second; points clicked on the
plane become the data the trainer samples; pointing at a name says what it means; JupyterLab asks nothing
about news. The tests share one JupyterLab and one page (starting them is most of the time) and run in order.

Chromium is Debian's (`/usr/bin/chromium`, installed by .ci/run), driven by Python Playwright; nothing is
downloaded. Without the browser the tests are skipped, except under CI=true, where that is a failure.
The screenshots they take are kept in build/screenshots/.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03_game_live.ipynb"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
LAB_SETTINGS = ROOT / "jupyter-settings"  # overrides.json: JupyterLab's defaults for this project (no news prompt)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_S = 90
NOTEBOOK_OPEN_S = 120
TRAINING_START_S = 240  # kernel start, imports and the first frames, on a busy 2-core machine
CHANGE_APPLIED_S = 60
NEW_FRAMES_S = 90

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


def _require_browser() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the python package playwright is missing"
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run under CI: {problem}")
    pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def _wait_for(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.5) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextlib.contextmanager
def jupyterlab_server(root: Path, state: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """JupyterLab on loopback with a token, serving `root`, its settings and logs in `state`; always shut down.
    `env`: more environment for it and its kernels (bench/live_view.py, which uses it too, sets PYTHONPATH)."""
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        **(env or {}),
    }
    log = open(state / "jupyterlab.log", "w")  # noqa: SIM115 -- closed in the finally below
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True", "--ServerApp.allow_root=True",
            "--LabApp.extension_manager=readonly",
            f"--LabApp.workspaces_dir={state / 'workspaces'}",
            f"--LabApp.user_settings_dir={state / 'settings'}",
            f"--LabApp.app_settings_dir={LAB_SETTINGS}",  # the project's defaults, as `make lab` uses them
        ],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: _server_up(base, token, server), SERVER_START_S, "JupyterLab to start")
        yield base, token
    finally:
        _shut_down(server, base, token)
        log.close()
        print((state / "jupyterlab.log").read_text()[-3000:])


@pytest.fixture(scope="module")
def live_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, object]]:
    """(page, dashboard): JupyterLab at 1440 x 900 running a copy of the live notebook, its first dashboard training."""
    from playwright.sync_api import sync_playwright

    _require_browser()
    state = tmp_path_factory.mktemp("jupyterlab")
    root = state / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    started = time.monotonic()
    with jupyterlab_server(root, state) as (base, token), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = open_notebook(browser, base, token, NOTEBOOK.name, {"width": 1440, "height": 900})
            dashboard = page.locator(".ganlib-dashboard").first
            dashboard.wait_for(state="visible", timeout=TRAINING_START_S * 1000)
            # run-all leaves the view at the last cell; JupyterLab skips rendering cells out of view
            # (content-visibility), so bring the dashboard into view, as a reader would, and read text from the DOM
            dashboard.scroll_into_view_if_needed()
            readout = dashboard.locator(".ganlib-live-view .ganlib-readout")
            _wait_for(lambda: _step(readout.text_content()) > 0, TRAINING_START_S, "training to start")
            # the rest of run-all first: a busy kernel queues the widgets' messages until its cell ends (idle for 2 s
            # on end: between two cells of run-all it is idle for an instant)
            idle = []
            _wait_for(lambda: idle.append(page.evaluate(KERNEL_STATUS) == "idle") or all(idle[-4:]) and len(idle) > 3,
                      TRAINING_START_S, "run-all to finish")  # fmt: skip
            yield page, dashboard
        except Exception:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # what the browser showed when it failed: an artifact
            browser.contexts[0].pages[0].screenshot(path=str(SCREENSHOTS / "03_game_live_failure.png"), full_page=True)
            raise
        finally:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # how the page looked after the last test: an artifact
            browser.contexts[0].pages[0].screenshot(path=str(SCREENSHOTS / "03_game_live_last.png"), full_page=True)
            browser.close()
    print(f"browser tests: {time.monotonic() - started:.0f} s with JupyterLab")


def open_notebook(browser, base: str, token: str, name: str, viewport: dict[str, int]):
    """A page showing notebook `name` with its kernel connected, all its cells run."""
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(30_000)
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}", timeout=NOTEBOOK_OPEN_S * 1000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.connectionStatus === 'connected'); }",
        timeout=NOTEBOOK_OPEN_S * 1000,
    )
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    return page


# a cheap hash of the main canvas's pixels: tells a changed picture from a repainted identical one
CANVAS_HASH = """(view) => { const c = view.querySelector('canvas.ganlib-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let h = 0;
  for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0; return h; }"""
# the same, of the plot's inside only (no title, ticks or legend): what the layers draw
PLOT_HASH = """(view) => { const c = view.querySelector('canvas.ganlib-canvas'), r = c.width / c.clientWidth;
  const [x, y, w, h] = view.dataset.plotBox.split(' ').map((v) => Math.round(+v * r));
  const d = c.getContext('2d').getImageData(x + 2, y + 2, w - 4, h - 4).data; let s = 0;
  for (let i = 0; i < d.length; i += 4) s = (s * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0; return s; }"""
KERNEL_STATUS = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
# JavaScript run in the page: code sent to the notebook's kernel, its printed output returned
KERNEL = """async (code) => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let out = ''; const f = k.requestExecute({code, store_history: false});
  f.onIOPub = (m) => { if (m.header.msg_type === 'stream') out += m.content.text;
    if (m.header.msg_type === 'error') out += JSON.stringify({error: m.content.evalue}); };
  await f.done; return out; }"""


def _server_up(base: str, token: str, server: subprocess.Popen) -> bool:
    if server.poll() is not None:
        raise AssertionError(f"JupyterLab exited with code {server.returncode}")
    try:
        _get_json(f"{base}/api/status?token={token}")
    except OSError:
        return False
    return True


def _shut_down(server: subprocess.Popen, base: str, token: str) -> None:
    """Kernels first (they run in sessions of their own), then the server's process group."""
    try:
        for kernel in _get_json(f"{base}/api/kernels?token={token}"):
            request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
            urllib.request.urlopen(request, timeout=15).close()
    except OSError:
        pass
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if server.poll() is not None:
            return
        os.killpg(server.pid, sig)
        try:
            server.wait(wait_s)
        except subprocess.TimeoutExpired:
            continue


def _step(readout_text: str) -> int:
    match = re.search(r"step (\d+)", readout_text)
    return int(match.group(1)) if match else -1


def _kernel(page, code: str) -> object:
    """What `code`, run in the notebook's kernel, prints (one JSON document)."""
    return json.loads(page.evaluate(KERNEL, code))


def _alone(readout_text: str, player: str) -> int:
    """How many steps of `player` alone the readout counts at its step."""
    match = re.search(rf"(\d+) of {player} alone", readout_text)
    return int(match.group(1)) if match else 0


def _screenshot(page, element, name: str) -> None:
    """The window, 1440 x 900, scrolled so that `element` starts at its top: what a reader sees there."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    element.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(0.3)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _layers(view, shown: set[str]) -> None:
    """Tick exactly the layers in `shown`, then wait for a frame drawn with them."""
    for name in ("real", "fake", "heatmap", "arrows", "manifold"):
        box = view.locator(f".ganlib-layer-{name} input")
        if box.is_checked() != (name in shown):
            box.click()
    _wait_for(lambda: set(view.get_attribute("data-layers").split()) == shown, CHANGE_APPLIED_S, f"layers {shown}")
    time.sleep(0.5)  # the frame drawn with them is painted


def test_a_slider_and_a_layer_switch_in_the_browser_change_the_running_trainer_and_its_view(live_page):
    page, dashboard = live_page
    view = dashboard.locator(".ganlib-live-view")
    readout, changes = view.locator(".ganlib-readout"), dashboard.locator(".ganlib-changes")
    assert "k=1" in readout.text_content()
    assert view.locator("canvas.ganlib-canvas").bounding_box()["width"] >= 400  # large enough to read

    # a reader's move: focus the k slider's handle with the mouse, press the right arrow key once
    handle = dashboard.locator(".ganlib-k .noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.click()
    page.keyboard.press("ArrowRight")
    moved_at, moved_at_step = time.monotonic(), _step(readout.text_content())
    _wait_for(lambda: "k=2" in readout.text_content(), CHANGE_APPLIED_S, "the readout to show k=2", 0.05)
    print(f"browser test: the view showed k=2 {time.monotonic() - moved_at:.2f} s after the key press")
    _wait_for(lambda: "k 1 \u2192 2" in changes.text_content(), CHANGE_APPLIED_S, "the change in the history")
    recorded_at = int(re.search(r"step (\d+): k 1 \u2192 2", changes.text_content()).group(1))
    assert recorded_at >= moved_at_step - 1, (recorded_at, moved_at_step)  # applied to the running trainer

    # the reader hides D's heatmap: the kernel stops sending it, and the picture keeps changing
    view.locator(".ganlib-layer-heatmap input").click()
    _wait_for(lambda: "heatmap" not in view.get_attribute("data-layers"), CHANGE_APPLIED_S,
              "frames sent without the heatmap")  # fmt: skip
    hashes = [view.evaluate(CANVAS_HASH)]
    for _ in range(3):
        hashes.append(
            _wait_for(
                lambda: (h := view.evaluate(CANVAS_HASH)) != hashes[-1] and h,
                NEW_FRAMES_S,
                "a changed picture in the live view",
                0.05,
            )  # fmt: skip
        )
    step_now = _step(readout.text_content())
    assert step_now > recorded_at, (step_now, recorded_at)
    assert "k=2" in readout.text_content()
    drawn, text = view.evaluate("v => [v.dataset.step, v.querySelector('.ganlib-readout').textContent]")
    assert text.startswith(f"step {drawn} |"), (drawn, text)  # the readout names the step drawn
    view.locator(".ganlib-layer-heatmap input").click()
    _screenshot(page, dashboard, "03_game_live")
    _screenshot(page, view.locator(".glv-side"), "03_game_live_curves")


def test_jupyterlab_asks_nothing_about_news(live_page):
    page, _ = live_page  # by now JupyterLab has long started, when it would have asked
    assert page.get_by_text("official Jupyter news").count() == 0


@pytest.mark.parametrize(("player", "changes", "stays"), [("d", {"heatmap"}, {"real", "fake"}),
                                                          ("g", {"fake"}, {"heatmap"})])  # fmt: skip
def test_a_step_of_one_player_alone_changes_what_it_draws_and_leaves_the_others_picture(live_page, player, changes,
                                                                                        stays):  # fmt: skip
    page, dashboard = live_page
    view, readout = dashboard.locator(".ganlib-live-view"), dashboard.locator(".ganlib-live-view .ganlib-readout")
    if not dashboard.locator(".ganlib-pause").is_disabled():
        dashboard.locator(".ganlib-pause").click()
    _wait_for(lambda: dashboard.locator(".ganlib-play").is_enabled(), CHANGE_APPLIED_S, "the dashboard to pause")
    button, name = dashboard.locator(f".ganlib-step-{player}"), player.upper()
    for layers, moved in ((changes, True), (stays, False)):
        _layers(view, layers)
        before, target = view.evaluate(PLOT_HASH), f"{_alone(readout.text_content(), name) + 1} of {name} alone"
        button.click()
        status = dashboard.locator(".ganlib-status")
        _wait_for(lambda target=target: target in readout.text_content(), CHANGE_APPLIED_S,
                  f"{target} in the readout: {readout.text_content()}; {status.text_content()}")  # fmt: skip
        time.sleep(0.5)  # painted
        assert (view.evaluate(PLOT_HASH) != before) == moved, (player, layers)
    _layers(view, {"real", "fake", "heatmap", "arrows"})
    _screenshot(page, view, f"03_game_live_{name}_alone")


def test_slow_motion_steps_about_once_a_second_with_g_s_arrows_drawn(live_page):
    page, dashboard = live_page
    view = dashboard.locator(".ganlib-live-view")
    _layers(view, {"real", "fake", "heatmap"})
    dashboard.locator(".ganlib-slow-motion").click()
    _wait_for(lambda: "arrows" in view.get_attribute("data-layers"), CHANGE_APPLIED_S, "slow motion's arrows")
    dashboard.locator(".ganlib-play").click()
    _wait_for(lambda: dashboard.locator(".ganlib-pause").is_enabled(), CHANGE_APPLIED_S, "the dashboard to play")
    steps, started = [], time.monotonic()
    while time.monotonic() - started < 6:
        steps.append((time.monotonic(), int(view.get_attribute("data-step"))))
        time.sleep(0.1)
    _screenshot(page, view, "03_game_live_slow_motion")
    dashboard.locator(".ganlib-pause").click()
    dashboard.locator(".ganlib-slow-motion").click()
    (t0, first), (t1, last) = steps[5], steps[-1]
    rate = (last - first) / (t1 - t0)
    print(f"browser test: slow motion drew {rate:.2f} steps/s")
    assert 0.5 <= rate <= 1.5, steps


def test_points_drawn_on_the_plane_become_the_data_the_trainer_samples(live_page):
    page, dashboard = live_page
    view = dashboard.locator(".ganlib-live-view")
    _layers(view, {"real", "fake", "heatmap"})
    view.locator(".ganlib-draw input").check()
    x, y, w, h = (float(v) for v in view.get_attribute("data-plot-box").split())
    lo, hi = (float(v) for v in view.get_attribute("data-limits").split())
    view.locator("canvas.ganlib-canvas").scroll_into_view_if_needed()  # the whole plane in the window: clickable
    canvas = view.locator("canvas.ganlib-canvas").bounding_box()
    points = [(1.0, 1.0), (-2.0, 0.5), (0.0, -2.5)]
    for px, py in points:  # a click each, where those data coordinates are drawn
        page.mouse.click(canvas["x"] + x + (px - lo) / (hi - lo) * w, canvas["y"] + y + (hi - py) / (hi - lo) * h)
    probe = """import json, torch
real, _ = ring.trainer.data.sample(500, torch.Generator().manual_seed(0))
print(json.dumps({"name": ring.trainer.data.name, "centres": ring.trainer.data.centres.tolist(),
                  "real": real.tolist()}))"""
    data = _wait_for(lambda: (d := _kernel(page, probe))["name"] == "drawn" and len(d["centres"]) == 3 and d,
                     CHANGE_APPLIED_S, "the trainer to sample the drawn points")  # fmt: skip
    for centre, point in zip(data["centres"], points, strict=True):  # a click is a pixel: within 2 pixels' worth
        assert max(abs(c - p) for c, p in zip(centre, point, strict=True)) < 2 * (hi - lo) / w, (centre, point)
    nearest = [min(math.dist(sample, point) for point in points) for sample in data["real"]]
    assert max(nearest) < 0.6  # every sample the trainer draws lies by a drawn point
    readout = view.locator(".ganlib-readout")
    _wait_for(lambda: "/3," in readout.text_content(), CHANGE_APPLIED_S, "the modes counted on the drawing")
    dashboard.locator(".ganlib-play").click()  # G moves toward the drawing
    time.sleep(8)
    _screenshot(page, view, "03_game_live_drawn")
    dashboard.locator(".ganlib-pause").click()
    view.locator(".ganlib-clear-drawing").click()
    _wait_for(lambda: _kernel(page, probe)["name"] == "ring", CHANGE_APPLIED_S, "the ring back after clearing")


def test_pointing_at_a_name_says_in_one_sentence_what_it_means(live_page):
    page, dashboard = live_page
    view = dashboard.locator(".ganlib-live-view")
    view.locator(".ganlib-term-arrows").hover()
    _wait_for(lambda: "where G's loss pushes" in view.locator(".ganlib-explain").text_content(), 10, "the sentence")
    view.locator(".ganlib-term-divergence").click()
    assert "Jensen-Shannon" in view.locator(".ganlib-explain").text_content()
    _screenshot(page, view.locator("canvas.glv-probs"), "03_game_live_explained")
