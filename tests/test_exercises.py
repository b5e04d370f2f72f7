"""The exercise package: verdicts, hints, solutions, predictions, CI's copies; then every chapter's exercises,
whose reference solutions must pass and whose plausible wrong answers must be rejected with the mistake named."""

from __future__ import annotations

import nbformat
import pytest
import torch

from ganlib.exercises import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    CodeExercise,
    Mistake,
    Prediction,
    VerdictNotExpected,
    expect_verdicts,
    is_stub,
)
from ganlib.exercises.code import call, close, tensor
from ganlib.exercises.notebook import chapter_exercises, exercise_cells, expecting
from tools.notebooks import notebook_paths


def _sum_checks(function):
    x = torch.tensor([1.0, 2.0, 4.0])
    total = tensor(call(function, x, when="on x = [1, 2, 4]"), (), "your total")
    if close(total, -x.sum()):
        raise Mistake("wrong sign")
    if not close(total, x.sum()):
        raise Mistake("that is not the sum of x")


SUM = CodeExercise(
    "Exercise 0.1, a sum", _sum_checks, ("add them up", "x.sum()"), "def total(x):\n    return x.sum()", "sum"
)


def _stub_with_docstring(x):
    """Return the sum of x."""
    ...


def _stub_raising(x):
    raise NotImplementedError("write total")


@pytest.fixture(autouse=True)
def _no_expectation():
    expect_verdicts(None)
    yield
    expect_verdicts(None)


@pytest.mark.parametrize("answer", [None, ..., _stub_with_docstring, _stub_raising], ids=repr)
def test_an_unanswered_exercise_is_not_attempted_and_raises_nothing(answer):
    assert SUM.check(answer).status == NOT_ATTEMPTED


def test_a_function_with_a_body_is_not_a_stub():
    assert not is_stub(lambda x: x.sum()) and not is_stub(print)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (lambda x: -x.sum(), "wrong sign"),
        (lambda x: x, "shape (3,) but a scalar"),
        (lambda x: 1 / 0, "ZeroDivisionError on x = [1, 2, 4]"),
        (lambda x: "six", "of type str, but a torch tensor"),
        (lambda x: x.sum() * float("nan"), "nan or inf"),
        (3, "a function is expected"),
    ],
)
def test_a_wrong_answer_is_incorrect_with_the_mistake_named_and_no_traceback(answer, named, capsys):
    verdict = SUM.check(answer)
    assert verdict.status == INCORRECT and named in verdict.text
    assert "Traceback" not in capsys.readouterr().out


def test_a_right_answer_is_correct_and_the_check_does_not_print_the_reference(capsys):
    assert SUM.check(lambda x: x.sum()).correct
    SUM.check(lambda x: x.sum() + 1)
    assert "7" not in capsys.readouterr().out


def test_a_readers_in_place_change_does_not_spoil_the_next_case():
    x = torch.ones(3)
    call(lambda t: t.add_(1), x)
    assert torch.equal(x, torch.ones(3))


def test_hints_are_revealed_one_at_a_time_then_stay_on_the_last():
    exercise = CodeExercise("hints", _sum_checks, ("first", "second"), "x", "why")
    assert [str(exercise.hint()).split(": ")[-1] for _ in range(3)] == ["first", "second", "second"]
    assert "1 to 2" in exercise.hint(7).text


def test_the_solution_shows_its_code_and_its_reason():
    shown = str(SUM.solution())
    assert "return x.sum()" in shown and "sum" in shown


def test_a_note_is_shown_once_even_when_displayed_again_as_the_cells_value(monkeypatch):
    shown = []

    def display(obj, raw=False):  # as IPython's display: an object that can show itself is asked to
        return obj._ipython_display_() if hasattr(obj, "_ipython_display_") else shown.append(obj)

    monkeypatch.setattr("ganlib.exercises.core.display", display)
    verdict = SUM.check(lambda x: x.sum())
    verdict._ipython_display_()  # what IPython does when the verdict is the cell's last expression
    assert len(shown) == 1


def test_ci_expectation_fails_the_run_on_another_verdict_and_passes_on_the_expected_one():
    expect_verdicts(CORRECT)
    assert SUM.check(lambda x: x.sum()).correct
    with pytest.raises(VerdictNotExpected, match="wrong sign"):
        SUM.check(lambda x: -x.sum())
    expect_verdicts(NOT_ATTEMPTED)
    with pytest.raises(VerdictNotExpected):
        SUM.check(lambda x: x.sum())
    with pytest.raises(ValueError, match="status='right'"):
        expect_verdicts("right")


def _choice():
    return Prediction(
        "Prediction 0.1, up or down",
        explain=lambda change: f"the run measured a change of {change:+.2f}",
        options=("down", "up"),
        edges=(0.0,),
        hints=("think",),
        solution='prediction = "up"',
        reason="because",
    )


def test_a_prediction_is_judged_by_the_measured_number_not_a_fixed_answer():
    question = _choice()
    question.predict("Up")
    assert question.check(0.3).correct
    assert question.check(-0.3).status == INCORRECT


@pytest.mark.parametrize("answer", [..., None, "sideways", 3])
def test_a_missing_or_malformed_prediction_records_nothing_and_its_check_is_not_attempted(answer):
    question = _choice()
    question.predict("up")
    question.predict(answer)  # a later answer replaces the earlier one, even when it is not valid
    assert question.check(0.3).status == NOT_ATTEMPTED


def test_a_numeric_prediction_is_correct_within_its_tolerance():
    question = Prediction("p", explain=str, hints=("h",), solution="prediction = 0.5", reason="r", within=0.05)
    question.predict(0.52)
    assert question.check(0.5).correct and not question.check(0.6).correct
    with pytest.raises(ValueError, match="within"):
        Prediction("p", explain=str, hints=("h",), solution="", reason="")
    with pytest.raises(ValueError, match="edges"):
        Prediction("p", explain=str, hints=("h",), solution="", reason="", options=("a", "b"), edges=(1.0, 2.0))


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def test_the_solved_copy_replaces_the_readers_lines_with_the_solution_and_keeps_the_check():
    nb = _notebook(
        ("from ganlib.exercises import ch01 as ex", []),
        ("def value_function(d_real, d_fake):\n    ...\nex.value_function.check(value_function)", ["exercise"]),
    )
    from ganlib.exercises import ch01

    solved = expecting(nb, CORRECT, solved=True)
    assert solved.cells[0].source.endswith("expect_verdicts('correct')")
    assert solved.cells[2].source == ch01.value_function.solution_code + "\nex.value_function.check(value_function)"
    untouched = expecting(nb, NOT_ATTEMPTED, solved=False)
    assert untouched.cells[2].source == nb.cells[1].source and "not attempted" in untouched.cells[0].source


def test_an_exercise_cell_that_names_no_exercise_is_refused():
    nb = _notebook(("from ganlib.exercises import ch01 as ex", []), ("ex.no_such_thing.check(1)", ["exercise"]))
    with pytest.raises(ValueError, match="cell 1 is tagged 'exercise'"):
        exercise_cells(nb)


# ---- every chapter's exercises: the solution passes, plausible wrong answers are rejected with the mistake named

NAMESPACE = {"torch": torch}  # what every notebook with exercises has imported; a solution imports the rest
EXERCISES = {name: exercise for _, name, exercise in chapter_exercises()}


def _of_kind(kind):
    return [pytest.param(e, id=f"{c}.{n}") for c, n, e in chapter_exercises() if isinstance(e, kind)]


def _defined(source):
    """The function a cell of code defines (the last one), or the variable `prediction` it sets."""
    namespace = dict(NAMESPACE)
    exec(source, namespace)
    functions = [v for k, v in namespace.items() if k not in NAMESPACE and callable(v) and not k.startswith("__")]
    return namespace.get("prediction", functions[-1] if functions else None)


@pytest.mark.parametrize("exercise", _of_kind(CodeExercise))
def test_every_code_exercises_solution_passes_its_check(exercise):
    assert exercise.check(_defined(exercise.solution_code)).correct


def _algorithm_1(
    loop="for _ in range(k):",
    d_fake="G(noise_batch()).detach()",
    zero_d="opt_d.zero_grad()",
    g_loss="F.softplus(-D(G(noise_batch()))).mean()",
    zero_g="opt_g.zero_grad()",
    g_step="opt_g.step()",
):
    """A reader's Algorithm 1 with one line changed."""
    return f"""
def answer(G, D, opt_d, opt_g, real_batch, noise_batch, k):
    {loop}
        fake = {d_fake}
        loss_d = F.softplus(-D(real_batch())).mean() + F.softplus(D(fake)).mean()
        {zero_d}
        loss_d.backward()
        opt_d.step()
    loss_g = {g_loss}
    {zero_g}
    loss_g.backward()
    {g_step}
"""


WRONG = {
    "value_function": [
        ("-(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())", "wrong sign"),
        ("torch.log(d_real).sum() + torch.log(1 - d_fake).sum()", "grows with the batch"),
        ("torch.log(d_real).mean() + torch.log(d_fake).mean()", "log(1 - D(G(z)))"),
        ("torch.cat([torch.log(d_real), torch.log(1 - d_fake)]).mean()", "each over its own batch"),
        ("torch.log(d_real) + torch.log(1 - d_fake)", "raised RuntimeError"),
        ("torch.log(d_real).squeeze(1) + torch.log(1 - d_fake).mean()", "shape (32,) but a scalar"),
        ("d_real.mean() + (1 - d_fake).mean()", "logarithms are missing"),
    ],
    "optimal_discriminator": [
        ("p_g / (p_data + p_g)", "inverted"),
        ("p_data / p_g", "leaves [0, 1]"),
        ("p_data / (p_data + p_g)", "nan (0/0)"),
        ("(p_data / (p_data + p_g)).nan_to_num(0.5).mean()", "shape () but shape (7,)"),
        ("torch.where(p_data + p_g > 0, p_data / (p_data + p_g + 1e-3), 0.5)", "wrong where p_data = 0.8"),
    ],
    "count_modes": [
        (
            "def answer(samples, centres, std):\n"
            "    nearest = torch.cdist(samples, centres).argmin(dim=1)\n"
            "    high_quality = torch.cdist(samples, centres).min(dim=1).values < 3 * std\n"
            "    return nearest.unique().numel(), high_quality.float().mean().item()",
            "only high-quality samples",
        ),
        (
            "def answer(samples, centres, std):\n"
            "    distance, nearest = torch.cdist(samples, centres).min(dim=1)\n"
            "    return nearest[distance < 3].unique().numel(), (distance < 3).float().mean().item()",
            "3 * std, not 3",
        ),
        (
            "def answer(samples, centres, std):\n"
            "    distance, nearest = (torch.cdist(samples, centres) / std).min(dim=1)\n"
            "    return nearest[distance < 3].unique().numel(), int((distance < 3).sum())",
            "return their share",
        ),
        (
            "def answer(samples, centres, std):\n"
            "    distance, nearest = (torch.cdist(samples, centres) / std).min(dim=1)\n"
            "    return len(nearest[distance < 3]), (distance < 3).float().mean()",
            "counted high-quality samples, not modes",
        ),
    ],
    "minibatch_std": [
        ("torch.cat([h, h.std(dim=1, unbiased=False).mean().expand(len(h), 1)], dim=1)", "over the batch (dim=0)"),
        ("torch.cat([h, h.std(dim=0).mean().expand(len(h), 1)], dim=1)", "unbiased estimate"),
        (
            "torch.cat([h, h.var(dim=0, unbiased=False).sqrt().mean().expand(len(h), 1)], dim=1)",
            "add 1e-8 under the root",
        ),
        ("torch.cat([h, h.std(dim=0, unbiased=False).mean().item() + 0 * h[:, :1]], dim=1)", "cut off from the graph"),
        (
            "torch.cat([h, (h.var(dim=0, unbiased=False) + 1e-8).sqrt().mean().detach().expand(len(h), 1)], 1)",
            "cut off",
        ),
        ("h.std(dim=0, unbiased=False).mean().expand(len(h), 1)", "shape (128, 1) but shape (128, 17)"),
        ("torch.cat([h, h.std(unbiased=False).expand(len(h), 1)], dim=1)", "over all entries"),
        ("torch.cat([h, h.std(dim=1, keepdim=True)], dim=1)", "differs from sample to sample"),
    ],
    "k_plus_one_loss": [
        (
            "def answer(logits_real, logits_fake):\n"
            "    d_real = logits_real.exp().sum(1) / (logits_real.exp().sum(1) + 1)\n"
            "    d_fake = logits_fake.exp().sum(1) / (logits_fake.exp().sum(1) + 1)\n"
            "    return -d_real.log().mean() - (1 - d_fake).log().mean()",
            "exp overflows",
        ),
        (
            "-logits_real.logsumexp(1).mean() + torch.nn.functional.softplus(logits_fake.logsumexp(1)).mean()",
            "-log D(x) is -log Z",
        ),
        (
            "def answer(logits_real, logits_fake):\n"
            "    sp = torch.nn.functional.softplus\n"
            "    lse_r, lse_f = logits_real.max(1).values, logits_fake.max(1).values\n"
            "    return (-lse_r + sp(lse_r)).mean() + sp(lse_f).mean()",
            "logsumexp of the ten digit logits",
        ),
        (
            "def answer(logits_real, logits_fake):\n"
            "    sp = torch.nn.functional.softplus\n"
            "    lse_r, lse_f = logits_fake.logsumexp(1), logits_real.logsumexp(1)\n"
            "    return (-lse_r + sp(lse_r)).mean() + sp(lse_f).mean()",
            "swapped",
        ),
        (
            "def answer(logits_real, logits_fake):\n"
            "    sp = torch.nn.functional.softplus\n"
            "    lse_r, lse_f = logits_real.logsumexp(1), logits_fake.logsumexp(1)\n"
            "    return (-lse_r + sp(lse_r)) + sp(lse_f)",
            "raised RuntimeError",
        ),
    ],
    "feature_matching": [
        ("(real_features.mean(0) - fake_features.mean(0)).square().mean()", "keeps gradients into D"),
        ("(real_features.detach() - fake_features).square().mean()", "pair by pair"),
        ("-(real_features.detach().mean(0) - fake_features.mean(0)).square().sum()", "wrong sign"),
        ("(real_features.detach().mean(0) - fake_features.mean(0)).abs().mean()", "not the squared distance"),
        ("(real_features.detach().mean(0) - fake_features.mean(0)).square()", "shape (250,) but a scalar"),
        ("(real_features.mean(0) - fake_features.mean(0)).square().mean().detach()", "no gradient reaches"),
    ],
    "jensen_shannon": [
        ("(p / p.sum() * (p / p.sum() / (q / q.sum())).log()).sum()", "log of 0"),
        (
            "def answer(p, q):\n"
            "    p, q = p / p.sum(), q / q.sum()\n"
            "    m = (p + q) / 2\n"
            "    kl = lambda a: (a[a > 0] * (a[a > 0] / m[a > 0]).log2()).sum()\n"
            "    return kl(p) / 2 + kl(q) / 2",
            "in bits",
        ),
        (
            "def answer(p, q):\n"
            "    p, q = p / p.sum(), q / q.sum()\n"
            "    m, keep = (p + q) / 2, p > 0\n"
            "    return (p[keep] * (p[keep] / m[keep]).log()).sum()",
            "only KL(p || m)",
        ),
        (
            "def answer(p, q):\n"
            "    m = (p + q) / 2\n"
            "    kl = lambda a: (a[a > 0] * (a[a > 0] / m[a > 0]).log()).sum()\n"
            "    return kl(p) / 2 + kl(q) / 2",
            "normalise each histogram",
        ),
    ],
    "arrows": [
        (
            "def answer(D, x):\n"
            "    x = x.detach().clone().requires_grad_(True)\n"
            "    return torch.autograd.grad(F.softplus(-D(x)).sum(), x)[0]",
            "wrong sign",
        ),
        (
            "def answer(D, x):\n"
            "    x = x.detach().clone().requires_grad_(True)\n"
            "    return -torch.autograd.grad(F.softplus(-D(x)).mean(), x)[0]",
            "24 times too short",
        ),
        (
            "def answer(D, x):\n"
            "    x = x.detach().clone().requires_grad_(True)\n"
            "    return -torch.autograd.grad(-F.softplus(D(x)).sum(), x)[0]",
            "saturating loss",
        ),
        (
            "def answer(D, x):\n"
            "    x = x.detach().clone().requires_grad_(True)\n"
            "    F.softplus(-D(x)).sum().backward()\n"
            "    return -x.grad",
            "left gradients in D's weights",
        ),
    ],
    "discriminator_loss": [
        ("F.softplus(-fake_logits).mean() + F.softplus(real_logits).mean()", "swapped"),
        ("-(F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean())", "wrong sign"),
        ("F.softplus(-real_logits).sum() + F.softplus(fake_logits).sum()", "grows with the batch"),
        ("F.softplus(-real_logits).mean() + F.softplus(-fake_logits).mean()", "rewards D for calling fakes real"),
        ("-torch.sigmoid(real_logits).log().mean() - (1 - torch.sigmoid(fake_logits)).log().mean()", "softplus"),
    ],
    "generator_loss": [
        ("-F.softplus(fake_logits).mean()", "saturating loss"),
        ("-F.softplus(-fake_logits).mean()", "wrong sign"),
        ("F.softplus(fake_logits).mean()", "D's term for the fakes"),
        ("F.softplus(-fake_logits)", "shape (64,) but a scalar"),
        ("-torch.sigmoid(fake_logits).log().mean()", "inf when D rejects the fakes"),
    ],
    "algorithm_1": [
        (_algorithm_1("for _ in range(k + 1):"), "D took 3 steps on 3 real batches"),
        (_algorithm_1(g_loss="-F.softplus(D(G(noise_batch()))).mean()"), "saturating loss"),
        (_algorithm_1(d_fake="G(noise_batch())", zero_g=""), "keeps gradients into G"),
        (_algorithm_1(g_loss="F.softplus(-D(G(noise_batch()).detach())).mean()"), "G did not move"),
        (_algorithm_1(zero_d=""), "accumulate over its k steps"),
        (_algorithm_1(g_loss="F.softplus(-D(fake)).mean()"), "noise batches"),
        (_algorithm_1(g_step="opt_g.step()\n    opt_d.step()"), "D took 3 steps on 2 real batches"),
    ],
    "knn_precision": [
        (
            "torch.cdist(fake, real).le(torch.cdist(real, real).topk(k, dim=1, largest=False).values[:, k - 1])"
            ".any(dim=1).double().mean()",
            "its own nearest neighbour",
        ),
        (
            "torch.cdist(fake, real).le(torch.cdist(real, real).topk(k + 2, dim=1, largest=False).values[:, k + 1])"
            ".any(dim=1).double().mean()",
            "(k + 1)-th neighbour",
        ),
        (
            "def answer(real, fake, k):\n"
            "    radii = torch.cdist(real, real).topk(k + 1, dim=1, largest=False).values[:, k]\n"
            "    distance, nearest = torch.cdist(fake, real).min(dim=1)\n"
            "    return (distance <= radii[nearest]).double().mean()",
            "only the nearest real sample's ball",
        ),
        (
            "torch.cdist(real, fake).le(torch.cdist(fake, fake).topk(k + 1, dim=1, largest=False).values[:, k])"
            ".any(dim=1).double().mean()",
            "that is recall",
        ),
        (
            "torch.cdist(fake, real).lt(torch.cdist(real, real).topk(k + 1, dim=1, largest=False).values[:, k])"
            ".any(dim=1).double().mean()",
            "exactly on a ball's rim",
        ),
    ],
    "spherical_path": [
        ("(1 - t[:, None]) * z0 + t[:, None] * z1", "straight line"),
        (
            "def answer(z0, z1, t):\n"
            "    t, omega = t[:, None], torch.arccos(torch.dot(z0, z1))\n"
            "    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)",
            "unit",
        ),
        (
            "def answer(z0, z1, t):\n"
            "    t, omega = t[:, None], torch.arccos(torch.dot(z0 / z0.norm(), z1 / z1.norm()))\n"
            "    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)",
            "parallel",
        ),
        (
            "def answer(z0, z1, t):\n"
            "    t, omega = t[:, None], torch.arccos(torch.dot(z0 / z0.norm(), z1 / z1.norm()))\n"
            "    return (torch.sin(t * omega) * z0 + torch.sin((1 - t) * omega) * z1) / torch.sin(omega)",
            "reversed",
        ),
    ],
    "label_channels": [
        (
            "torch.cat([F.one_hot(y, n_classes)[:, :, None, None].expand(-1, -1, 28, 28).to(x.dtype), x], 1)",
            "channel 0",
        ),
        ("torch.cat([x, y[:, None, None, None].expand(-1, 1, 28, 28).to(x.dtype)], dim=1)", "2 channels"),
        ("torch.cat([x, torch.ones(len(x), n_classes, 28, 28)], dim=1)", "every label channel is all ones"),
        ("torch.cat([x, F.one_hot(y, n_classes)[:, :, None, None].to(x.dtype)], dim=1)", "raised RuntimeError"),
    ],
    "projection_score": [
        ("(V[y] * phi).sum(dim=1)", "unconditional term"),
        ("psi + (phi @ V.T).sum(dim=1)", "every class's vector"),
        ("psi + (V[y] * phi).sum()", "over the whole batch"),
        ("(psi + (V[y] * phi).sum(dim=1)).mean()", "shape () but shape (6,)"),
        ("psi - (V[y] * phi).sum(dim=1)", "wrong sign"),
    ],
    "reparameterise": [
        ("mu + logvar.exp() * eps", "the variance exp(logvar)"),
        ("mu + logvar.sqrt() * eps", "nan"),
        ("mu + logvar * eps", "log of the variance"),
        ("mu + (0.5 * logvar).exp() * torch.randn_like(mu)", "with the eps given"),
        ("(mu + (0.5 * logvar).exp() * eps).detach()", "no gradient reaches"),
    ],
    "kl_term": [
        ("-0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)", "wrong sign"),
        ("0.5 * (mu**2 + logvar.exp() - 1 - logvar).mean(dim=1)", "averaged over the 4 latent dimensions"),
        ("0.5 * (mu**2 + logvar.exp() - logvar).sum(dim=1)", "-1 inside the sum is missing"),
        ("0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum()", "shape () but shape (8,)"),
    ],
}
ARGUMENTS = {
    "value_function": "d_real, d_fake",
    "optimal_discriminator": "p_data, p_g",
    "count_modes": "samples, centres, std",
    "minibatch_std": "h",
    "k_plus_one_loss": "logits_real, logits_fake",
    "feature_matching": "real_features, fake_features",
    "discriminator_loss": "real_logits, fake_logits",
    "jensen_shannon": "p, q",
    "arrows": "D, x",
    "generator_loss": "fake_logits",
    "knn_precision": "real, fake, k",
    "spherical_path": "z0, z1, t",
    "label_channels": "x, y, n_classes",
    "projection_score": "phi, psi, V, y",
    "reparameterise": "mu, logvar, eps",
    "kl_term": "mu, logvar",
}


@pytest.mark.parametrize(
    ("name", "body", "named"), [(name, body, named) for name, cases in WRONG.items() for body, named in cases]
)
def test_a_plausible_wrong_answer_is_rejected_with_its_mistake_named(name, body, named):
    exercise = EXERCISES[name]
    source = body if "def " in body else f"def answer({ARGUMENTS[name]}):\n    return {body}"
    verdict = exercise.check(_defined("from torch.nn import functional as F\n" + source))
    assert verdict.status == INCORRECT and named in verdict.text, verdict.text


def test_every_code_exercise_has_at_least_two_wrong_answers_tested():
    names = {n for _, n, e in chapter_exercises() if isinstance(e, CodeExercise)}
    assert names <= set(WRONG) and all(len(WRONG[n]) >= 2 for n in names)
    assert len(EXERCISES) == len(list(chapter_exercises())), "two chapters use one exercise name"


@pytest.mark.parametrize("question", _of_kind(Prediction))
def test_every_predictions_solution_is_a_valid_answer(question):
    assert question.predict(_defined(question.solution_code)) and question.prediction is not None


# ---- the notebooks: every exercise placed once, where it is taught; predictions checked after they are made


def _chapter_notebooks():
    chapters = sorted({c for c, _, _ in chapter_exercises()})
    return [pytest.param(c, p, id=p.name) for c in chapters for p in notebook_paths() if p.name[:2] == c[2:]]


@pytest.mark.parametrize(("chapter", "path"), _chapter_notebooks())
def test_a_chapter_places_each_of_its_exercises_once_3_to_6_with_2_code_and_1_prediction(chapter, path):
    placed = [cell.exercise for cell in exercise_cells(nbformat.read(path, as_version=4))]
    mine = [e for c, _, e in chapter_exercises() if c == chapter]
    assert sorted(map(id, placed)) == sorted(map(id, mine)), f"{path.name} must place every exercise of {chapter} once"
    assert 3 <= len(mine) <= 6
    assert sum(isinstance(e, CodeExercise) for e in mine) >= 2 and any(isinstance(e, Prediction) for e in mine)


@pytest.mark.parametrize(("chapter", "path"), _chapter_notebooks())
def test_each_prediction_is_checked_in_a_later_cell_against_what_the_notebook_computes(chapter, path):
    nb = nbformat.read(path, as_version=4)
    for cell in exercise_cells(nb):
        if isinstance(cell.exercise, Prediction):
            name = cell.check_line.split(".")[1]
            later = [c.source for c in nb.cells[cell.index + 1 :] if c.cell_type == "code"]
            assert any(f".{name}.check(" in source for source in later), f"{name} is predicted but never checked"


@pytest.mark.parametrize(("chapter", "path"), _chapter_notebooks())
def test_a_chapter_ends_with_5_to_8_review_questions_whose_answers_are_collapsed(chapter, path):
    nb = nbformat.read(path, as_version=4)
    review = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Review")]
    assert len(review) == 1
    questions = review[0].count("<details>")
    assert 5 <= questions <= 8 and questions == review[0].count("</details>")


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_every_exercise_cell_of_every_notebook_resolves_for_cis_two_copies(path):
    nb = nbformat.read(path, as_version=4)
    solved = expecting(nb, CORRECT, solved=True)
    for cell in exercise_cells(nb):
        assert solved.cells[cell.index + 1].source.startswith(cell.exercise.solution_code)


@pytest.mark.parametrize(("chapter", "path"), _chapter_notebooks())
def test_the_notebooks_stubs_as_committed_are_not_attempted(chapter, path):
    nb = nbformat.read(path, as_version=4)
    for cell in exercise_cells(nb):
        stub = nb.cells[cell.index].source.rstrip().rsplit("\n", 1)[0]
        answer = _defined(stub)
        if isinstance(cell.exercise, Prediction):
            cell.exercise.predict(answer)
            assert cell.exercise.prediction is None
        else:
            assert cell.exercise.check(answer).status == NOT_ATTEMPTED
