"""ganlib.distributed: a run on 2 gloo processes under torchrun is one process trained on the 2 shards concatenated."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ganlib import TrainConfig, Trainer
from ganlib.checkpoint import load_checkpoint
from ganlib.distributed import main, rank_device, shard_batch_size
from ganlib.recipes import make_trainer

REPO = Path(__file__).resolve().parents[1]
WORLD, BATCH, STEPS, SEED, LR, WIDTH = 2, 16, 6, 3, 1e-3, 16  # a tiny MLP ring GAN, no BatchNorm


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_process_checkpoint(tmp_path_factory) -> Path:
    """The checkpoint of a 2-process gloo run of the ring recipe, logged every 4 steps (so 4 + 2)."""
    path = tmp_path_factory.mktemp("ddp") / "ring.pt"
    command = [
        *(sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={WORLD}"),
        *("--master-addr=127.0.0.1", f"--master-port={_free_port()}", "-m", "ganlib.distributed"),
        *("--dataset", "ring", "--steps", str(STEPS), "--batch-size", str(BATCH), "--lr", str(LR)),
        *("--seed", str(SEED), "--width", str(WIDTH), "--log-every", "4", "--backend", "gloo"),
        *("--checkpoint", str(path)),
    ]
    pythonpath = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": pythonpath}
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return path


class _Shards:
    """What the ranks draw, concatenated: rank r draws its shard of every batch with a generator seeded seed + r."""

    def __init__(self, data, z_dim: int, seed: int, world_size: int) -> None:
        self.data, self.z_dim = data, z_dim
        self.generators = [torch.Generator().manual_seed(seed + rank) for rank in range(world_size)]

    def sample(self, n, generator=None):
        x, y = zip(*(self.data.sample(n // len(self.generators), g) for g in self.generators), strict=True)
        return torch.cat(x), torch.cat(y)

    def noise(self, n):
        return torch.cat([torch.randn(n // len(self.generators), self.z_dim, generator=g) for g in self.generators])


class _OnConcatenatedShards(Trainer):
    """One process, one optimizer per network, the global batch: exactly the samples and noise the ranks drew."""

    def __init__(self, base: Trainer, world_size: int) -> None:
        super().__init__(base.G, base.D, base.data, base.config, base.device)
        self.data = _Shards(base.data, base.G.z_dim, base.config.seed, world_size)  # after the shape probe

    def noise(self, n):
        return self.data.noise(n)


@pytest.mark.timeout(180)
def test_two_processes_train_as_one_process_on_their_shards_concatenated(two_process_checkpoint):
    state = load_checkpoint(two_process_checkpoint)
    config = TrainConfig(lr_g=LR, lr_d=LR, batch_size=BATCH, seed=SEED)
    reference = _OnConcatenatedShards(make_trainer("ring", config, device="cpu", width=WIDTH), WORLD)
    reference.run(STEPS)
    for name in ("loss_d", "loss_g", "grad_norm_d", "grad_norm_g"):  # per step, of the whole batch
        torch.testing.assert_close(state["history"]["stats"][name], reference.history[name], rtol=1e-5, atol=1e-6)
    for key, module in (("generator", reference.G), ("discriminator", reference.D)):
        torch.testing.assert_close(state[key], module.state_dict(), rtol=1e-5, atol=1e-6)


@pytest.mark.timeout(180)
def test_a_checkpoint_of_the_two_process_run_resumes_in_one_process(two_process_checkpoint):
    trainer = make_trainer("ring", TrainConfig(seed=0), device="cpu", width=WIDTH)  # other init, other config
    trainer.load(two_process_checkpoint)
    assert (trainer.step, len(trainer.history), trainer.config.batch_size) == (STEPS, STEPS, BATCH)
    before = {k: v.clone() for k, v in trainer.G.state_dict().items()}
    trainer.run(3)
    assert (trainer.step, len(trainer.history)) == (STEPS + 3, STEPS + 3)
    assert any(not torch.equal(before[k], v) for k, v in trainer.G.state_dict().items())


def test_a_global_batch_the_processes_cannot_share_equally_is_refused():
    with pytest.raises(ValueError, match=r"batch_size=10 is not accepted: expected a multiple of the world size 3"):
        shard_batch_size(10, 3)
    with pytest.raises(ValueError, match=r"batch_size=2 is not accepted"):
        shard_batch_size(2, 4)


@pytest.mark.parametrize("world_size", [0, -2, 1.5, True])
def test_world_sizes_other_than_a_positive_int_are_refused(world_size):
    with pytest.raises(ValueError, match=rf"world_size={world_size!r} is not accepted: expected an int >= 1"):
        shard_batch_size(64, world_size)


def test_unknown_backends_and_nccl_without_a_gpu_for_the_process_are_refused():
    with pytest.raises(ValueError, match=r"backend='mpi' is not accepted: expected one of \('gloo', 'nccl'\)"):
        rank_device("mpi", 0)
    gpus = torch.cuda.device_count()
    with pytest.raises(ValueError, match=rf"local_rank={gpus} is not accepted: expected a GPU index below {gpus}"):
        rank_device("nccl", gpus)


def test_the_command_line_outside_torchrun_is_refused(monkeypatch):
    for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match=r"WORLD_SIZE=-1 is not accepted: expected a launch by torchrun"):
        main(["--backend", "gloo"])


def test_the_command_line_refuses_a_global_batch_the_processes_cannot_share(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "3"), monkeypatch.setenv("RANK", "0"), monkeypatch.setenv("LOCAL_RANK", "0")
    with pytest.raises(ValueError, match=r"batch_size=64 is not accepted: expected a multiple of the world size 3"):
        main(["--batch-size", "64", "--backend", "gloo"])


def test_the_command_line_refuses_an_unknown_dataset(monkeypatch):
    for name, value in {"WORLD_SIZE": "1", "RANK": "0", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MASTER_PORT", str(_free_port()))
    with pytest.raises(ValueError, match=r"dataset='cifar10' is not accepted: expected one of"):
        main(["--dataset", "cifar10", "--backend", "gloo"])
    assert not torch.distributed.is_initialized()  # the process group is torn down after the error
