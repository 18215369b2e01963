"""verify/standard.py and verify/correct.py: the standard forms corrections are built from are true, and a
correction comes out in the document's own symbols."""
import pytest

from symderiv.notation.registry import render
from symderiv.engine.network import NetFlags
from symderiv.notation.parse import parse_fragment
from symderiv.verify import verify, verify_chain
from symderiv.verify.correct import simplified
from symderiv.verify.standard import delta_free, standard_lines

SIGMOID_BCE = NetFlags(depth=3, hidden="tanh", output="sigmoid", loss="bce")
SIGMOID_MSE = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="mse")


@pytest.mark.parametrize("flags", [SIGMOID_BCE, SIGMOID_MSE], ids=["bce", "mse"])
@pytest.mark.parametrize("layer", [1, 2])
def test_delta_spelled_out_equals_the_derived_delta(flags, layer):
    if layer > flags.depth:
        pytest.skip("no such layer")
    assert verify(f"\\delta^{{({layer})}} = {delta_free(layer, flags)}", flags).verdict == "correct"
    entry = delta_free(layer, flags, "i")
    assert verify(f"\\delta^{{({layer})}}_{{i}} = {entry}", flags).verdict == "correct"


def test_delta_spelled_out_keeps_the_output_derivative_only_where_it_does_not_cancel():
    assert "f'" not in delta_free(2, NetFlags(depth=2, output="sigmoid", loss="bce"))
    assert delta_free(2, SIGMOID_MSE) == r"(a^{(2)} - y) \odot f'(z^{(2)})"


@pytest.mark.parametrize("quantity", [
    r"\frac{\partial J}{\partial W^{(2)}}", r"\frac{\partial J}{\partial W^{(1)}_{ij}}",
    r"\frac{\partial J}{\partial b^{(1)}_{i}}", r"\frac{\partial J}{\partial a^{(1)}}",
    r"\frac{\partial z^{(2)}_{j}}{\partial z^{(1)}_{i}}", r"\frac{\partial z^{(2)}_{i}}{\partial W^{(2)}_{pq}}",
    r"\frac{\partial z^{(2)}}{\partial W^{(2)}}", r"a^{(1)}_{j}", r"z^{(2)}", r"\sigma(z)",
])
@pytest.mark.parametrize("batch", [False, True])
def test_every_standard_line_is_true(quantity, batch):
    flags = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="l2", batch=batch)
    lines = standard_lines(parse_fragment(quantity), flags)
    assert lines, quantity
    for lhs, rhs in lines[:1] if quantity.startswith("a") else lines:
        line = f"{lhs or quantity} = {rhs}"
        assert all(v.verdict == "correct" for v in verify_chain(line, flags, batch=batch)), line


def test_a_standard_form_is_not_true_of_a_shifted_quantity():
    """The forms are candidates, never verdicts: at the wrong layer the checker rejects them."""
    flags = NetFlags(depth=3)
    (_, rhs), = standard_lines(parse_fragment(r"\frac{\partial J}{\partial b^{(2)}_{i}}"), flags)
    assert verify(f"\\frac{{\\partial J}}{{\\partial b^{{(1)}}_{{i}}}} = {rhs}", flags).verdict == "incorrect"


def test_simplified_cancels_a_common_factor_and_leaves_other_trees_alone():
    side = parse_fragment(r"\frac{(a - y)(1 - a)}{(1 - a) a} x")
    assert render(simplified(side)) == r"\frac{x \left(a - y\right)}{a}"
    assert simplified(parse_fragment(r"\frac{\partial J}{\partial z^{(1)}}")) is None
    assert simplified(parse_fragment(r"a - y")) is None        # nothing to simplify


def test_a_wrong_line_is_corrected_in_the_readers_symbols():
    """A reader who writes p for the output and beta_j for its weights gets the correction in p and
    beta, checked again under the same readings."""
    flags = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none")
    readings = {"p": "a^{(2)}_{1}", r"\beta_j": "W^{(2)}_{1j}", r"\alpha_j": "a^{(1)}_{j}"}
    text = r"\frac{\partial J}{\partial \beta_j} = \frac{p - y_1}{p (1 - p)} \alpha_j"
    (v,) = verify_chain(text, flags, readings=readings, document_text=text)
    assert v.verdict == "incorrect"
    # the left side is kept as written; the right side is the true value in p, y_1 and alpha_j
    assert v.corrected_latex == r"\frac{\partial J}{\partial \beta_j} = \left(p - y_{1}\right) \alpha_{j}"
    (again,) = verify_chain(v.corrected_latex, flags, readings=readings)
    assert again.verdict == "correct"
