"""Activation functions: one table, name -> SymPy definition.

Only definitions live here. Every derivative is obtained with ``sympy.diff``
and then, where SymPy can confirm it, rewritten in terms of the activation's
own output ``a = f(z)`` (the form backprop uses: ``sigma' = a(1 - a)``,
``tanh' = 1 - a^2``). A rewrite is accepted only when SymPy proves it equal to
the raw derivative; otherwise the derivative stays a function of ``z`` (relu's
Heaviside step, whose inverse does not exist).

>>> d = derivative(resolve("sigmoid"))
>>> d.in_output
a*(1 - a)
"""
from __future__ import annotations

import types
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from ..bounded import bounded, TimedOut
from ..errors import ModelError
from .npnames import prepare as prepare_numpy_names

z = sp.Symbol("z", real=True)
a = sp.Symbol("a", real=True)


def _np_sigmoid(x):
    # For x << 0, e^-x overflows to inf and 1/inf is the exact limit 0: only the warning
    # needs silencing. Half the cost of the overflow-free 0.5(1 + tanh(x/2)) form
    # (benchmarks/bench.py), and the numerics are the same.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def np_softmax(Z, axis=0):
    """softmax over units: axis 0 when samples are columns, 1 when they are rows."""
    e = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """One activation: its SymPy definition in ``z`` and how to print it."""

    name: str
    expr: sp.Expr | None          # f(z); None for softmax (defined over a vector)
    latex: str                    # the function's symbol, e.g. r"\sigma"
    elementwise: bool = True
    numpy: Callable | None = field(default=None, compare=False)  # stable NumPy twin of expr

    def __call__(self, arg):
        return self.expr.subs(z, arg)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", 1 / (1 + sp.exp(-z)), r"\sigma", numpy=_np_sigmoid),
    "tanh": Activation("tanh", sp.tanh(z), r"\tanh", numpy=np.tanh),
    "relu": Activation("relu", sp.Max(0, z), r"\operatorname{relu}",
                       numpy=lambda x: np.maximum(x, 0.0)),
    "identity": Activation("identity", z, r"\operatorname{id}", numpy=lambda x: x),
    # softmax_k(z) = exp(z_k) / sum_j exp(z_j): its Jacobian is derived in index form
    # by derive.softmax_jacobian, not here.
    "softmax": Activation("softmax", None, r"\operatorname{softmax}", elementwise=False, numpy=np_softmax),
}


def resolve(spec) -> Activation:
    """An Activation from a table name, a SymPy expression in ``z``, or a callable.

    >>> resolve(lambda t: sp.log(1 + sp.exp(t))).expr
    log(exp(z) + 1)
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        try:
            return ACTIVATIONS[spec]
        except KeyError:
            raise ModelError(f"unknown activation {spec!r}; known: {', '.join(ACTIVATIONS)}") from None
    if isinstance(spec, sp.Lambda):
        expr = spec(z)
    elif isinstance(spec, sp.Expr):
        free = spec.free_symbols
        if len(free) > 1:
            raise ModelError(f"an activation must be a function of one symbol, got {spec}")
        expr = spec.subs(next(iter(free)), z) if free else spec
    elif callable(spec):
        expr = _call_on_symbol(spec)
    else:
        raise ModelError(f"cannot use {spec!r} as an activation: {_ACTIVATION_IS}")
    if not isinstance(expr, sp.Expr) or expr.free_symbols - {z}:
        raise ModelError(f"an activation must be a SymPy function of one symbol, got {expr}")
    _refuse_unusable(expr)
    name = _custom_name(expr)
    return Activation(name, expr, r"f_{\mathrm{%s}}" % name)


def numpy_function(act: Activation, derivative: bool = False):
    """The NumPy twin of f (or of f'), from the table's own definition (never user text).

    Table activations use their stable twin; custom ones and every derivative
    are lambdified from the SymPy expression in the module's symbol ``z``.
    """
    if not derivative and act.numpy is not None:
        return act.numpy
    if not act.elementwise:
        raise ModelError("softmax has no element-wise derivative: its Jacobian is diag(a) - a a^T")
    return _lambdified(act.expr, derivative)


@lru_cache(maxsize=None)
def _lambdified(expr: sp.Expr, derivative: bool):
    prepare_numpy_names()
    fn = sp.lambdify(z, _derivative_of(expr).raw if derivative else expr, "numpy")
    return lambda v: np.broadcast_to(fn(v), np.shape(v)) * 1.0


_ACTIVATION_IS = ("an activation must be a table name or a SymPy function of one symbol, "
                  "e.g. sympy.tanh or lambda z: sympy.log(1 + sympy.exp(z))")


def _call_on_symbol(fn) -> sp.Expr:
    """What ``fn`` makes of a SymPy symbol, if that is a SymPy expression; else refused.

    The result is never passed to ``sympify``: a callable returning a string must not
    have that string parsed (and evaluated) as code.
    """
    name = getattr(fn, "__name__", type(fn).__name__)
    numeric = isinstance(fn, (np.ufunc, types.BuiltinFunctionType))   # np.tanh, math.tanh
    suggestion = f"; use sympy.{name}" if numeric and hasattr(sp, name) else ""
    try:
        expr = fn(z)
    except Exception as exc:   # NumPy ufuncs raise TypeError on a Symbol; anything else, likewise refused
        raise ModelError(f"{_ACTIVATION_IS}; {name}(z) on a SymPy symbol z raised "
                         f"{type(exc).__name__}{suggestion}") from None
    if not isinstance(expr, sp.Expr):
        raise ModelError(f"{_ACTIVATION_IS}; {name}(z) returned {type(expr).__name__}, "
                         f"not a SymPy expression{suggestion}")
    return expr


# What an activation may not contain, and why: each would otherwise fail late (at
# lambdify or at the first gradient) with an error naming SymPy's internals.
_UNUSABLE = (
    (lambda e: e.has(sp.nan, sp.zoo, sp.oo, -sp.oo), "it is not finite (nan, zoo or oo)"),
    (lambda e: e.has(sp.I), "it is not real (it contains the imaginary unit I)"),
    (lambda e: bool(e.atoms(AppliedUndef)), "it applies an undefined function: give its definition"),
    (lambda e: e.has(sp.Integral, sp.Derivative, sp.Sum, sp.Product, sp.Limit),
     "it holds an unevaluated integral, derivative, sum, product or limit"),
)

# A polynomial activation of higher degree makes SymPy's rewrites (and the derivation's
# expanded steps) grow without bound: z**50 took a minute, z**1000 never returned.
MAX_POLYNOMIAL_DEGREE = 12


def _refuse_unusable(expr: sp.Expr) -> None:
    for contains, why in _UNUSABLE:
        if contains(expr):
            raise ModelError(f"cannot use {expr} as an activation: {why}")
    for power in expr.atoms(sp.Pow):
        if power.exp.is_Number and abs(power.exp) > MAX_POLYNOMIAL_DEGREE:
            raise ModelError(f"cannot use {expr} as an activation: a power above "
                             f"{MAX_POLYNOMIAL_DEGREE} ({power}) is beyond what symderiv derives in bounded time")
    if _derivative_of(expr).raw == 0:
        raise ModelError(f"cannot use {expr} as an activation: its derivative is 0 wherever it is "
                         "defined, so no gradient flows through it")


def _custom_name(expr: sp.Expr) -> str:
    named = [(k.name, k.expr) for k in ACTIVATIONS.values() if k.expr is not None]
    for name, known in named + [("softplus", sp.log(1 + sp.exp(z)))]:
        if _proved_equal(known, expr):
            return name
    return "custom"


@dataclass(frozen=True)
class ActivationDerivative:
    """f'(z) as sympy.diff gives it, and (when provable) rewritten in a = f(z)."""

    raw: sp.Expr                  # d f / d z, a function of z
    in_output: sp.Expr | None     # the same function written in a, or None
    justification: str

    @property
    def best(self) -> sp.Expr:
        """The form backprop evaluates: in ``a`` when available, else in ``z``."""
        return self.in_output if self.in_output is not None else self.raw


def derivative(act: Activation) -> ActivationDerivative:
    """Differentiate an elementwise activation and rewrite it in its output."""
    if not act.elementwise:
        raise ModelError("softmax is not elementwise: use derive.softmax_jacobian")
    return _derivative_of(act.expr)


@lru_cache(maxsize=None)
def _derivative_of(f: sp.Expr) -> ActivationDerivative:
    raw = sp.diff(f, z)
    if raw.has(sp.Heaviside):
        raw = raw.replace(sp.Heaviside, lambda arg, *_: sp.Heaviside(arg, 0))  # relu'(0) := 0
    if raw.has(sp.DiracDelta):
        # a step's derivative is 0 wherever it is defined (the same choice as relu'(0) := 0)
        raw = raw.replace(sp.DiracDelta, lambda *_: sp.S.Zero)
    for candidate, how in _rewrites_in_output(f, raw):
        if candidate.has(z) or candidate == raw:
            continue
        if _proved_equal(candidate.subs(a, f), raw):
            return ActivationDerivative(raw, candidate,
                                        f"sympy.diff of the definition, rewritten in a = f(z) {how}; "
                                        "the rewrite is proved equal by SymPy")
    return ActivationDerivative(raw, None, "sympy.diff of the definition")


def _rewrites_in_output(f, raw):
    """Candidate forms of f'(z) in terms of a: direct substitution, a low-degree polynomial in a
    fitted at a few points, then the inverse of f. Each is only a candidate: ``_derivative_of``
    keeps it only when SymPy proves it equal to the derivative."""
    if f.free_symbols and raw.free_symbols:
        try:
            yield bounded(lambda: tidy(raw.subs(f, a)), seconds=5), "by substituting f(z) -> a"
        except (TimedOut, TypeError):   # TypeError: Piecewise conditions compared with nan
            pass
        fitted = _polynomial_in_output(f, raw)
        if fitted is not None:
            yield tidy(fitted), "as a polynomial in a (fitted at three points, then proved)"
    try:
        inverses = bounded(lambda: sp.solve(sp.Eq(a, f), z), seconds=5)
    except (TimedOut, NotImplementedError, ValueError, TypeError):
        return
    for inv in inverses:
        try:
            yield bounded(lambda: tidy(sp.simplify(raw.subs(z, inv))), seconds=5), \
                "through the inverse z = " + sp.latex(inv)
        except (TimedOut, TypeError):   # TypeError: Piecewise conditions compared with nan
            continue


def _polynomial_in_output(f, raw, degree: int = 2):
    """c_0 + c_1 a + ... + c_d a^d equal to f'(z) at ``degree + 1`` points (50-digit arithmetic),
    with small rational coefficients, or None. Found in milliseconds where ``sp.solve`` for the
    inverse takes seconds (and, under load, its time limit): sigma' = a(1 - a) comes out here."""
    import mpmath
    points = [sp.Rational(3, 10), sp.Rational(7, 10), sp.Rational(13, 10)]
    try:
        with mpmath.workdps(50):
            rows = [[sp.N(f.subs(z, p), 50) ** k for k in range(degree + 1)] for p in points]
            rhs = [sp.N(raw.subs(z, p), 50) for p in points]
            coeffs = mpmath.lu_solve(mpmath.matrix([[mpmath.mpf(str(v)) for v in r] for r in rows]),
                                     mpmath.matrix([mpmath.mpf(str(v)) for v in rhs]))
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    exact = [sp.nsimplify(sp.Float(str(c), 50), rational=True, tolerance=1e-30) for c in coeffs]
    if any(not c.is_Rational or c.q > 100 for c in exact):
        return None
    return sum((c * a ** k for k, c in enumerate(exact)), sp.S.Zero)


def _proved_equal(lhs, rhs) -> bool:
    """SymPy proves lhs = rhs: a rational-function cancellation first (quick, and enough for the
    table's activations), then ``simplify`` within its time limit."""
    try:
        difference = lhs - rhs
        if sp.cancel(difference) == 0 or sp.cancel(difference.rewrite(sp.exp)) == 0:
            return True
        return bounded(lambda: sp.simplify(difference) == 0, seconds=5)
    except (TimedOut, TypeError, sp.PolynomialError):   # TypeError: a Piecewise compared with nan
        return False


def tidy(expr: sp.Expr) -> sp.Expr:
    """The most readable of a few equal forms: a(1 - a) rather than -a(a - 1).

    >>> tidy(-a*(a - 1)), tidy(-(a - 1)*(a + 1))
    (a*(1 - a), 1 - a**2)
    """
    factored = sp.factor(expr)
    flipped = _flip_negated_factor(factored)
    expanded = sp.expand(expr)
    # 1 - a^2 reads better expanded; a(1 - a)(a - y) reads better factored.
    if len(sp.Add.make_args(expanded)) <= 2 and len(str(expanded)) < len(str(flipped)):
        return expanded
    return flipped


def _flip_negated_factor(expr):
    if not isinstance(expr, sp.Mul):
        return expr
    coeff, factors = expr.as_coeff_mul()
    if coeff >= 0:
        return expr
    for k, fac in enumerate(factors):
        if isinstance(fac, sp.Add):
            rest = factors[:k] + factors[k + 1:]
            flipped = sp.Add(*[-t for t in fac.args])
            scale = () if coeff == -1 else (-coeff,)
            return sp.Mul(*scale, *rest, flipped, evaluate=False)
    return expr
