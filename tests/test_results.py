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


def _written(tmp_path, chapter: str, text: str | bytes) -> None:
    path = tmp_path / "full" / f"{chapter}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"chapter": "cgan", "settings": "full", "results": {"a": 1}}', "chapter 'cgan'.*not of 'ssl'"),
        ('{"chapter": "ssl", "settings": "smoke", "results": {"a": 1}}', "settings 'smoke', not of 'ssl' with 'full'"),
        ('{"results": {"a": 1}}', "chapter None"),
        ('{"chapter": "ssl", "settings": "full", "results": {"a": NaN}}', "NaN is not a finite number"),
        ('{"chapter": "ssl", "settings": "full", "results": {"a": [1, -Infinity]}}', "-Infinity is not a finite"),
        ('{"chapter": "ssl", "settings": "full", "results": {"a": 1e999}}', "result ssl.a=inf"),
        ('{"chapter": "ssl", "settings": "full", "results": [1, 2]}', "'results' is a dict"),
        ("[1, 2]", "'results' is a dict"),
        (bytes(range(256)), "utf-8"),
    ],
)
def test_a_results_file_that_is_not_what_its_path_says_is_refused_naming_it(tmp_path, content, message):
    _written(tmp_path, "ssl", content)
    with pytest.raises(ValueError, match=f"ssl.json.*{message}"):
        load_results("ssl", "full", tmp_path)


def test_a_results_file_copied_from_the_smoke_settings_is_not_read_as_a_full_run(tmp_path):
    smoke = save_results("ssl", {"accuracy": 0.1}, "smoke", tmp_path)
    _written(tmp_path, "ssl", smoke.read_bytes())
    with pytest.raises(ValueError, match="settings 'smoke'"):
        load_results("ssl", "full", tmp_path)
