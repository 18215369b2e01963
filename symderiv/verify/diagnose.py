"""Diagnosis of an incorrect link: what kind of slip explains the difference.

Shape mismatch, a constant ratio (sign, scale as a number or as k/m), an
element-wise ratio equal to f'(z) (a dropped or extra factor, or another
activation's derivative), and a small counterexample of the values that
disagree.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from ..engine import activations as acts
from ..notation.operators import shape_of as _shape
from ..notation.tree import LayerRef, Op, Qty, walk
from .checker import Sample, close, nonfinite as _nonfinite
from .diagnostics import diagnostic

def _arrays(s: Sample):
    return np.asarray(s.left, dtype=float), np.asarray(s.right, dtype=float)


def witness(samples):
    """The draw a wrong claim is described by, the reason and the counterexample alike: the smallest
    draw where one side cannot be computed, else where the shapes differ, else where the values differ."""
    ordered = sorted(samples, key=draw_size)
    for bad in (lambda s: s.error is not None,
                lambda s: s.error is None and np.shape(s.left) != np.shape(s.right),
                lambda s: s.error is None and not close(s.left, s.right)):
        found = next((s for s in ordered if bad(s)), None)
        if found is not None:
            return found
    return None


def shape_diagnosis(samples, test=None) -> list:
    """Diagnostics of a claim whose value has another shape than the truth (``test``: the claim's side),
    stated for the smallest such draw (the counterexample's)."""
    for s in sorted(samples, key=draw_size):
        lv, rv = _arrays(s)
        if lv.shape == rv.shape:
            continue
        out = [diagnostic("shape", test, expected=_shape(s.left), given=_shape(s.right))]
        if 4 in (lv.ndim, rv.ndim):
            out.append(diagnostic("tensor-shorthand", test))
        if rv.ndim == 2 and rv.T.shape == lv.shape and all(
                close(np.asarray(x.left), np.asarray(x.right).T) for x in samples if x.error is None):
            out.append(diagnostic("transpose.whole", test))
        elif rv.ndim == 2 and lv.ndim == 2 and lv.shape[1] == 1 and rv.shape[0] == lv.shape[0]:
            sums = [(np.asarray(x.right).sum(axis=1, keepdims=True), np.asarray(x.left), x.ctx.inst.M)
                    for x in samples if x.error is None]
            if all(close(r, l) or close(r / m, l) for r, l, m in sums):
                out.append(diagnostic("dropped-sum", test, unit="column"))
        elif rv.ndim == 2 and lv.ndim == 2 and lv.shape[0] == 1 and rv.shape[1] == lv.shape[1]:
            sums = [(np.asarray(x.right).sum(axis=0, keepdims=True), np.asarray(x.left), x.ctx.inst.M)
                    for x in samples if x.error is None]
            if all(close(r, l) or close(r / m, l) for r, l, m in sums):
                out.append(diagnostic("dropped-sum", test, unit="row"))
        return out
    return []


def _nice(c: float) -> str:
    f = Fraction(c).limit_denominator(24)
    if abs(float(f) - c) <= 1e-6 * max(1.0, abs(c)):
        return str(f)
    return f"{c:.6g}"


def ratio_diagnosis(samples, test=None) -> list:
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
            return [diagnostic("sign", test)]
        if abs(c) < 1e-12:
            return [diagnostic("zero", test)]
        return [diagnostic("scale", test, factor=_nice(c))]
    if const(cs * ms):
        k = float((cs * ms)[0])
        return [diagnostic("scale.extra-1/m", test) if abs(k - 1) < 1e-6 else
                diagnostic("scale.per-m", test, factor=_nice(k))]
    if const(cs / ms):
        k = float((cs / ms)[0])
        if abs(k - 1) < 1e-6:
            return [diagnostic("scale.missing-1/m", test)]
        if abs(k) > 1e-12:
            return [diagnostic("scale.times-m", test, factor=_nice(k), written=_nice(1 / k))]
        return [diagnostic("scale.times-m-only", test, factor=_nice(k))]
    return []


def factor_diagnosis(samples, checker, test=None) -> list:
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
        zq = Qty("z", "z", LayerRef("L", 0) if k == L else LayerRef(None, k))   # written in the claim's notation
        for found, make in [
            (diagnostic("dropped-factor.elementwise", test, z=zq), lambda z: (np.ones_like(z), fp(z))),
            (diagnostic("extra-factor.derivative", test, z=zq), lambda z: (fp(z), np.ones_like(z))),
        ] + [(diagnostic("activation-derivative", test, used=g.name, layer=_lay(k, L), actual=act.name),
              (lambda z, g=g: (acts.numpy_function(g, True)(z), fp(z)))) for g in others if g.name != act.name]:
            if _ratio_matches(tests, k, make, checker):
                return [found]
        for g in others:        # another activation's derivative written in its output: a(1 - a) in a tanh net
            form = _in_output(g.name)
            if g.name == act.name or form is None:
                continue
            expr, fn = form
            if _ratio_matches(tests, k, lambda z, fn=fn, act=act: (fn(acts.numpy_function(act, False)(z)) + 0 * z, fp(z)),
                              checker):
                aq = Qty("a", "a", LayerRef("L", 0) if k == L else LayerRef(None, k))
                right = _in_output(act.name)
                return [diagnostic("activation-derivative.output", test, written=sp.latex(expr), used=g.name,
                                   a=aq, actual=act.name,
                                   right=sp.latex(right[0]) if right else f"{act.name}'(z)")]
    return []


@lru_cache(maxsize=None)
def _in_output(name: str):
    """(f' written in a = f(z), its NumPy function of a) for a named activation, or None."""
    act = acts.ACTIVATIONS.get(name)
    if act is None or not act.elementwise:
        return None
    form = acts.derivative(act).in_output
    if form is None or not form.free_symbols <= {acts.a}:
        return None
    return form, sp.lambdify(acts.a, form, "numpy")


def _lay(k, L):
    return "L" if k == L else str(k)


def _ratio_matches(tests, k, make, checker) -> bool:
    """claim / truth = num(z) / den(z) at every draw, compared as claim * den = truth * num (no division:
    a saturated f'(z) near 0 in a wide draw stays finite); never when num = den (no change at all)."""
    for s, lv, rv in tests:
        z = s.ctx.inst.trace.z[k]
        z = z.T if checker.flags.layout == "rows" else z
        if z.shape != lv.shape:
            return False
        with np.errstate(all="ignore"):
            num, den = make(z)
        if not (np.all(np.isfinite(num)) and np.all(np.isfinite(den))) or not close(lv * num, rv * den):
            return False
        if close(num, den):
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
    s = witness(samples)
    if s is None:
        return None
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
