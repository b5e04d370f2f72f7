"""The browser view's data: what a frame sends (shapes, ranges, what each layer switch hides, what it refuses to
send), the whole run's curves and the divergence in bounded memory, G's manifold, the frame process, drawn data,
and the warnings and explanations in words. The drawing itself is tested in Chromium (tests/test_browser.py)."""

from __future__ import annotations

import dataclasses
import math
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import ganlib.live.view
from ganlib import TrainConfig
from ganlib.data import GaussianMixture, ring
from ganlib.evaluation.densities import histogram_js_2d
from ganlib.evaluation.plane import field_2d, generator_manifold
from ganlib.evaluation.sampling import fixed_samples
from ganlib.history import History
from ganlib.live.alarms import game_warnings, saturation
from ganlib.live.capture import frame_request, shared_process
from ganlib.live.curves import CURVES, MeasuredCurve, RunCurves
from ganlib.live.drawing import DRAWN_STD, drawn_mixture
from ganlib.live.frame import LAYERS, capture_frame, capture_view
from ganlib.live.view import EXPLANATIONS, LiveView
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


def _history(**columns: list[float]) -> History:
    """A crafted history: the given columns, the others those of a calm game (D at 0.7 on real, 0.3 on fakes)."""
    calm = {"loss_d": 1.2, "loss_g": 0.9, "d_real": 0.7, "d_fake": 0.3, "acc_real": 0.8, "acc_fake": 0.8}
    steps = len(next(iter(columns.values())))
    history = History()
    for i in range(steps):
        history.append(i + 1, {name: columns[name][i] if name in columns else calm[name] for name in calm})
    return history


def test_a_calm_game_raises_no_warning():
    assert game_warnings(_history(loss_d=[0.7 + 0.01 * (i % 5) for i in range(300)]), CONFIG, (8, 8), 8) == []


def test_an_exploding_d_loss_is_named():
    (warning,) = game_warnings(_history(loss_d=[0.7] * 280 + [5.0] * 20), CONFIG)
    assert "D's loss is exploding" in warning


def test_a_non_finite_d_loss_says_the_run_diverged():
    assert "diverged" in game_warnings(_history(loss_d=[0.7] * 50 + [math.nan]), CONFIG)[0]


def test_d_accuracy_pinned_at_100_percent_is_named():
    pinned = game_warnings(_history(acc_real=[1.0] * 100, acc_fake=[1.0] * 100), CONFIG)
    assert any("pinned at 100%" in w for w in pinned)


def test_a_collapse_of_coverage_is_named_against_the_best_so_far():
    (warning,) = game_warnings(_history(loss_d=[0.7] * 100), CONFIG, modes=(2, 8), best_covered=7)
    assert "2 of 8 modes, down from 7" in warning
    assert game_warnings(_history(loss_d=[0.7] * 100), CONFIG, modes=(5, 8), best_covered=7) == []
    assert game_warnings(_history(loss_d=[0.7] * 100), CONFIG, modes=(1, 8), best_covered=2) == []  # early on


def test_a_d_loss_that_stays_far_above_log_4_is_named_with_what_to_do_though_it_never_exploded():
    # lr D at 0.1: the loss sat in the hundreds from the first step of the window, so it never "exploded"
    broken = CONFIG.replace(lr_d=0.1)
    warnings = game_warnings(_history(loss_d=[300.0 + 50 * (i % 7) for i in range(300)]), broken)
    (lost,) = [w for w in warnings if "far above 1.39" in w]
    assert "lower lr D (now 0.1)" in lost and not any("exploding" in w for w in warnings)
    just_under = [3 * math.log(4) - 0.01] * 300  # three times a coin flip's loss is where it starts
    assert not any("far above" in w for w in game_warnings(_history(loss_d=just_under), broken))
    assert not any("far above" in w for w in game_warnings(_history(loss_d=[300.0] * 150), broken))  # too few steps


def test_the_coin_flip_level_follows_the_loss_and_a_wasserstein_critic_has_none():
    hinge = [w for w in game_warnings(_history(loss_d=[7.0] * 300), CONFIG.replace(loss="hinge")) if "far above" in w]
    assert hinge and "far above 2.00" in hinge[0]
    assert not any(
        "far above" in w for w in game_warnings(_history(loss_d=[7.0] * 300), CONFIG.replace(loss="wgan-gp"))
    )


def test_saturated_d_outputs_are_named_and_a_healthy_d_is_not():
    # every output 0 or 1: the mean output equals the accuracy (on fakes, the error), though D is no winner
    saturated = _history(d_real=[0.79] * 300, acc_real=[0.79] * 300, d_fake=[0.21] * 300, acc_fake=[0.79] * 300)
    assert saturation(saturated) == pytest.approx(0.0)
    assert any("saturated" in w and "lower lr D" in w for w in game_warnings(saturated, CONFIG))
    assert not any("saturated" in w for w in game_warnings(_history(d_real=[0.7] * 300), CONFIG))


def test_a_healthy_run_raises_none_of_the_absolute_warnings():
    trainer = make_trainer("ring", CONFIG.replace(batch_size=64), device="cpu")
    trainer.run(400)
    assert game_warnings(trainer.history, trainer.config) == []


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


def test_the_2d_divergence_is_near_0_for_the_data_itself_log_2_for_disjoint_samples_and_exact_in_between():
    mixture = ring()
    samples, _ = mixture.sample(2500, torch.Generator().manual_seed(0))
    assert histogram_js_2d(samples, mixture, (-3.5, 3.5)) < 0.005  # the bias of 2,500 samples: about 0.001
    assert histogram_js_2d(torch.full((100, 2), 50.0), mixture, (-3.5, 3.5)) == pytest.approx(math.log(2))
    # two modes in two cells of a coarse grid, every sample at one of them: p_data = (1/2, 1/2), p_g = (1, 0)
    two = GaussianMixture(torch.tensor([[0.1, 0.1], [2.1, 2.1]]), 0.01)
    p_data, p_g = torch.tensor([0.5, 0.5]), torch.tensor([1.0, 0.0])
    m = (p_data + p_g) / 2
    expected = 0.5 * float((p_data * (p_data / m).log()).sum()) + 0.5 * math.log(1 / m[0])
    assert histogram_js_2d(torch.full((10, 2), 0.1), two, (-4.0, 4.0), bins=8) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "samples, limits, name",
    [(torch.full((5, 2), math.nan), (-3.5, 3.5), "samples"), (torch.zeros(5, 3), (-3.5, 3.5), "samples"),
     (torch.zeros(5, 2), (3.5, -3.5), "limits")],
)  # fmt: skip
def test_the_2d_divergence_refuses_bad_samples_and_limits_by_name(samples, limits, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        histogram_js_2d(samples, ring(), limits)


def test_a_2d_field_measures_the_divergence_with_the_coverage_and_keeps_it_with_the_coverage(ring_frame):
    field = ring_frame.view
    trainer = make_trainer("ring", CONFIG, device="cpu")
    trainer.run(5)
    assert field.js == pytest.approx(histogram_js_2d(fixed_samples(trainer, 2500), trainer.data, field.limits))
    trainer.run(1)
    kept = field_2d(trainer, n_shown=10, n_arrows=5, resolution=4, keep_coverage=field)
    assert kept.js == field.js and kept.coverage_step == field.coverage_step == 5


def test_a_measured_curve_keeps_the_whole_run_in_bounded_memory_and_its_newest_point():
    curve = MeasuredCurve("js", max_points=10)
    for step in range(1, 101):
        curve.add(step, step / 100)
    curve.add(50, 0.0)  # a step not after the last: ignored
    arrays = curve.arrays()
    assert 5 <= len(arrays["js_step"]) <= 10 and arrays["js_step"][-1] == 100 and arrays["js"][-1] == 1.0
    assert list(arrays["js_step"]) == sorted(arrays["js_step"]) and arrays["js_step"][0] <= 20


def test_a_generator_with_nan_weights_is_said_in_words_not_drawn():
    trainer = make_trainer("mnist", CONFIG, device="cpu", width=8)
    with torch.no_grad():
        next(trainer.G.parameters()).fill_(math.nan)
    frame = capture_frame(trainer)
    assert frame.view is None and frame.problem.startswith("G's weights hold NaN")
    meta, buffer = pack_frame(frame)
    assert meta["kind"] == "none" and meta["problem"] == frame.problem and "images" not in meta["arrays"]


def test_one_infinite_weight_of_d_among_finite_ones_is_said_in_words():
    trainer = make_trainer("ring", CONFIG, device="cpu")
    assert capture_frame(trainer).problem is None
    with torch.no_grad():
        list(trainer.D.parameters())[-1][0] = -math.inf  # D's last bias: the sum of that tensor is -inf
    frame = capture_frame(trainer)
    assert frame.view is None and frame.problem.startswith("D's weights hold NaN or inf")


def test_large_finite_weights_whose_sum_overflows_are_not_called_broken():
    trainer = make_trainer("ring", CONFIG, device="cpu")
    with torch.no_grad():
        list(trainer.G.parameters())[-1][:] = 3e38  # each finite; their float32 sum is inf
    assert capture_frame(trainer).problem is None


def test_an_array_of_no_numbers_is_refused_naming_it(ring_frame):
    words = dataclasses.replace(ring_frame, curves={**ring_frame.curves, "js": np.array(["high", "low"])})
    with pytest.raises(ValueError, match=r"curve_js=dtype\('<U4'\) is not accepted: expected an array of numbers"):
        pack_frame(words)


def test_a_view_that_holds_nan_is_not_packed_as_a_black_grid_and_says_whose_output_it_is():
    trainer = make_trainer("mnist", CONFIG, device="cpu", width=8)
    frame = capture_frame(trainer)
    broken = dataclasses.replace(frame, view=torch.full_like(frame.view, math.nan))
    meta, _ = pack_frame(broken)
    assert meta["kind"] == "none" and meta["problem"].startswith("G's output holds NaN") and "images" in meta["problem"]
    field = capture_frame(make_trainer("ring", CONFIG, device="cpu")).view
    heat = dataclasses.replace(field, probability=torch.full_like(field.probability, math.nan))  # G's samples fine
    heat = dataclasses.replace(frame, view=heat, manifold=None)
    assert pack_frame(heat)[0]["problem"].startswith("D's output holds NaN")


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda frame: pack_frame("a frame"), "frame"),
        (lambda frame: pack_frame(frame, ["heatmap", "contours"]), "layers"),
        (lambda frame: pack_frame(frame, "heatmap"), "layers"),
        (lambda frame: unpack({"arrays": {"x": {"offset": 8, "shape": [1000], "dtype": "f4"}}}, b"\0" * 16),
         r"meta\['arrays'\]\['x'\]"),
        (lambda frame: unpack({"arrays": {"x": {"offset": 0, "shape": [2], "dtype": "f8"}}}, b"\0" * 16),
         r"meta\['arrays'\]\['x'\]"),
        (lambda frame: unpack({"step": 3}, b""), "meta"),
    ],
)  # fmt: skip
def test_the_wire_format_refuses_what_it_cannot_pack_or_read_by_name(ring_frame, call, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        call(ring_frame)


def test_every_thing_drawn_has_one_sentence_that_says_what_it_means():
    for name in (*LAYERS, "losses", "outputs", "divergence"):
        sentence = EXPLANATIONS[name]
        assert sentence.endswith(".") and sentence.count(". ") == 0 and len(sentence) < 200, name
    assert "where G's loss pushes" in EXPLANATIONS["arrows"]


def test_drawn_points_become_the_centres_of_the_mixture_the_trainer_samples():
    mixture = drawn_mixture([(1.0, 1.0), (-2.0, 0.5)], (-3.5, 3.5))
    torch.testing.assert_close(mixture.centres, torch.tensor([[1.0, 1.0], [-2.0, 0.5]]))
    samples, modes = mixture.sample(400, torch.Generator().manual_seed(0))
    assert (samples - mixture.centres[modes]).norm(dim=1).max() < 5 * DRAWN_STD and set(modes.tolist()) == {0, 1}


@pytest.mark.parametrize(
    "points", [[], [(0.0, 9.0)], [(math.nan, 0.0)], [(0.0,)], [(0.0, 0.0)] * 201, "points", [(True, 0.0)]]
)
def test_a_drawing_outside_the_window_empty_or_malformed_is_refused_by_name(points):
    with pytest.raises(ValueError, match="^points="):
        drawn_mixture(points, (-3.5, 3.5))


@pytest.mark.parametrize("dataset", ["ring", "mixture1d", "mnist"])
def test_the_frame_process_computes_the_view_the_training_thread_would(dataset):
    trainer = make_trainer(dataset, CONFIG, device="cpu", **({"width": 8} if dataset == "mnist" else {}))
    trainer.run(3)
    process = shared_process()
    deadline = time.monotonic() + 120
    while not process.ready:
        assert time.monotonic() < deadline and process.failed is None, process.failed
        time.sleep(0.1)
    assert process.submit(frame_request(7, 1, 1, trainer, LAYERS, True, None, True, True))
    while (result := process.collect(7)) is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    number, build, step, view, manifold, problem = result
    here, manifold_here, _ = capture_view(trainer, LAYERS)
    assert (number, build, step, problem) == (1, 1, 3, None) and type(view) is type(here)
    if dataset == "mnist":
        torch.testing.assert_close(view, here)
    else:
        for field in dataclasses.fields(here):
            a, b = getattr(view, field.name), getattr(here, field.name)
            torch.testing.assert_close(a, b) if isinstance(b, torch.Tensor) else assert_equal(a, b)
    assert (manifold is None) == (manifold_here is None)


def assert_equal(a, b) -> None:
    assert a == b


def test_the_frame_process_outlives_an_interrupt_of_the_kernel():
    # JupyterLab interrupts a kernel with SIGINT to its whole process group, the frame process included
    process = shared_process()
    deadline = time.monotonic() + 120
    while not process.ready:
        assert time.monotonic() < deadline and process.failed is None, process.failed
        time.sleep(0.1)
    os.kill(process.process.pid, signal.SIGINT)
    time.sleep(0.5)
    trainer = make_trainer("ring", CONFIG, device="cpu")
    assert process.submit(frame_request(8, 1, 1, trainer, LAYERS, True, None, True, True))
    while (result := process.collect(8)) is None:
        assert time.monotonic() < deadline and process.process.is_alive()
        time.sleep(0.01)
    assert result[2] == 0 and process.failed is None
