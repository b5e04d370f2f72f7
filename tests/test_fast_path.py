"""The fast path (ganlib.config.FastPath) changes how a step runs, not what it computes."""

from functools import partial

import pytest
import torch

from ganlib.config import FastPath, TrainConfig
from ganlib.history import STATS
from ganlib.optimizers import make_optimizer
from ganlib.recipes import FAST_MNIST_WIDTH, fast_mnist_config, fast_mnist_trainer, make_trainer

CONFIG = TrainConfig(batch_size=16, k=2, log_every=3, seed=5)


def _mnist_trainer(fast=None, seed=5):
    return make_trainer("mnist", CONFIG.replace(seed=seed), device="cpu", width=8, fast=fast)


def _first(module, kind):
    return next(m for m in module.modules() if isinstance(m, kind))


def _assert_same_run(a, b, rtol, atol):
    """Same history and weights within a tolerance: reordered float sums may differ in the last bits."""
    for name in STATS:
        torch.testing.assert_close(torch.tensor(a.history[name]), torch.tensor(b.history[name]), rtol=rtol, atol=atol)
    for net_a, net_b in ((a.G, b.G), (a.D, b.D)):
        for (key, x), y in zip(net_a.state_dict().items(), net_b.state_dict().values(), strict=True):
            torch.testing.assert_close(x, y, rtol=rtol, atol=atol, msg=key)


@pytest.fixture
def cheap_compile(monkeypatch):
    """torch.compile through dynamo and AOT autograd but without inductor's C++ code generation.

    It checks what our code is responsible for (graph capture of the networks, requires_grad switching
    between D's and G's steps, weights shared with the uncompiled modules) in seconds instead of minutes
    on 2 cores. Inductor itself was checked by hand: it matched eager to 4e-6 after 6 MNIST steps.
    """
    monkeypatch.setattr(torch, "compile", partial(torch.compile, backend="aot_eager"))


def test_compiled_networks_train_like_eager_ones(cheap_compile):
    eager, compiled = _mnist_trainer(), _mnist_trainer(FastPath(compile=True))
    eager.run(6), compiled.run(6)
    assert compiled._G is not compiled.G  # the step really ran through the compiled wrappers
    _assert_same_run(eager, compiled, rtol=1e-4, atol=1e-5)


def test_channels_last_trains_like_the_default_layout():
    plain, nhwc = _mnist_trainer(), _mnist_trainer(FastPath(channels_last=True))
    plain.run(6), nhwc.run(6)
    assert _first(nhwc.G, torch.nn.ConvTranspose2d).weight.is_contiguous(memory_format=torch.channels_last)
    _assert_same_run(plain, nhwc, rtol=1e-4, atol=1e-5)


def test_fused_adam_trains_like_the_default_optimizer():
    plain, fused = _mnist_trainer(), _mnist_trainer(FastPath(fused_adam=True))
    plain.run(6), fused.run(6)
    assert fused.opt_g.defaults["fused"] and fused.opt_d.defaults["fused"] and not plain.opt_d.defaults["fused"]
    _assert_same_run(plain, fused, rtol=1e-4, atol=1e-5)


def test_bf16_autocast_runs_the_networks_in_bf16_and_stays_close_to_fp32():
    config = CONFIG.replace(k=1)  # then step 1's losses come from the initial weights: a pure forward comparison
    plain = make_trainer("mnist", config, device="cpu", width=8)
    bf16 = make_trainer("mnist", config, device="cpu", width=8, fast=FastPath(autocast=torch.bfloat16))
    seen = []
    bf16.D.net[0].register_forward_hook(lambda module, inputs, output: seen.append(output.dtype))
    plain.run(4), bf16.run(4)
    assert seen and set(seen) == {torch.bfloat16}
    first = {name: (plain.history[name][0], bf16.history[name][0]) for name in ("loss_d", "loss_g")}
    # bf16 keeps 8 significant bits (relative rounding 2^-9 per op): one forward pass agrees to about a percent
    for fp32, low in first.values():
        assert low == pytest.approx(fp32, rel=0.01), first
    # Adam's first steps move every weight by about lr whatever the gradient's size, so tiny gradients whose
    # sign bf16 flips move the other way: the runs part slowly, by a few percent over a few steps
    for name in ("loss_d", "loss_g"):
        bf16_run, fp32_run = torch.tensor(bf16.history[name]), torch.tensor(plain.history[name])
        torch.testing.assert_close(bf16_run, fp32_run, rtol=0.1, atol=0)
    assert all(p.dtype == torch.float32 for p in bf16.G.parameters())  # the weights stay fp32


def test_fast_checkpoint_resumes_bit_for_bit_and_loads_into_a_plain_trainer(tmp_path, cheap_compile):
    fast = FastPath(compile=True, channels_last=True, fused_adam=True)
    whole = _mnist_trainer(fast)
    whole.run(12)
    first = _mnist_trainer(fast)
    first.run(6)
    first.save(tmp_path / "ckpt.pt")
    resumed = _mnist_trainer(fast, seed=0)
    resumed.load(tmp_path / "ckpt.pt")
    resumed.run(6)
    assert resumed.history.stats == whole.history.stats
    for a, b in zip(whole.G.state_dict().values(), resumed.G.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    plain = _mnist_trainer(seed=0)
    plain.load(tmp_path / "ckpt.pt")  # no "_orig_mod." keys: the checkpoint holds the plain modules' weights
    for a, b in zip(first.D.state_dict().values(), plain.D.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_fused_adam_makes_the_same_updates_as_the_default():
    torch.manual_seed(0)
    weights = [torch.randn(5, 3, requires_grad=True), torch.randn(3, requires_grad=True)]
    twins = [w.detach().clone().requires_grad_(True) for w in weights]
    default = make_optimizer("adam", weights, 1e-2, (0.5, 0.999))
    fused = make_optimizer("adam", twins, 1e-2, (0.5, 0.999), fused=True)
    for _ in range(5):
        for params, opt in ((weights, default), (twins, fused)):
            opt.zero_grad()
            (params[0].sin().sum() + (params[1] ** 2).sum()).backward()
            opt.step()
    for w, t in zip(weights, twins, strict=True):
        assert not torch.equal(w, w.detach() * 0)
        torch.testing.assert_close(w, t)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"compile": 1}, "compile"),
        ({"channels_last": "yes"}, "channels_last"),
        ({"autocast": torch.float16}, "autocast"),
        ({"fused_adam": None}, "fused_adam"),
    ],
)
def test_bad_fast_path_is_refused_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        FastPath(**kwargs)


def test_the_cpu_gets_bf16_only_where_native_and_a_gpu_everything():
    native = torch.cpu._is_avx512_bf16_supported()
    assert FastPath.for_device("cpu") == (
        FastPath(channels_last=True, autocast=torch.bfloat16, fused_adam=True) if native else FastPath(fused_adam=True)
    )
    assert FastPath.for_device("cuda") == FastPath(
        compile=True, channels_last=True, autocast=torch.bfloat16, fused_adam=True
    )


def test_fast_mnist_trainer_is_the_tuned_recipe_with_the_devices_fast_path():
    trainer = fast_mnist_trainer("cpu", seed=3)
    assert trainer.config == fast_mnist_config(3) and trainer.fast == FastPath.for_device("cpu")
    assert _first(trainer.G, torch.nn.ConvTranspose2d).in_channels == 2 * FAST_MNIST_WIDTH
    before = trainer.sample(4, torch.zeros(4, trainer.G.z_dim))
    trainer.run(2)
    assert trainer.G_ema is not None  # the samples come from the moving average of G
    assert not torch.equal(before, trainer.sample(4, torch.zeros(4, trainer.G.z_dim)))
