"""A course's own names (issue 24): Ng's accumulator \\Delta^{(l)} and gradient D^{(l)}_{ij} under --convention ng.

In Ng's course, Delta^{(l)} := Delta^{(l)} + delta^{(l+1)} (a^{(l)})^T sums each example's gradient over
i = 1..m, and D^{(l)}_{ij} = (1/m) Delta^{(l)}_{ij} + (lambda/m) Theta^{(l)}_{ij} (j != 0), (1/m) Delta^{(l)}_{i0}
(j = 0) is dJ/dTheta^{(l)}_{ij}. Theta^{(l)} maps layer l to l + 1, so delta^{(l+1)} (a^{(l)})^T is right.
Each wrong version below makes one slip a student makes; none may be called correct.
"""
import pytest

from symderiv.cli import main
from symderiv.engine.network import NetFlags
from symderiv.notation import conventions
from symderiv.verify import verify

ACC = r"\Delta^{(l)} := \Delta^{(l)} + "
D_ij = r"D^{(l)}_{ij} = \frac{1}{m} \Delta^{(l)}_{ij}"
D_i0 = r"D^{(l)}_{i0} = \frac{1}{m} \Delta^{(l)}_{i0}"

RIGHT = [
    ACC + r"\delta^{(l+1)} (a^{(l)})^T",
    r"\Delta^{(l)}_{ij} := \Delta^{(l)}_{ij} + a^{(l)}_j \delta^{(l+1)}_i",          # the lecture's entry form
    r"\Delta^{(1)} := \Delta^{(1)} + \delta^{(2)} (a^{(1)})^T",
    r"\Delta^{(l)} := \delta^{(l+1)} (a^{(l)})^T + \Delta^{(l)}",                  # the term first
    D_ij + r" + \frac{\lambda}{m} \Theta^{(l)}_{ij}",
    D_ij + r" + \frac{\lambda}{m} \Theta^{(l)}_{ij} \text{ if } j \neq 0",
    D_i0,                                                                          # the bias column: no regulariser
    D_ij + r" \text{ if } j = 0",                                                   # the same, as the lecture writes it
    r"D^{(l)} = \frac{1}{m} \Delta^{(l)} + \frac{\lambda}{m} \Theta^{(l)}",
    r"\Theta^{(l)} := \Theta^{(l)} - \alpha D^{(l)}",
]

WRONG = [   # (the line, the slip)
    (ACC + r"\delta^{(l)} (a^{(l)})^T", "layer shift"),
    (ACC + r"\delta^{(l+1)} (a^{(l+1)})^T", "layer shift"),
    (ACC + r"\delta^{(l+1)} a^{(l)}", "missing transpose"),
    (ACC + r"a^{(l)} (\delta^{(l+1)})^T", "transposed"),
    (r"\Delta^{(l)} := \Delta^{(l)} - \delta^{(l+1)} (a^{(l)})^T", "sign"),
    (r"\Delta^{(l)} := \delta^{(l)} (a^{(l)})^T + \Delta^{(l)}", "layer shift"),
    (ACC + r"\frac{1}{m} \delta^{(l+1)} (a^{(l)})^T", "1/m inside the sum"),
    (r"\Delta^{(l)}_{ij} := \Delta^{(l)}_{ij} + a^{(l)}_i \delta^{(l+1)}_j", "index swap"),
    (r"D^{(l)}_{ij} = \Delta^{(l)}_{ij} + \frac{\lambda}{m} \Theta^{(l)}_{ij}", "1/m missing"),
    (D_ij + r" + \lambda \Theta^{(l)}_{ij}", "lambda for lambda/m"),
    (D_ij + r" - \frac{\lambda}{m} \Theta^{(l)}_{ij}", "sign of the regulariser"),
    (D_ij, "regulariser dropped"),
    (D_i0 + r" + \frac{\lambda}{m} \Theta^{(l)}_{i0}", "lambda/m on the bias column"),
    (D_ij + r" + \frac{\lambda}{m} \Theta^{(l)}_{ij} \text{ if } j = 0", "lambda/m on the bias column"),
    (r"D^{(l)}_{ij} = \frac{1}{m} \Delta^{(l+1)}_{ij} + \frac{\lambda}{m} \Theta^{(l)}_{ij}", "layer shift"),
    (r"\Theta^{(l)} := \Theta^{(l)} + \alpha D^{(l)}", "sign"),
]


def ng(latex, **kw):
    return verify(latex, convention="ng", **kw)


@pytest.mark.parametrize("latex", RIGHT)
def test_ngs_accumulator_and_gradient_lines_are_correct_and_say_how_they_were_read(latex):
    v = ng(latex)
    assert v.verdict == "correct", v.reason
    assert "Ng's accumulator" in v.reason or "Ng's gradient" in v.reason
    assert "batch" in v.model                        # sums over the m examples: m = 1 would hide a 1/m
    if "D^" in latex:                                # D is the gradient of J(Theta) with lambda/(2m) sum Theta^2
        assert "regulariser l2" in v.model


@pytest.mark.parametrize("latex,slip", WRONG, ids=[f"{k}-{s}" for k, (_, s) in enumerate(WRONG)])
def test_every_slip_in_ngs_accumulator_or_gradient_is_incorrect(latex, slip):
    assert ng(latex).verdict == "incorrect", slip


def test_a_wrong_accumulator_update_is_diagnosed_and_corrected_in_ngs_numbering():
    v = ng(ACC + r"\delta^{(l)} (a^{(l)})^T")
    assert "layer-shift" in [d.code for d in v.diagnostics]
    assert r"\delta^{(l+1)}" in " ".join(d.message for d in v.diagnostics)          # Ng's layer, not ours
    assert v.corrected_latex == ACC + r"\delta^{(l+1)} \left(a^{(l)}\right)^T"
    assert ng(v.corrected_latex).verdict == "correct"
    signed = ng(r"\Delta^{(l)} := \Delta^{(l)} - \delta^{(l+1)} (a^{(l)})^T")
    assert signed.diagnostics[0].code == "sign" and ng(signed.corrected_latex).verdict == "correct"


def test_the_accumulator_is_refused_on_one_example_where_a_missing_1_over_m_would_hide():
    one = NetFlags(reg="l2")          # m = 1: D = Delta + lambda Theta would hold whatever 1/m it lacks
    for latex in (r"D^{(l)}_{ij} = \Delta^{(l)}_{ij} + \lambda \Theta^{(l)}_{ij}", ACC + r"\frac{1}{m} \delta^{(l+1)} (a^{(l)})^T"):
        assert ng(latex, net_or_flags=one).verdict == "unverifiable"


def test_the_names_select_ngs_convention_and_mean_delta_elsewhere():
    assert conventions.resolve(D_ij + r" + \frac{\lambda}{m} \Theta^{(l)}_{ij}").name == "ng"
    assert conventions.resolve(RIGHT[0]).name == "ng" and verify(RIGHT[0]).verdict == "correct"   # Delta := Delta + ...
    assert verify(D_ij + r" + \frac{\lambda}{m} \Theta^{(l)}_{ij}").verdict == "correct"
    assert verify(r"\Delta^{(L)} = a^{(L)} - y").verdict == "correct"      # the default reads \Delta as delta
    assert verify(r"D^{(2)} = a^{(2)}").verdict == "unverifiable"          # and knows no D


def test_a_derivative_by_the_bias_column_is_the_bias_gradient():
    assert ng(r"\frac{\partial J}{\partial \Theta^{(1)}_{i0}} = \delta^{(2)}_i").verdict == "correct"
    assert ng(r"\frac{\partial J}{\partial \Theta^{(1)}_{i0}} = \delta^{(2)}_i a^{(1)}_1").verdict == "incorrect"


def test_cli_exit_codes(capsys):
    assert main(["verify", "--convention", "ng", RIGHT[0]]) == 0
    assert main(["verify", "--convention", "ng", WRONG[0][0]]) == 1
    assert "Ng's accumulator" in capsys.readouterr().out


def test_the_regulariser_slips_in_d_are_named():
    bias = ng(D_i0 + r" + \frac{\lambda}{m} \Theta^{(l)}_{i0}")
    assert bias.diagnostics[0].code == "regularised-bias" and ng(bias.corrected_latex).verdict == "correct"
    dropped = ng(D_ij)
    assert dropped.diagnostics[0].code == "dropped-regulariser" and ng(dropped.corrected_latex).verdict == "correct"


def test_a_condition_that_fixes_an_index_is_its_value():
    # "if j = 0" sets j: with the bias unit, column 0 is the bias; a letter index counts from 1 and never meets 0
    assert verify(r"\delta^{(L)}_j = a^{(L)}_j - y_j \quad \text{if } j = 1").verdict == "correct"
    assert verify(r"\delta^{(L)}_j = a^{(L)}_j - y_1 \quad \text{if } j = 1").verdict == "correct"
    assert verify(r"\delta^{(L)}_j = a^{(L)}_j - y_1 \quad \text{if } j = 2").verdict == "incorrect"


def test_the_web_reading_lists_the_names_as_written_with_their_meaning():
    from symderiv.web.reading import reading
    rows = {s["name"]: s["role"] for s in reading({"formula": D_ij + r" + \frac{\lambda}{m} \Theta^{(l)}_{ij}"})["symbols"]}
    assert "Ng's gradient" in rows["D_{ij}^{(l)}"] and "Ng's accumulator" in rows[r"\Delta_{ij}^{(l)}"]
    assert not any(name.startswith(r"\frac{\partial") for name in rows)      # not the trees they stand for
