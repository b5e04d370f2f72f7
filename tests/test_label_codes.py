"""Learned label codes: a class's code is its label's plus its own, and the networks that take them."""

import pytest
import torch

from ganlib.clusters import clustered_trainer
from ganlib.config import TrainConfig
from ganlib.label_codes import LabelCode
from ganlib.nets import DCGANDiscriminator, DCGANGenerator


def test_a_code_is_the_sum_of_its_labels_code_and_its_own():
    code = LabelCode(n_classes=6, code_dim=4, styles=3)  # labels 0 and 1, three styles each
    y = torch.arange(6)
    torch.testing.assert_close(code(y), code.label.weight[[0, 0, 0, 1, 1, 1]] + code.own.weight[y])


def test_changing_a_labels_code_moves_the_codes_of_its_styles_and_no_others():
    code = LabelCode(n_classes=6, code_dim=4, styles=3)
    before = code(torch.arange(6)).detach()
    with torch.no_grad():
        code.label.weight[1] += 1.0
    moved = (code(torch.arange(6)).detach() - before).abs().sum(dim=1) > 0
    assert moved.tolist() == [False, False, False, True, True, True]


def test_coded_networks_are_a_fraction_of_the_one_hot_ones_at_many_classes():
    def size(module):
        return sum(p.numel() for p in module.parameters())

    one_hot = size(DCGANGenerator(64, 16, n_classes=1200)) + size(
        DCGANDiscriminator(16, n_classes=1200, conditioning="projection")
    )
    coded = size(DCGANGenerator(64, 16, n_classes=1200, code_dim=32, styles=120)) + size(
        DCGANDiscriminator(16, n_classes=1200, conditioning="projection", code_dim=32, styles=120)
    )
    assert coded < one_hot / 5


def test_coded_projection_discriminator_projects_the_mapped_code_onto_the_features():
    D = DCGANDiscriminator(8, n_classes=6, conditioning="projection", code_dim=4, styles=3).eval()
    x, y = torch.randn(5, 1, 28, 28), torch.tensor([0, 2, 3, 5, 1])
    phi = D.net[:-1](x)
    vectors = D.embed[1](D.embed[0](y))  # code, then the shared layer to phi's length
    torch.testing.assert_close(D(x, y), D.net[-1](phi).flatten() + (vectors * phi.flatten(1)).sum(dim=1))


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: LabelCode(6, 4, styles=4), "styles"),  # 4 does not divide 6
        (lambda: LabelCode(6, 0), "code_dim"),
        (lambda: DCGANGenerator(4, 8, n_classes=6, code_dim=-1), "code_dim"),
        (lambda: DCGANGenerator(4, 8, n_classes=0, code_dim=4), "code_dim"),  # unconditional: no labels to code
        (lambda: DCGANGenerator(4, 8, n_classes=6, styles=3), "styles"),  # styles without codes
        (lambda: DCGANGenerator(4, 8, n_classes=6, code_dim=4, styles=True), "styles"),
        (lambda: DCGANDiscriminator(8, n_classes=6, code_dim=4), "code_dim"),  # concat takes no codes
    ],
)
def test_bad_code_settings_are_refused_by_name(make, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        make()


def test_a_clustered_gan_with_codes_trains_and_its_label_codes_learn():
    images = torch.rand(60, 1, 28, 28) * 2 - 1
    labels = torch.arange(60) % 2
    gan = clustered_trainer(
        images, TrainConfig(batch_size=8, log_every=1), 3, "cpu", width=8, labels=labels, code_dim=4
    )
    assert gan.trainer.G.code.styles == 3 and gan.trainer.n_classes == 6
    before = gan.trainer.G.code.label.weight.detach().clone()
    gan.trainer.run(3)
    assert not torch.equal(before, gan.trainer.G.code.label.weight)
    assert gan.sample(4, labels=torch.tensor([0, 1, 1, 0])).shape == (4, 1, 28, 28)
