"""Chapter results: saved per settings, read back exactly, refused when damaged or not JSON-able."""

import numpy as np
import pytest
import torch

from ganlib.results import load_results, save_results


def test_results_round_trip_with_numpy_and_torch_scalars(tmp_path):
    save_results("cgan", {"accuracy": np.float32(0.5), "steps": torch.tensor(3), "per_class": [1, 2]}, "full", tmp_path)
    assert load_results("cgan", "full", tmp_path) == {"accuracy": 0.5, "steps": 3, "per_class": [1, 2]}


def test_smoke_results_do_not_overwrite_full_ones(tmp_path):
    save_results("ssl", {"accuracy": 0.97}, "full", tmp_path)
    save_results("ssl", {"accuracy": 0.1}, "smoke", tmp_path)
    assert load_results("ssl", "full", tmp_path) == {"accuracy": 0.97}


def test_missing_chapter_reads_as_none(tmp_path):
    assert load_results("vae", "full", tmp_path) is None


@pytest.mark.parametrize(
    ("chapter", "results", "settings", "message"),
    [
        ("cgan", {"a": 1}, "quick", "settings=.quick. is not accepted"),
        ("../x", {"a": 1}, "full", "chapter=.*not accepted"),
        ("cgan", {"a": float("nan")}, "full", "result cgan.a=nan.*finite"),
        ("cgan", {"a": object()}, "full", "result cgan.a=.*number, string"),
        ("cgan", {}, "full", "results=.*non-empty dict"),
    ],
)
def test_bad_results_are_refused_by_name(tmp_path, chapter, results, settings, message):
    with pytest.raises(ValueError, match=message):
        save_results(chapter, results, settings, tmp_path)
    assert not any(tmp_path.rglob("*"))


def test_a_damaged_file_names_itself(tmp_path):
    path = save_results("cgan", {"a": 1}, "full", tmp_path)
    path.write_text('{"chapter": "cg')
    with pytest.raises(ValueError, match="cgan.json"):
        load_results("cgan", "full", tmp_path)
