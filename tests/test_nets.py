import pytest
import torch

from ganlib import TrainConfig, make_trainer
from ganlib.nets import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator


def test_dcgan_shapes_and_range():
    G, D = DCGANGenerator(z_dim=16, width=8), DCGANDiscriminator(width=8)
    x = G(torch.randn(5, 16))
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    assert D(x).shape == (5,)


def test_dcgan_initialisation_follows_radford():
    G = DCGANGenerator(z_dim=64, width=64)
    weights = [m.weight for m in G.modules() if isinstance(m, torch.nn.Linear | torch.nn.ConvTranspose2d)]
    assert len(weights) == 3
    for w in weights:
        assert abs(w.std().item() - 0.02) < 0.002 and abs(w.mean().item()) < 0.002
    norms = [m.weight for m in G.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(norms) == 2 and all(abs(w.mean().item() - 1.0) < 0.01 for w in norms)


def test_dcgan_projection_is_the_1x1_to_7x7_transposed_convolution_of_pytorch_examples():
    G = DCGANGenerator(z_dim=16, width=8)
    project = G.net[0]
    conv = torch.nn.ConvTranspose2d(16, 16, 7, 1, 0, bias=False)  # (z, 2w) channels, 1x1 -> 7x7
    with torch.no_grad():
        conv.weight.copy_(project.weight.T.reshape(16, 16, 7, 7))
    z = torch.randn(5, 16)
    torch.testing.assert_close(G.net[1](project(z)), conv(z[:, :, None, None]))


def test_mlp_depth_and_width_are_honoured():
    D = MLPDiscriminator((2,), width=7, depth=4)
    linears = [m for m in D.modules() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 5 and linears[1].in_features == 7


@pytest.mark.parametrize(
    "make",
    [
        lambda: (MLPGenerator(4, (2,), n_classes=3), MLPDiscriminator((2,), n_classes=3)),
        lambda: (DCGANGenerator(4, 8, n_classes=3), DCGANDiscriminator(8, n_classes=3)),
        lambda: (DCGANGenerator(4, 8, n_classes=3), DCGANDiscriminator(8, n_classes=3, conditioning="projection")),
        lambda: (
            DCGANGenerator(4, 8, n_classes=3, code_dim=5),
            DCGANDiscriminator(8, n_classes=3, conditioning="projection", code_dim=5),
        ),
    ],
)
def test_conditioning_changes_the_output(make):
    G, D = make()
    G.eval(), D.eval()
    z = torch.randn(1, 4).repeat(3, 1)
    x = G(z, torch.arange(3))
    assert not torch.allclose(x[0], x[1])
    scores = D(x[:1].repeat(3, *[1] * (x.ndim - 1)), torch.arange(3))
    assert not torch.allclose(scores[0], scores[1])


def test_conditional_network_without_labels_is_refused():
    with pytest.raises(ValueError, match="y="):
        MLPGenerator(4, (2,), n_classes=3)(torch.randn(2, 4))


CONDITIONAL_NETWORKS = {
    "G": lambda y: DCGANGenerator(4, 8, n_classes=3)(torch.randn(2, 4), y),
    "D concat": lambda y: DCGANDiscriminator(8, n_classes=3)(torch.randn(2, 1, 28, 28), y),
    "D projection": lambda y: DCGANDiscriminator(8, n_classes=3, conditioning="projection")(
        torch.randn(2, 1, 28, 28), y
    ),
    "G coded": lambda y: DCGANGenerator(4, 8, n_classes=3, code_dim=5, styles=3)(torch.randn(2, 4), y),
    "D coded": lambda y: DCGANDiscriminator(8, n_classes=3, conditioning="projection", code_dim=5)(
        torch.randn(2, 1, 28, 28), y
    ),
}


@pytest.mark.parametrize("network", CONDITIONAL_NETWORKS.values(), ids=CONDITIONAL_NETWORKS.keys())
@pytest.mark.parametrize(
    "y, accepted",
    [
        (torch.tensor([[0], [1]]), r"\(2,\) integer class labels"),  # a column instead of a vector
        (torch.tensor([0, 1, 2]), r"\(2,\) integer class labels"),  # one label too many
        (torch.tensor([0.0, 1.0]), r"\(2,\) integer class labels"),  # floats
        (torch.tensor([0, 3]), r"labels in \[0, 3\)"),  # class 3 of 0, 1, 2
        (torch.tensor([-1, 0]), r"labels in \[0, 3\)"),
    ],
)
def test_wrong_label_shapes_and_out_of_range_labels_are_refused_by_name(network, y, accepted):
    with pytest.raises(ValueError, match=rf"y=.*expected {accepted}"):
        network(y)


def test_projection_discriminator_adds_the_inner_product_of_the_class_vector_and_the_features():
    D = DCGANDiscriminator(8, n_classes=3, conditioning="projection").eval()
    x, y = torch.randn(4, 1, 28, 28), torch.tensor([0, 1, 2, 1])
    phi = D.net[:-1](x).flatten(1)  # what the last convolution sees
    unconditional = D.net[-1](D.net[:-1](x)).flatten()
    torch.testing.assert_close(D(x, y), unconditional + (D.embed.weight[y] * phi).sum(dim=1))
    with torch.no_grad():
        D.embed.weight.zero_()
    torch.testing.assert_close(D(x, y), unconditional)  # no class vectors: the unconditional score for every label


def test_projection_discriminator_reads_no_label_channels_and_refuses_packs():
    assert DCGANDiscriminator(8, n_classes=3, conditioning="projection").net[0].in_channels == 1
    assert DCGANDiscriminator(8, n_classes=3).net[0].in_channels == 1 + 3
    with pytest.raises(ValueError, match="pack=2"):
        DCGANDiscriminator(8, n_classes=3, pack=2, conditioning="projection")
    with pytest.raises(ValueError, match="conditioning='embed'"):
        DCGANDiscriminator(8, n_classes=3, conditioning="embed")


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"width": 0}, "width"),
        ({"depth": -1}, "depth"),
        ({"activation": "gelu2"}, "activation"),
        ({"z_dim": 0}, "z_dim"),
    ],
)
def test_bad_network_arguments_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=f"{name}="):
        MLPGenerator(**kwargs)


def test_wrong_input_shape_is_refused_before_torch_sees_it():
    with pytest.raises(ValueError, match=r"x=.*\(n, \*\(1, 28, 28\)\)"):
        DCGANDiscriminator(8)(torch.randn(2, 3, 32, 32))


def test_a_projection_cgan_trains_and_its_class_vectors_learn():
    config = TrainConfig(batch_size=8, log_every=1)
    options = {"conditioning": "projection"}
    trainer = make_trainer("mnist", config, device="cpu", width=8, n_classes=10, discriminator_options=options)
    before = trainer.D.embed.weight.detach().clone()
    trainer.run(3)
    assert not torch.equal(before, trainer.D.embed.weight)
    assert trainer.sample(4, labels=torch.tensor([0, 1, 2, 9])).shape == (4, 1, 28, 28)
