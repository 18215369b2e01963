"""The Python API names the problem: shapes and layout, activations, sizes, and
reads well (docstrings, repr)."""
import math

import numpy as np
import pytest
import sympy

import symderiv
from symderiv.engine import activations, losses, network


@pytest.fixture(scope="module")
def cols():
    net = symderiv.mlp([6, 4, 3])
    return net, net.lambdify(), net.init_params(seed=0)


@pytest.fixture(scope="module")
def rows():
    net = symderiv.mlp([6, 4, 3], layout="rows")
    return net, net.lambdify(), net.init_params(seed=0)


def data(m=5):
    rng = np.random.default_rng(0)
    return rng.normal(size=(6, m)), np.eye(3)[:, rng.integers(0, 3, m)]


# ---- shapes and layout ---------------------------------------------------------

@pytest.mark.parametrize("method", ["loss", "gradients", "trace"])
def test_samples_as_rows_to_a_columns_network_names_shapes_and_layout(cols, method):
    net, num, params = cols
    X, Y = data()
    with pytest.raises(ValueError) as e:
        getattr(num, method)(params, X.T, Y)
    msg = str(e.value)
    assert msg.startswith("X has shape (5, 6), but this network (6-4-3, columns layout) needs X of shape (6, m)")
    assert "one sample per column" in msg and "pass X.T" in msg and 'layout="rows"' in msg


def test_predict_checks_its_input_too(cols):
    net, num, params = cols
    X, _ = data()
    with pytest.raises(ValueError, match=r"X has shape \(5, 6\).*\(6, m\)"):
        num.predict(params, X.T)
    assert num.predict(params, X).shape == (3, 5)


def test_rows_network_given_columns_says_one_sample_per_row(rows):
    net, num, params = rows
    X, Y = data()
    with pytest.raises(ValueError, match=r"needs X of shape \(m, 6\): one sample per row.*pass X.T"):
        num.loss(params, X, Y.T)
    assert num.loss(params, X.T, Y.T) == pytest.approx(symderiv.mlp([6, 4, 3]).lambdify().loss(
        [(W.T, b.T) for W, b in params], X, Y))


def test_labels_instead_of_one_hot_targets_get_a_hint(cols):
    net, num, params = cols
    X, _ = data()
    with pytest.raises(ValueError, match=r"Y has shape \(5,\).*\(3, m\).*one-hot targets: np.eye\(3\)\[:, labels\]"):
        num.gradients(params, X, np.array([0, 1, 2, 1, 0]))


def test_sample_counts_must_agree(cols):
    net, num, params = cols
    X, Y = data()
    with pytest.raises(ValueError, match="X holds 5 samples but Y holds 4"):
        num.loss(params, X, Y[:, :4])


@pytest.mark.parametrize("damage, message", [
    (lambda p: p[:1], r"params has 1 \(W, b\) pairs but the network has 2 weight layers"),
    (lambda p: [(p[0][0].T, p[0][1]), p[1]], r"W1 has shape \(6, 4\) and b1 has shape \(4, 1\)"),
    (lambda p: [(p[0][0], p[0][1].ravel()), p[1]], r"b1 has shape \(4,\)"),
    (lambda p: [p[0], (p[1][0][:, :2], p[1][1])], r"W2 has shape \(3, 2\) but layer 1 has 4 units: W2 must be \(3, 4\)"),
    (lambda p: 7, r"params must be a list of \(W, b\) pairs"),
])
def test_bad_parameters_are_named(cols, damage, message):
    net, num, params = cols
    X, Y = data()
    with pytest.raises(ValueError, match=message):
        num.gradients(damage(params), X, Y)


def test_one_sample_as_a_vector_is_still_accepted(cols):
    net, num, params = cols
    X, Y = data(1)
    assert num.loss(params, X[:, 0], Y) == pytest.approx(num.loss(params, X, Y))


def test_widths_other_than_the_compiled_ones_still_work():
    # The compiled functions are shape-free (verify reuses one per network kind).
    small = symderiv.mlp([2, 3, 2])
    other = symderiv.mlp([6, 4, 3])
    X, Y = data()
    params = other.init_params(seed=1)
    assert small.lambdify().loss(params, X, Y) == pytest.approx(other.lambdify().loss(params, X, Y))


# ---- activations -----------------------------------------------------------------

@pytest.mark.parametrize("fn, suggestion", [(np.tanh, "sympy.tanh"), (math.tanh, "sympy.tanh"),
                                            (np.exp, "sympy.exp")])
def test_numeric_function_as_activation_suggests_the_sympy_one(fn, suggestion):
    with pytest.raises(ValueError) as e:
        symderiv.mlp([2, 3, 1], hidden=fn)
    assert "an activation must be a table name or a SymPy function of one symbol" in str(e.value)
    assert str(e.value).endswith(f"use {suggestion}")


def test_callable_returning_code_as_a_string_is_refused_unevaluated(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"

    def never(*args, **kwargs):
        raise AssertionError("sympify was called on the callable's result")

    monkeypatch.setattr(sympy, "sympify", never)
    monkeypatch.setattr(activations.sp, "sympify", never)
    with pytest.raises(ValueError, match="returned str, not a SymPy expression"):
        activations.resolve(lambda z: payload)
    assert not marker.exists()


@pytest.mark.parametrize("fn", [lambda z: 3, lambda z: [z], lambda z: sympy.Symbol("t") * z,
                                lambda z, w: z])
def test_other_non_activations_are_refused(fn):
    with pytest.raises(ValueError, match="SymPy function of one symbol"):
        activations.resolve(fn)


def test_sympy_functions_and_lambdas_are_activations():
    assert activations.resolve(sympy.tanh).name == "tanh"          # recognised as the table's tanh
    softplus = activations.resolve(lambda t: sympy.log(1 + sympy.exp(t)))
    assert softplus.name == "softplus"
    assert sympy.simplify(activations.derivative(softplus).raw - 1 / (1 + sympy.exp(-activations.z))) == 0


# ---- sizes -------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [[2.7, 3.9], "32", [3], [3, 0], [3, -1], [True, 2], 5, [2.0, 3.0], None])
def test_sizes_must_be_positive_integers(sizes):
    with pytest.raises(ValueError, match="sizes must be"):
        symderiv.mlp(sizes)


def test_integer_arrays_are_sizes():
    assert symderiv.mlp(np.array([4, 3, 2])).sizes == (4, 3, 2)
    assert symderiv.mlp((np.int64(4), 2)).sizes == (4, 2)


# ---- reading it -----------------------------------------------------------------------

def test_repr_is_one_short_line():
    net = symderiv.mlp([64, 25, 10], hidden="sigmoid", output="sigmoid", loss="bce", reg="l2")
    assert repr(net) == "Network(64-25-10, hidden=sigmoid, output=sigmoid, loss=bce, reg=l2, layout=columns)"


def test_public_calls_have_docstrings(cols):
    net, num, _ = cols
    for fn in (num.loss, num.gradients, num.trace, num.predict, net.lambdify, net.derivation,
               net.init_params, symderiv.mlp, symderiv.verify):
        assert fn.__doc__ and len(fn.__doc__.strip()) > 20, fn


def test_mlp_docstring_lists_every_name_from_the_tables():
    doc = symderiv.mlp.__doc__
    names = list(activations.ACTIVATIONS) + list(losses.LOSSES) + list(losses.REGULARISERS) + list(network.LAYOUTS)
    missing = [n for n in names if n not in doc]
    assert not missing
