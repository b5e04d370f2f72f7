"""The words and numbers beside the live picture: a readout, warnings, where the game stands, the change log."""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import fmean, median

from ganlib.checks import require
from ganlib.data import GaussianMixture
from ganlib.evaluation.densities import histogram_js
from ganlib.evaluation.modes import N_MODE_SAMPLES, generator_mode_coverage
from ganlib.evaluation.plane import Field2D
from ganlib.evaluation.sampling import fixed_samples
from ganlib.history import History
from ganlib.live.frame import LiveFrame
from ganlib.train import Trainer

# the warnings' thresholds: D's mean loss over the last EXPLODE_TAIL steps above EXPLODE_FACTOR x its median
# before them (and above EXPLODE_FLOOR, so a tiny loss doubling is no alarm); an accuracy this close to 1
EXPLODE_TAIL, EXPLODE_FACTOR, EXPLODE_FLOOR = 20, 3.0, 2.0
PINNED_ACCURACY = 0.99


def readout_text(frame: LiveFrame, steps_per_second: float) -> str:
    """Step, losses, D's accuracy and the settings of one captured frame, on one line: the picture's numbers."""
    cfg, history = frame.config, frame.history
    if len(history):
        last = {name: values[-1] for name, values in history.stats.items()}
        numbers = f"loss D {last['loss_d']:.3f}, loss G {last['loss_g']:.3f}, D accuracy {d_accuracy(history):.0%}"
    else:
        numbers = "not trained yet"
    if isinstance(frame.view, Field2D):
        numbers += f", modes {frame.view.coverage.modes_covered}/{frame.view.coverage.n_modes}"
    return (
        f"step {frame.step} | {numbers} | k={cfg.k} lr_G={cfg.lr_g:.1e} lr_D={cfg.lr_d:.1e} "
        f"batch={cfg.batch_size} loss={cfg.loss} optimizer={cfg.optimizer} | {steps_per_second:.0f} steps/s"
    )


def d_accuracy(history: History, last: int = 50) -> float:
    """D's accuracy on real and fake samples together over the last `last` steps (nan before the first)."""
    values = history["acc_real"][-last:] + history["acc_fake"][-last:]
    return fmean(values) if values else math.nan


def game_warnings(
    loss_d: Sequence[float], accuracy: float, modes_covered: int | None = None, best_covered: int | None = None,
    n_modes: int | None = None,
) -> list[str]:  # fmt: skip
    """What is going wrong in the game, in words, from numbers alone (an empty list when nothing is).

    `loss_d`: D's recent losses, oldest first; `accuracy`: D's recent accuracy; `modes_covered`, `best_covered`
    and `n_modes`: G's coverage now, its best so far and the modes there are (2D mixtures only).
    """
    warnings = []
    tail = list(loss_d[-EXPLODE_TAIL:])
    if tail and not all(math.isfinite(x) for x in tail):
        warnings.append("D's loss is not finite: the run has diverged; lower the learning rates")
    elif len(loss_d) >= 2 * EXPLODE_TAIL:
        now, usual = fmean(tail), median(loss_d[:-EXPLODE_TAIL])
        if now > max(EXPLODE_FLOOR, EXPLODE_FACTOR * usual):
            warnings.append(f"D's loss is exploding ({now:.2f}, {now / usual:.0f}x its usual {usual:.2f}): lower lr_D")
    if accuracy >= PINNED_ACCURACY:
        warnings.append("D's accuracy is pinned at 100%: D wins outright and G learns little; lower lr_D or k")
    collapsed = modes_covered is not None and best_covered is not None and modes_covered <= best_covered // 2
    if collapsed and best_covered >= 2:
        of = f" of {n_modes}" if n_modes else ""
        warnings.append(f"coverage collapsed: {modes_covered}{of} modes, down from {best_covered}: mode collapse")
    return warnings


def frame_warnings(frame: LiveFrame, best_covered: int | None, window: int) -> tuple[list[str], int | None]:
    """`game_warnings` for a frame, D's losses over its last `window` steps; and the best coverage seen so far,
    `best_covered` updated with this frame's (None off 2D mixtures)."""
    covered = n_modes = None
    if isinstance(frame.view, Field2D):
        covered, n_modes = frame.view.coverage.modes_covered, frame.view.coverage.n_modes
        best_covered = max(covered, best_covered or 0)
    loss_d, accuracy = frame.history["loss_d"][-window:], d_accuracy(frame.history)
    return game_warnings(loss_d, accuracy, covered, best_covered, n_modes), best_covered


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
