"""How much weight generated digits get beside a few real ones in notebook 06: chosen on held-out training digits.

Notebook 06 asks whether a cGAN trained on N labelled digits helps a classifier trained on the same N. Adding the
generated digits to the training set (the protocol before this bench) dilutes the real ones: at a fixed number of
updates each real digit is seen far less often, and that alone lowers accuracy. Here the real digits' exposure is
fixed: every classifier sees the same real minibatches, in the same order, as the one trained on the N real digits
alone, and each minibatch is joined by as many generated digits whose cross-entropy is added with a weight
(ganlib.evaluation.cas.train_and_test's `extra`, `extra_weight`). The weight is a choice, and the test set must
not make it: for each seed, N labelled digits (N/10 per class) are drawn from the first 50,000 digits of a seeded
permutation of the training set, a cGAN is trained on them alone (ganlib.recipes.few_label_cgan), and classifiers
are tested on the last 10,000 digits of the permutation. The diluted protocol is shown beside, for reference.
The rule, fixed before the run: the weight of highest mean gain over all seeds and sizes.

    python bench/few_label_mix.py --publish                               # data/few_label_mix.json (about 15 min)
    python bench/few_label_mix.py --sizes 100 --seeds 0 --steps 50        # a short check (build/bench/)
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from _output import add_output_options, write_table

from ganlib import load_mnist
from ganlib.evaluation.cas import balanced_subset, train_and_test
from ganlib.recipes import few_label_cgan

TABLE = "few_label_mix.json"
N_VALIDATION = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="labelled real digits N")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="one labelled set and cGAN each")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.1, 0.3, 1.0, 3.0], help="generated digits'")
    parser.add_argument("--steps", type=int, default=1500, help="cGAN steps on the N digits, as notebook 06")
    parser.add_argument("--n-augment", type=int, default=5000, help="generated digits, as many of each class")
    parser.add_argument("--updates", type=int, default=200, help="classifier updates, as notebook 06")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    add_output_options(parser, TABLE)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images, labels = load_mnist("train", "cpu")
    rows = []
    for seed in args.seeds:
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
        pool, validation = order[:-N_VALIDATION], order[-N_VALIDATION:]
        check = images[validation], labels[validation]
        for n in args.sizes:
            start = time.perf_counter()
            chosen = pool[balanced_subset(labels[pool], n, seed)]
            real = images[chosen], labels[chosen]
            gan = few_label_cgan(*real, "cpu", seed)
            gan.run(args.steps)
            extra_labels = torch.arange(10).repeat_interleave(args.n_augment // 10)
            extra = torch.cat([gan.sample(len(y), labels=y) for y in extra_labels.split(1000)]), extra_labels
            alone = train_and_test(*real, *check, args.updates, seed=seed).accuracy
            diluted = train_and_test(
                torch.cat([real[0], extra[0]]), torch.cat([real[1], extra[1]]), *check, args.updates, seed=seed
            ).accuracy
            row = {"seed": seed, "n": n, "real_only": alone, "diluted": diluted, "gain": {}}
            for weight in args.weights:
                mixed = train_and_test(*real, *check, args.updates, seed=seed, extra=extra, extra_weight=weight)
                row["gain"][str(weight)] = 100 * (mixed.accuracy - alone)
            row["seconds"] = time.perf_counter() - start
            rows.append(row)
            gains = "  ".join(f"w={w}: {g:+.2f}" for w, g in row["gain"].items())
            print(
                f"seed {seed}, N = {n:5d}: real only {alone:.2%}, diluted {100 * (diluted - alone):+.2f} points;"
                f" fixed exposure {gains}  ({row['seconds']:.0f} s)",
                flush=True,
            )
    mean_gain = {str(w): statistics.mean(row["gain"][str(w)] for row in rows) for w in args.weights}
    chosen_weight = max(args.weights, key=lambda w: mean_gain[str(w)])
    print("mean gain over seeds and sizes (points): " + "  ".join(f"w={w}: {g:+.2f}" for w, g in mean_gain.items()))
    print(f"chosen: weight {chosen_weight}")
    write_table(
        args,
        TABLE,
        {
            "steps": args.steps,
            "n_augment": args.n_augment,
            "updates": args.updates,
            "seeds": args.seeds,
            "sizes": args.sizes,
            "threads": args.threads,
            "rows": rows,
            "mean_gain_points": mean_gain,
            "chosen_weight": chosen_weight,
        },
    )


if __name__ == "__main__":
    main()
