"""The live notebook in a real browser: JupyterLab runs 03_game_live, a reader moves a slider and switches a
layer, the run and the canvas view follow.

Chromium is Debian's (`/usr/bin/chromium`, installed by .ci/run), driven by Python Playwright; nothing is
downloaded. Without the browser the test is skipped, except under CI=true, where that is a failure.
The screenshot it takes is kept in build/screenshots/.
"""

from __future__ import annotations

import contextlib
import json
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
def jupyterlab_server(root: Path, state: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab on loopback with a token, serving `root`, its settings and logs in `state`; always shut down.

    Also used by bench/live_view.py."""
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    news = state / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))  # no news toast over the screenshot
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
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
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


@pytest.fixture
def jupyterlab(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab serving a copy of the live notebook."""
    _require_browser()
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    with jupyterlab_server(root, tmp_path) as server:
        yield server


def open_notebook(browser, base: str, token: str, name: str, viewport: dict[str, int]):
    """A page showing notebook `name` with its kernel connected, all its cells run."""
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(30_000)
    page.goto(f"{base}/lab/tree/{name}?token={token}", timeout=NOTEBOOK_OPEN_S * 1000)
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


def test_a_slider_and_a_layer_switch_in_the_browser_change_the_running_trainer_and_its_view(jupyterlab):
    from playwright.sync_api import sync_playwright

    base, token = jupyterlab
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = open_notebook(browser, base, token, NOTEBOOK.name, {"width": 1600, "height": 1100})
            dashboard = page.locator(".ganlib-dashboard").first
            dashboard.wait_for(state="visible", timeout=TRAINING_START_S * 1000)
            # run-all leaves the view at the last cell; JupyterLab skips rendering cells out of view
            # (content-visibility), so bring the dashboard into view, as a reader would, and read text from the DOM
            dashboard.scroll_into_view_if_needed()
            view = dashboard.locator(".ganlib-live-view")
            readout, changes = view.locator(".ganlib-readout"), dashboard.locator(".ganlib-changes")
            _wait_for(lambda: _step(readout.text_content()) > 0, TRAINING_START_S, "training to start")
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

            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            dashboard.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / "03_game_live.png"))
        except Exception:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # what the browser showed when it failed: an artifact
            browser.contexts[0].pages[0].screenshot(path=str(SCREENSHOTS / "03_game_live_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    print(f"browser test: {time.monotonic() - started:.0f} s after JupyterLab started")
