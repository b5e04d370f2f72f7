"""The live dashboard without a browser: controls reach the trainer, frames are throttled, memory is bounded.

The browser itself is driven in tests/test_browser.py.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import time

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

import ganlib.live.dashboard
from ganlib import FastPath, TrainConfig, TrainingDiverged
from ganlib.live import Dashboard, capture_frame, frontend_present, live
from ganlib.live.controls import BUTTONS, LIVE_FIELDS, css_class
from ganlib.live.pacing import EARLY_SHARE
from ganlib.live.renderer import LOSSES, FrameRenderer, _step_limits, still_figure, still_png
from ganlib.recipes import make_trainer

CONFIG = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=32, seed=0)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """The toy networks gain nothing from intra-op threads, and on a busy machine their spinning slows every step."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def boards():
    """Dashboards made by a test; their training threads are always stopped."""
    made: list[Dashboard] = []

    def make(*args, **kwargs) -> Dashboard:
        made.append(Dashboard(*args, **kwargs))
        return made[-1]

    yield make
    for board in made:
        board.close()


def _wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _cheap_frames(board: Dashboard, seconds: float = 0.0, shown: list | None = None) -> list[float]:
    """Replace frame drawing by a stub that takes `seconds`; returns the times frames were drawn.

    `shown`, if given, collects each (frame, readout) the stub was handed."""
    drawn: list[float] = []

    def show_frame(frame, readout, warnings) -> None:
        time.sleep(seconds)
        drawn.append(time.monotonic())
        if shown is not None:
            shown.append((frame, readout))

    board.show_frame = show_frame
    return drawn


def test_dashboard_is_built_without_a_frontend_with_every_control_set_to_the_config(boards):
    config = CONFIG.replace(k=3, loss="saturating", optimizer="rmsprop", batch_size=128, lr_d=5e-4)
    board = boards("grid", config, steps_per_frame=7)
    for name in LIVE_FIELDS:
        assert board.controls[name].value == getattr(config, name), name
    assert board.controls["dataset"].value == "grid"
    assert board.steps_per_frame == 7
    for name, control in board.controls.items():
        assert css_class(name) in control._dom_classes
    assert set(BUTTONS) <= set(board.controls)
    assert board.trainer.step == 0 and board.frames == 0 and board.worker.thread is None


def test_moving_a_control_updates_the_trainer_and_the_change_is_recorded(boards):
    board = boards("ring", CONFIG)
    _cheap_frames(board)
    board.controls["k"].value = 3
    board.controls["lr_g"].value = 1e-4
    board.controls["loss"].value = "hinge"
    board.run(2)
    cfg = board.trainer.config
    assert (cfg.k, cfg.lr_g, cfg.loss) == (3, 1e-4, "hinge")
    recorded = {(c["field"], c["old"], c["new"]) for c in board.trainer.history.changes}
    assert recorded == {("k", 1, 3), ("lr_g", 1e-3, 1e-4), ("loss", "non-saturating", "hinge")}
    assert "k 1 \u2192 3" in board.changes_text()
    assert "k=3" in board.readout_text() and "loss=hinge" in board.readout_text()


def test_a_control_change_reaches_a_trainer_running_in_the_background(boards):
    board = boards("ring", CONFIG, steps_per_frame=5)
    _cheap_frames(board)
    board.play()
    _wait_until(lambda: board.trainer.step > 10)
    board.controls["k"].value = 2
    _wait_until(lambda: board.trainer.config.k == 2)
    change = board.trainer.history.changes[-1]
    assert (change["field"], change["new"]) == ("k", 2)
    step = board.trainer.step
    _wait_until(lambda: board.trainer.step > step + 10)  # and training goes on
    assert board.playing and board.error is None


def test_frames_come_at_most_max_fps_times_a_second(boards):
    board = boards("mixture1d", CONFIG, steps_per_frame=1, max_fps=4, render_budget=1.0)
    drawn = _cheap_frames(board)
    board.play()
    time.sleep(2.0)
    board.pause()
    assert board.trainer.step > 20  # many chunks, so many chances to draw
    gaps = [b - a for a, b in zip(drawn, drawn[1:], strict=False)]
    # paced from start to start, 1/4 s apart, less what a frame may come early (EARLY_SHARE of the interval) and the
    # difference of two frames' capture times, since `drawn` has their ends
    assert len(drawn) >= 2 and min(gaps) >= 0.25 * (1 - EARLY_SHARE) - 0.02, gaps


def test_slow_frames_get_at_most_their_render_budget_of_the_time(boards):
    board = boards("mixture1d", CONFIG, steps_per_frame=1, max_fps=100, render_budget=0.25)
    drawn = _cheap_frames(board, seconds=0.1)
    board.play()
    time.sleep(2.5)
    board.pause()
    # a frame of 0.1 s at a quarter of the time: one start every 0.4 s at most (0.3 s waiting, 0.1 s drawing), less
    # what a frame may come early (EARLY_SHARE of the interval) and the jitter of the frames' ends that `drawn` has
    gaps = [b - a for a, b in zip(drawn, drawn[1:], strict=False)]
    assert len(drawn) >= 2 and min(gaps) >= 0.4 * (1 - EARLY_SHARE) - 0.02, gaps


def test_the_readout_names_the_step_of_the_frame_it_is_shown_with(boards):
    board = boards("ring", CONFIG, steps_per_frame=3, max_fps=50, render_budget=1.0)
    shown: list = []
    _cheap_frames(board, shown=shown)
    board.play()
    _wait_until(lambda: len(shown) >= 5 and board.trainer.step > 30)
    board.pause()
    assert all(f"step {frame.step} |" in readout for frame, readout in shown)
    assert len({frame.step for frame, _ in shown}) >= 5  # frames between chunks' ends, not only at them


def test_history_keeps_a_bounded_window_so_memory_stays_flat(boards):
    board = boards("mixture1d", CONFIG.replace(batch_size=8), history_window=100)
    _cheap_frames(board)
    board.controls["k"].value = 2
    board.run(250)
    history = board.trainer.history
    assert len(history) == 100 and all(len(column) == 100 for column in history.stats.values())
    assert history.steps == list(range(151, 251))  # the latest rows, in order
    assert [c["field"] for c in history.changes] == ["k"]  # config changes are all kept


def test_pause_stops_the_background_run_and_single_step_moves_one_step(boards):
    board = boards("ring", CONFIG, steps_per_frame=5)
    _cheap_frames(board)
    board.play()
    _wait_until(lambda: board.trainer.step > 5)
    board.pause()
    time.sleep(0.3)
    paused_at = board.trainer.step
    time.sleep(0.3)
    assert board.trainer.step == paused_at and not board.playing
    board.single_step()
    _wait_until(lambda: board.trainer.step == paused_at + 1)
    time.sleep(0.3)
    assert board.trainer.step == paused_at + 1


def test_reset_builds_a_fresh_trainer_on_the_chosen_data_set_with_the_controls_settings(boards):
    board = boards("ring", CONFIG)
    _cheap_frames(board)
    board.run(5)
    board.controls["k"].value = 4
    board.reset("mixture1d")
    _wait_until(lambda: board.trainer.data.name == "mixture1d")
    assert board.trainer.step == 0 and board.trainer.config.k == 4 and board.trainer.config.seed == CONFIG.seed


def test_only_one_dashboard_trains_at_a_time(boards):
    first, second = boards("mixture1d", CONFIG), boards("mixture1d", CONFIG)
    for board in (first, second):
        _cheap_frames(board)
    first.play()
    second.play()
    assert second.playing and not first.playing


def test_a_diverged_run_pauses_and_says_why(boards, monkeypatch):
    board = boards("mixture1d", CONFIG)
    _cheap_frames(board)

    def diverge(steps, callbacks=()):
        raise TrainingDiverged("training diverged: loss_d at step 3 is NaN or infinite")

    monkeypatch.setattr(board.trainer, "run", diverge)
    board.play()
    _wait_until(lambda: not board.playing)
    assert isinstance(board.error, TrainingDiverged)
    assert "diverged" in board.status.value


def test_headless_live_trains_the_given_steps_and_leaves_a_static_frame(monkeypatch):
    shown = []
    monkeypatch.setattr(ganlib.live.dashboard, "display", lambda obj, **kwargs: shown.append(obj))
    board = live("mixture1d", CONFIG, steps=15, interactive=False)
    try:
        assert board.trainer.step == 15 and board.worker.thread is None and not board.playing
        assert bytes(board.image.value).startswith(PNG_MAGIC) and board.frames == 1
        board._ipython_display_()
        image, text = shown
        assert image.data.startswith(PNG_MAGIC)
        assert "step 15" in text["text/plain"]
    finally:
        board.close()


def test_an_interactive_dashboard_displays_its_widgets(boards, monkeypatch):
    shown = []
    monkeypatch.setattr(ganlib.live.dashboard, "display", lambda obj, **kwargs: shown.append(obj))
    board = boards("mixture1d", CONFIG, interactive=True)
    board._ipython_display_()
    assert shown == [board.view] and css_class("dashboard") in board.view._dom_classes
    assert board.live_view.meta["step"] == 0 and len(board.live_view.frame) > 0  # a first frame before any training
    assert board.live_view.readout.startswith("step 0 |")


def test_a_live_frame_sends_its_readout_in_the_views_message_only(boards):
    board = boards("ring", CONFIG, interactive=True)
    board.run(3)
    assert board.live_view.readout.startswith("step 3 |")  # the view draws it beside the picture ...
    assert board.readout.value == ""  # ... and the headless readout widget, not shown live, is sent nothing


def test_a_layer_switched_off_in_the_browser_is_left_out_of_the_next_frame(boards):
    board = boards("ring", CONFIG, interactive=True)
    board.live_view.layers = ["real", "fake"]  # what the page sets when the reader unticks the others
    _wait_until(lambda: board.live_view.meta["layers"] == ["real", "fake"])
    assert not {"heatmap", "push", "manifold"} & set(board.live_view.meta["arrays"])


def test_summary_reports_the_game_in_numbers(boards):
    flat, ring = boards("mixture1d", CONFIG), boards("ring", CONFIG)
    for board in (flat, ring):
        _cheap_frames(board)
        board.run(30)
    history = ring.trainer.history
    numbers = ring.summary(last=10)
    assert numbers["step"] == 30 and numbers["n_modes"] == 8 and 0 <= numbers["modes_covered"] <= 8
    expected = (sum(history["acc_real"][-10:]) + sum(history["acc_fake"][-10:])) / 20
    assert numbers["d_accuracy"] == pytest.approx(expected)
    assert numbers["d_fake"] == pytest.approx(sum(history["d_fake"][-10:]) / 10)
    assert 0 <= flat.summary()["js"] <= 0.6932  # JS in nats is at most log 2


def test_without_a_jupyter_server_the_dashboard_is_not_live(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "03_game_live.ipynb")
    assert not frontend_present()  # no IPython kernel in this process
    board = live("mixture1d", CONFIG, steps=3)
    try:
        assert not board.interactive and board.trainer.step == 3
    finally:
        board.close()


def test_the_mnist_dashboard_takes_the_devices_fast_path_without_compiling(boards):
    expected = dataclasses.replace(FastPath.for_device("cpu"), compile=False)
    assert boards("mnist", CONFIG, device="cpu").trainer.fast == expected
    assert boards("ring", CONFIG, device="cpu").trainer.fast == FastPath()  # tiny MLPs: the plain path


@pytest.mark.parametrize("dataset", ["mixture1d", "ring", "grid", "mnist"])
def test_a_frame_shows_the_data_view_and_both_training_curves(dataset):
    trainer = make_trainer(
        dataset, CONFIG.replace(batch_size=8), device="cpu", **({"width": 8} if dataset == "mnist" else {})
    )
    trainer.run(3)
    renderer = FrameRenderer()
    png = renderer.png(capture_frame(trainer))
    assert len(renderer.figure.axes) == 3
    assert "step 3" in renderer.figure.axes[0].get_title()
    assert png.startswith(PNG_MAGIC)


@pytest.mark.parametrize(("dataset", "colour_bars"), [("mixture1d", 0), ("ring", 1)])
def test_a_still_figure_is_large_and_explains_the_heatmap_with_a_colour_bar(dataset, colour_bars):
    trainer = make_trainer(dataset, CONFIG.replace(batch_size=8), device="cpu")
    trainer.run(3)
    figure = still_figure(capture_frame(trainer))
    assert len(figure.axes) == 3 + colour_bars
    assert "real" in " ".join(ax.get_ylabel() for ax in figure.axes[3:]) or not colour_bars
    assert _pixels(still_png(capture_frame(trainer))).shape == (400, 1200, 3)


def test_a_few_loss_spikes_do_not_flatten_the_losses_panel():
    trainer = make_trainer("mixture1d", CONFIG.replace(batch_size=8), device="cpu")
    trainer.run(300)
    trainer.history["loss_d"][5] = 1e4  # one wild step, as a saturating run with a fast D makes early on
    renderer = FrameRenderer()
    renderer.png(capture_frame(trainer))
    assert renderer.figure.axes[1].get_ylim()[1] < 100


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("dataset", ["mixture1d", "ring"])
def test_a_renderer_reuses_its_figure_and_draws_what_a_fresh_one_draws(dataset):
    trainer = make_trainer(dataset, CONFIG.replace(batch_size=8), device="cpu")
    renderer = FrameRenderer()
    trainer.run(60)
    first, figure = _pixels(renderer.png(capture_frame(trainer))), renderer.figure
    assert (
        _pixels(renderer.png(capture_frame(trainer))) == first
    ).all()  # nothing changed: the same picture, from the cache
    assert renderer.backgrounds_drawn == 1
    for _ in range(3):
        trainer.run(1)
        frame = _pixels(renderer.png(capture_frame(trainer)))
        assert renderer.figure is figure and len(figure.axes) == 3
        assert (frame != first).any()
        assert (frame == _pixels(FrameRenderer().png(capture_frame(trainer)))).all()
    if dataset == "ring":  # its plane is fixed (the 1D view's x range follows G's samples, so it moves early on)
        assert renderer.backgrounds_drawn < 4  # of the three changed frames, some were blitted onto the background


def test_a_renderer_that_switches_data_sets_draws_what_a_fresh_one_draws():
    ring, flat = (make_trainer(name, CONFIG.replace(batch_size=8), device="cpu") for name in ("ring", "mixture1d"))
    renderer = FrameRenderer()
    renderer.png(capture_frame(ring))  # leaves an equal aspect on the data panel that the 1D view must not inherit
    assert (_pixels(renderer.png(capture_frame(flat))) == _pixels(FrameRenderer().png(capture_frame(flat)))).all()


def test_the_curves_axes_hold_all_the_data_and_the_loss_axis_ends_on_ticks():
    trainer = make_trainer("ring", CONFIG.replace(batch_size=8), device="cpu")
    renderer = FrameRenderer()
    trainer.run(37)
    renderer.png(capture_frame(trainer))
    history, (_, loss_ax, prob_ax) = trainer.history, renderer.figure.axes
    losses = [value for name in LOSSES for value in history[name]]
    for ax in (loss_ax, prob_ax):
        lo, hi = ax.get_xlim()
        assert lo <= history.steps[0] and hi >= history.steps[-1]
    lo, hi = loss_ax.get_ylim()
    assert lo <= min(losses) and hi >= max(losses) and lo in loss_ax.get_yticks() and hi in loss_ax.get_yticks()


def test_the_step_axis_of_a_scrolling_window_moves_seldom_and_keeps_the_data_in_view():
    ax = Figure().subplots()
    window, limits = 3000, []
    for last in range(window, 4 * window, 20):  # a full history window scrolling by 20 steps a frame
        first = last - window + 1
        lo, hi = _step_limits(ax.xaxis, first, last)
        assert lo <= first and hi >= last and (last - first) / (hi - lo) >= 0.5, (first, last, lo, hi)
        limits.append((lo, hi))
    changes = sum(a != b for a, b in itertools.pairwise(limits))
    assert changes <= 3 * window / 1000, f"{changes} axis changes in {3 * window} steps"


def test_the_step_axis_of_a_filling_history_changes_a_few_times_per_decade():
    ax = Figure().subplots()
    limits = [_step_limits(ax.xaxis, 1, last) for last in range(1, 3001, 20)]
    assert all(lo == 0 and hi >= last for (lo, hi), last in zip(limits, range(1, 3001, 20), strict=True))
    assert sum(a != b for a, b in itertools.pairwise(limits)) <= 3 * 4  # 1, 2, 5 in each of 4 decades at most


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"dataset": "moons"}, "dataset"),
        ({"steps_per_frame": 0}, "steps_per_frame"),
        ({"max_fps": 0}, "max_fps"),
        ({"render_budget": 1.5}, "render_budget"),
        ({"history_window": 10}, "history_window"),
        ({"config": {"k": 2}}, "config"),
    ],
)
def test_bad_settings_raise_a_value_error_naming_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        Dashboard(**kwargs)


def test_live_refuses_an_interactive_flag_that_is_not_a_bool():
    with pytest.raises(ValueError, match="^interactive="):
        live("mixture1d", CONFIG, steps=1, interactive="yes")


@pytest.mark.parametrize("dataset, view", [("ring", "Field2D"), ("mixture1d", "Curves1D"), ("mnist", "Tensor")])
def test_a_captured_frame_holds_its_step_its_view_and_a_history_that_stops_growing(dataset, view):
    trainer = make_trainer(
        dataset, CONFIG.replace(batch_size=8), device="cpu", **({"width": 8} if dataset == "mnist" else {})
    )
    trainer.run(4)
    frame = capture_frame(trainer)
    trainer.run(2)
    assert frame.step == 4 and type(frame.view).__name__ == view and frame.config == trainer.config
    assert frame.history.steps == [1, 2, 3, 4] and len(trainer.history) == 6
    assert list(frame.curves["step"]) == [1, 2, 3, 4] and frame.curves["loss_d"][-1] == pytest.approx(
        frame.history["loss_d"][-1], rel=1e-6
    )


def _weights(network: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in network.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(("player", "moves", "stays"), [("D", "D", "G"), ("G", "G", "D")])
def test_a_step_of_one_player_alone_moves_its_weights_only_and_is_not_a_step_of_the_game(boards, player, moves, stays):
    board = boards("ring", CONFIG)
    shown: list = []
    _cheap_frames(board, shown=shown)
    board.run(5)
    before = {name: _weights(getattr(board.trainer, name)) for name in ("G", "D")}
    board.step_alone(player)
    board.step_alone(player)
    _wait_until(lambda: len(shown) >= 3)  # the run's frame, then one per step alone
    assert not _same(_weights(getattr(board.trainer, moves)), before[moves])
    assert _same(_weights(getattr(board.trainer, stays)), before[stays])
    assert board.trainer.step == 5 and len(board.trainer.history) == 5
    assert f"step 5 (+ 2 of {player} alone)" in shown[-1][1]


def test_a_step_alone_names_its_player_or_is_refused(boards):
    with pytest.raises(ValueError, match="^player="):
        boards("ring", CONFIG).step_alone("both")


def test_slow_motion_steps_about_once_a_second_and_shows_g_s_arrows(boards):
    board = boards("ring", CONFIG, interactive=True)
    board.live_view.layers = ["real", "fake"]
    _cheap_frames(board)
    board.controls["slow_motion"].value = True
    assert "arrows" in board.live_view.layers
    board.play()
    _wait_until(lambda: board.trainer.step >= 1)
    first, started = board.trainer.step, time.monotonic()
    time.sleep(3.2)
    rate = (board.trainer.step - first) / (time.monotonic() - started)
    board.pause()
    assert 0.5 <= rate <= 1.5, rate


def test_drawn_points_become_the_data_the_trainer_samples_and_clearing_brings_the_ring_back(boards):
    board = boards("ring", CONFIG, interactive=True)
    points = [(1.0, 1.0), (-2.0, 0.5), (0.0, -2.5)]
    board.draw(points)
    _wait_until(lambda: board.trainer.data.name == "drawn" and board.last_frame.view.coverage.n_modes == 3)
    torch.testing.assert_close(board.trainer.data.centres, torch.tensor(points))
    real, _ = board.trainer.data.sample(300, torch.Generator().manual_seed(0))
    nearest = torch.cdist(real, torch.tensor(points)).min(dim=1).values
    assert nearest.max() < 0.6  # every sample lies by a drawn point
    assert board.last_frame.view.limits == (-3.5, 3.5)  # the window the reader drew in
    board.run(20)
    assert board.trainer.step == 20 and ", modes " in board.readout_text() and "/3," in board.readout_text()
    board.draw([])
    _wait_until(lambda: board.trainer.data.name == "ring")


def test_the_networks_sizes_rebuild_the_trainer_with_g_and_d_each_as_set(boards):
    board = boards("ring", CONFIG)
    _cheap_frames(board)
    board.run(3)
    board.controls["g_width"].value = 32
    board.controls["d_depth"].value = 1
    _wait_until(lambda: board.trainer.G.net[0].out_features == 32 and len(board.trainer.D.net) == 3)
    assert board.trainer.step == 0 and board.trainer.D.net[0].out_features == 128  # D's width as it was
    assert len(board.trainer.G.net) == 7  # G kept its 3 layers (each Linear + ReLU) and its output layer


def test_the_networks_sizes_are_for_toy_data_and_mnist_keeps_its_recipe(boards):
    board = boards("mnist", CONFIG, device="cpu")
    assert all(board.controls[name].disabled for name in ("g_width", "g_depth", "d_width", "d_depth"))


def test_a_discriminator_with_lr_d_at_its_maximum_is_warned_about_with_what_to_do():
    # the reader's report: lr D dragged to 0.1 on the ring, loss D in the hundreds for 12 s, no warning
    board = Dashboard("ring", CONFIG.replace(batch_size=64), device="cpu")
    try:
        _cheap_frames(board)
        board.run(300)
        board.controls["lr_d"].value = 0.1
        board.run(400)
        assert any("lower lr D (now 0.1)" in w for w in board.warnings()), board.warnings()
    finally:
        board.close()


def test_a_live_dashboard_streams_frames_made_by_the_frame_process_and_names_their_steps(boards):
    board = boards("ring", CONFIG, interactive=True, frame_process=True)
    shown: list = []
    _cheap_frames(board, shown=shown)
    board.play()
    _wait_until(lambda: board.feed.process is not None, timeout=120)
    _wait_until(lambda: board._streaming() and len(shown) >= 5)
    streamed = len(shown)
    _wait_until(lambda: len(shown) >= streamed + 10)
    board.pause()
    frames = [frame for frame, _ in shown[streamed:]]
    assert all(f"step {frame.step} |" in readout for frame, readout in shown[streamed:])
    assert all(b.step >= a.step for a, b in itertools.pairwise(frames)) and frames[-1].step > frames[0].step
    assert all(frame.history.steps[-1] <= frame.step for frame in frames)  # the rows up to the frame's step


def test_the_challenges_read_the_dashboards_record_and_say_not_attempted_before_any_step(boards):
    board = boards("ring", CONFIG)
    assert not any(progress.attempted for progress in board.challenges().values())
    _cheap_frames(board)
    board.run(30)
    progress = board.challenges()
    assert progress["d_wins"].attempted and not progress["d_wins"].done and "best so far" in progress["d_wins"].text


def test_each_network_takes_its_own_size_and_refuses_options_it_does_not_have():
    trainer = make_trainer(
        "ring", CONFIG, device="cpu", generator_options={"width": 16}, discriminator_options={"depth": 1}
    )
    assert trainer.G.net[0].out_features == 16 and trainer.D.net[0].out_features == 128 and len(trainer.D.net) == 3
    with pytest.raises(ValueError, match="^generator_options="):
        make_trainer("ring", CONFIG, device="cpu", generator_options={"pack": 2})
    with pytest.raises(ValueError, match="^generator_options="):
        make_trainer("ring", CONFIG, device="cpu", width=8, generator_options={"width": 16})
