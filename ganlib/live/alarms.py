"""What is going wrong in the game, in words a reader can act on, from the recent history alone.

Two kinds of sign. Relative ones compare the last steps with the steps before them (D's loss exploding, the
modes covered collapsing from their best); they miss a run that broke long ago and stays broken, whose
window is already full of broken steps. So there are absolute ones too: D's loss far above the loss of a D
that cannot tell (log 4 for the cross-entropy losses) for hundreds of steps, D's outputs saturated at 0 and 1
(every sample judged with certainty, so no gradient reaches either player), D's accuracy pinned at 100%.
With lr D at its maximum, 0.1, the ring's D loss sat in the hundreds for a reader's 12 s with none of the
relative warnings firing; these catch it within one window.
"""

from __future__ import annotations

import math
from statistics import fmean, median

from ganlib.config import TrainConfig
from ganlib.history import History

# relative: D's mean loss over the last EXPLODE_TAIL steps above EXPLODE_FACTOR x its median over the steps of the
# window before them (and above EXPLODE_FLOOR, so a tiny loss doubling is no alarm)
EXPLODE_TAIL, EXPLODE_FACTOR, EXPLODE_FLOOR = 20, 3.0, 2.0
WINDOW = 300  # the steps the relative signs look at
STEADY = 200  # the absolute signs must hold over this many steps, so one bad batch raises none
LOST_FACTOR = 3.0  # D's median loss over STEADY steps above this many times a coin flip's loss
# D(x)'s mean within this of D's accuracy on real samples (and D(G(z))'s of its error on fakes): every output is
# about 0 or 1 (healthy runs measured 0.05 to 0.35; runs with lr D at 0.1 under 0.003)
SATURATED = 0.01
PINNED_ACCURACY = 0.99
COLLAPSE_FROM = 4  # modes covered at best before a fall to half is called a collapse (1 of 8 after 2 is the start)
# D's loss when it scores every sample as "cannot tell" (probability 1/2; score 0 for hinge, 1/2 for least-squares);
# a Wasserstein critic's loss has no such level
COIN_FLIP_LOSS = {"saturating": math.log(4), "non-saturating": math.log(4), "least-squares": 0.25, "hinge": 2.0}


def game_warnings(
    history: History, config: TrainConfig, modes: tuple[int, int] | None = None, best_covered: int | None = None
) -> list[str]:
    """What is going wrong in the game, in words (an empty list when nothing is), from the recent `history` run
    with `config`; `modes` (covered, of how many) and `best_covered`, the most covered so far, on 2D mixtures."""
    loss_d = history["loss_d"][-WINDOW:]
    tail = loss_d[-EXPLODE_TAIL:]
    lower = f"lower lr D (now {config.lr_d:.2g}) tenfold, or press reset"
    warnings = []
    if tail and not all(math.isfinite(x) for x in tail):
        warnings.append("D's loss is not finite: the run has diverged; lower the learning rates")
    elif len(loss_d) >= 2 * EXPLODE_TAIL:
        now, usual = fmean(tail), median(loss_d[:-EXPLODE_TAIL])
        if now > max(EXPLODE_FLOOR, EXPLODE_FACTOR * usual):
            warnings.append(f"D's loss is exploding ({now:.2f}, {now / usual:.0f}x its usual {usual:.2f}): {lower}")
    accuracy = d_accuracy(history)
    steady = len(history) >= STEADY
    coin_flip = COIN_FLIP_LOSS.get(config.loss)
    if steady and coin_flip is not None and (level := median(loss_d[-STEADY:])) > LOST_FACTOR * coin_flip:
        warnings.append(
            f"D's loss has stayed far above {coin_flip:.2f}, the loss of a D that cannot tell real from fake, for "
            f"{STEADY} steps (median {level:.3g}): its steps overshoot and it is lost, not learning; {lower}"
        )
    if steady and accuracy < PINNED_ACCURACY and saturation(history) < SATURATED:
        warnings.append(
            "D's outputs are saturated: it calls almost every sample certainly real or certainly fake, so its "
            f"gradients vanish and G is told nothing; {lower}"
        )
    if accuracy >= PINNED_ACCURACY:
        warnings.append("D's accuracy is pinned at 100%: D wins outright and G learns little; lower lr D or k")
    best = best_covered or 0
    if modes is not None and best >= COLLAPSE_FROM and modes[0] <= best // 2:
        warnings.append(f"coverage collapsed: {modes[0]} of {modes[1]} modes, down from {best}: mode collapse")
    return warnings


def d_accuracy(history: History, last: int = 50) -> float:
    """D's accuracy on real and fake samples together over the last `last` steps (nan before the first)."""
    values = history["acc_real"][-last:] + history["acc_fake"][-last:]
    return fmean(values) if values else math.nan


def saturation(history: History, last: int = STEADY) -> float:
    """How far D's outputs are from all being 0 or 1 over the last `last` steps: the larger of |mean D(x) - accuracy
    on real| and |mean D(G(z)) - error on fakes|. 0 when every output is exactly 0 or 1 (nan before any step)."""
    if not len(history):
        return math.nan
    columns = {name: history[name][-last:] for name in ("d_real", "acc_real", "d_fake", "acc_fake")}
    rows = len(columns["d_real"])  # sum() / rows: fmean of a generator cost a live frame 0.05 ms more
    real = sum(abs(d - a) for d, a in zip(columns["d_real"], columns["acc_real"], strict=True)) / rows
    fake = sum(abs(d + a - 1) for d, a in zip(columns["d_fake"], columns["acc_fake"], strict=True)) / rows
    return max(real, fake)
