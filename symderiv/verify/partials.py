"""Partial derivatives of the model's quantities: the matrix forms the derivation gives (dJ/dW, dJ/dz, ...),
the layer Jacobians as 4-index tensors (dz/dW, dz/da over a batch), and single entries by central
differences on the forward pass (dz_j/da_i)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..notation.names import LOSS_KINDS
from ..notation.operators import ShapeError
from ..notation.registry import render
from ..notation.tree import Partial, Qty
from .verdict import Unverifiable


def partial_indices(p: Partial) -> tuple:
    return p.den.idx if p.num.kind in LOSS_KINDS else (p.num.idx or p.den.idx)


def partial_matrix(ev, p: Partial):
    """Matrix-level partials, column layout: dJ/dW, dJ/db, dJ/dz, dJ/da, da/dz, dz/da."""
    inst, tr = ev.ctx.inst, ev.ctx.inst.trace
    num, den = p.num, p.den
    if num.kind in LOSS_KINDS and num.sample is not None:
        return _one_samples(ev, p)
    nk = "a" if num.kind == "yhat" else num.kind
    dk = "a" if den.kind in ("yhat",) else ("a0" if den.kind == "x" else den.kind)
    if nk in ("Jreg", "Jdata"):
        # J = J_data + J_reg; the regulariser depends on the weights alone
        whole = partial_matrix(ev, Partial(Qty("J", "J"), den))
        reg = (ev.regulariser_gradient(inst.W[ev.layer(den)])
               if dk == "W" else np.zeros_like(whole))
        return reg if nk == "Jreg" else whole - reg
    if nk == "J":
        if dk == "a0":
            return inst.W[1].T @ tr.delta[1] / inst.M
        k = inst.L if den.kind == "yhat" else ev.layer(den)
        if dk == "W":
            return tr.dW[k]
        if dk == "b":
            return tr.db[k]
        if dk == "z":
            return tr.delta[k] / inst.M
        if dk == "a":
            if k < inst.L:
                return inst.W[k + 1].T @ tr.delta[k + 1] / inst.M
            with np.errstate(all="ignore"):
                return ev.loss_gradient(inst.flags.loss_obj)(tr.a[k], inst.Y) * 1.0 / inst.M
    if nk == "a" and dk == "z":
        k = inst.L if num.kind == "yhat" else ev.layer(num)
        if ev.layer(den) == k:
            act = inst.flags.activation(k)
            if act.name != "softmax":
                return ev.act_function(act, True)(tr.z[k])     # elementwise convention: f'(z)
    if nk == "z" and dk in ("W", "b") and ev.layer(den) == ev.layer(num):
        return _layer_jacobian(ev, ev.layer(num), dk)
    if nk == "z" and dk == "a":
        k = ev.layer(num)
        if ev.layer(den) == k - 1:
            if inst.m == 1 or ev.rows:
                return inst.W[k]                            # one sample: the Jacobian of z^{(k)} in a^{(k-1)}
            # a batch: T[i, s, p, t] = W_ip [s = t], which the chain-rule product contracts to W^T (dJ/dz)
            return np.einsum("ip,st->ispt", inst.W[k], np.eye(inst.m))
    raise Unverifiable(f"{render(p)} is not supported as a whole matrix (it is a higher-order tensor "
                       "or not defined here); write one entry, e.g. with indices _{ij}")


def _one_samples(ev, p: Partial):
    """d L^{(i)} / d W: the derivative of sample i's loss alone, from a forward and backward pass on that
    example (not the batch mean's: the two differ by more than 1/m)."""
    inst = ev.ctx.inst
    k = ev.index_value(p.num.sample)
    if not 1 <= k <= inst.m:
        raise ShapeError(f"sample {k} of {render(p.num)} (the batch has {inst.m})")
    alone = type(ev)(replace(ev.ctx, inst=inst.example(k - 1), idx=dict(ev.ctx.idx), s=0),
                     "rows" if ev.rows else "columns")
    return partial_matrix(alone, Partial(replace(p.num, kind="Jdata", sample=None), p.den))


def _layer_jacobian(ev, k: int, by: str) -> np.ndarray:
    """dz^{(k)}/dW^{(k)} (or /db^{(k)}) as the 4-index tensor T[i, s, p, q] = [i = p] a^{(k-1)}_{q, s} (or [i = p]).

    Contracting it with dJ/dz^{(k)} over (i, s) is the chain rule (constructs' matrix product does that);
    set equal to a matrix, it is a shape mismatch, which is what such a line claims."""
    if ev.rows:
        raise Unverifiable("a derivative of a matrix by a matrix is read in the samples-as-columns layout only")
    inst = ev.ctx.inst
    n, m = inst.sizes[k], inst.m
    prev = inst.trace.a[k - 1] if by == "W" else np.ones((1, m))
    eye = np.eye(n)
    return np.einsum("ip,qs->isqp", eye, prev).transpose(0, 1, 3, 2)


def partial_entry(ev, p: Partial) -> float:
    """One entry d N_i / d D_j by central differences on the forward pass (same sample)."""
    inst = ev.ctx.inst
    num, den = p.num, p.den
    nk = "a" if num.kind == "yhat" else num.kind
    if nk not in ("z", "a") or den.kind not in ("z", "a", "W", "b", "x"):
        raise Unverifiable(f"{render(p)} is not supported")
    nl = inst.L if num.kind == "yhat" else ev.layer(num)
    dl = 0 if den.kind == "x" else ev.layer(den)
    dk = "a" if den.kind == "x" else den.kind
    ni = entry_position(ev, num.idx, inst.sizes[nl], inst.m, sample=num.sample)
    di = entry_position(ev, den.idx, (inst.W[dl].shape if dk == "W" else inst.sizes[dl]), inst.m,
                         weight=dk == "W", sample=den.sample)
    h = ev.step

    def value(sign):
        W = [w if w is None else w.copy() for w in inst.W]
        b = [v if v is None else v.copy() for v in inst.b]
        at, bump = None, None
        if dk == "W":
            W[dl][di] += sign * h
        elif dk == "b":
            b[dl][di[0], 0] += sign * h
        else:
            bump = np.zeros((inst.sizes[dl], inst.m))
            bump[di] = sign * h
            at = (dk, dl)
        zs, as_ = inst.forward(W, b, at, bump)
        return (zs if nk == "z" else as_)[nl]

    # One pair of forward passes gives the derivative of every entry of layer nl by entry di:
    # a sum over the claim's indices then costs one pair per di, not one per term.
    key = ("partial", nk, nl, dk, dl, di)
    column = inst.memo.get(key)
    if column is None:
        column = inst.memo[key] = (value(+1) - value(-1)) / (2 * h)
    return ev.number(column[ni])


def entry_position(ev, idx, dims, m, weight=False, sample=None):
    vals = [ev.index_value(i) for i in idx]
    if sample is not None and len(vals) == 1:
        vals = [vals[0], ev.index_value(sample)] if not ev.rows else [ev.index_value(sample), vals[0]]
    if weight:
        if len(vals) != 2:
            raise Unverifiable("a weight entry needs two indices, W_{ij}")
        r, c = (vals[1], vals[0]) if ev.rows else (vals[0], vals[1])
        if not (1 <= r <= dims[0] and 1 <= c <= dims[1]):
            raise ShapeError("index out of range in a weight entry")
        return (r - 1, c - 1)
    if len(vals) == 2:
        r, c = (vals[1], vals[0]) if ev.rows else (vals[0], vals[1])
    else:
        r, c = vals[0], ev.ctx.s + 1
    if not (1 <= r <= dims and 1 <= c <= m):
        raise ShapeError("index out of range in a derivative")
    return (r - 1, c - 1)
