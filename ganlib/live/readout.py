"""The words and numbers beside the live picture: a readout, the warnings of a frame, where the game stands, the
change log."""

from __future__ import annotations

from statistics import fmean

from ganlib.checks import require
from ganlib.data import GaussianMixture
from ganlib.evaluation.densities import Curves1D, histogram_js
from ganlib.evaluation.modes import N_MODE_SAMPLES, generator_mode_coverage
from ganlib.evaluation.plane import Field2D
from ganlib.evaluation.sampling import fixed_samples
from ganlib.history import History
from ganlib.live.alarms import d_accuracy, game_warnings
from ganlib.live.frame import LiveFrame
from ganlib.train import Trainer


def readout_text(frame: LiveFrame, steps_per_second: float, solo_steps: str = "") -> str:
    """Step, losses, D's accuracy and the settings of one captured frame, on one line: the picture's numbers.

    `solo_steps`: the steps of one player alone taken since that step ('2 of D alone'), if any."""
    cfg, history = frame.config, frame.history
    if len(history):
        last = {name: values[-1] for name, values in history.stats.items()}
        numbers = f"loss D {last['loss_d']:.3f}, loss G {last['loss_g']:.3f}, D accuracy {d_accuracy(history):.0%}"
    else:
        numbers = "not trained yet"
    if isinstance(frame.view, Field2D):
        numbers += f", modes {frame.view.coverage.modes_covered}/{frame.view.coverage.n_modes}"
    if isinstance(frame.view, Field2D | Curves1D):
        numbers += f", JS {frame.view.js:.3f} nats"
    step = f"step {frame.step}" + (f" (+ {solo_steps})" if solo_steps else "")
    return (
        f"{step} | {numbers} | k={cfg.k} lr_G={cfg.lr_g:.1e} lr_D={cfg.lr_d:.1e} "
        f"batch={cfg.batch_size} loss={cfg.loss} optimizer={cfg.optimizer} | {steps_per_second:.0f} steps/s"
    )


def frame_warnings(frame: LiveFrame, best_covered: int | None) -> tuple[list[str], int | None]:
    """`game_warnings` for a frame (and its problem, if it has one); and the best coverage seen so far,
    `best_covered` updated with this frame's (None off 2D mixtures)."""
    modes = None
    if isinstance(frame.view, Field2D):
        modes = frame.view.coverage.modes_covered, frame.view.coverage.n_modes
        best_covered = max(modes[0], best_covered or 0)
    warnings = game_warnings(frame.history, frame.config, modes, best_covered)
    return ([frame.problem] if frame.problem else []) + warnings, best_covered


def game_summary(trainer: Trainer, last: int = 200) -> dict[str, float]:
    """Where the game stands: D's accuracy and outputs and |grad G| averaged over the last `last` steps,
    and how well G covers the data (modes covered on 2D mixtures, JS divergence in nats on 1D)."""
    require(isinstance(last, int) and last >= 1, "last", last, "an int >= 1")
    history = trainer.history
    numbers: dict[str, float] = {"step": trainer.step}
    if len(history):
        numbers["d_accuracy"] = fmean(history["acc_real"][-last:] + history["acc_fake"][-last:])
        for name in ("d_real", "d_fake", "grad_norm_g"):
            numbers[name] = fmean(history[name][-last:])
    data = trainer.data
    if isinstance(data, GaussianMixture) and data.dim == 2:
        coverage = generator_mode_coverage(trainer)
        numbers["modes_covered"], numbers["n_modes"] = coverage.modes_covered, coverage.n_modes
    elif isinstance(data, GaussianMixture) and data.dim == 1:
        numbers["js"] = histogram_js(fixed_samples(trainer, N_MODE_SAMPLES), data)
    return numbers


def changes_text(history: History, shown: int) -> str:
    """The latest `shown` config changes recorded in `history`, newest last: 'step 120: k 1 -> 3'."""
    recorded = history.changes[-shown:] if shown else []
    return "\n".join(f"step {c['step']}: {c['field']} {c['old']} \u2192 {c['new']}" for c in recorded)
