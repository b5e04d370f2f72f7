"""The dashboard's controls: ipywidgets for the hyper-parameters a reader changes while a GAN trains, the buttons
that drive the clock (one player at a time, if the reader likes, or in slow motion) and the networks' sizes.

Every widget carries a CSS class `ganlib-<name>` (e.g. `ganlib-lr-g`) so a browser test can find it.
"""

from __future__ import annotations

import html
import math
from functools import partial
from typing import Any

import ipywidgets as widgets

from ganlib.config import OPTIMIZERS, TrainConfig
from ganlib.data import DATASETS
from ganlib.losses import LOSSES

# TrainConfig fields a control changes through `Trainer.update`, while the run goes on
LIVE_FIELDS = ("lr_g", "lr_d", "k", "batch_size", "loss", "optimizer")
DATASET_LABELS = {"mixture1d": "1D mixture", "ring": "8-Gaussian ring", "grid": "25-Gaussian grid", "mnist": "MNIST"}
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
# name: (label, icon); "step" is one step of Algorithm 1, "step_d" and "step_g" one update of D or of G alone
BUTTONS = {
    "play": ("play", "play"), "pause": ("pause", "pause"), "step": ("step", "step-forward"),
    "step_d": ("D alone", "step-forward"), "step_g": ("G alone", "step-forward"), "reset": ("reset", "refresh"),
}  # fmt: skip
# the networks' sizes, for toy data (MNIST keeps the fast recipe's DCGAN): a change rebuilds the trainer
NETWORK_FIELDS = {"g_width": "G width", "g_depth": "G layers", "d_width": "D width", "d_depth": "D layers"}
WIDTHS, DEPTHS = (8, 16, 32, 64, 128, 256, 512), (1, 2, 3, 4, 5, 6)
DEFAULT_NETWORK = {"width": 128, "depth": 3}  # ganlib.nets' MLP defaults


def css_class(name: str) -> str:
    """The CSS class of the control or view called `name`."""
    return "ganlib-" + name.replace("_", "-")


def make_controls(config: TrainConfig, dataset: str, steps_per_frame: int) -> dict[str, widgets.Widget]:
    """Buttons, sliders and drop-downs set to `config`, keyed by name (a TrainConfig field where one applies)."""
    controls: dict[str, widgets.Widget] = {
        name: widgets.Button(description=label, icon=icon, layout=widgets.Layout(width="95px"))
        for name, (label, icon) in BUTTONS.items()
    }
    controls["slow_motion"] = widgets.ToggleButton(
        False, description="slow motion", icon="hourglass-half", layout=widgets.Layout(width="120px"),
        tooltip="one step a second, with G's gradient arrows drawn",
    )  # fmt: skip
    controls["lr_g"] = _log_slider("lr G", config.lr_g)
    controls["lr_d"] = _log_slider("lr D", config.lr_d)
    controls["k"] = widgets.IntSlider(config.k, min=1, max=max(20, config.k), description="k (D steps)")
    controls["batch_size"] = widgets.SelectionSlider(
        options=sorted({*BATCH_SIZES, config.batch_size}), value=config.batch_size, description="batch size"
    )
    controls["steps_per_frame"] = widgets.IntSlider(
        steps_per_frame, min=1, max=max(500, steps_per_frame), description="steps/frame"
    )
    controls["loss"] = widgets.Dropdown(options=LOSSES, value=config.loss, description="GAN loss")
    controls["optimizer"] = widgets.Dropdown(options=OPTIMIZERS, value=config.optimizer, description="optimizer")
    controls["dataset"] = widgets.Dropdown(
        options=[(DATASET_LABELS[name], name) for name in DATASETS], value=dataset, description="data set"
    )
    for name, label in NETWORK_FIELDS.items():
        options = WIDTHS if name.endswith("width") else DEPTHS
        default = DEFAULT_NETWORK["width" if name.endswith("width") else "depth"]
        controls[name] = widgets.Dropdown(options=options, value=default, description=label)
        controls[name].disabled = dataset == "mnist"
    for name, control in controls.items():
        control.add_class(css_class(name))
        if isinstance(control, widgets.IntSlider | widgets.FloatLogSlider | widgets.SelectionSlider):
            control.continuous_update = False  # one change when a drag ends, not one per pixel
            control.style.description_width = "90px"
        elif isinstance(control, widgets.Dropdown):
            control.style.description_width = "90px"
    return controls


def live_values(controls: dict[str, widgets.Widget]) -> dict[str, object]:
    """The TrainConfig fields the controls show now."""
    return {name: controls[name].value for name in LIVE_FIELDS}


def network_options(controls: dict[str, widgets.Widget]) -> dict[str, dict[str, int]]:
    """The networks' sizes the controls show, as ganlib.recipes.live_trainer takes them."""
    return {
        f"{player}_options": {size: controls[f"{player[0]}_{size}"].value for size in ("width", "depth")}
        for player in ("generator", "discriminator")
    }


def connect(controls: dict[str, widgets.Widget], board: Any) -> None:
    """What each control does to the dashboard `board` (ganlib.live.Dashboard): buttons drive its clock, a slider
    or drop-down of LIVE_FIELDS changes the running trainer, the data set and the networks' sizes rebuild it."""
    for name, act in {
        "play": board.play, "pause": board.pause, "step": board.single_step, "reset": board.reset,
        "step_d": partial(board.step_alone, "D"), "step_g": partial(board.step_alone, "G"),
    }.items():  # fmt: skip
        controls[name].on_click(lambda _, act=act: act())
    for name in LIVE_FIELDS:
        controls[name].observe(partial(_update_trainer, board, name), names="value")
    for name in ("dataset", *NETWORK_FIELDS):
        controls[name].observe(lambda _: board.reset(), names="value")
    controls["slow_motion"].observe(partial(_show_arrows, board.live_view), names="value")


def _update_trainer(board: Any, name: str, change: dict[str, Any]) -> None:
    """A slider or drop-down moved: hand the new value to the running trainer (applied at its next step)."""
    try:
        board.trainer.update(**{name: change["new"]})
    except ValueError as err:
        board.status.value = f"<b>not applied:</b> {html.escape(str(err))}"


def _show_arrows(view: widgets.Widget, change: dict[str, Any]) -> None:
    """Slow motion shows G's gradient arrows: they say where each sample is pushed in the next step."""
    if change["new"] and "arrows" not in view.layers:
        view.layers = [*view.layers, "arrows"]


def _log_slider(description: str, value: float) -> widgets.FloatLogSlider:
    """A learning-rate slider on a log scale from 1e-6 to 1e-1, widened to hold `value`."""
    exponent = math.log10(value)
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=min(-6, math.floor(exponent)),
        max=max(-1, math.ceil(exponent)),
        step=0.1,
        readout_format=".1e",
        description=description,
    )


def layout(controls: dict[str, widgets.Widget], **parts: widgets.Widget) -> widgets.VBox:
    """Buttons on top, then the readout, the sliders beside the image, the change log and the status line.

    `parts`: the image, changes and status widgets and a readout (left out where the image draws its own);
    each gets its CSS class (`ganlib-<name>`)."""
    for name, part in parts.items():
        part.add_class(css_class(name))
    buttons = widgets.HBox([controls[name] for name in (*BUTTONS, "slow_motion")])
    sliders = widgets.VBox(
        [control for name, control in controls.items() if name not in (*BUTTONS, "slow_motion")],
        layout=widgets.Layout(min_width="330px"),
    )
    box = widgets.VBox(
        [buttons, *([parts["readout"]] if "readout" in parts else []), widgets.HBox([sliders, parts["image"]]),
         parts["changes"], parts["status"]]
    )  # fmt: skip
    box.add_class(css_class("dashboard"))
    return box


def close_tree(widget: widgets.Widget) -> None:
    """Close `widget` and every widget inside it."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()
