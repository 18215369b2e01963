"""Symbolic confirmation of claims that involve no network (activation identities, simplifications).

The claim tree is translated node by node into SymPy (never through a string:
nothing the user typed is parsed by SymPy) and ``lhs - rhs`` is simplified
within a time limit. The outcome is one of:

* ``"proved"``: SymPy shows the difference is identically 0;
* ``"refuted"``: the difference is a non-zero constant (``z = z + 10^{-300}``),
  which no floating-point draw can see;
* ``None``: undecided (unsupported construct, or SymPy ran out of time);
  the random-draw verdict then stands, and says which precision it used.
"""
from __future__ import annotations

import sympy as sp

from ..engine import activations as acts
from ..bounded import TimedOut, bounded
from ..notation.tree import Call, Deriv, Node, Num, Op, Qty

SECONDS = 4.0
_SYMBOLS: dict[str, sp.Symbol] = {}


class NotSymbolic(Exception):
    """The tree holds a construct with no scalar SymPy meaning here."""


def _symbol(name: str) -> sp.Symbol:
    # Probabilities p, a, y are drawn in (0, 1); every other variable is any real.
    if name not in _SYMBOLS:
        _SYMBOLS[name] = sp.Symbol(f"v_{name}", real=True)
    return _SYMBOLS[name]


_OPS = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "neg": lambda x: -x, "mm": lambda x, y: x * y,
    "had": lambda x, y: x * y, "div": lambda x, y: x / y, "pow": lambda x, y: x ** y, "T": lambda x: x,
}
_FUNCTIONS = {"tanh": sp.tanh, "exp": sp.exp, "log": sp.log, "sinh": sp.sinh, "cosh": sp.cosh,
              "sigmoid": lambda x: 1 / (1 + sp.exp(-x)), "relu": lambda x: sp.Max(0, x)}


def to_sympy(n: Node, hidden: acts.Activation) -> sp.Expr:
    """The scalar SymPy expression of a pure-calculus tree."""
    if isinstance(n, Num):
        return sp.Rational(n.value.numerator, n.value.denominator)
    if isinstance(n, Qty):
        return _symbol(n.spelling)
    if isinstance(n, Op):
        return _OPS[n.op](*[to_sympy(a, hidden) for a in n.args])
    if isinstance(n, Call):
        arg = to_sympy(n.arg, hidden)
        if n.fn in ("act", "dact"):
            act = acts.ACTIVATIONS["sigmoid"] if n.spelling == r"\sigma" else hidden
            if not act.elementwise:
                raise NotSymbolic("softmax")
            expr = acts.derivative(act).raw if n.fn == "dact" else act.expr
            return expr.subs(acts.z, arg)
        if n.fn not in _FUNCTIONS:
            raise NotSymbolic(n.fn)
        return _FUNCTIONS[n.fn](arg)
    if isinstance(n, Deriv):
        return sp.diff(to_sympy(n.body, hidden), _symbol(n.var))
    raise NotSymbolic(type(n).__name__)


def settle(left: Node, right: Node, hidden: acts.Activation) -> str | None:
    """"proved", "refuted" or None (undecided), within SECONDS."""
    try:
        diff = to_sympy(left, hidden) - to_sympy(right, hidden)
    except (NotSymbolic, TypeError, ValueError, ZeroDivisionError):
        return None
    try:
        simplified = bounded(lambda: sp.simplify(diff), SECONDS)
    except (TimedOut, TypeError, ValueError, RecursionError):
        return None
    if simplified.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None                    # a side undefined everywhere (1/0): the draws say where
    if simplified == 0:
        return "proved"
    if simplified.is_number and simplified.is_zero is False:
        return "refuted"
    return None
