"""The verdict: rows computed from the chapters' saved results, in the promises' order, each naming its chapter."""

import copy

import pytest

from ganlib.results import save_results
from ganlib.verdict import CHAPTERS, PROMISES, chapter_results, verdict_markdown, verdict_rows

SAVED = {
    "cgan": {
        "cas_real_accuracy": 0.99,
        "cas_generated_accuracy": 0.975,
        "cas_gap_points": 1.5,
        "cas_styled_accuracy": 0.98,
        "cas_styled_gap_points": 1.0,
        "few_labels": {
            "100": {"augmented": 0.70, "real": 0.75, "gain": -0.05, "gain_sd": 0.01},
            "1000": {"augmented": 0.93, "real": 0.92, "gain": 0.01, "gain_sd": 0.005},
            "3000": {"augmented": 0.97, "real": 0.969, "gain": 0.001, "gain_sd": 0.004},
            "5000": {"augmented": 0.972, "real": 0.970, "gain": 0.003, "gain_sd": 0.001},
        },
    },
    "ssl": {
        "ssl_mean": 0.965,
        "baseline_mean": 0.77,
        "ssl_test_accuracy": [0.96, 0.97, 0.965],
        "baseline_test_accuracy": [0.76, 0.78, 0.77],
        "labels": 100,
    },
    "vae_gan": {
        "gan_fid": 20.0,
        "vae_fid": 60.0,
        "gan_precision": 0.7,
        "vae_precision": 0.8,
        "gan_recall": 0.5,
        "vae_recall": 0.3,
        "vae_test_elbo_nats": -95.4,
        "completion_two_or_more_digits_gan": 0.76,
        "completion_confidence_gan_styles": 0.882,
        "completion_confidence_mse": 0.872,
    },
}


def _row(rows, question):
    return next(row for row in rows if row.question.startswith(question))


def test_rows_answer_every_promise_in_order_and_name_their_chapter():
    rows = verdict_rows(SAVED)
    assert [row.promise for row in rows] == sorted((row.promise for row in rows), key=PROMISES.index)
    assert {row.promise for row in rows} == set(PROMISES)
    assert _row(rows, "ambiguous tops completed").notebook == CHAPTERS["vae_gan"]
    assert _row(rows, "100 labels plus unlabelled").notebook == CHAPTERS["ssl"]


def test_the_verdict_follows_the_numbers():
    rows = verdict_rows(SAVED)
    assert _row(rows, "closeness").verdict == "GAN"  # lower FID wins
    assert _row(rows, "fidelity").verdict == "VAE"
    assert _row(rows, "coverage").verdict == "GAN"
    assert _row(rows, "a classifier trained on generated").verdict == "real better by 1.5 points"
    assert _row(rows, "100 labels plus generated").verdict == "-5.0 ± 1.0 points: a loss"
    assert _row(rows, "1000 labels plus generated").verdict.endswith("a gain")
    assert _row(rows, "3000 labels plus generated").verdict == "+0.1 ± 0.4 points: no clear difference"
    assert _row(rows, "5000 labels plus generated").verdict == "+0.3 ± 0.1 points: no clear difference"  # negligible
    assert _row(rows, "100 labels plus unlabelled").verdict == "+19.5 ± 0.5 points: a gain"
    swapped = copy.deepcopy(SAVED)
    swapped["vae_gan"].update(gan_fid=60.0, vae_fid=20.0, completion_two_or_more_digits_gan=0.3)
    swapped["cgan"]["cas_gap_points"] = -0.5
    rows = verdict_rows(swapped)
    assert _row(rows, "closeness").verdict == "VAE"
    assert _row(rows, "ambiguous tops completed").verdict == "neither, on most tops"
    assert _row(rows, "a classifier trained on generated").verdict == "generated better by 0.5 points"
    swapped["vae_gan"].update(gan_recall=0.4, vae_recall=0.4)
    assert _row(verdict_rows(swapped), "coverage").verdict == "tie"


def test_a_chapter_not_run_yet_says_which_notebook_to_run():
    rows = verdict_rows({**SAVED, "ssl": None, "vae_gan": None})
    missing = [row for row in rows if row.question == "not run yet"]
    assert {row.promise for row in missing} == {
        "few labels",
        "many right answers",
        "samples that look real",
        "a likelihood",
    }
    assert all(row.verdict == f"run {row.notebook} at full settings" for row in missing)
    assert any(row.question.startswith("a classifier trained") for row in rows)  # cgan's rows are still there


def test_a_results_file_without_an_entry_names_the_chapter_and_its_notebook():
    broken = copy.deepcopy(SAVED)
    del broken["vae_gan"]["gan_recall"]
    with pytest.raises(ValueError, match="chapter 'vae_gan'.*'gan_recall'.*08_gans_vs_autoencoders.ipynb"):
        verdict_rows(broken)


@pytest.mark.parametrize("results", [None, {"cgan": None}, {**SAVED, "extra": None}])
def test_results_must_cover_exactly_the_verdict_chapters(results):
    with pytest.raises(ValueError, match="^results="):
        verdict_rows(results)


def test_chapter_results_reads_the_saved_files_of_one_settings(tmp_path):
    save_results("ssl", SAVED["ssl"], "full", tmp_path)
    save_results("cgan", SAVED["cgan"], "smoke", tmp_path)
    found = chapter_results("full", tmp_path)
    assert found == {"cgan": None, "ssl": SAVED["ssl"], "vae_gan": None}


def test_markdown_has_a_row_per_verdict_row_linking_each_chapter():
    rows = verdict_rows(SAVED)
    table = verdict_markdown(rows, link=lambda notebook: f"executed/{notebook}").splitlines()
    assert len(table) == 2 + len(rows)
    assert (
        table[2].startswith("| training samples |")
        and "[06](executed/06_generating_training_samples.ipynb)" in table[2]
    )
    assert all(line.count("|") == 7 for line in table)
