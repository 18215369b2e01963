"""High-precision evaluation for precise.py: the private mpmath context (``MP``, at ``PREC`` bits) and
its element-wise arithmetic, exact conversion of float64 arrays (``exact``), the derived truth
lambdified over arrays of mpmath numbers (``lambdified``, stage by stage), the instance whose
parameters and forward pass are exact (``PreciseInstance``, ``precise``), and ``PreciseEvaluator``:
the claim's own evaluator with only its numeric primitives replaced."""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from ..engine import numeric
from ..engine.activations import ACTIVATIONS, _derivative_of, z as Z_SYMBOL
from ..engine.losses import a as A_SYMBOL, lam as LAM_SYMBOL, m as M_SYMBOL, w as W_SYMBOL, y as Y_SYMBOL
from ..notation.matrices import evaluate_matrix
from ..notation.operators import Unevaluable, divide, shape_of
from .evaluate import Evaluator
from .instances import ForwardTrace, Instance, compiled
from .stages import LazyTrace, Stages
from .verdict import Unverifiable

PREC = 320                 # working precision in bits (about 96 digits)

MP = mpmath.MPContext()    # private: the global mpmath context is left alone
MP.prec = PREC


def _quick_npconvert(x, _slow=MP.npconvert):
    """mpf + array: refuse at once (NumPy then applies it element-wise); mpmath's own refusal formats the
    whole array into its message first."""
    if isinstance(x, np.ndarray):
        raise TypeError("an array")
    return _slow(x)


MP.npconvert = _quick_npconvert


class NotPrecise(Exception):
    """Something in the claim has no high-precision evaluation here."""


def _real(v):
    """A real result, or NaN where the function leaves the reals (log of a negative number)."""
    return v if isinstance(v, MP.mpf) else MP.nan


def _elementwise(fn, nargs=1):
    """``fn`` of mpmath numbers applied to numbers or object arrays, complex results as NaN."""
    return np.frompyfunc(lambda *v: _real(fn(*(MP.mpf(x) for x in v))), nargs, 1)


def _divide(x, y):
    if y == 0:
        return MP.nan if x == 0 or MP.isnan(x) else MP.inf * MP.sign(x)
    return x / y


def _power(x, e):
    if not (x > 0 or MP.isint(e)):
        return MP.nan
    try:
        return x ** e
    except ZeroDivisionError:
        return MP.inf


FUNCTIONS = {name: _elementwise(getattr(MP, name)) for name in
             ("exp", "log", "tanh", "sinh", "cosh", "sqrt", "log1p", "expm1")}
DIVIDE, POWER = _elementwise(_divide, 2), _elementwise(_power, 2)
MAXIMUM = _elementwise(max, 2)
TO_MP = np.frompyfunc(lambda v: MP.mpf(v), 1, 1)


def exact(v):
    """A float64 number or array as the same binary fraction in ``MP``; a Fraction to MP's precision."""
    if v is None:
        return None
    if isinstance(v, Fraction):
        return MP.mpf(v.numerator) / v.denominator
    if isinstance(v, np.ndarray):
        return TO_MP(v) if v.dtype != object else v
    return MP.mpf(v)


def _softmax(Zv, axis=0):
    e = FUNCTIONS["exp"](Zv - Zv.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _heaviside(X, at_zero):
    return _elementwise(lambda v: MP.mpf(1) if v > 0 else (MP.mpf(at_zero) if v == 0 else MP.mpf(0)))(X)


NAMESPACE = {
    **FUNCTIONS, "mpf": MP.mpf, "maximum": MAXIMUM, "heaviside": _heaviside,
    "matmul": np.matmul, "T": np.transpose, "sumall": np.sum, "softmax": _softmax,
    "rowsum": lambda X: X.sum(axis=1, keepdims=True), "colsum": lambda X: X.sum(axis=0, keepdims=True),
    "logsumexp": lambda X: (lambda top: top + FUNCTIONS["log"](FUNCTIONS["exp"](X - top).sum(axis=0, keepdims=True)))(
        X.max(axis=0, keepdims=True)),
    "softplus": lambda X: FUNCTIONS["log"](1 + FUNCTIONS["exp"](X)),
}


class _Printer(numeric._ArrayPrinter):
    """The NumPy array printer with every number exact in ``MP`` (a Python float would leak float64)."""

    def _print_Rational(self, e):
        return f"(mpf({e.p})/{e.q})"

    def _print_Integer(self, e):
        return f"mpf({e.p})"

    def _print_Float(self, e):
        return f"mpf('{sp.Float(e, 40)}')"

    def _print_Half(self, e):
        return "(mpf(1)/2)"

    def _print_Max(self, e):
        out = self._print(e.args[0])
        for arg in e.args[1:]:
            out = f"maximum({out}, {self._print(arg)})"
        return out

    def _print_Heaviside(self, e):
        arg, at_zero = e.args if len(e.args) == 2 else (e.args[0], sp.S.Half)
        return f"heaviside({self._print(arg)}, {self._print(at_zero)})"


def lambdified(args, expr):
    """``expr`` as a function of mpmath numbers and object arrays (an unknown function is a NameError)."""
    printer = _Printer({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True})
    return sp.lambdify(args, expr, modules=[NAMESPACE], printer=printer, cse=True)


@lru_cache(maxsize=32)
def _stages(flags) -> Stages:
    """The derived truth of a setting in high precision, stage by stage (stages.py: J, z, a, delta, dW, db of
    every layer, each compiled and computed when a claim first reads it)."""
    e = compiled(flags).expressions
    return Stages(e, numeric._Symbols(flags.depth).args(), flags.depth, lambdified)


@lru_cache(maxsize=64)
def _activation(act, derivative: bool):
    return lambdified(Z_SYMBOL, _derivative_of(act.expr).raw if derivative else act.expr)


def _table_activation(act):
    return lambda X: _activation(act, False)(X)


NAMESPACE.update({f"act_{name}": _table_activation(act) for name, act in ACTIVATIONS.items() if act.expr is not None})


@lru_cache(maxsize=16)
def _loss(loss, gradient: bool):
    return lambdified((A_SYMBOL, Y_SYMBOL), sp.diff(loss.expr, A_SYMBOL) if gradient else loss.expr)


@lru_cache(maxsize=16)
def _regulariser(reg, gradient: bool):
    return lambdified((W_SYMBOL, LAM_SYMBOL, M_SYMBOL), sp.diff(reg.expr, W_SYMBOL) if gradient else reg.expr)


def _like(v, shape):
    """A lambdified constant (a loss or regulariser free of its argument) broadcast to the argument's shape."""
    return v if np.shape(v) == shape else np.broadcast_to(v, shape) * MP.mpf(1)


def _trace(flags, W, b, X, Y, lam, m) -> LazyTrace:
    return LazyTrace(_stages(flags), [p for l in range(1, flags.depth + 1) for p in (W[l], b[l])] + [X, Y, lam, m], X)


@dataclass
class PreciseInstance(Instance):
    """An instance whose every number is an mpmath number (arrays of dtype object)."""

    def trace_of(self, flags, W, b, X, Y, m) -> LazyTrace:
        return _trace(flags, W, b, X, Y, self.lam, m)

    def with_bump(self, at, bump) -> "PreciseInstance":
        zs, as_ = self.forward(at=at, bump=bump)
        loss = PreciseEvaluator.unit_loss(self.flags.loss_obj)(as_[-1], self.Y).sum() / self.m
        reg = sum(np.sum(_like(_regulariser(self.flags.reg_obj, False)(W, self.lam, self.m), W.shape))
                  for W in self.W[1:])
        return replace(self, trace=ForwardTrace(loss + reg, zs, as_))

    def forward(self, W=None, b=None, at=None, bump=None):
        W, b = self.W if W is None else W, self.b if b is None else b
        zs, as_ = [None] * (self.L + 1), [self.X + bump if at == ("a", 0) else self.X] + [None] * self.L
        for l in range(1, self.L + 1):
            zs[l] = W[l] @ as_[l - 1] + b[l] + (bump if at == ("z", l) else 0)
            act = self.flags.activation(l)
            as_[l] = _softmax(zs[l]) if act.name == "softmax" else _activation(act, False)(zs[l])
            as_[l] = as_[l] + (bump if at == ("a", l) else 0)
        return zs, as_


def precise(inst: Instance) -> PreciseInstance:
    """The instance in high precision (kept with it: every context of one instance shares it)."""
    key = ("precise", MP.prec)
    if key not in inst.memo:
        W = [None] + [exact(w) for w in inst.W[1:]]
        b = [None] + [exact(v) for v in inst.b[1:]]
        X, Y, lam = exact(inst.X), exact(inst.Y), exact(inst.lam)
        inst.memo[key] = PreciseInstance(inst.flags, inst.sizes, inst.m, W, b, X, Y, lam,
                                               exact(inst.alpha), _trace(inst.flags, W, b, X, Y, lam, inst.m))
    return inst.memo[key]


# ---------------------------------------------------------------- the evaluator's primitives in MP
def _cell(v):
    if np.size(v) != 1:
        raise Unevaluable(f"a matrix cell must be one number, this one is {shape_of(v)}")
    return np.reshape(v, ()).item() if isinstance(v, np.ndarray) else v


def _matrix(ev, m):
    return evaluate_matrix(ev, m, cell=_cell, dtype=object)


def _div(ev, n):
    x, y = ev(n.args[0]), ev(n.args[1])
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        return divide(x, y)               # the shape error, worded as in float64
    return DIVIDE(x, y)


def _pow(ev, n):
    x, e = ev(n.args[0]), ev(n.args[1])
    if isinstance(e, np.ndarray):
        raise Unevaluable("a matrix exponent")
    return POWER(x, e)


PRIMITIVES = {
    "num": lambda ev, n: exact(Fraction(n.value)),
    "div": _div,
    "pow": _pow,
    "matrix": _matrix,
    "norm": lambda ev, n: FUNCTIONS["sqrt"](np.sum(ev(n.arg) * ev(n.arg))),
}
ELEMENTARY = {"tanh": FUNCTIONS["tanh"], "exp": FUNCTIONS["exp"], "log": FUNCTIONS["log"],
              "sinh": FUNCTIONS["sinh"], "cosh": FUNCTIONS["cosh"], "exp'": FUNCTIONS["exp"],
              "softmax": lambda v: _softmax(v) if isinstance(v, np.ndarray) else MP.mpf(1)}


def _float_leak(v) -> bool:
    """A float64 value that is not a whole number (0.0 and 1.0 of an indicator are exact; NaN marks no value)."""
    if isinstance(v, np.ndarray):
        return v.dtype.kind == "f" and bool(np.any(np.isfinite(v) & (v != np.round(v))))
    return isinstance(v, float) and np.isfinite(v) and not float(v).is_integer()


class PreciseEvaluator(Evaluator):
    """The evaluator with its numeric primitives in ``MP``."""

    number = staticmethod(lambda v: v.item() if isinstance(v, np.ndarray) else v)

    @property
    def step(self):
        """2^{-bits/3}: the truncation error (step^2) and the rounding (2^{-bits} / step) both near 2^{-2 bits/3}."""
        return MP.ldexp(1, -(MP.prec // 3))

    def __call__(self, n):
        fn = PRIMITIVES.get(n.construct)
        try:
            v = fn(self, n) if fn is not None else super().__call__(n)
        except Unevaluable as exc:
            raise Unverifiable(str(exc)) from None
        if _float_leak(v):
            raise NotPrecise(f"{n.construct} gave a float64 value")
        return v

    def regulariser(self):
        inst = self.ctx.inst
        return sum(np.sum(_like(_regulariser(inst.flags.reg_obj, False)(W, inst.lam, inst.m), W.shape))
                   for W in inst.W[1:])

    def regulariser_gradient(self, W):
        inst = self.ctx.inst
        return _like(_regulariser(inst.flags.reg_obj, True)(W, inst.lam, inst.m), W.shape)

    @staticmethod
    def unit_loss(loss):
        fn = _loss(loss, False)
        return lambda A, Y: _like(fn(A, Y), A.shape)

    @staticmethod
    def loss_gradient(loss):
        fn = _loss(loss, True)
        return lambda A, Y: _like(fn(A, Y), A.shape)

    @staticmethod
    def act_function(act, derivative: bool):
        fn = _activation(act, derivative)
        return lambda v: _like(fn(v), np.shape(v)) if isinstance(v, np.ndarray) else fn(exact(v))

    @staticmethod
    def softmax(v, axis: int):
        return _softmax(v, axis)

    def elementary(self, c):
        fn = ELEMENTARY.get(c.fn)
        if fn is None:           # sigmoid, relu; primed (\text{ReLU}'(z)): the activation's derivative
            fn = self.act_function(ACTIVATIONS[c.fn.rstrip("'")], c.fn.endswith("'"))
        return fn(self(c.arg))
