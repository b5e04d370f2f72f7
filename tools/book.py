"""The offline book: the executed notebooks as static HTML pages, a contents page that opens with the verdict, and
previous/next links; `make book` builds it from notebooks/executed/ into build/book/ (open build/book/index.html).

Why nbconvert: it is Jupyter's own renderer, already installed with JupyterLab, and its lab template draws every
output as JupyterLab does, figures embedded in the page as PNG data. Three changes make the pages work offline:
no script is loaded from a network (require.js, MathJax, mermaid and the widget manager come from CDNs in the
stock template; our template leaves them out), TeX is turned into MathML at build time (latex2mathml), which
browsers draw natively, and links between notebooks point to their pages. (Sphinx with MyST-NB would add a
search box but about twenty packages, and MathJax from a CDN unless it is vendored; Jupyter Book 2 needs Node.js
and downloads its theme.)
"""

from __future__ import annotations

import argparse
import html
import re
import time
from pathlib import Path

import nbformat
from jinja2 import pass_context
from latex2mathml.converter import convert
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from ganlib.verdict import chapter_results, verdict_markdown, verdict_rows
from tools.executed import EXECUTED_DIR, RECORD_TAG, ROOT
from tools.notebooks import notebook_paths

BOOK_DIR = ROOT / "build" / "book"
TEMPLATE = Path(__file__).resolve().parent / "book.html.j2"
_NOTEBOOK_LINK = re.compile(r"^([\w.-]+)\.ipynb(#.*)?$")


def page_name(notebook: str) -> str:
    """The page of a notebook file name: 02_gan_step_by_step.ipynb -> 02_gan_step_by_step.html."""
    return Path(notebook).with_suffix(".html").name


class _OfflineRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer with math as MathML and links to other notebooks pointing to their pages."""

    def inline_math(self, body: str) -> str:
        return convert(body)

    def block_math(self, body: str) -> str:
        return convert(body, display="block")

    def link(self, text: str, url: str, title: str | None = None) -> str:
        found = _NOTEBOOK_LINK.match(url)
        if found:
            url = page_name(found.group(1)) + (found.group(2) or "")
        return super().link(text, url, title)


class OfflineHTMLExporter(HTMLExporter):
    """HTMLExporter with the book's template and the offline Markdown renderer."""

    @pass_context
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        renderer = _OfflineRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
        )
        return MarkdownWithMath(renderer=renderer).render(source)


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and RECORD_TAG not in cell.metadata.get("tags", []):
            heading = re.search(r"^# (.+)$", cell.source, flags=re.MULTILINE)
            if heading:
                return heading.group(1).strip()
    return fallback


def _run_line(run: dict) -> str:
    if not run:
        return "no run record"
    m = run["machine"]
    return (
        f"{run['wall_seconds'] / 60:.1f} min at {run['settings']} settings on {run['date'][:10]}, "
        f"{m['cpu']} ({m['threads']} torch threads{', ' + m['gpu'] if m['gpu'] else ''})"
    )


def build(source_dir: Path = EXECUTED_DIR, out_dir: Path = BOOK_DIR) -> list[Path]:
    """Write one page per executed notebook in `source_dir` (in reading order) and index.html; returns the pages."""
    names = [path.name for path in notebook_paths() if (source_dir / path.name).exists()]
    if not names:
        raise ValueError(f"source_dir={source_dir} is not accepted: it holds no executed notebook (make notebooks)")
    out_dir.mkdir(parents=True, exist_ok=True)
    notebooks = {name: nbformat.read(source_dir / name, as_version=4) for name in names}
    chapters = [
        (name, _title(nb, name), nb.metadata.get("ganlib", {}).get("run", {})) for name, nb in notebooks.items()
    ]
    exporter = OfflineHTMLExporter(template_name="lab", extra_template_paths=[str(TEMPLATE.parent)])
    exporter.template_file = TEMPLATE.name
    pages = []
    for i, (name, title, run) in enumerate(chapters):
        neighbours = {
            "previous": chapters[i - 1] if i > 0 else None,
            "next": chapters[i + 1] if i + 1 < len(chapters) else None,
        }
        nav = {key: (page_name(c[0]), c[1]) if c else None for key, c in neighbours.items()}
        resources = {"book": {"title": title, "run": _run_line(run), **nav}}
        body, _ = exporter.from_notebook_node(notebooks[name], resources=resources)
        pages.append(out_dir / page_name(name))
        pages[-1].write_text(body, encoding="utf-8")
    settings = {run.get("settings", "unrecorded") for _, _, run in chapters}
    results = chapter_results("full" if settings == {"full"} else "smoke")
    verdict = verdict_markdown(verdict_rows(results), link=page_name)
    (out_dir / "index.html").write_text(_contents(chapters, verdict, settings), encoding="utf-8")
    return pages


def _contents(chapters: list[tuple[str, str, dict]], verdict: str, settings: set) -> str:
    verdict_html = MarkdownWithMath(renderer=_OfflineRenderer(escape=False, exclude_anchor_links=True)).render(verdict)
    rows = "\n".join(
        f'<tr><td><a href="{page_name(name)}">{html.escape(title)}</a></td><td>{html.escape(_run_line(run))}</td></tr>'
        for name, title, run in chapters
    )
    made_from = " and ".join(sorted(settings))
    warning = (
        ""
        if settings == {"full"}
        else " Not every chapter ran at full settings: a smoke run's numbers are not findings."
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>The GAN workbook</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; margin: 1rem 0; }} td, th {{ border: 1px solid #ccc; padding: 0.3rem 0.6rem; }}
th {{ background: #f4f4f4; text-align: left; }}
</style></head>
<body>
<h1>The GAN workbook</h1>
<p>Generative adversarial networks built, watched and measured on MNIST: every chapter with its figures and the
numbers its run printed (notebooks executed at {html.escape(made_from)} settings).{warning}</p>
<h2>The verdict: what GANs did for each promise</h2>
{verdict_html}
<h2>Contents</h2>
<table><tr><th>chapter</th><th>run time and machine</th></tr>
{rows}
</table>
</body></html>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=EXECUTED_DIR, help="the executed notebooks")
    parser.add_argument("--out", type=Path, default=BOOK_DIR, help="where the pages go")
    args = parser.parse_args()
    start = time.perf_counter()
    pages = build(args.source, args.out)
    print(f"{len(pages)} chapters and index.html in {args.out} ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
