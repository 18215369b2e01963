"""A network claim's candidate "correct" confirmed beyond float64, in high-precision arithmetic.

The float64 draws compare both sides with a relative tolerance of 1e-12, so ``a^{(L)} - y + 10^{-300}``,
``(1 + 10^{-13})(a^{(L)} - y)`` or ``a^{(1)} = 1 if z^{(1)} > 50`` (sigmoid(50) rounds to 1) pass them.
Before a claim about the model's quantities is called correct, some of its own contexts are evaluated
again here, in mpmath at ``PREC`` bits (about 96 digits; more when the claim writes a number as small as
10^{-300} or as large as 10^{40}: ``precision_for``), in a private context (the global one is left alone):

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

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

import threading

import mpmath
import numpy as np
import sympy as sp

from ..bounded import TimedOut, bounded
from ..engine import numeric
from ..engine.activations import ACTIVATIONS, _derivative_of, z as Z_SYMBOL
from ..engine.losses import a as A_SYMBOL, lam as LAM_SYMBOL, m as M_SYMBOL, w as W_SYMBOL, y as Y_SYMBOL
from ..notation.operators import ShapeError, Unevaluable, divide, shape_of
from ..notation.tree import walk
from .confirm import Refuted
from .evaluate import Context, Evaluator
from .instances import ForwardTrace, Instance, compiled
from .stages import LazyTrace, Stages
from .verdict import Unverifiable

PREC = 320                 # working precision in bits (about 96 digits) ...
MARGIN = 100               # ... of which a right claim may lose this many to rounding and cancellation
ROOM = 220                 # bits kept below the smallest (or above the largest) number the claim writes
MAX_PREC = 4000
GROUPS = 2                 # (instance, layer) groups of contexts confirmed
SECONDS = 4.0

MP = mpmath.MPContext()    # private: the global mpmath context is left alone
MP.prec = PREC
_LOCK = threading.Lock()   # one confirmation at a time sets MP's precision


def _quick_npconvert(x, _slow=MP.npconvert):
    """mpf + array: refuse at once (NumPy then applies it element-wise); mpmath's own refusal formats the
    whole array into its message first."""
    if isinstance(x, np.ndarray):
        raise TypeError("an array")
    return _slow(x)


MP.npconvert = _quick_npconvert


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

    def with_parameters(self, W, b) -> "PreciseInstance":
        return replace(self, W=W, b=b, trace=_trace(self.flags, W, b, self.X, self.Y, self.lam, self.m))

    def example(self, k: int) -> "PreciseInstance":
        cache = self.__dict__.setdefault("_examples", {})
        if k not in cache:
            flags = replace(self.flags, batch=False)
            X, Y = self.X[:, [k]], self.Y[:, [k]]
            cache[k] = PreciseInstance(flags, self.sizes, 1, self.W, self.b, X, Y, self.lam, self.alpha,
                                       _trace(flags, self.W, self.b, X, Y, self.lam, 1), of_batch=self.m)
        return cache[k]

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
    if m.term is None:
        return np.array([[_cell(ev(c)) for c in row] for row in m.rows], dtype=object)
    rows = ev.index_range(m.term, m.row_index) if m.row_index else [None]
    cols = ev.index_range(m.term, m.col_index) if m.col_index else [None]
    out = np.empty((len(rows), len(cols)), dtype=object)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            with ev.bound(m.row_index or "_", r or 0), ev.bound(m.col_index or "_", c or 0):
                out[i, j] = _cell(ev(m.term))
    return out


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
