"""Independent oracles for the engine's gradients.

Neither uses derive.py: central finite differences of the compiled loss, and
SymPy's plain ``diff`` of the fully expanded scalar loss of a tiny network,
built only from the activation/loss/regulariser *definitions*.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from symderiv.engine.activations import a as a_sym, z as z_sym
from symderiv.engine.losses import lam as lam_sym, m as m_sym, w as w_sym, y as y_sym


def central_differences(loss, params, X, Y, lam, eps=1e-5):
    """[(dW, db)] by central differences of ``loss(params, X, Y, lam)``."""
    grads = []
    for W, b in params:
        pair = []
        for P in (W, b):
            G = np.zeros_like(P)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + eps
                up = loss(params, X, Y, lam)
                P[idx] = old - eps
                down = loss(params, X, Y, lam)
                P[idx] = old
                G[idx] = (up - down) / (2 * eps)
            pair.append(G)
        grads.append(tuple(pair))
    return grads


def relative_error(got, want):
    """Largest |got - want| over all gradients, relative to the largest |want|."""
    scale = max(np.max(np.abs(w)) for pair in want for w in pair)
    return max(np.max(np.abs(g - w)) for gp, wp in zip(got, want) for g, w in zip(gp, wp)) / max(scale, 1e-300)


def _apply(act, zexpr):
    return act.expr.subs(z_sym, zexpr)


def sympy_scalar_gradients(net, params, X, Y, lam):
    """Gradients from sympy.diff of J written out entry by entry (column layout)."""
    L, m = net.depth, X.shape[1]
    Ws = [sp.Matrix(W.shape[0], W.shape[1], lambda r, c, l=l: sp.Symbol(f"w{l}_{r}_{c}"))
          for l, (W, _) in enumerate(params, 1)]
    bs = [sp.Matrix(b.shape[0], 1, lambda r, c, l=l: sp.Symbol(f"b{l}_{r}")) for l, (_, b) in enumerate(params, 1)]
    total = sp.S.Zero
    for s in range(m):
        act = sp.Matrix([sp.Float(v) for v in X[:, s]])
        for l in range(L):
            pre = Ws[l] * act + bs[l]
            f = net.activation(l + 1)
            if f.name == "softmax":
                exps = [sp.exp(p) for p in pre]
                act = sp.Matrix([e / sp.Add(*exps) for e in exps])
            else:
                act = pre.applyfunc(lambda t: _apply(f, t))
        for k in range(act.shape[0]):
            total += net.loss.expr.subs({a_sym: act[k], y_sym: sp.Float(Y[k, s])})
    J = total / m
    for W in Ws:
        J += sum(net.reg.expr.subs({w_sym: e, lam_sym: lam, m_sym: m}) for e in W)
    values = {}
    for l, (W, b) in enumerate(params):
        values.update({Ws[l][r, c]: W[r, c] for r in range(W.shape[0]) for c in range(W.shape[1])})
        values.update({bs[l][r, 0]: b[r, 0] for r in range(b.shape[0])})
    symbols = list(values)
    # Scalar (math-module) evaluation: these are numbers, not arrays. H(0) := 0 as relu'(0).
    scalar = {"Heaviside": lambda t, h0=0.0: 1.0 if t > 0 else (h0 if t == 0 else 0.0)}
    grad_fn = sp.lambdify(symbols, [sp.diff(J, v) for v in symbols], [scalar, "math"], cse=True)
    flat = dict(zip(symbols, grad_fn(*[values[v] for v in symbols])))
    return [(np.array([[flat[e] for e in row] for row in W.tolist()], dtype=float),
             np.array([[flat[e]] for e in b], dtype=float)) for W, b in zip(Ws, bs)]
