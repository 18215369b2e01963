"""Products read by their factors' types (notation/operators.py): juxtaposition, \\cdot, \\times, * and \\ast
are the product the shapes allow; \\odot, \\circ and .* are always element-wise; the reading is stated."""
import numpy as np
import pytest

from symderiv.engine.network import NetFlags
from symderiv.notation import conventions
from symderiv.notation.operators import ShapeError, Unevaluable, product, rearranged_product, typed_products
from symderiv.notation.tree import Num, Op
from symderiv.verify import verify

COL, ROW, W = np.arange(1.0, 4.0).reshape(3, 1), np.ones((1, 3)), np.arange(12.0).reshape(4, 3)


def node(op, style):
    return Op(op, (Num(1), Num(1)), style=style)


@pytest.mark.parametrize("style", ["", r"\cdot", r"\times"])
def test_a_matrix_product_of_two_columns_is_read_element_wise_and_recorded(style):
    n = node("mm", style)
    with typed_products() as typed:
        value = product("mm")(n, COL, 2 * COL)
    np.testing.assert_array_equal(value, 2 * COL ** 2)
    assert typed[id(n)][1:] == ("had", "3×1", "3×1")


def test_a_product_the_written_shapes_allow_is_read_as_written():
    n = node("mm", r"\cdot")
    with typed_products() as typed:
        np.testing.assert_array_equal(product("mm")(n, ROW, COL), [[6.0]])
    assert typed == {}


def test_star_between_a_matrix_and_a_column_is_a_matrix_product():
    n = node("had", "*")
    with typed_products() as typed:
        np.testing.assert_array_equal(product("had")(n, W, COL), W @ COL)
    assert typed[id(n)][1] == "mm"


@pytest.mark.parametrize("style", [r"\odot", r"\circ", ".*"])
def test_an_explicit_hadamard_is_never_reread(style):
    with pytest.raises(ShapeError, match="Hadamard product of 4×3 and 3×1"):
        product("had")(node("had", style), W, COL)


def test_when_neither_product_fits_the_written_ones_error_is_shown():
    with pytest.raises(ShapeError, match="matrix product of 4×3 and 2×2"):
        product("mm")(node("mm", ""), W, np.ones((2, 2)))


MSE = NetFlags(loss="mse")
DELTA_L = r"\delta^{(L)} = (a^{(L)} - y)"
DELTA_l = r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)}"


@pytest.mark.parametrize("latex", [
    DELTA_L + r"\, a^{(L)}(1-a^{(L)})",
    DELTA_L + r" \cdot a^{(L)} \cdot (1-a^{(L)})",
    DELTA_L + r" \times \sigma'(z^{(L)})",
    DELTA_l + r" \cdot \sigma(z^{(l)})\cdot(1-\sigma(z^{(l)}))",
    DELTA_l + r" \sigma'(z^{(l)})",
    r"\delta^{(l)} = (W^{(l+1)})^T * \delta^{(l+1)} * \sigma'(z^{(l)})",
])
def test_products_written_ambiguously_are_read_by_type_and_correct(latex):
    v = verify(latex, MSE)
    assert v.verdict == "correct", v.reason
    assert v.reason.startswith("read: the product by")


@pytest.mark.parametrize("latex", [
    DELTA_L + r"\, a^{(L)}(1+a^{(L)})",                                # sign
    r"\delta^{(L)} = 2 (a^{(L)} - y)\, a^{(L)}(1-a^{(L)})",             # scale
    DELTA_L + r"\, (1-a^{(L)})",                                       # dropped factor
    r"\delta^{(L)} = (a^{(L)} - y)\, a^{(L-1)}(1-a^{(L)})",              # layer shift
    r"\delta^{(l)} = W^{(l+1)} \delta^{(l+1)} \cdot \sigma'(z^{(l)})",  # transpose lost
    r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \cdot \sigma'(z^{(l)})",  # layer shift
    r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \cdot \sigma(z^{(l)})",  # dropped factor
    r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} \cdot a^{(l-1)}",  # no outer product
    r"\frac{\partial J}{\partial b^{(l)}} = \delta^{(l)} \cdot \sigma'(z^{(l)})",  # an extra factor
])
def test_perturbed_products_read_by_type_stay_incorrect(latex):
    assert verify(latex, MSE).verdict == "incorrect"


@pytest.mark.parametrize("convention, latex", [
    ("nielsen", r"\delta^L = \nabla_a C \sigma'(z^L)"),
    ("ng", r"\delta^{(2)} = (\Theta^{(2)})^T \delta^{(3)} g'(z^{(2)})"),
    ("d2l", r"\frac{\partial J}{\partial \mathbf{z}} = \frac{\partial J}{\partial \mathbf{h}} \phi'\left(\mathbf{z}\right)"),
])
def test_textbook_lines_written_with_juxtaposition_are_read_as_their_authors_mean(convention, latex):
    conv = conventions.CONVENTIONS[convention]
    v = verify(latex, conv.model(latex), convention=convention, fit_depth=True)
    assert v.verdict == "correct" and "is element-wise" in v.reason


GRAD, JAC = r"\frac{\partial J}{\partial z^{(2)}}", r"\frac{\partial z^{(2)}}{\partial a^{(1)}}"


@pytest.mark.parametrize("rhs", [GRAD + r" \cdot " + JAC, GRAD + " " + JAC, "(a^{(2)} - y) " + JAC])
def test_a_gradient_times_a_jacobian_is_the_chain_rule(rhs):
    v = verify(r"\frac{\partial J}{\partial a^{(1)}} = " + rhs)
    assert v.verdict == "correct" and "is the chain rule" in v.reason


@pytest.mark.parametrize("rhs", [
    GRAD + r" \cdot W^{(2)}",                                   # a weight matrix is not read as a Jacobian
    JAC + " " + GRAD,                                           # the Jacobian first, untransposed
    r"\frac{\partial J}{\partial a^{(2)}} " + JAC,               # a dropped activation derivative
    r"-" + GRAD + " " + JAC,                                    # sign
    GRAD + r" \frac{\partial z^{(2)}}{\partial a^{(2)}}",        # not a chain at all
])
def test_broken_chains_stay_incorrect_or_unverifiable(rhs):
    assert verify(r"\frac{\partial J}{\partial a^{(1)}} = " + rhs).verdict != "correct"


def test_a_column_times_a_jacobian_is_contracted_only_for_a_derivative_node():
    g, jac = np.ones((3, 1)), np.arange(6.0).reshape(3, 2)
    with pytest.raises(ShapeError):
        product("mm")(Op("mm", (Num(1), Num(1)), style=""), g, jac)


D2L_GRAD = r"\frac{\partial J}{\partial z^{(2)}}"


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial J}{\partial a^{(1)}} = \text{prod}(" + D2L_GRAD + r", W^{(2)})", "correct"),   # W^T g
    (r"\frac{\partial J}{\partial a^{(1)}} = \text{prod}(" + D2L_GRAD + ", " + JAC + ")", "correct"),
    (r"\frac{\partial J}{\partial z^{(1)}} = \text{prod}(\frac{\partial J}{\partial a^{(1)}}, \sigma'(z^{(1)}))",
     "correct"),                                                                                    # element-wise
    (r"\frac{\partial J}{\partial a^{(1)}} = \text{prod}(" + D2L_GRAD + r", W^{(1)})", "incorrect"),  # layer shift
    (r"\frac{\partial J}{\partial a^{(1)}} = -\text{prod}(" + D2L_GRAD + r", W^{(2)})", "incorrect"),  # sign
    (r"\frac{\partial J}{\partial z^{(1)}} = \text{prod}(\frac{\partial J}{\partial a^{(1)}}, \sigma(z^{(1)}))",
     "incorrect"),                                                                                  # dropped '
])
def test_d2l_prod_is_the_product_the_shapes_allow_after_transposing_or_swapping(claim, verdict):
    v = verify(claim)
    assert v.verdict == verdict, v.reason


def test_prod_that_fits_two_different_products_is_unverifiable_not_a_guess():
    prod = Op("prod", (Num(1), Num(1)))
    u, v = np.ones((3, 1)), np.arange(2.0).reshape(1, 2)   # u v fits as written
    assert rearranged_product(prod, u, v).shape == (3, 2)
    g, w = np.arange(3.0).reshape(3, 1), np.arange(12.0).reshape(3, 4)   # w^T g, or its row g^T w: one reading
    np.testing.assert_array_equal(rearranged_product(prod, g, w), w.T @ g)
    a, b = np.arange(6.0).reshape(2, 3), np.array([[1.0, 2.0], [3.0, 4.0]])   # B^T A and B A: both 2×3, differ
    with pytest.raises(Unevaluable, match="fits several products"):
        rearranged_product(prod, a, b)


OUTER = r"(\delta^{(1)} (\delta^{(1)})^T)"


def test_a_product_of_two_squares_whose_verdict_depends_on_the_reading_is_unverifiable():
    # d d^T d d^T = (d^T d) d d^T as matrices; element-wise it is not: the text does not say which
    v = verify(OUTER + " " + OUTER + r" = (\delta^{(1)})^T \delta^{(1)} \, \delta^{(1)} (\delta^{(1)})^T")
    assert v.verdict == "unverifiable" and "fits a matrix and an element-wise product alike" in v.reason
    # written with \odot there is one reading, and it is wrong
    assert verify(OUTER + r" \odot " + OUTER + r" = (\delta^{(1)})^T \delta^{(1)} \, \delta^{(1)} "
                  r"(\delta^{(1)})^T").verdict == "incorrect"


def test_a_product_of_two_squares_keeps_its_verdict_when_both_readings_agree():
    symmetric = OUTER + " " + OUTER + " = " + OUTER + " " + OUTER + "^T"      # d d^T is symmetric
    v = verify(symmetric)
    assert v.verdict == "correct" and "the verdict is the same under either" in v.reason
    assert verify(symmetric.replace("= ", "= 2 ")).verdict == "incorrect"
