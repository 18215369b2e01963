"""Confirmation of a candidate "correct" beyond float64.

The random draws compare both sides in float64 with a tolerance (1e-10, or 1e-5 where central
differences are taken), so a claim off by ``1 + 10^{-6}`` in a derivative, or by ``10^{-300}``, could
pass them. Before a claim is called correct it is confirmed here at its own random points:

* a claim with no network (pure calculus) is built in SymPy from the same tree (symbolic.py: never
  from the user's string), its derivatives are SymPy's, and both sides are evaluated *exactly* at the
  drawn points (the float draws as exact rationals) and then to ``DIGITS`` significant digits by SymPy's
  adaptive ``evalf``. A point where one side is undefined in the reals (``\\log`` of a negative number,
  ``\\sqrt`` of one) while the other is defined is a counterexample, whatever a symbolic proof says.

The caller gets ``None`` (confirmed; ``how`` names the confirmation) or a ``Refuted`` with the point and
both values at that precision.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..bounded import TimedOut, bounded
from .symbolic import NotSymbolic, _symbol, to_sympy

DIGITS = 60              # significant digits of the high-precision comparison
AGREE = sp.Float(10, DIGITS) ** -50    # sides agree when |l - r| <= AGREE * max(|l|, |r|)
SECONDS = 6.0
EXACT_BITS = 1100        # working precision the exact difference may rise to (10^{-300} needs ~1000 bits)
POINTS = 8               # points confirmed in high precision
EXACT_POINTS = 2         # points at which the difference below DIGITS digits is resolved exactly


@dataclass
class Refuted:
    point: dict
    claim: str
    truth: str
    why: str


def _real_value(e: sp.Expr):
    """The value of an exact expression to DIGITS digits, or None where it is undefined in the reals."""
    v = sp.N(e, DIGITS)
    if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not v.is_number:
        return None
    re, im = v.as_real_imag()
    if im != 0 and abs(im) > AGREE * max(abs(re), sp.Float(1e-300)):
        return None
    return re


def _exact_difference(d: sp.Expr):
    """The difference of the two exact sides, evaluated adaptively (SymPy raises its working precision
    until the result has 15 correct digits): a certainly non-zero Float, or None (0, or not resolved)."""
    if d == 0:
        return None
    try:
        v = sp.N(d, 15, maxn=EXACT_BITS)
    except (ValueError, TypeError, ArithmeticError):
        return None
    if v == 0 or not v.is_Float or v._prec < 40 or not v.is_finite:
        return None
    return sp.Float(v, 3)


def _short(v) -> str:
    return "undefined (not a real number)" if v is None else sp.Float(v, 20).__str__()


def _spread(contexts) -> list:
    """``POINTS`` of the points, evenly spread over the draws (they cycle through the scales and then sit on
    both sides of each constant): a difference below float64 shows at any point; the float64 draws have
    already compared every point, undefined sides included."""
    if len(contexts) <= POINTS:
        return list(contexts)
    return [contexts[round(k * (len(contexts) - 1) / (POINTS - 1))] for k in range(POINTS)]


def confirm_pure(claim, checker, hidden) -> tuple[Refuted | None, str] | None:
    """(None, how) when both sides agree exactly / to DIGITS digits at every drawn point; (Refuted, how)
    when they do not; None when the claim cannot be built in SymPy (the float64 verdict stands)."""
    left, right = claim.sides
    try:
        lx, rx = to_sympy(left, hidden), to_sympy(right, hidden)
    except (NotSymbolic, TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None
    points = _spread(checker.contexts)
    how = (f"confirmed in exact arithmetic at {len(points)} of the random points (SymPy, to {DIGITS} "
           f"significant digits, and exactly at {EXACT_POINTS} of them; derivatives are SymPy's)")

    def run():
        compared = 0
        for ctx in points:
            if checker.where(ctx) is False:
                continue
            subs = {_symbol(k): sp.Rational(Fraction(v)) for k, v in ctx.vars.items()}
            le, re_ = lx.subs(subs), rx.subs(subs)
            lv, rv = _real_value(le), _real_value(re_)
            point = {k: float(v) for k, v in ctx.vars.items()}
            if (lv is None) != (rv is None):
                return Refuted(point, _short(rv), _short(lv), "one side is undefined in the reals at this point")
            if lv is None:
                continue
            compared += 1
            if abs(lv - rv) > AGREE * max(abs(lv), abs(rv)):
                return Refuted(point, _short(rv), _short(lv),
                               f"the sides differ by {sp.Float(rv - lv, 3)} at {DIGITS} digits")
            exact = _exact_difference(re_ - le) if compared <= EXACT_POINTS else None
            if exact is not None:         # below DIGITS digits, but the exact difference is not 0
                return Refuted(point, _short(rv), _short(lv), f"the sides differ by {exact} (exactly evaluated)")
        return None if compared else "none"
    try:
        out = bounded(run, SECONDS)
    except (TimedOut, TypeError, ValueError, RecursionError, ArithmeticError):
        return None
    if out == "none":
        return None
    return out, how
