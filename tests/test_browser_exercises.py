"""An exercise in a real browser: JupyterLab opens the first exercise of notebook 01 (its cells as committed), a
reader types an answer into the exercise cell and runs it, and the check says correct; then a wrong answer, and
the check names the mistake.

Chromium and JupyterLab are those of tests/test_browser.py (skipped without the browser, except under CI=true).
The screenshot it takes is kept in build/screenshots/.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    _require_browser,
    _wait_for,
    jupyterlab_server,
    open_notebook,
)

from ganlib.exercises import ch01
from ganlib.exercises.notebook import exercise_cells

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "notebooks" / "01_adversarial_game.ipynb"
NAME = "exercise_01.ipynb"
VERDICT_S = 120  # kernel start and imports on a busy 2-core machine, then one check

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def _exercise_notebook(path: Path) -> str:
    """A notebook holding the chapter's import of its exercises and its first exercise cell, as committed."""
    chapter = nbformat.read(CHAPTER, as_version=4)
    cell = next(c for c in exercise_cells(chapter) if c.exercise is ch01.value_function)
    nb = nbformat.v4.new_notebook()
    nb.metadata = chapter.metadata
    nb.cells = [
        nbformat.v4.new_code_cell("import torch\n\nfrom ganlib.exercises import ch01 as ex"),
        chapter.cells[cell.index],
    ]
    nbformat.write(nb, path)
    return cell.check_line


@pytest.fixture
def jupyterlab_with_exercise(tmp_path: Path):
    _require_browser()
    root = tmp_path / "notebooks"
    root.mkdir()
    check_line = _exercise_notebook(root / NAME)
    with jupyterlab_server(root, tmp_path) as server:
        yield server, check_line


def _answer(page, cell, source: str) -> str:
    """Type `source` into the cell as a reader would, run it, and return the verdict it shows."""
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)
    typed = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.source")
    assert typed == source, typed  # the editor holds exactly what was typed (no auto-indent or closed brackets)
    page.keyboard.press("Shift+Enter")
    verdict = cell.locator(".ganlib-exercise")
    return _wait_for(
        lambda: verdict.count() and not verdict.first.text_content().startswith("Not attempted")
        and verdict.first.text_content(),
        VERDICT_S,
        "the check's verdict",
    )  # fmt: skip


def test_a_reader_types_an_answer_runs_the_cell_and_reads_the_verdict(jupyterlab_with_exercise):
    from playwright.sync_api import sync_playwright

    (base, token), check_line = jupyterlab_with_exercise
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = open_notebook(browser, base, token, NAME, {"width": 1400, "height": 1000})
            cell = page.locator(".jp-CodeCell").nth(1)
            verdict = cell.locator(".ganlib-exercise")
            _wait_for(
                lambda: verdict.count() and verdict.first.text_content(), VERDICT_S, "the untouched stub's verdict"
            )
            assert verdict.first.text_content().startswith("Not attempted"), verdict.first.text_content()

            v = "torch.log(d_real).mean() + torch.log(1 - d_fake).mean()"
            right = f"def value_function(d_real, d_fake):\n    return {v}"
            shown = _answer(page, cell, f"{right}\n\n\n{check_line}")
            assert shown.startswith("Correct (Exercise 1.1"), shown

            wrong = f"def value_function(d_real, d_fake):\n    return -({v})"  # a sign error
            shown = _answer(page, cell, f"{wrong}\n\n\n{check_line}")
            assert shown.startswith("Incorrect (Exercise 1.1") and "wrong sign" in shown, shown
            assert "Traceback" not in cell.text_content()

            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "exercise_01.png"))
        except Exception:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            browser.contexts[0].pages[0].screenshot(path=str(SCREENSHOTS / "exercise_01_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    print(f"browser exercise test: {time.monotonic() - started:.0f} s after JupyterLab started")
