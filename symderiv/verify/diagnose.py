"""Diagnosis of an incorrect link: what kind of slip explains the difference.

Shape mismatch, a constant ratio (sign, scale as a number or as k/m), an
element-wise ratio equal to f'(z) (a dropped or extra factor, or another
activation's derivative), and a small counterexample of the values that
disagree.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..engine import activations as acts
from ..notation.constructs import shape_of as _shape
from ..notation.tree import Op, Qty, walk
from .checker import Sample, close, nonfinite as _nonfinite

def _arrays(s: Sample):
    return np.asarray(s.left, dtype=float), np.asarray(s.right, dtype=float)


def shape_diagnosis(samples) -> list:
    for s in samples:
        lv, rv = _arrays(s)
        if lv.shape == rv.shape:
            continue
        out = [f"shape mismatch: expected {_shape(s.left)}, claim gives {_shape(s.right)}"]
        if 4 in (lv.ndim, rv.ndim):
            out.append("a derivative of a matrix by a matrix is a 4-index tensor (dz_i/dW_pq = [i = p] a_q): "
                       "written as a matrix it is only a shorthand inside the chain rule")
        if rv.ndim == 2 and rv.T.shape == lv.shape and all(
                close(np.asarray(x.left), np.asarray(x.right).T) for x in samples if x.error is None):
            out.append("transpose: the claim is the transpose of the truth")
        elif rv.ndim == 2 and lv.ndim == 2 and lv.shape[1] == 1 and rv.shape[0] == lv.shape[0]:
            sums = [(np.asarray(x.right).sum(axis=1, keepdims=True), np.asarray(x.left), x.ctx.inst.M)
                    for x in samples if x.error is None]
            if all(close(r, l) or close(r / m, l) for r, l, m in sums):
                out.append("dropped sum over the batch: the claim keeps one column per sample")
        elif rv.ndim == 2 and lv.ndim == 2 and lv.shape[0] == 1 and rv.shape[1] == lv.shape[1]:
            sums = [(np.asarray(x.right).sum(axis=0, keepdims=True), np.asarray(x.left), x.ctx.inst.M)
                    for x in samples if x.error is None]
            if all(close(r, l) or close(r / m, l) for r, l, m in sums):
                out.append("dropped sum over the batch: the claim keeps one row per sample")
        return out
    return []


def _nice(c: float) -> str:
    f = Fraction(c).limit_denominator(24)
    if abs(float(f) - c) <= 1e-6 * max(1.0, abs(c)):
        return str(f)
    return f"{c:.6g}"


def ratio_diagnosis(samples) -> list:
    """Constant ratio claim/truth: sign or scale (as a number, or k/m, or k*m)."""
    per = []
    for s in samples:
        if s.error or _nonfinite(s.left) or _nonfinite(s.right):
            continue
        lv, rv = _arrays(s)
        if lv.shape != rv.shape:
            return []
        scale = max(float(np.max(np.abs(lv), initial=0)), 1e-300)
        mask = np.abs(lv) > 1e-8 * scale
        if not mask.any():
            if np.max(np.abs(rv), initial=0) > 1e-8:
                return []
            continue
        q = rv[mask] / lv[mask]
        if np.ptp(q) > 1e-6 * max(1.0, float(np.max(np.abs(q)))):
            return []
        if not np.allclose(rv[~mask], 0, atol=1e-8 * scale):
            return []
        per.append((float(np.mean(q)), s.ctx.inst.M))
    if not per:
        return []
    cs = np.array([c for c, _ in per])
    ms = np.array([m for _, m in per])

    def const(v):
        return np.ptp(v) <= 1e-6 * max(1.0, float(np.max(np.abs(v))))

    if const(cs):
        c = float(cs[0])
        if abs(c - 1) < 1e-6:
            return []
        if abs(c + 1) < 1e-6:
            return ["sign: claim = -1 × truth"]
        if abs(c) < 1e-12:
            return ["value: the claim is 0 where the truth is not"]
        return [f"scale: claim = {_nice(c)} × truth"]
    if const(cs * ms):
        k = float((cs * ms)[0])
        return [f"scale: claim = {_nice(k)}/m × truth (a factor 1/m too many)" if abs(k - 1) < 1e-6 else
                f"scale: claim = ({_nice(k)}/m) × truth"]
    if const(cs / ms):
        k = float((cs / ms)[0])
        hint = " (1/m missing)" if abs(k - 1) < 1e-6 else (f" ({_nice(1 / k)} written where 1/m belongs?)"
                                                            if abs(k) > 1e-12 else "")
        return [f"scale: claim = {_nice(k)}·m × truth{hint}"]
    return []


def factor_diagnosis(samples, checker) -> list:
    """Elementwise ratio equal to f'(z) (dropped/extra factor) or g'/f' (wrong activation derivative)."""
    flags = checker.flags
    tests = []
    for s in samples:
        if s.error or _nonfinite(s.left) or _nonfinite(s.right):
            continue
        lv, rv = _arrays(s)
        if lv.ndim != 2 or lv.shape != rv.shape:
            return []
        tests.append((s, lv, rv))
    if not tests:
        return []
    L = flags.depth
    others = [act for name, act in acts.ACTIVATIONS.items() if act.elementwise]
    for k in range(1, L + 1):
        act = flags.activation(k)
        if act.name == "softmax":
            continue
        fp = acts.numpy_function(act, True)
        for label, make in [
            (f"dropped factor: f'(z^{{({_lay(k, L)})}}) (elementwise) is missing", lambda z: 1.0 / fp(z)),
            (f"extra factor: f'(z^{{({_lay(k, L)})}}) should not be there", lambda z: fp(z)),
        ] + [(f"wrong activation derivative: the claim uses {g.name}' where layer {_lay(k, L)} is {act.name}",
              (lambda z, g=g: acts.numpy_function(g, True)(z) / fp(z))) for g in others if g.name != act.name]:
            if _ratio_matches(tests, k, make, checker):
                return [label]
    return []


def _lay(k, L):
    return "L" if k == L else str(k)


def _ratio_matches(tests, k, make, checker) -> bool:
    for s, lv, rv in tests:
        z = s.ctx.inst.trace.z[k]
        z = z.T if checker.flags.layout == "rows" else z
        if z.shape != lv.shape:
            return False
        with np.errstate(all="ignore"):
            cand = make(z)
        if not np.all(np.isfinite(cand)) or not close(lv * cand, rv):
            return False
        if close(cand, np.ones_like(cand)):
            return False
    return True


# -- one-edit repairs of the claim, in its own notation
MATRIX_KINDS = {"W", "a", "z", "delta", "x", "y", "yhat", "ones", "b"}

def _small(v):
    if v is None:
        return None
    if not isinstance(v, np.ndarray):
        return float(f"{float(v):.6g}")
    if v.ndim != 2:
        return {"shape": list(v.shape)}
    clipped = v[:3, :3]
    return {"shape": list(v.shape), "values" if clipped.shape == v.shape else "top_left":
            [[float(f"{x:.4g}") for x in row] for row in clipped]}


def draw_size(s) -> tuple:
    """How big a draw is: the counterexample shown is the smallest failing one, and the reason names
    the same draw."""
    return sum(s.ctx.inst.sizes) + s.ctx.inst.m, s.ctx.l or 0


def counterexample(samples, bad, ref, test, swapped) -> dict | None:
    failing = [s for s in samples if s.error or not close(s.left, s.right)]
    if not failing:
        return None
    s = min(failing, key=draw_size)
    inst = s.ctx.inst
    if not inst.sizes:
        return {"point": {k: round(v, 6) for k, v in s.ctx.vars.items()},
                "claim": _small(s.right if not swapped else s.left),
                "truth": _small(s.left if not swapped else s.right)}
    out = {"sizes": list(inst.sizes), "m": inst.m}
    if s.ctx.l is not None:
        out["l"] = s.ctx.l
    if s.ctx.idx:
        out["indices"] = dict(s.ctx.idx)
    if inst.m > 1 and any(len(q.idx) == 1 for q in walk(Op("add", (ref, test))) if isinstance(q, Qty)):
        out["sample"] = s.ctx.s + 1
    out["truth"] = _small(s.left)
    out["claim"] = _small(s.right) if s.error is None else s.error
    return out
