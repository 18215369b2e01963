"""numeric.py: lambdified gradients against two independent oracles, and their numerics.

Oracles (tests/oracles.py): central finite differences, and SymPy's plain diff
of the fully expanded scalar loss of a tiny network. The grid is the one of
issue 2: hidden x (output, loss) x regulariser x depth 1..4, and both layouts
for the finite differences. The default run checks a sample that holds every
value of every axis; the rest of each grid is marked ``exhaustive``.
"""
import itertools

import numpy as np
import pytest
import sympy as sp

import symderiv
from oracles import central_differences, relative_error, sympy_scalar_gradients
from sampling import covering_sample, split_grid

SOFTPLUS = sp.Lambda(sp.Symbol("t"), sp.log(1 + sp.exp(sp.Symbol("t"))))
HIDDEN = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "identity": "identity", "softplus": SOFTPLUS}
PAIRS = [("sigmoid", "bce"), ("softmax", "ce"), ("identity", "mse"), ("sigmoid", "mse")]
REGS = ["none", "l2", "l2-sum"]
LAYOUTS = ["columns", "rows"]
WIDTHS = [3, 5, 4, 6, 2]  # all different, so a missing transpose cannot hide


def instance(hidden, output, loss, reg, depth, m=4, seed=0, widths=WIDTHS, layout="columns"):
    """A network, random parameters in its layout's shapes, and data (one sample per row in the rows layout)."""
    rng = np.random.default_rng(seed)
    sizes = widths[:depth] + [3]
    net = symderiv.mlp(sizes, hidden=HIDDEN[hidden], output=output, loss=loss, reg=reg, layout=layout)
    params = [(rng.normal(size=W.shape), rng.normal(scale=0.5, size=b.shape)) for W, b in net.init_params()]
    X = rng.normal(size=(sizes[0], m))
    if output == "softmax":
        Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    else:
        Y = rng.uniform(size=(sizes[-1], m))
    if hidden == "relu":  # keep pre-activations away from the kink, where differences are meaningless
        params = [(W, b + 0.05 * np.sign(b)) for W, b in params]
    if layout == "rows":
        X, Y = X.T, Y.T
    return net, params, X, Y


GRID = list(itertools.product(HIDDEN, PAIRS, REGS, [1, 2, 3, 4], LAYOUTS))


@pytest.mark.parametrize("hidden, pair, reg, depth, layout", split_grid(GRID, covering_sample(GRID, seed=8, extra=6)),
                         ids=lambda v: str(v))
def test_gradients_equal_central_differences(hidden, pair, reg, depth, layout):
    net, params, X, Y = instance(hidden, *pair, reg, depth, layout=layout)
    num = net.lambdify()
    got = num.gradients(params, X, Y, lam=0.3)
    want = central_differences(num.loss, params, X, Y, 0.3)
    assert [g.shape for pair_ in got for g in pair_] == [p.shape for pair_ in params for p in pair_]
    assert relative_error(got, want) < 1e-7


# SymPy's expanded-loss oracle is slower: all hidden x pairs x depths, the regulariser rotating.
ORACLE_GRID = [(h, p, REGS[n % 3], d) for n, (h, p, d) in
               enumerate(itertools.product(HIDDEN, PAIRS, [1, 2, 3, 4]))]


@pytest.mark.parametrize("hidden, pair, reg, depth", split_grid(ORACLE_GRID, covering_sample(ORACLE_GRID, seed=8)),
                         ids=lambda v: str(v))
def test_gradients_equal_sympy_diff_of_the_expanded_loss(hidden, pair, reg, depth):
    m = 2 if depth < 3 else 1
    net, params, X, Y = instance(hidden, *pair, reg, depth, m=m, widths=[2, 3, 2, 3, 2])
    got = net.lambdify().gradients(params, X, Y, lam=0.3)
    want = sympy_scalar_gradients(net, params, X, Y, 0.3)
    assert relative_error(got, want) < 1e-10


@pytest.mark.parametrize("output, loss, exact", [
    # logits per sample: (1000, -1000, 500) and (-1000, 1000, 1000)
    ("sigmoid", "bce", (500 + 1000) / 2),       # softplus(500) and softplus(1000) survive
    ("softmax", "ce", np.log(2) / 2),           # sample 2 ties its true class with another
])
def test_loss_and_gradients_stay_finite_at_logits_of_1000(output, loss, exact):
    net = symderiv.mlp([2, 3], hidden="sigmoid", output=output, loss=loss)
    W = np.array([[1000.0, 0.0], [-1000.0, 0.0], [0.0, 1000.0]])
    params = [(W, np.zeros((3, 1)))]
    X = np.array([[1.0, -1.0], [0.5, 1.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    num = net.lambdify()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        J = num.loss(params, X, Y)
        grads = num.gradients(params, X, Y)
    assert J == pytest.approx(exact, rel=1e-12)
    assert all(np.all(np.isfinite(g)) for pair in grads for g in pair)


def test_rows_layout_is_the_transpose_of_columns():
    cols = symderiv.mlp([3, 5, 2], hidden="tanh", output="softmax", reg="l2")
    rows = symderiv.mlp([3, 5, 2], hidden="tanh", output="softmax", reg="l2", layout="rows")
    rng = np.random.default_rng(1)
    params = cols.init_params(seed=2)
    X, Y = rng.normal(size=(3, 6)), np.eye(2)[:, rng.integers(0, 2, 6)]
    g_cols = cols.lambdify().gradients(params, X, Y, lam=0.2)
    g_rows = rows.lambdify().gradients([(W.T, b.T) for W, b in params], X.T, Y.T, lam=0.2)
    for (dW, db), (dWr, dbr) in zip(g_cols, g_rows):
        assert np.allclose(dW, dWr.T) and np.allclose(db, dbr.T)
    assert rows.init_params(seed=2)[0][0].shape == (3, 5)


def test_trace_exposes_per_sample_deltas_without_the_batch_mean():
    net, params, X, Y = instance("sigmoid", "sigmoid", "bce", "none", 2, m=5)
    tr = net.lambdify().trace(params, X, Y)
    assert np.allclose(tr.delta[2], tr.a[2] - Y)                 # sigmoid + bce: a - y per sample
    assert np.allclose(tr.dW[2], tr.delta[2] @ tr.a[1].T / 5)    # the mean appears only here
    assert np.allclose(tr.delta[1], (params[1][0].T @ tr.delta[2]) * tr.a[1] * (1 - tr.a[1]))


def test_compiled_expressions_do_not_depend_on_the_widths():
    """Shapes stay symbolic: a 400-25-10 net compiles to the very same expressions as 4-3-2."""
    small = symderiv.mlp([4, 3, 2]).lambdify().expressions
    large = symderiv.mlp([400, 25, 10]).lambdify().expressions
    assert small["J"] == large["J"] and small["dW"] == large["dW"] and small["db"] == large["db"]


def test_expression_size_grows_linearly_with_depth():
    def size(depth):
        e = symderiv.mlp([4] * depth + [2]).lambdify().expressions
        return sum(sp.count_ops(g) for g in e["dW"][1:] + e["db"][1:]) if False else \
            len(sp.cse([g for g in e["dW"][1:] + e["db"][1:]])[0])
    s2, s6, s10 = size(2), size(6), size(10)
    assert s10 - s6 == pytest.approx(s6 - s2, rel=0.25)  # constant work per extra layer after CSE


def test_a_custom_loss_in_no_table_trains_with_correct_gradients():
    a, y = sp.symbols("a y", real=True)
    net = symderiv.mlp([3, 4, 2], hidden="tanh", output="identity", loss=lambda a, y: sp.log(sp.cosh(a - y)))
    rng = np.random.default_rng(5)
    params = [(rng.normal(size=W.shape), rng.normal(size=b.shape)) for W, b in net.init_params()]
    X, Y = rng.normal(size=(3, 5)), rng.normal(size=(2, 5))
    num = net.lambdify()
    assert relative_error(num.gradients(params, X, Y), central_differences(num.loss, params, X, Y, 0.0)) < 1e-7
    tr = num.trace(params, X, Y)
    assert np.allclose(tr.delta[2], np.tanh(tr.a[2] - Y))  # d/da log cosh(a - y), derived
