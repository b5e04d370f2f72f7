"""The browser view's data: what a frame sends (shapes, ranges, what each layer switch hides), the whole run's
curves in bounded memory, G's manifold, and the warnings in words. The drawing itself is tested in Chromium
(tests/test_browser.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import ganlib.live.view
from ganlib import TrainConfig
from ganlib.evaluation.plane import generator_manifold
from ganlib.history import History
from ganlib.live.curves import CURVES, RunCurves
from ganlib.live.frame import LAYERS, capture_frame
from ganlib.live.readout import game_warnings
from ganlib.live.view import LiveView
from ganlib.live.wire import pack_frame, unpack
from ganlib.recipes import make_trainer

CONFIG = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=8, seed=0)
PLANE_LAYERS = {
    "heatmap": {"heatmap"}, "real": {"real"}, "fake": {"fake"}, "arrows": {"arrows_at", "push"},
    "manifold": {"manifold"},
}  # fmt: skip
CURVE_ARRAYS = {"curve_step", *(f"curve_{name}" for name in CURVES)}


@pytest.fixture(scope="module")
def ring_frame():
    trainer = make_trainer("ring", CONFIG, device="cpu")
    trainer.run(5)
    return capture_frame(trainer)


def test_a_2d_frame_sends_every_layer_with_its_shape_and_range(ring_frame):
    meta, buffer = pack_frame(ring_frame)
    arrays = unpack(meta, buffer)
    assert meta["kind"] == "plane" and meta["step"] == 5 and meta["layers"] == list(LAYERS)
    assert set(arrays) == set().union(*PLANE_LAYERS.values()) | CURVE_ARRAYS
    assert arrays["heatmap"].shape == (32, 32) and 0 <= arrays["heatmap"].min() <= arrays["heatmap"].max() <= 1
    assert arrays["real"].shape == arrays["fake"].shape == (400, 2)
    assert arrays["arrows_at"].shape == arrays["push"].shape == (60, 2)
    assert arrays["manifold"].shape == (24, 24, 2)  # the ring's z is 2D
    np.testing.assert_array_equal(arrays["fake"], ring_frame.view.fake.numpy())
    assert all(entry["offset"] % 4 == 0 for entry in meta["arrays"].values())  # a browser views them in place
    assert 0 <= meta["modes_covered"] <= meta["n_modes"] == 8


@pytest.mark.parametrize("hidden", LAYERS)
def test_a_hidden_layer_is_not_sent_and_the_others_are(ring_frame, hidden):
    meta, buffer = pack_frame(ring_frame, [name for name in LAYERS if name != hidden])
    assert set(meta["arrays"]) == set().union(*(v for k, v in PLANE_LAYERS.items() if k != hidden)) | CURVE_ARRAYS
    assert hidden not in meta["layers"]


def test_a_hidden_manifold_is_not_computed():
    trainer = make_trainer("ring", CONFIG, device="cpu")
    assert capture_frame(trainer, layers=("real", "fake")).manifold is None
    assert capture_frame(trainer).manifold is not None


def test_a_1d_frame_sends_the_densities_and_d_on_one_grid():
    trainer = make_trainer("mixture1d", CONFIG, device="cpu")
    trainer.run(3)
    meta, buffer = pack_frame(capture_frame(trainer))
    arrays = unpack(meta, buffer)
    assert meta["kind"] == "line" and 0 <= meta["js"] <= math.log(2) + 1e-6
    assert {a.shape for name, a in arrays.items() if not name.startswith("curve_")} == {(300,)}
    for name in ("d", "d_optimal"):
        assert 0 <= arrays[name].min() <= arrays[name].max() <= 1


def test_an_mnist_frame_sends_the_fixed_noise_digits_as_bytes():
    trainer = make_trainer("mnist", CONFIG, device="cpu", width=8)
    trainer.run(1)
    meta, buffer = pack_frame(capture_frame(trainer))
    images = unpack(meta, buffer)["images"]
    assert meta["kind"] == "images" and images.shape == (64, 28, 28) and images.dtype == np.uint8
    assert len(buffer) < 64 * 28 * 28 + 20_000  # a byte a pixel, plus the curves


def test_the_curves_keep_the_whole_run_in_at_most_max_points_and_each_point_is_its_steps_mean():
    curves, history = RunCurves(max_points=100), History()
    for step in range(1, 3001):
        history.append(step, {name: float(step) for name in CURVES})
        if step % 7 == 0:
            curves.extend(history)
            history.keep_last(50)  # the window drops rows the curves already took
    curves.extend(history)
    curves.extend(history)  # a row seen twice counts once
    arrays = curves.arrays()
    assert 50 <= len(arrays["step"]) <= 100 and arrays["step"][-1] == 3000
    stride = curves.stride
    full = len(curves.steps)
    expected = np.arange(full) * stride + (stride + 1) / 2  # the mean of steps i*stride+1 .. (i+1)*stride
    np.testing.assert_allclose(arrays["loss_d"][:full], expected)
    np.testing.assert_allclose(arrays["step"][:full], (np.arange(full) + 1) * stride)


def test_the_manifold_is_g_on_a_z_grid_a_curve_for_1d_z_and_absent_for_wider_z():
    trainer = make_trainer("ring", CONFIG, device="cpu")
    grid = generator_manifold(trainer, resolution=5)
    assert grid.shape == (5, 5, 2)
    z = torch.special.ndtri(torch.linspace(0.02, 0.98, 5))
    with torch.no_grad():
        corner = trainer.G(torch.tensor([[z[0], z[4]]]), None)  # row 4 is the last z_y, column 0 the first z_x
    torch.testing.assert_close(grid[4, 0], corner[0])
    assert generator_manifold(make_trainer("ring", CONFIG, device="cpu", z_dim=1)).shape == (1, 24, 2)
    assert generator_manifold(make_trainer("ring", CONFIG, device="cpu", z_dim=3)) is None


def test_a_calm_game_raises_no_warning():
    assert game_warnings([0.7 + 0.01 * (i % 5) for i in range(300)], 0.6, 8, 8, 8) == []


def test_an_exploding_d_loss_is_named():
    (warning,) = game_warnings([0.7] * 280 + [5.0] * 20, 0.6)
    assert "D's loss is exploding" in warning


def test_a_non_finite_d_loss_says_the_run_diverged():
    assert "diverged" in game_warnings([0.7] * 50 + [math.nan], 0.6)[0]


def test_d_accuracy_pinned_at_100_percent_is_named():
    assert any("pinned at 100%" in w for w in game_warnings([0.1] * 100, 1.0))


def test_a_collapse_of_coverage_is_named_against_the_best_so_far():
    (warning,) = game_warnings([0.7] * 100, 0.6, modes_covered=2, best_covered=7, n_modes=8)
    assert "2 of 8 modes, down from 7" in warning
    assert game_warnings([0.7] * 100, 0.6, modes_covered=5, best_covered=7, n_modes=8) == []


def test_the_view_sends_a_frame_with_its_readout_and_leaves_out_what_the_reader_hid(ring_frame):
    view = LiveView()
    view.layers = ["fake"]
    view.show(ring_frame, "step 5 | ...", ["a warning"])
    assert view.meta["step"] == 5 and view.readout.startswith("step 5") and view.warnings == ["a warning"]
    assert set(view.meta["arrays"]) == {"fake"} | CURVE_ARRAYS and len(view.frame) > 400 * 2 * 4


def test_the_views_script_ships_in_the_package_and_loads_nothing_from_the_network():
    script = Path(ganlib.live.view.__file__).with_name("view.js").read_text()
    assert "export default" in script and "import " not in script and "http" not in script


def test_a_frame_may_keep_a_recent_frames_coverage_and_says_from_which_step():
    trainer = make_trainer("ring", CONFIG, device="cpu")
    trainer.run(2)
    counted = capture_frame(trainer)
    trainer.run(1)
    kept, fresh = capture_frame(trainer, keep_coverage=counted), capture_frame(trainer)
    assert kept.view.coverage == counted.view.coverage and kept.view.coverage_step == 2 and kept.step == 3
    assert fresh.view.coverage_step == 3
    torch.testing.assert_close(kept.view.fake, fresh.view.fake)  # the samples shown are this step's all the same
    assert pack_frame(kept)[0]["coverage_step"] == 2


def test_a_snapshot_follows_every_update_of_the_weights():
    from ganlib.evaluation.sampling import snapshot

    trainer = make_trainer("ring", CONFIG, device="cpu")
    first = snapshot(trainer.G)
    weights = [t.clone() for t in first.state_dict().values()]
    assert snapshot(trainer.G) is first  # one copy per module and thread
    trainer.run(1)
    after = snapshot(trainer.G)
    for (name, value), old in zip(after.state_dict().items(), weights, strict=True):
        torch.testing.assert_close(value, trainer.G.state_dict()[name])
        assert not torch.equal(value, old) or "num_batches" in name
