"""The workbook's verdict: what GANs did and did not do for each promise of the articles it grows from.

Why here: notebook 00 shows the verdict first, for the reader deciding whether GANs are worth their time, and
notebook 08 shows it last, after the measurements; both read the chapters' saved results (ganlib.results) and must
say the same thing. Each row names the chapter that measured it, so a reader can check the number there.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ganlib.checks import require
from ganlib.results import RESULTS_ROOT, load_results

# the seeds' promises, in the order the verdict answers them
PROMISES = ("training samples", "few labels", "many right answers", "samples that look real", "a likelihood")
# which notebook saves which chapter's results
CHAPTERS = {
    "cgan": "06_generating_training_samples.ipynb",
    "ssl": "07_semi_supervised.ipynb",
    "vae_gan": "08_gans_vs_autoencoders.ipynb",
}
_PROMISES_OF = {
    "cgan": ("training samples", "few labels"),
    "ssl": ("few labels",),
    "vae_gan": ("many right answers", "samples that look real", "a likelihood"),
}

Results = Mapping[str, object]
# test accuracy differences smaller than this are no answer to "is it worth it?": the classifiers trained on the
# same 100 labels alone spread by 0.9 points over notebook 06's seeds
NEGLIGIBLE_POINTS = 0.5


@dataclass(frozen=True)
class VerdictRow:
    """One measured answer: the promise, what was measured, where, what the GAN gave, against what, and who won."""

    promise: str
    question: str
    notebook: str
    gan: str
    against: str
    verdict: str


def chapter_results(settings: str = "full", root: Path = RESULTS_ROOT) -> dict[str, Results | None]:
    """Every verdict chapter's saved results under `settings` (None for a chapter not run with them)."""
    return {chapter: load_results(chapter, settings, root) for chapter in CHAPTERS}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _better(gan: float, other: float, name: str, lower_is_better: bool = False) -> str:
    """Which of the two numbers wins, in words ("tie" when they are equal)."""
    if gan == other:
        return "tie"
    return "GAN" if (gan < other) == lower_is_better else name


def _difference(gain: float, spread: float) -> str:
    """A mean difference over seeds, in points, in words: a gain or a loss only when it is larger than its spread
    over seeds and than NEGLIGIBLE_POINTS."""
    if abs(gain) <= max(spread, NEGLIGIBLE_POINTS):
        return "no clear difference"
    return "a gain" if gain > 0 else "a loss"


def _reader(chapter: str, results: Results) -> Callable[[str], object]:
    """results[key], or a ValueError that names the chapter's notebook to run again."""

    def get(key: str) -> object:
        require(
            key in results,
            f"results of chapter {chapter!r}",
            sorted(results),
            f"a {key!r} entry (run {CHAPTERS[chapter]} again)",
        )
        return results[key]

    return get


def _cgan_rows(get: Callable[[str], object]) -> list[VerdictRow]:
    rows = []
    trained_on_generated = (
        ("a classifier trained on generated digits only", "cas_generated_accuracy", "cas_gap_points"),
        ("the same, generated with styles per class", "cas_styled_accuracy", "cas_styled_gap_points"),
    )
    for question, accuracy, gap_key in trained_on_generated:
        gap = get(gap_key)
        better = f"real better by {gap:.1f} points" if gap > 0 else f"generated better by {-gap:.1f} points"
        rows.append(
            VerdictRow(
                "training samples",
                question,
                CHAPTERS["cgan"],
                f"{_pct(get(accuracy))} test accuracy",
                f"{_pct(get('cas_real_accuracy'))} from as many real digits",
                better,
            )
        )
    for labels, few in get("few_labels").items():
        gain, spread = 100 * few["gain"], 100 * few["gain_sd"]
        rows.append(
            VerdictRow(
                "few labels",
                f"{labels} labels plus generated digits (the real ones seen as often)",
                CHAPTERS["cgan"],
                _pct(few["augmented"]),
                f"{_pct(few['real'])} from the {labels} labels alone",
                f"{gain:+.1f} ± {spread:.1f} points: {_difference(gain, spread)}",
            )
        )
    return rows


def _ssl_rows(get: Callable[[str], object]) -> list[VerdictRow]:
    differences = [100 * (a - b) for a, b in zip(get("ssl_test_accuracy"), get("baseline_test_accuracy"), strict=True)]
    gain = statistics.mean(differences)
    spread = statistics.stdev(differences) if len(differences) > 1 else 0.0
    return [
        VerdictRow(
            "few labels",
            f"{get('labels')} labels plus unlabelled digits (semi-supervised D)",
            CHAPTERS["ssl"],
            _pct(get("ssl_mean")),
            f"{_pct(get('baseline_mean'))} from the labels alone",
            f"{gain:+.1f} ± {spread:.1f} points: {_difference(gain, spread)}",
        )
    ]


def _vae_gan_rows(get: Callable[[str], object]) -> list[VerdictRow]:
    notebook = CHAPTERS["vae_gan"]
    several, styled, mse = (
        get("completion_two_or_more_digits_gan"),
        get("completion_confidence_gan_styles"),
        get("completion_confidence_mse"),
    )

    def higher_wins(name: str, gan: float, vae: float, digits: int) -> VerdictRow:
        return VerdictRow(
            "samples that look real",
            name,
            notebook,
            f"{gan:.{digits}f}",
            f"VAE {vae:.{digits}f}",
            _better(gan, vae, "VAE"),
        )

    fid_gan, fid_vae = get("gan_fid"), get("vae_fid")
    return [
        VerdictRow(
            "many right answers",
            "ambiguous tops completed as 2+ different digits",
            notebook,
            _pct(several),
            "MSE: one answer per top",
            "GAN (with mode seeking)" if several > 0.5 else "neither, on most tops",
        ),
        VerdictRow(
            "many right answers",
            "ambiguous tops: completions read surely (confidence)",
            notebook,
            f"{styled:.3f} on styles",
            f"MSE {mse:.3f}",
            _better(styled, mse, "MSE"),
        ),
        VerdictRow(
            "samples that look real",
            "closeness to real digits (classifier FID, lower is better)",
            notebook,
            f"{fid_gan:.0f}",
            f"VAE {fid_vae:.0f}",
            _better(fid_gan, fid_vae, "VAE", lower_is_better=True),
        ),
        higher_wins("fidelity (precision)", get("gan_precision"), get("vae_precision"), 2),
        higher_wins("coverage (recall)", get("gan_recall"), get("vae_recall"), 2),
        VerdictRow(
            "a likelihood",
            "a bound on log p(x) of test digits",
            notebook,
            "none",
            f"VAE ELBO {get('vae_test_elbo_nats'):.1f} nats",
            "VAE only",
        ),
    ]


_ROWS_OF = {"cgan": _cgan_rows, "ssl": _ssl_rows, "vae_gan": _vae_gan_rows}


def verdict_rows(results: Mapping[str, Results | None]) -> list[VerdictRow]:
    """The verdict's rows in the order of PROMISES; a chapter not run yet gives a 'not run yet' row per promise."""
    require(
        isinstance(results, Mapping) and set(results) == set(CHAPTERS),
        "results",
        results,
        f"a mapping with one entry (a dict or None) for each of {sorted(CHAPTERS)}: chapter_results()",
    )
    rows = []
    for chapter, found in results.items():
        if found is None:
            rows += [
                VerdictRow(
                    promise, "not run yet", CHAPTERS[chapter], "", "", f"run {CHAPTERS[chapter]} at full settings"
                )
                for promise in _PROMISES_OF[chapter]
            ]
        else:
            rows += _ROWS_OF[chapter](_reader(chapter, found))
    return sorted(rows, key=lambda row: PROMISES.index(row.promise))  # stable: a chapter's own order is kept


def verdict_markdown(rows: list[VerdictRow], link: Callable[[str], str] = str) -> str:
    """A Markdown table of the rows; `link(notebook)` is where each chapter's link points (relative paths differ)."""
    lines = [
        "| promise | what was measured | GAN | against | verdict | measured in |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        chapter = f"[{row.notebook[:2]}]({link(row.notebook)})"
        lines.append(f"| {row.promise} | {row.question} | {row.gan} | {row.against} | {row.verdict} | {chapter} |")
    return "\n".join(lines)
