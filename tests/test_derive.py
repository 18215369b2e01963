"""derive.py: the output deltas, the recursion and the gradients fall out of SymPy."""
import pytest
import sympy as sp

from symderiv.engine import derive
from symderiv.engine.activations import ACTIVATIONS, a, resolve, z
from symderiv.engine.losses import LOSSES, REGULARISERS, Loss, lam, m, y


@pytest.mark.parametrize("output, loss", [("sigmoid", "bce"), ("identity", "mse")])
def test_output_delta_simplifies_to_a_minus_y(output, loss):
    od = derive.output_delta(ACTIVATIONS[output], LOSSES[loss])
    assert od.elementwise and sp.expand(od.expr - (a - y)) == 0


def test_softmax_cross_entropy_delta_uses_the_one_hot_sum():
    od = derive.output_delta(ACTIVATIONS["softmax"], LOSSES["ce"])
    assert sp.expand(od.expr - (derive.av[derive.i] - derive.yv[derive.i])) == 0
    whys = [st.why for st in od.section.steps]
    used = next(n for n, w in enumerate(whys) if "sum_k y_k = 1" in w)
    # the step before the identity still holds the sum: a - y was not typed in
    assert od.section.steps[used - 1].rhs.has(sp.Sum)


def test_softmax_jacobian_is_derived_in_index_form():
    jac, _ = derive.softmax_jacobian()
    i, k = derive.i, derive.k
    want = derive.av[k] * (sp.KroneckerDelta(i, k) - derive.av[i])
    assert sp.expand(jac - want) == 0


def test_sigmoid_mse_keeps_the_general_form():
    od = derive.output_delta(ACTIVATIONS["sigmoid"], LOSSES["mse"])
    assert sp.expand(od.expr - (a - y) * a * (1 - a)) == 0


@pytest.mark.parametrize("hidden_or_output", ["softplus-output", "logcosh-loss"])
def test_definitions_in_no_table_still_get_the_right_delta(hidden_or_output):
    if hidden_or_output == "softplus-output":
        act, loss = resolve(lambda t: sp.log(1 + sp.exp(t))), LOSSES["mse"]
    else:
        act, loss = ACTIVATIONS["identity"], Loss("logcosh", sp.log(sp.cosh(a - y)), "log cosh")
    od = derive.output_delta(act, loss)
    truth = sp.diff(loss.expr.subs(a, act.expr), z)
    for zv, yv in [(0.3, 0.1), (-1.2, 0.9), (2.0, -0.5)]:
        got = od.expr.subs(a, act.expr).subs({z: zv, y: yv})
        assert abs(float(got - truth.subs({z: zv, y: yv}))) < 1e-12


def test_recursion_matrix_form_is_transpose_times_delta_hadamard_fprime():
    rec = derive.recursion()
    nxt, here = derive.Layer("l+1"), derive.Layer("l")
    assert rec.matrix == sp.HadamardProduct(nxt.W.T * nxt.delta, here.fprime)
    # index form: sum over j of W_ji (transposed index order!) delta_j f'(z_i)
    W_entries = [e for e in rec.index.atoms(sp.matrices.expressions.matexpr.MatrixElement)
                 if e.parent == nxt.W]
    assert W_entries == [nxt.W[derive.j, derive.i]]


@pytest.mark.parametrize("reg, extra", [("none", 0), ("l2", lam / m), ("l2-sum", 2 * lam)])
def test_weight_and_bias_gradients(reg, extra):
    g = derive.gradients(REGULARISERS[reg])
    here, prev = derive.Layer("l"), derive.Layer("l-1")
    want = here.delta * prev.a.T / m + extra * here.W
    diff = (g.weight_matrix - want).as_explicit() if False else None
    assert sp.simplify(g.weight_matrix - want) == sp.ZeroMatrix(*here.W.shape) or \
        sp.MatAdd(g.weight_matrix, -want).doit() == sp.ZeroMatrix(*here.W.shape)
    assert g.bias_matrix == here.delta * derive.ONES / m


def test_derivation_steps_all_have_justifications_and_cover_every_part():
    import symderiv
    d = symderiv.mlp([3, 4, 2], hidden="tanh", output="softmax", reg="l2").derivation()
    assert len(d) > 20 and all(st.why for st in d)
    titles = " | ".join(sec.title for sec in d.sections)
    for part in ("Forward", "Output layer", "recursion", "Weight and bias"):
        assert part in titles
    body = d._repr_latex_()
    assert body.startswith("$$") and r"\odot" in body and r"^{T}" in body and r"\section" not in body


def test_rows_layout_forms_are_the_transposed_column_forms():
    from symderiv.engine.losses import REGULARISERS
    here, prev = derive.Layer("l"), derive.Layer("l-1")
    g = derive.gradients(REGULARISERS["none"])
    rows_W = derive.to_rows(g.weight_matrix)
    A_r = sp.MatrixSymbol(prev.a.name, m, prev.n)
    D_r = sp.MatrixSymbol(here.delta.name, m, here.n)
    assert rows_W == A_r.T * D_r / m
    rec_rows = derive.to_rows(derive.recursion().matrix)
    nxt = derive.Layer("l+1")
    assert rec_rows == sp.HadamardProduct(sp.MatrixSymbol(nxt.delta.name, m, nxt.n) *
                                          sp.MatrixSymbol(nxt.W.name, nxt.W.shape[1], nxt.W.shape[0]).T,
                                          sp.MatrixSymbol(here.fprime.name, m, here.n))
