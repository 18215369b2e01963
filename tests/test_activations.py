"""activations.py: definitions only; derivatives derived by SymPy and rewritten in a = f(z)."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from symderiv.engine import activations as acts
from symderiv.engine.activations import a, z


@pytest.mark.parametrize("name, in_output", [
    ("sigmoid", a * (1 - a)),
    ("tanh", 1 - a ** 2),
])
def test_derivative_is_rewritten_in_the_activation_output(name, in_output):
    d = acts.derivative(acts.ACTIVATIONS[name])
    assert sp.expand(d.in_output - in_output) == 0
    # and it really is the derivative of the definition
    f = acts.ACTIVATIONS[name].expr
    assert sp.simplify(d.in_output.subs(a, f) - sp.diff(f, z)) == 0


def test_relu_derivative_is_a_heaviside_step_in_z_with_value_0_at_0():
    d = acts.derivative(acts.ACTIVATIONS["relu"])
    assert d.in_output is None  # max(0, z) has no inverse: no rewrite in a is accepted
    assert d.raw == sp.Heaviside(z, 0)


def test_custom_softplus_gets_its_derivative_derived():
    softplus = acts.resolve(lambda t: sp.log(1 + sp.exp(t)))
    d = acts.derivative(softplus)
    assert softplus.name == "softplus"
    assert sp.simplify(d.raw - 1 / (1 + sp.exp(-z))) == 0
    assert sp.simplify(d.in_output - (1 - sp.exp(-a))) == 0


def test_a_changed_definition_changes_the_derivative():
    # If a derivative were typed in anywhere, doubling the definition would not double it.
    doubled = acts.resolve(2 / (1 + sp.exp(-z)))
    d = acts.derivative(doubled)
    assert sp.simplify(d.raw - 2 * sp.exp(-z) / (1 + sp.exp(-z)) ** 2) == 0
    assert sp.simplify(d.in_output - a * (2 - a) / 2) == 0


def test_tables_hold_no_derivative_or_delta_fields():
    """Fails if anyone adds a typed-in derivative/delta column to a table."""
    from symderiv.engine import losses
    for cls in (acts.Activation, losses.Loss, losses.Regulariser):
        names = {f.name for f in dataclasses.fields(cls)}
        assert not names & {"derivative", "deriv", "dfdz", "prime", "delta", "grad", "gradient"}, cls
    for act in acts.ACTIVATIONS.values():
        assert act.expr is None or act.expr.has(z)  # a definition in z, nothing else


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_numpy_twins_equal_the_sympy_definitions(name):
    act = acts.ACTIVATIONS[name]
    xs = np.linspace(-6, 6, 25)
    ref = sp.lambdify(z, act.expr, "numpy")
    assert np.allclose(act.numpy(xs), ref(xs) * np.ones_like(xs), rtol=1e-12, atol=1e-14)


def test_stable_sigmoid_is_finite_at_extreme_logits():
    s = acts.ACTIVATIONS["sigmoid"].numpy(np.array([-1000.0, 1000.0]))
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[1] == 1.0


def test_bad_activation_specs_are_rejected():
    with pytest.raises(ValueError, match="unknown activation"):
        acts.resolve("swishy")
    x, t = sp.symbols("x t")
    with pytest.raises(ValueError, match="one symbol"):
        acts.resolve(x * t)


@pytest.mark.parametrize("spec, says", [
    (sp.Function("f")(z), "undefined function"),
    (sp.Integral(z, z), "unevaluated integral"),
    (sp.Derivative(sp.Function("f")(z), z), "undefined function"),
    (sp.zoo * z, "not finite"),
    (sp.nan, "not finite"),
    (z + sp.I, "not real"),
    (sp.Heaviside(z), "derivative is 0"),
    (sp.Integer(3), "derivative is 0"),
    (z ** 50, "power above"),
    (z ** 1000, "power above"),
])
def test_activations_symderiv_cannot_use_are_refused_up_front_with_the_reason(spec, says):
    """Each of these failed late before: at lambdify, at the first gradient, or never returned."""
    with pytest.raises(ValueError, match=says):
        acts.resolve(spec)


def test_a_piecewise_relu_gets_the_gradients_of_the_table_relu():
    import symderiv
    X, Y = np.random.default_rng(0).normal(size=(3, 5)), np.random.default_rng(1).normal(size=(2, 5))
    grads = []
    for hidden in ("relu", sp.Piecewise((z, z > 0), (0, True))):
        net = symderiv.mlp([3, 4, 2], hidden=hidden, output="identity", loss="mse")
        grads.append(net.lambdify().gradients(net.init_params(seed=0), X, Y))
    for (dW, db), (dW2, db2) in zip(*grads):
        assert np.allclose(dW, dW2) and np.allclose(db, db2)


def test_a_network_deeper_than_the_recursion_limit_allows_is_refused_with_the_limit():
    import symderiv
    from symderiv.engine.network import MAX_DEPTH
    with pytest.raises(ValueError, match=f"at most {MAX_DEPTH} weight layers"):
        symderiv.mlp([2] * (MAX_DEPTH + 2))
