"""Losses and regularisers: one table each, name -> SymPy definition.

A loss is a per-unit term ``l(a, y)``; the per-sample loss is its sum over the
output units and ``J`` is the mean over the batch plus the regulariser:

    J = 1/m sum_s sum_k l(a_ks, y_ks) + R(W)

A regulariser is a per-weight term ``r(w, lambda, m)`` summed over every
weight (never a bias). Nothing here is differentiated by hand: derive.py
differentiates these definitions.

For the NumPy side, ``STABLE_FORMS`` gives, for some (output activation, loss)
pairs, the same per-unit loss written in the logit ``z`` so that it stays
finite at logits of +-1000 (log-sum-exp, softplus). tests/test_losses.py
proves each equals its definition composed with the activation.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from .activations import a, z
from ..errors import ModelError

y = sp.Symbol("y", real=True)
w = sp.Symbol("w", real=True)
lam = sp.Symbol("lambda", positive=True)
m = sp.Symbol("m", positive=True, integer=True)


@dataclass(frozen=True)
class Loss:
    name: str
    expr: sp.Expr      # per-unit l(a, y)
    title: str


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", (a - y) ** 2 / 2, "squared error  1/2 ||a - y||^2"),
    "bce": Loss("bce", -(y * sp.log(a) + (1 - y) * sp.log(1 - a)), "binary cross-entropy"),
    "ce": Loss("ce", -y * sp.log(a), "cross-entropy  -sum_k y_k log a_k"),
}

# What the CLI picks when --loss is not given (DESIGN.md).
DEFAULT_LOSS = {"sigmoid": "bce", "softmax": "ce", "identity": "mse"}


@dataclass(frozen=True)
class Regulariser:
    name: str
    expr: sp.Expr      # per-weight r(w, lambda, m)
    title: str


REGULARISERS: dict[str, Regulariser] = {
    "none": Regulariser("none", sp.Integer(0), "no regulariser"),
    "l2": Regulariser("l2", lam / (2 * m) * w ** 2, "lambda/(2m) sum W^2"),
    "l2-sum": Regulariser("l2-sum", lam * w ** 2, "lambda sum W^2"),
}


# Stable per-unit losses in the logit z (sum over units is implied for
# softmax: logsumexp is a function of the whole column). Keys are
# (output activation name, loss name).
softplus = sp.Function("softplus")      # log(1 + e^z), evaluated as logaddexp(0, z)
logsumexp = sp.Function("logsumexp")    # log sum_k e^{z_k} over a column


STABLE_FORMS: dict[tuple[str, str], sp.Expr] = {
    # -y log s(z) - (1-y) log(1 - s(z)) = softplus(z) - y z
    ("sigmoid", "bce"): softplus(z) - y * z,
    # -sum_k y_k log softmax_k(z) = logsumexp(z) sum_k y_k - sum_k y_k z_k; written per
    # unit as y_k (logsumexp(z) - z_k) so no one-hot assumption is needed.
    ("softmax", "ce"): y * (logsumexp(z) - z),
}

STABLE_DEFINITIONS = {softplus: sp.Lambda(z, sp.log(1 + sp.exp(z)))}


def resolve_loss(spec) -> Loss:
    """A Loss from a table name or a SymPy expression / callable in (a, y)."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        try:
            return LOSSES[spec]
        except KeyError:
            raise ModelError(f"unknown loss {spec!r}; known: {', '.join(LOSSES)}") from None
    expr = spec(a, y) if callable(spec) and not isinstance(spec, sp.Basic) else spec
    if not isinstance(expr, sp.Expr) or expr.free_symbols - {a, y}:
        raise ModelError("a custom loss must be a SymPy expression in a (output) and y (target)")
    return Loss("custom", expr, "custom loss " + sp.sstr(expr))


def resolve_reg(name: str) -> Regulariser:
    try:
        return REGULARISERS[name]
    except KeyError:
        raise ModelError(f"unknown regulariser {name!r}; known: {', '.join(REGULARISERS)}") from None


@lru_cache(maxsize=64)
def per_unit_loss(loss: Loss):
    """NumPy l(a, y) of a per-unit loss, from its SymPy definition."""
    fn = sp.lambdify((a, y), loss.expr, "numpy")
    return lambda A, Y: fn(A, Y) * np.ones_like(A)


@lru_cache(maxsize=64)
def loss_gradient(loss: Loss):
    """NumPy d l / d a of a per-unit loss, from its SymPy definition (the table's, never user text)."""
    return sp.lambdify((a, y), sp.diff(loss.expr, a), "numpy")


@lru_cache(maxsize=16)
def _regulariser_functions(reg: Regulariser):
    value = sp.lambdify((w, lam, m), reg.expr, "numpy")
    grad = sp.lambdify((w, lam, m), sp.diff(reg.expr, w), "numpy")
    return value, grad


def regulariser_value(reg: Regulariser, weights, lam_value: float, m_value: float) -> float:
    """R(W) summed over every weight of every layer (never a bias)."""
    value, _ = _regulariser_functions(reg)
    return float(sum(np.sum(value(W, lam_value, m_value) * np.ones_like(W)) for W in weights))


def regulariser_gradient(reg: Regulariser, W, lam_value: float, m_value: float):
    """dR/dW of one weight matrix."""
    _, grad = _regulariser_functions(reg)
    return grad(W, lam_value, m_value) * np.ones_like(W)
