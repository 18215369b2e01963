"""A network claim's candidate "correct" confirmed beyond float64, in high-precision arithmetic.

The float64 draws compare both sides with a relative tolerance of 1e-12, so ``a^{(L)} - y + 10^{-300}``,
``(1 + 10^{-13})(a^{(L)} - y)`` or ``a^{(1)} = 1 if z^{(1)} > 50`` (sigmoid(50) rounds to 1) pass them.
Before a claim about the model's quantities is called correct, some of its own contexts are evaluated
again here, in mpmath at ``PREC`` bits (about 96 digits; more when the claim writes a number as small as
10^{-300} or as large as 10^{40}: ``precision_for``), in a private context (the global one is left alone; mpeval.py holds that arithmetic):

* the instance's parameters and data are converted exactly (a float64 is a binary fraction), and the
  derived truth (engine/numeric.py's expressions for J, z, a, delta, dW, db) is lambdified over arrays
  of mpmath numbers, once per setting, stage by stage (stages.py): only what the claim reads is computed;
* both sides go through the same tree with the same evaluator (``PreciseEvaluator`` subclasses it): only
  the numeric primitives differ (numbers as written are exact, division, powers, functions,
  activations, losses, and central differences taken with a step of 2^{-bits/3});
* the sides must agree to all but ``MARGIN`` of those bits (to half of them where central differences are
  taken), at least 66 digits.

A value that reaches a node as a non-integer float64 would be float64 leaking into the confirmation; the
confirmation then says it could not run (``NotPrecise``) rather than give a verdict either way.
"""
from __future__ import annotations

import threading

import numpy as np

from ..bounded import TimedOut, bounded
from ..notation.operators import ShapeError
from ..notation.tree import walk
from .confirm import Refuted
from .evaluate import Context
from .mpeval import MP, PREC, NotPrecise, PreciseEvaluator, exact, precise
from .verdict import Unverifiable

# PREC (mpeval.py): the working precision in bits (about 96 digits) ...
MARGIN = 100               # ... of which a right claim may lose this many to rounding and cancellation
ROOM = 220                 # bits kept below the smallest (or above the largest) number the claim writes
MAX_PREC = 4000
GROUPS = 2                 # (instance, layer) groups of contexts confirmed
SECONDS = 4.0

_LOCK = threading.Lock()   # one confirmation at a time sets MP's precision


CONSTANT = frozenset({"num", "add", "sub", "neg", "mm", "had", "div", "pow", "function"})


def precision_for(claim) -> int:
    """Bits enough for the numbers the claim writes: 10^{-300} (2^{-997}) in a + 10^{-300} must survive
    rounding with ``ROOM`` bits to spare, as must 10^{40} z - 10^{40} z."""
    sizes = []
    for tree in claim.all_trees():
        for n in walk(tree):
            if all(x.construct in CONSTANT for x in walk(n)):
                sizes.append(_magnitude(n))
    return int(min(MAX_PREC, max([PREC] + [v + ROOM for v in sizes if v is not None])))


def _magnitude(n) -> int | None:
    """|log2| of a constant subtree's value (mpf's exponent is unbounded: 10^{-5000} has one), or None."""
    saved, MP.prec = MP.prec, 64
    try:
        v = PreciseEvaluator(Context(None, None, {}), "columns")(n)
        return int(abs(MP.log(abs(v), 2))) if isinstance(v, MP.mpf) and MP.isfinite(v) and v != 0 else None
    except Exception:       # a constant with no value (1/0) has no size to keep
        return None
    finally:
        MP.prec = saved


# ---------------------------------------------------------------- the confirmation
def _value(node, ctx: Context, layout: str):
    inst = precise(ctx.inst)
    ev = PreciseEvaluator(Context(inst, ctx.l, dict(ctx.idx), ctx.s, dict(ctx.vars)), layout)
    v = ev(node)
    return v.reshape(()).item() if isinstance(v, np.ndarray) and v.size == 1 else v


def _picked(checker) -> list:
    """One context of each of ``GROUPS`` (instance, layer) groups where the condition holds somewhere: those
    of the smallest instances (the high-precision pass costs what the instance's size does), which are the
    narrow and the wide draw of one shape."""
    groups = {}
    for ctx in checker.contexts:
        key = (id(ctx.inst), ctx.l)
        if key not in groups:
            mask = checker.where(ctx)
            if mask is True or (mask is not False and np.any(mask)):
                groups[key] = ctx
    return sorted(groups.values(), key=lambda c: sum(c.inst.sizes) * c.inst.m)[:GROUPS]


def _entries(v) -> list:
    return [exact(x) if not isinstance(x, MP.mpf) else x for x in np.ravel(np.asarray(v, dtype=object))]


def _where(ctx: Context) -> dict:
    inst = ctx.inst
    out = {"shape": "-".join(map(str, inst.sizes)), "m": inst.m}
    if ctx.l is not None:
        out["l"] = ctx.l
    return {**out, **{str(k): v for k, v in ctx.idx.items()}}


def _compare(truth, claim, ctx, bits, prec) -> Refuted | None:
    if np.ndim(truth) != np.ndim(claim):    # "= 0" (or a number) for a whole matrix: every entry
        truth, claim = np.broadcast_arrays(np.asarray(truth, dtype=object), np.asarray(claim, dtype=object))
    t, c = _entries(truth), _entries(claim)
    if len(t) != len(c):
        return Refuted(_where(ctx), f"{len(c)} entries", f"{len(t)} entries", "the sides differ in shape")
    worst, where, scale = MP.mpf(0), None, MP.mpf(1)
    for k, (x, y) in enumerate(zip(t, c)):
        if MP.isfinite(x) != MP.isfinite(y):
            return Refuted(_where(ctx), MP.nstr(y, 20), MP.nstr(x, 20),
                           "one side is undefined at this point in high precision")
        if not MP.isfinite(x):
            continue
        scale = max(scale, abs(x), abs(y))
        if abs(x - y) > worst:
            worst, where = abs(x - y), k
    if worst > MP.ldexp(scale, -bits):
        x, y = t[where], c[where]
        shown = min(_digits(prec), 25 + max(0, int(MP.log10(scale / worst))))   # enough digits to see them differ
        return Refuted(_where(ctx), MP.nstr(y, shown), MP.nstr(x, shown),
                       f"the sides differ by {MP.nstr(y - x, 3)} (they agree in float64)")
    return None


def confirm_network(checker, ref, test, fd: bool) -> tuple[Refuted | None, str]:
    """(None, how) when both sides agree in high precision at the picked contexts; (Refuted, how) when they
    do not; (None, why-not) when the confirmation could not run (the float64 verdict stands, and says so)."""
    if any(n.construct == "derivof" for side in (ref, test) for n in walk(side)):
        # d(expression)/dW by differences is a perturbed network per entry: in high precision, seconds
        return None, ("not confirmed beyond float64 (a derivative of an expression by a whole matrix is taken by "
                      "central differences, one perturbed network per entry; too slow in high precision)")
    picked = _picked(checker)
    layout = checker.flags.layout
    with _LOCK:
        MP.prec = bits = precision_for(checker.claim)
        agree = bits // 2 + 10 if fd else bits - MARGIN      # central differences: 2/3 of the bits, less margin

        def run():
            for ctx in picked:
                found = _differs(checker, ref, test, ctx, agree, bits)
                if found is not None and not fd and _cancels(checker, ref, test, ctx, bits):
                    continue
                if found is not None:
                    return found
            return None
        how = (f"confirmed in {bits}-bit arithmetic (mpmath, about {_digits(bits)} digits) at {len(picked)} of the "
               f"contexts: the derived truth and both sides evaluated again through the same tree agree to "
               f"{_digits(agree)} digits" + (f"; derivatives by central differences with a step of 2^-{bits // 3}"
                                              if fd else ""))
        try:
            found = bounded(run, SECONDS)
            return (found, f"mpmath at {bits} bits") if found is not None else (None, how)
        except TimedOut:
            return None, f"not confirmed beyond float64 (the {bits}-bit evaluation took over {SECONDS:g} s)"
        except (NotPrecise, Unverifiable, ShapeError, NameError, TypeError, ValueError, ArithmeticError) as exc:
            return None, f"not confirmed beyond float64 (no {bits}-bit evaluation of this claim: {exc})"
        finally:
            MP.prec = PREC


NEAR = 1e-2               # a float64 miss this close (relative to the values' size) may be rounding alone: at
                           # a sigmoid's z = 25, 1 - a keeps 5 digits, so 1/(1 - a) is off by 1e-5 relative
MAX_NEAR = 24              # misses evaluated again; beyond that the float64 verdict stands
NEAR_SCALE = 4             # they are evaluated at this many times the claim's bits


def near_miss(s, rtol: float) -> bool:
    """A float64 miss that may be rounding alone: both sides of one shape, and where both are finite apart by
    at most ``NEAR`` of their size; cancellation (1 - a^{(L)} for a^{(L)} near 1 keeps few digits) or
    saturation (a^{(L)} rounds to 1, so (1 - y)/(1 - a^{(L)}) is inf where the claim's a - y is finite)."""
    if s.error is not None:
        return False
    try:
        lv, rv = np.broadcast_arrays(np.asarray(s.left, dtype=float), np.asarray(s.right, dtype=float))
    except (TypeError, ValueError):
        return False
    if np.shape(s.left) != np.shape(s.right) and np.ndim(s.left) and np.ndim(s.right):
        return False
    both = np.isfinite(lv) & np.isfinite(rv)
    if not np.any(both):                 # every entry saturated (-y/a + (1 - y)/(1 - a) is 0/0 at a = 1)
        return True
    scale = max(float(np.max(np.abs(lv[both]))), float(np.max(np.abs(rv[both]))), 1e-300)
    return float(np.max(np.abs(lv[both] - rv[both]))) <= NEAR * scale


def _differs(checker, ref, test, ctx, agree: int, bits: int) -> Refuted | None:
    """Both sides of one context at MP's precision, compared to ``agree`` bits (None: they agree)."""
    layout = checker.flags.layout
    mask = checker.where(ctx)
    lv, rv = _masked(_value(ref, ctx, layout), mask), _masked(_value(test, ctx, layout), mask)
    return _compare(lv, rv, ctx, agree, bits)


def _cancels(checker, ref, test, ctx, base: int) -> bool:
    """Do the sides agree at ``NEAR_SCALE`` times ``base`` bits, ``base`` of them lost? A context where the
    evaluation cancels (1 - a for a^{(L)} = sigmoid(150)) loses as many bits in any precision, so a difference
    that is rounding shrinks as the precision grows, where a real one stays: ``base`` bits of loss allowed at
    that precision are still far below any difference a claim makes without writing a number that small,
    and a number it writes raises ``base`` (precision_for). MP's precision is restored."""
    saved = MP.prec
    MP.prec = bits = NEAR_SCALE * base
    try:
        return _differs(checker, ref, test, ctx, bits - base, bits) is None
    finally:
        MP.prec = saved


def rounding_only(checker, ref, test, misses) -> bool:
    """Are the float64 misses of a link (near misses: ``near_miss``) rounding alone? True only when, evaluated
    again in high precision (the same contexts, the derived truth and both sides through the same tree), the
    sides agree at every one (``_cancels``). Anything that cannot run keeps the float64 verdict: this turns a
    miss into agreement only where high precision shows agreement."""
    if not misses or len(misses) > MAX_NEAR:
        return False
    base = precision_for(checker.claim)
    with _LOCK:
        def run():
            return all(_cancels(checker, ref, test, s.ctx, base) for s in misses)
        try:
            return bool(bounded(run, SECONDS))
        except TimedOut:
            return False
        except (NotPrecise, Unverifiable, ShapeError, NameError, TypeError, ValueError, ArithmeticError):
            return False
        finally:
            MP.prec = PREC


def _digits(bits: int) -> int:
    return int(bits * 0.30103)


def _masked(v, mask):
    """A value compared only where the claim's condition holds (the float64 mask of the same context)."""
    if isinstance(mask, np.ndarray):
        v = np.broadcast_to(v, mask.shape) if np.ndim(v) == 0 else v
        if np.shape(v) == mask.shape:
            return np.where(mask, v, MP.mpf(0))
    return v
