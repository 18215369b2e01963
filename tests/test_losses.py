"""losses.py: the stable NumPy forms equal the definitions they replace."""
import numpy as np
import pytest
import sympy as sp

import symderiv
from symderiv.engine import losses
from symderiv.engine.activations import ACTIVATIONS, a, z
from symderiv.engine.losses import y
from sampling import covering_sample, split_grid


@pytest.mark.parametrize("pair", sorted(losses.STABLE_FORMS))
def test_stable_form_equals_the_definition(pair):
    out, loss = pair
    stable = losses.STABLE_FORMS[pair]
    if out == "sigmoid":
        definition = losses.LOSSES[loss].expr.subs(a, ACTIVATIONS["sigmoid"].expr)
        stable = stable.replace(losses.softplus, lambda t: sp.log(1 + sp.exp(t)))
        for zv in (-3.0, -0.2, 0.7, 4.0):
            for yv in (0.0, 0.3, 1.0):
                assert abs(float((stable - definition).subs({z: zv, y: yv}))) < 1e-12
    else:  # softmax + ce, checked on a 3-unit column
        zs, ys = np.array([0.3, -1.2, 2.0]), np.array([0.2, 0.0, 0.8])
        soft = np.exp(zs) / np.exp(zs).sum()
        want = -(ys * np.log(soft)).sum()
        lse = np.log(np.exp(zs).sum())
        got = sum(float(stable.subs({z: zk, y: yk}).replace(losses.logsumexp, lambda t: sp.Float(lse)))
                  for zk, yk in zip(zs, ys))
        assert abs(got - want) < 1e-12


def handwritten_loss(net, params, X, Y, lam):
    """J by the definitions, in plain NumPy (no symderiv code)."""
    A = X
    for l, (W, b) in enumerate(params, 1):
        Z = W @ A + b
        name = net.activation(l).name
        A = {"sigmoid": lambda t: 1 / (1 + np.exp(-t)), "tanh": np.tanh, "relu": lambda t: np.maximum(t, 0),
             "identity": lambda t: t,
             "softmax": lambda t: np.exp(t - t.max(0)) / np.exp(t - t.max(0)).sum(0)}[name](Z)
    per_unit = {"mse": lambda: 0.5 * (A - Y) ** 2, "bce": lambda: -(Y * np.log(A) + (1 - Y) * np.log(1 - A)),
                "ce": lambda: -Y * np.log(A)}[net.loss.name]()
    m = X.shape[1]
    sq = sum((W ** 2).sum() for W, _ in params)
    reg = {"none": 0.0, "l2": lam / (2 * m) * sq, "l2-sum": lam * sq}[net.reg.name]
    return per_unit.sum() / m + reg


# hidden x (output, loss) x regulariser; the default run samples it (tests/sampling.py).
LOSS_GRID = [(hidden, output, loss, reg) for reg in ["none", "l2", "l2-sum"]
             for output, loss in [("sigmoid", "bce"), ("softmax", "ce"), ("identity", "mse"), ("sigmoid", "mse")]
             for hidden in ["sigmoid", "tanh", "relu", "identity"]]


@pytest.mark.parametrize("hidden, output, loss, reg",
                         split_grid(LOSS_GRID, covering_sample(LOSS_GRID, seed=8, axes=lambda p: (p[0], p[1:3], p[3]))))
def test_loss_value_equals_a_handwritten_numpy_loss(hidden, output, loss, reg):
    rng = np.random.default_rng(3)
    net = symderiv.mlp([4, 6, 3], hidden=hidden, output=output, loss=loss, reg=reg)
    params = [(rng.normal(size=W.shape), rng.normal(size=b.shape)) for W, b in net.init_params()]
    X = rng.normal(size=(4, 7))
    Y = np.eye(3)[:, rng.integers(0, 3, 7)] if output == "softmax" else rng.uniform(size=(3, 7))
    got = net.lambdify().loss(params, X, Y, lam=0.37)
    assert got == pytest.approx(handwritten_loss(net, params, X, Y, 0.37), rel=1e-9)  # the naive log(1 - sigma) reference loses digits
