"""The same trainer on several processes (one per GPU, or several on CPUs) with PyTorch's own engine.

    torchrun --nproc_per_node=2 -m ganlib.distributed --dataset ring --steps 2000 --batch-size 256

Every process builds an ordinary `Trainer` for its shard of the global batch and wraps G and D in
DistributedDataParallel (DDP), which averages their gradients over the processes inside `backward`.
Algorithm 1 (`Trainer.train_step`) runs unchanged: with equal shards, the average of the shards' mean
losses is the mean loss of the whole batch, so a run on N processes computes the same updates as one
process on the N shards concatenated.

GAN-specific choices, as in the StyleGAN2-ADA training loop (Karras et al. 2020):
- G and D are wrapped separately, and only the network being trained has gradients switched on in its
  phase (`train_step` turns D's off for G's step): DDP all-reduces a network's gradients only in the
  backward passes that produce them, so G's step does not average D's.
- Buffers are not re-broadcast from rank 0 before every forward (`forward_sync_buffers=False`; the older
  `broadcast_buffers` is deprecated since torch 2.13). In training mode BatchNorm uses the batch's
  statistics, not its running ones, so five broadcasts per step at k=1 (D thrice, G twice) would buy nothing;
  each process keeps its own running statistics, averaged over the processes before a checkpoint.
- BatchNorm normalises each process's shard on its own. SyncBatchNorm would share the batch statistics,
  but it runs on GPUs only, so the CPU runs of the tests and CI could not use it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from functools import partial

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ganlib import TrainConfig, Trainer
from ganlib.checkpoint import save_checkpoint
from ganlib.checks import check_instance, is_int, number_option, require
from ganlib.data import DATASETS
from ganlib.recipes import make_trainer

BACKENDS = ("gloo", "nccl")  # gloo: processes on CPUs; nccl: one GPU per process
LAUNCH = "torchrun --nproc_per_node=N -m ganlib.distributed"


def shard_batch_size(batch_size: int, world_size: int) -> int:
    """Each process's share of the global batch; the shards must be equal for DDP's average to be the global mean."""
    require(
        is_int(world_size) and world_size >= 1, "world_size", world_size, f"an int >= 1 (the processes of {LAUNCH})"
    )
    require(
        is_int(batch_size) and batch_size >= world_size and batch_size % world_size == 0,
        "batch_size",
        batch_size,
        f"a multiple of the world size {world_size}: the global batch, split equally over the processes",
    )
    return batch_size // world_size


def rank_device(backend: str, local_rank: int) -> torch.device:
    """The device of the process with `local_rank` on its machine: its own GPU for nccl, the CPU for gloo."""
    require(backend in BACKENDS, "backend", backend, f"one of {BACKENDS}")
    if backend == "gloo":
        return torch.device("cpu")
    gpus = torch.cuda.device_count()
    require(
        is_int(local_rank) and 0 <= local_rank < gpus,
        "local_rank",
        local_rank,
        f"a GPU index below {gpus} (nccl needs one GPU per process; use --backend gloo on CPUs)",
    )
    return torch.device("cuda", local_rank)


def distribute(trainer: Trainer) -> Trainer:
    """Make `trainer` one process of a data-parallel run (the process group must be initialised).

    Its rng is re-seeded with seed + rank, so each process draws its own data and noise; DDP copies
    rank 0's weights and buffers to every process when it wraps them.
    """
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    require(dist.is_initialized(), "torch.distributed", "not initialised", "init_process_group called first")
    trainer.rng.manual_seed(trainer.config.seed + dist.get_rank())
    device_ids = [trainer.device.index] if trainer.device.type == "cuda" else None
    trainer.wrap_networks(partial(DistributedDataParallel, device_ids=device_ids, forward_sync_buffers=False))
    return trainer


def train(trainer: Trainer, steps: int, log: bool = True) -> float:
    """Run `steps` steps of a distributed trainer; returns the steps per second. Rank 0 prints the log.

    Every process's history gets the statistics of the whole batch, averaged over the processes every
    config.log_every steps (means over equal shards; the gradient norms are equal after DDP's all-reduce).
    """
    check_instance(trainer, "trainer", Trainer, "a ganlib Trainer")
    require(is_int(steps) and steps >= 0, "steps", steps, "an int >= 0")
    steps = int(steps)
    start, done = time.perf_counter(), 0
    while done < steps:
        chunk = min(trainer.config.log_every, steps - done)
        trainer.run(chunk)
        _average_new_rows(trainer, chunk)
        done += chunk
        if log and dist.get_rank() == 0:
            last = {name: column[-1] for name, column in trainer.history.stats.items()}
            print(f"step {trainer.step:6d}  loss_d {last['loss_d']:.4f}  loss_g {last['loss_g']:.4f}", flush=True)
    return steps / max(time.perf_counter() - start, 1e-9)


def save(trainer: Trainer, path: str, world_size: int) -> None:
    """Write a checkpoint on rank 0 that the ordinary single-process `Trainer.load` resumes (all ranks call this).

    Its config records the global batch, so a resumed run trains on as many samples per step.
    """
    for module in (trainer.G, trainer.D):
        _average_buffers(module)
    if dist.get_rank() == 0:
        state = trainer.state_dict()
        state["config"] = {**state["config"], "batch_size": trainer.config.batch_size * world_size}
        save_checkpoint(state, path)
    dist.barrier()  # no process exits (and tears down the group) while rank 0 still writes


def main(argv: Sequence[str] | None = None) -> Trainer:
    """The command line: train a recipe of `make_trainer` on the processes torchrun started."""
    args = _parse(argv)
    require(args.dataset in DATASETS, "dataset", args.dataset, f"one of {DATASETS}")  # before the launch is checked
    rank, local_rank, world_size = (int(os.environ.get(name, -1)) for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE"))
    require(world_size >= 1 and 0 <= rank < world_size, "WORLD_SIZE", world_size, f"a launch by {LAUNCH}")
    batch = shard_batch_size(args.batch_size, world_size)
    device = rank_device(args.backend, local_rank)
    config = TrainConfig(lr_g=args.lr, lr_d=args.lr, batch_size=batch, seed=args.seed, log_every=args.log_every)
    torch.set_num_threads(args.threads)
    dist.init_process_group(args.backend, device_id=device if device.type == "cuda" else None)
    try:
        width = {} if args.width is None else {"width": args.width}
        trainer = make_trainer(args.dataset, config, device=device, **width)
        rate = train(distribute(trainer), args.steps)
        if rank == 0:
            print(
                f"{args.steps} steps in {args.steps / rate:.1f} s: {rate:.1f} steps/s "
                f"(global batch {args.batch_size} on {world_size} processes)",
                flush=True,
            )
        if args.checkpoint:
            save(trainer, args.checkpoint, world_size)
    finally:
        dist.destroy_process_group()
    return trainer


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=LAUNCH, description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ring", help="ring, grid, mixture1d (MLPs) or mnist (DCGAN)")
    count = number_option(int, 1)
    parser.add_argument("--steps", type=number_option(int, 0), default=1000, help="generator steps")
    parser.add_argument("--batch-size", type=count, default=64, help="the global batch, split over the processes")
    parser.add_argument("--lr", type=number_option(float, 0, 10), default=2e-4, help="learning rate of G and D")
    parser.add_argument("--seed", type=number_option(int, 0), default=0, help="weights; process r draws with seed + r")
    parser.add_argument("--width", type=count, default=None, help="network width (default: the recipe's)")
    parser.add_argument("--log-every", type=count, default=100, help="steps between log lines")
    parser.add_argument("--threads", type=count, default=1, help="CPU threads per process")
    parser.add_argument("--checkpoint", default=None, help="path of the final checkpoint, written by rank 0")
    default_backend = "nccl" if torch.cuda.is_available() else "gloo"
    parser.add_argument("--backend", default=default_backend, help=f"one of {BACKENDS} (default here: %(default)s)")
    return parser.parse_args(argv)


def _average_new_rows(trainer: Trainer, rows: int) -> None:
    """Replace the last `rows` history rows by their average over the processes."""
    stats = trainer.history.stats
    new = torch.tensor([column[-rows:] for column in stats.values()], dtype=torch.float64, device=trainer.device)
    dist.all_reduce(new)
    for column, averaged in zip(stats.values(), (new / dist.get_world_size()).tolist(), strict=True):
        column[-rows:] = averaged


def _average_buffers(module: nn.Module) -> None:
    """Average floating-point buffers (BatchNorm's running statistics) over the processes."""
    for buffer in module.buffers():
        if buffer.is_floating_point():
            dist.all_reduce(buffer)
            buffer /= dist.get_world_size()


if __name__ == "__main__":
    main()
    # Leave without the interpreter's shutdown: there, gloo's worker threads can still hold work of the (destroyed)
    # process group and abort the process, "terminate called without an active exception" (2 of 6 CPU runs here;
    # pytorch/pytorch#179291). Everything is written and flushed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
