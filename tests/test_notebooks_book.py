"""The offline book (tools/book.py), built from smoke-executed notebooks: a contents page that opens with the
verdict, chapters with their figures, previous/next links, and nothing loaded from a network.

`make test` runs tests/test_notebooks.py first (file names sort so), whose smoke runs leave executed copies in
build/papermill/; the book is built from those. Run alone, this file smoke-runs notebook 01 (seconds) instead.
"""

import re
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from tools.book import build, page_name
from tools.notebooks import NOTEBOOK_DIR, execute

PAPERMILL = NOTEBOOK_DIR.parent / "build" / "papermill"
# a resource fetched when a page is viewed (a script, a style sheet, an image, a frame, a font), from anywhere but here
_REMOTE = re.compile(
    r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//|url\([\"']?(?:https?:)?//|import\([\"'](?:https?:)?//",
    flags=re.IGNORECASE,
)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    source = PAPERMILL
    if not any(PAPERMILL.glob("*.ipynb")):
        source = tmp_path_factory.mktemp("smoke")
        execute(NOTEBOOK_DIR / "01_adversarial_game.ipynb", source, smoke=True)
    out = tmp_path_factory.mktemp("book")
    start = time.perf_counter()
    build(source, out)
    print(f"book of {len(list(out.glob('*.html'))) - 1} chapters built in {time.perf_counter() - start:.1f} s")
    return out


@pytest.mark.notebook
def test_contents_page_opens_with_the_verdict_and_links_every_chapter(book):
    index = (book / "index.html").read_text()
    assert index.index("The verdict") < index.index("Contents")
    assert "<th>promise</th>" in index
    chapters = sorted(p.name for p in book.glob("*.html") if p.name != "index.html")
    assert chapters and all(f'href="{name}"' in index for name in chapters)


@pytest.mark.notebook
def test_a_chapter_has_its_figures_its_run_and_links_to_its_neighbours(book):
    pages = sorted(p for p in book.glob("*.html") if p.name != "index.html")
    chapter = next((p for p in pages if p.name.startswith("01_")), pages[0])
    text = chapter.read_text()
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', text)) >= 1
    assert "ran " in text and "settings on" in text  # the run time and machine, from the run record
    links = set(re.findall(r'href="([\w.-]+\.html)"', text))
    assert "index.html" in links and all((book / link).exists() for link in links)
    if len(pages) > 1:
        assert links - {"index.html"}, "a chapter links to the one before or after it"


@pytest.mark.notebook
def test_no_page_loads_anything_from_a_network(book):
    for page in book.glob("*.html"):
        text = page.read_text()
        assert not _REMOTE.search(text), f"{page.name} loads {_REMOTE.search(text).group(0)!r}"
        assert not re.search(r'href="[\w.-]+\.ipynb', text), f"{page.name} links a notebook instead of its page"


def test_math_becomes_mathml_and_notebook_links_become_pages(tmp_path):
    cells = [new_markdown_cell("# 01 A test\nThe value $V(D, G)$ and [the next chapter](02_b.ipynb#settings).")]
    nbformat.write(new_notebook(cells=cells), tmp_path / "01_adversarial_game.ipynb")
    build(tmp_path, tmp_path / "book")
    text = (tmp_path / "book" / "01_adversarial_game.html").read_text()
    assert "<math" in text and "$V(D, G)$" not in text
    assert 'href="02_b.html#settings"' in text
    assert page_name("02_gan_step_by_step.ipynb") == "02_gan_step_by_step.html"


def test_a_folder_without_executed_notebooks_is_refused(tmp_path):
    with pytest.raises(ValueError, match="source_dir=.*no executed notebook"):
        build(tmp_path, tmp_path / "book")
