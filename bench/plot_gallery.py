"""Render every figure of ganlib.plots to build/gallery/*.png from short real training runs, and print render times.

Look at the pictures after a change to ganlib.plots: labels, legends, colours and titles must read well.
Usage: .venv/bin/python bench/plot_gallery.py [--out build/gallery] [--steps 600]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from ganlib import TrainConfig, load_mnist
from ganlib import evaluation as M
from ganlib import plots as P
from ganlib.evaluation import (
    digit_metrics,
    discriminator_report,
    fixed_samples,
    generator_mode_coverage,
    track_discriminator,
)
from ganlib.recipes import make_trainer

TOY = TrainConfig(lr_g=1e-3, lr_d=1e-3, batch_size=128, seed=0)


def _save(out: Path, name: str, draw: Callable[[], Figure]) -> None:
    """Build the figure, time it (computation + render), write it as PNG."""
    start = time.perf_counter()
    figure = draw()
    figure.canvas.draw()
    elapsed = time.perf_counter() - start
    figure.savefig(out / f"{name}.png", dpi=100)
    print(f"{name:28s} {1000 * elapsed:7.1f} ms  -> {out / name}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build/gallery"))
    parser.add_argument("--steps", type=int, default=600, help="training steps of each toy run")
    parser.add_argument("--mnist-steps", type=int, default=150, help="training steps of the MNIST run")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    ring = make_trainer("ring", TOY, device="cpu")
    ring_reports: list = []
    ring.run(args.steps // 2, callbacks=[track_discriminator(ring_reports, every=max(1, args.steps // 20))])
    ring.update(k=3)
    ring.run(
        args.steps - args.steps // 2, callbacks=[track_discriminator(ring_reports, every=max(1, args.steps // 20))]
    )
    grid = make_trainer("grid", TOY, device="cpu")
    grid.run(args.steps)
    line = make_trainer("mixture1d", TOY, device="cpu")
    line.run(args.steps)

    _save(args.out, "training_ring", lambda: P.plot_training(ring.history))
    _save(args.out, "history_accuracy", lambda: P.plot_history(ring.history, ("acc_real", "acc_fake")))
    _save(args.out, "field_2d_ring", lambda: P.plot_field_2d(M.field_2d(ring)))
    _save(args.out, "field_2d_grid", lambda: P.plot_field_2d(M.field_2d(grid)))
    _save(args.out, "density_1d", lambda: P.plot_density_1d(M.density_curves_1d(line)))
    _save(args.out, "mode_coverage_ring", lambda: P.plot_mode_coverage(generator_mode_coverage(ring)))
    _save(args.out, "mode_coverage_grid", lambda: P.plot_mode_coverage(generator_mode_coverage(grid)))
    _save(args.out, "reliability_ring", lambda: P.plot_reliability(discriminator_report(ring)))
    _save(args.out, "discriminator_over_training", lambda: P.plot_discriminator_reports(ring_reports))

    mnist = make_trainer("mnist", TrainConfig(batch_size=64, seed=0), device="cpu", width=32)
    mnist.run(args.mnist_steps)
    _save(args.out, "sample_grid_mnist", lambda: P.plot_image_grid(fixed_samples(mnist, 64)))
    real = load_mnist("test")[0]
    _save(args.out, "class_histogram_mnist", lambda: P.plot_class_histogram(digit_metrics(fixed_samples(mnist, 2000))))
    _save(args.out, "class_histogram_real", lambda: P.plot_class_histogram(digit_metrics(real[:2000])))
    _save(args.out, "reliability_mnist", lambda: P.plot_reliability(discriminator_report(mnist, real=real)))


if __name__ == "__main__":
    main()
