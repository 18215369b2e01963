"""A worked example: the numbers a document computes its own forward pass at, and the links checked there.

Step-by-step derivations often run the model at one point and carry the numbers through every line::

    z_1 = x_1 + b_1 = 2 + 3 = 5            the definition, then the same sum at the document's values
    \\frac{\\partial y}{\\partial z_1} = \\frac{\\partial y}{\\partial z_7} \\cdot \\frac{\\partial z_7}{\\partial z_1}
        = -3 \\cdot 0.731 = -2.193         symbolic links, then the same product at those values

``point_of`` reads the values of the forward pass's inputs and parameters from the links that follow a
definition (the numbers written where the definition writes its leaves: ``x_1 + b_1 = 2 + 3`` gives
x_1 = 2, b_1 = 3). A link that writes numbers (a side without any quantity, a decimal, or ``\\approx``)
says something about that point only, so ``check_at_point`` compares its sides there, exactly, each
written decimal standing for any value it is a rounding of (within half a unit of its last digit).
Links between symbols stay checked at random draws (linecheck.py): they claim more than one point.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import sympy as sp

from ..notation.tree import Call, Num, Op, Partial, Qty, rewrite, walk
from ..verify.diagnostics import diagnostic
from ..verify.verdict import Unverifiable
from .draws import Draw
from .lines import key_of, latex_of
from .symbols import Graph
from .values import Evaluator, evaluate_graph

CONFLICT = ("two values",)   # the key point_of's search marks an input given two different values with
DIGITS = 30          # the precision both sides are compared in (their exact values, rounded once)


def numeric(n) -> bool:
    """A side that names no quantity: numbers, operations and functions of numbers (``-3 \\cdot 0.731``)."""
    return not any(isinstance(x, (Qty, Partial)) for x in walk(n))


def _decimals(n) -> list:
    """The written decimals of a tree (``0.731``: its last digit is a thousandth), as Num nodes."""
    return [x for x in walk(n) if isinstance(x, Num) and _unit(x.value) is not None]


def _unit(v: Fraction) -> Fraction | None:
    """One unit in the last digit of a decimal, 0.731 -> 1/1000 (None for an integer, or 1/3: no decimal).
    The value is reduced (3.655 is 731/200), so the digits are the fewest that write it."""
    if v.denominator == 1:
        return None
    for k in range(1, 40):
        if (v * 10 ** k).denominator == 1:
            return Fraction(1, 10 ** k)
    return None


def worked_link(g: Graph, left, right, rounded: bool) -> bool:
    """Does this link speak of the document's values only? A side of numbers, or ≈, says so; a decimal
    among symbols (``\frac{\partial y}{\partial z_6} \cdot 0.623``) does when it is the example's value of
    one of its quantities, rounded (0.623 for z_5 = 0.6237): ``0.25 (h - y)``, where no quantity is 0.25,
    is a formula with a constant in it, checked at random draws like any other."""
    if rounded or numeric(left) or numeric(right):
        return True
    written = _decimals(left) + _decimals(right)
    if not written:
        return False
    values = [v for m in _draw_at(g, g.point).forward.values() if m.shape == (1, 1) for v in [sp.N(m[0, 0], DIGITS)]]
    values += [sp.N(v, DIGITS) for v in g.point.values()]
    return all(any(abs(v - sp.Rational(n.value.numerator, n.value.denominator)) <= sp.Rational(_unit(n.value)) / 2
                   for v in values if v.is_real) for n in written)


# ---------------------------------------------------------------- the document's values
def _exact(n) -> sp.Expr | None:
    """A number side's exact value (None when it is not one number)."""
    if isinstance(n, Num):
        return sp.Rational(n.value.numerator, n.value.denominator)
    if isinstance(n, Op) and n.op == "neg":
        v = _exact(n.args[0])
        return None if v is None else -v
    return None


def _unify(g: Graph, pattern, numbers, found: dict) -> None:
    """Where the definition writes a leaf (an input, a parameter) the worked link writes its value."""
    if isinstance(pattern, Qty) and key_of(pattern) not in g.definitions and key_of(pattern) in g.symbols:
        value = _exact(numbers)
        if value is not None:
            if found.setdefault(key_of(pattern), value) != value:
                found[CONFLICT] = True       # two values for one input: no single point is worked
        return
    if isinstance(pattern, Call) and isinstance(numbers, Call) and pattern.fn == numbers.fn:
        _unify(g, pattern.arg, numbers.arg, found)
    elif isinstance(pattern, Op) and isinstance(numbers, Op) and pattern.op == numbers.op and \
            len(pattern.args) == len(numbers.args):
        for a, b in zip(pattern.args, numbers.args):
            _unify(g, a, b, found)


def point_of(g: Graph) -> dict | None:
    """The values the document works its example at, {key: exact number}, when it gives one to every input
    and parameter of a forward pass of numbers; else None."""
    if not g.numbers:
        return None
    found: dict = {}
    for line in g.lines:
        if line.defines is None or line.error or len(line.sides) < 3:
            continue
        for later in line.sides[2:]:
            if numeric(later):
                _unify(g, line.sides[1], later, found)
    leaves = [s.key for s in g.symbols.values() if s.role in ("parameter", "data", "scalar")]
    if not leaves or CONFLICT in found or any(k not in found for k in leaves):
        return None
    return {k: found[k] for k in leaves}


def point_links(g: Graph, line) -> set:
    """The links of a definition line that state the point's values (``x_1 + b_1 = 2 + 3``): their
    numbers are where the values come from, so they are read, not checked."""
    if line.defines is None or len(line.sides) < 3:
        return set()
    out = set()
    for k in range(1, len(line.sides) - 1):
        found: dict = {}
        _unify(g, line.sides[k], line.sides[k + 1], found)
        if found:
            out.add(k)
    return out


def describe_point(point: dict) -> str:
    return ", ".join(f"{latex_of(k)} = {_show(v)}" for k, v in point.items())


def _show(v) -> str:
    return str(v) if v.is_Integer else f"{float(v):.6g}"


def _draw_at(g: Graph, point: dict) -> Draw:
    """The model at the document's values: a draw whose leaves are the point, computed exactly."""
    key = ("point",)
    if key not in g.draws:
        draw = Draw(g, 0)
        for k, v in point.items():
            draw.values[k] = sp.Matrix([[v]])
        draw.forward = evaluate_graph(g, draw, draw.values)
        g.draws[key] = draw
    return g.draws[key]


# ---------------------------------------------------------------- one link at the point
def _value(g: Graph, draw: Draw, side) -> sp.Expr:
    m = Evaluator(g, draw, draw.forward).value(side)
    if m.shape != (1, 1):
        raise Unverifiable("a worked link's sides are numbers; this side is a "
                           f"{m.shape[0]}×{m.shape[1]} matrix")
    return sp.N(m[0, 0], DIGITS)


def _exact_values(draw: Draw) -> set:
    """The example's values that are exact decimals: its inputs, and what the forward pass makes of them
    without rounding (z = 0.5 * 2 + 0.2 = 1.2)."""
    return {m[0, 0] for m in list(draw.values.values()) + list(draw.forward.values())
            if m.shape == (1, 1) and m[0, 0].is_Rational}


def _slack(g: Graph, draw: Draw, side, at: sp.Expr) -> sp.Expr:
    """How far the side may move when each written decimal moves by half a unit in its last digit, the
    values it is a rounding of (first order, one decimal at a time)."""
    total = sp.Float(0)
    exact = _exact_values(draw)
    for num in _decimals(side):
        if sp.Rational(num.value.numerator, num.value.denominator) in exact:
            continue                 # 0.5 where c_2 = 0.5, 1.2 where z = 1.2 exactly: that value, not a rounding
        unit = _unit(num.value) / 2
        moved = rewrite(side, lambda n, num=num: replace(n, value=n.value + unit) if n is num else None)
        total += abs(_value(g, draw, moved) - at)
    return total


def check_at_point(g: Graph, point: dict, left, right):
    """The link's two sides at the document's values: equal up to the rounding of the numbers written."""
    from .linecheck import LineVerdict
    draw = _draw_at(g, point)
    lv, rv = _value(g, draw, left), _value(g, draw, right)
    if not (lv.is_real and rv.is_real):
        raise Unverifiable("a side is not a real number at the document's values")
    slack = _slack(g, draw, left, lv) + _slack(g, draw, right, rv) + sp.Float(10) ** (8 - DIGITS) * \
        max(1, abs(lv), abs(rv))
    read = [f"checked at the worked example's values ({describe_point(point)}), read from its forward-pass "
            "lines"] + (["each decimal written in the line read as a rounding (within half a unit of its last digit)"]
                        if _decimals(left) or _decimals(right) else [])
    if abs(lv - rv) <= slack:
        return LineVerdict("correct", "holds at the document's worked values: both sides are "
                           f"{_show(rv) if numeric(right) else _show(lv)}", assumptions=read)
    example = {"point": describe_point(point), "left": float(lv), "right": float(rv)}
    diagnostics = []
    if rv != 0 and abs(lv / rv + 1) <= slack / abs(rv):
        diagnostics.append(diagnostic("sign"))
    return LineVerdict("incorrect", f"at the document's worked values the left side is {float(lv):.6g} and the "
                       f"right side {float(rv):.6g}" + (f", further apart than the rounding of the numbers written "
                                                         f"allows (±{float(slack):.2g})" if slack > 1e-15 else ""),
                       diagnostics, example, assumptions=read)
