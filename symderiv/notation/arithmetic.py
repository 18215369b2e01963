"""The arithmetic rows' functions: numbers, sums and differences, matrix and element-wise products
(and how a product its factors' types decided was read), powers and square roots, transposes,
the Frobenius norm, a struck-out term (\\cancel) and d2l's prod(A, B)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .operators import REARRANGED, Unevaluable
from .rows import Prec, render
from .tree import walk, Cancel, Node, Norm, Num, Op


def binary(fn):
    return lambda ev, n: fn(ev(n.args[0]), ev(n.args[1]))


def struck_or(fn):
    """A product with a struck-out (\\cancel) factor is struck out: 0, whatever the other factor is."""
    return lambda ev, n: 0.0 if any(a.construct == "cancel" for a in n.args) else fn(n, ev(n.args[0]), ev(n.args[1]))


def num_value(n):
    try:
        return float(n.value)
    except OverflowError:       # a 4000-digit number: no float64 value, so nothing can be compared
        raise Unevaluable(f"the number {str(n.value)[:12]}... is beyond float64's range") from None


def parse_num(p, t):
    p.take()
    return p.node(Num(Fraction(t.text), pos=t.pos))


def render_num(n, r):
    v = n.value
    return str(v.numerator) if v.denominator == 1 else f"\\frac{{{v.numerator}}}{{{v.denominator}}}"


def render_add(n, r):
    x, y = n.args
    if isinstance(y, Op) and y.op == "neg":
        return f"{r(x, Prec.SUM)} - {r(y.args[0], Prec.PREFIX)}"
    return f"{r(x, Prec.SUM)} + {r(y, Prec.PREFIX)}"


def render_T(n, r):
    style = n.style or "^T"
    return f"{r(n.args[0], Prec.BASE)}'" if style == "'" else f"{r(n.args[0], Prec.BASE)}{style.strip()}"


def product_readings(typed: dict, *sides: Node) -> list[str]:
    """How each product of these sides that its factors' types decided was read (operators.typed_products
    collected them while the sides were evaluated), for the verdict's reason."""
    mine = {id(n) for side in sides for n in walk(side)}
    said = {"had": "is element-wise (both factors are {left})", "mm": "is a matrix product ({left} by {right})",
            "chain": "is the chain rule: the gradient ({left}) goes back through the Jacobian ({right}) "
                     "as its transpose times the gradient",
            "both": "is read as written (its factors, {left}, fit a matrix and an element-wise product alike; "
                    "the verdict is the same under either)",
            **{name: f"is {name} ({{left}}, {{right}}): the one rearrangement whose shapes fit"
               for name in REARRANGED}}
    return [f"the product by {render(n.args[1], Prec.FACTOR)} {said[kind].format(left=left, right=right)}"
            for key, (n, kind, left, right) in typed.items() if key in mine]


def parse_sqrt(p, t):
    p.take()
    arg = p.sub(p.group_tokens()).expr_all(t.pos)
    return p.node(Op("pow", (arg, Num(Fraction(1, 2))), pos=t.pos))


def parse_norm(p, t):
    """\\|W\\|, \\|W\\|_2, \\|W\\|_F (then ^2 as a power; ^2_2 in either order): the Frobenius norm, the
    weight-decay norm."""
    p.take()
    arg = p.until(r"\|")
    power = None
    if p.at("^") and p.peek(1) is not None and _after_group(p, 1) == "_":     # \|x\|^2_2
        p.take()
        power = p.sub(p.group_tokens()).expr_all(t.pos)
    kind = ""
    if p.at("_"):
        p.take()
        kind = "".join(x.text for x in p.group_tokens())
        if kind not in ("2", "F"):
            p.fail(f"norm subscript {kind!r} not understood: use \\|W\\|_2 or \\|W\\|_F (both the Frobenius norm "
                   "of a matrix, as in weight decay)", t.pos)
    norm = p.node(Norm(arg, kind, pos=t.pos))
    return norm if power is None else p.node(Op("pow", (norm, power), pos=t.pos))


def _after_group(p, ahead: int) -> str | None:
    """The text of the token after the group that starts ``ahead`` tokens on (None at the end)."""
    first = p.peek(ahead)
    if first is None or first.text != "{":
        after = p.peek(ahead + 1)
    else:
        after = p.peek(ahead + len(p.peek_group(ahead)) + 2)
    return after.text if after is not None else None


def frobenius(v):
    return float(np.sqrt(np.sum(np.square(v))))


def parse_cancel(p, t):
    p.take()
    return p.node(Cancel(p.sub(p.group_tokens()).expr_all(t.pos), pos=t.pos))


def parse_prod(p, t):
    """\\text{prod}(A, B): Dive into Deep Learning's product after whatever transposing or swapping its
    factors' shapes need (operators.rearranged_product)."""
    p.take()
    if not p.at("("):
        p.fail(f"{t.text} needs its two factors in parentheses: prod(A, B)", t.pos)
    p.take()
    p.closing.append(",")
    try:
        left = p.expr()
    finally:
        p.closing.pop()
    p.expect(",")
    right = p.expr()
    p.expect(")")
    return p.node(Op("prod", (left, right), style="prod", pos=t.pos))
