"""The derivative rows' parsing: \\frac as a division or a derivative, the operator forms written in
front of a term (d/dz, \\partial/\\partial x, \\partial_x, and textbook.py's \\nabla), which node a
derivative is (ordinary, partial of a quantity, derivative of an expression), and how an operator
in front was read, for the verdict's reason."""
from __future__ import annotations

from .names import LOSS_KINDS
from .quantities import render_qty
from .rows import render
from .tree import walk, Deriv, DerivOf, Named, Node, Op, Partial, Qty


def parse_frac(p, t):
    """\\frac{a}{b} is a division, \\frac{\\partial J}{\\partial W} a partial, \\frac{d}{dz} f a derivative."""
    p.take()
    num_toks = p.group_tokens()
    den_toks = p.group_tokens()
    nt = [x.text for x in num_toks]
    if nt and nt[0] in (r"\partial", "d") and den_toks and den_toks[0].text in (r"\partial", "d") \
            and (nt[0] == r"\partial" or len(nt) == 1 or (len(nt) > 1 and nt[1] != "{")):
        return _parse_derivative(p, t, num_toks, den_toks)
    num = p.sub(num_toks).expr_all(t.pos)
    den = p.sub(den_toks).expr_all(t.pos)
    return p.node(Op("div", (num, den), pos=t.pos))


def _parse_derivative(p, t, num_toks, den_toks):
    den_p = p.sub(den_toks[1:])
    if den_p.at("(", "{"):
        closer = {"(": ")", "{": "}"}[den_p.take().text]
        den = den_p.quantity()
        den_p.expect(closer)
    else:
        den = den_p.quantity()
    if den_p.peek() is not None:
        den_p.fail(f"unexpected {den_p.peek().text!r} in the denominator of a derivative")
    if len(num_toks) == 1:                   # operator form: \frac{\partial}{\partial W} J
        operand = operator_operand(p, t)
    else:
        operand = p.sub(num_toks[1:]).expr_all(t.pos)
    return derivative_node(p, t, den, operand)


def operator_operand(p, t):
    """What a derivative operator written in front (d/dz, \\partial/\\partial x, \\nabla_x, \\partial_x) applies
    to: the whole term that follows, up to the next +, -, =, relation or closing bracket at the same level,
    as a reader takes \\frac{d}{dz} 3 z^2 (= 6z, not 0). One exception, the textbooks' BP1: a term that
    starts with the cost J is the gradient of J times the rest (\\nabla_a C \\odot \\sigma'(z^L))."""
    if p.stops(p.peek()):
        p.fail(f"{t.text} needs something to differentiate after it", t.pos)
    first = p.unary()
    if isinstance(first, Qty) and first.kind in LOSS_KINDS:
        # the gradient of the cost times what follows, as textbooks write BP1: \nabla_a C \odot \sigma'(z^L)
        return first
    return p.product(first)


def operator_readings(*sides: Node) -> list[str]:
    """How each derivative operator written in front of a term of several factors was read, and each name
    a course gives a quantity (a ``named`` node: Ng's D, \\Delta), for the verdict's reason
    ("\\frac{d}{dz} applies to the whole term 3 z^{2}")."""
    out = []
    for n in (n for side in sides for n in walk(side)):
        if isinstance(n, Named) and n.said not in out:
            out.append(n.said)
        if isinstance(n, (Deriv, DerivOf)) and isinstance(n.body, Op) and n.body.op not in ("add", "sub"):
            var = n.var if isinstance(n, Deriv) else render_qty(n.den)
            op = f"d/d{var}" if isinstance(n, Deriv) else f"\\partial/\\partial {var}"
            out.append(f"{op} applies to the whole term {render(n.body)}")
    return out


def derivative_node(p, t, den, operand):
    """The tree of d(operand)/d(den): an ordinary derivative in pure calculus, a partial of one quantity,
    or the derivative of an expression."""
    if den.kind in ("z", "x", "a", "y") and den.layer is None and not den.idx and not isinstance(operand, Qty):
        return p.node(Deriv(den.spelling, operand, pos=t.pos))
    # by a free symbol (d/dp, d/d\beta): a partial until readings say what the symbol is; the
    # parser turns it into an ordinary derivative if the claim stays pure calculus
    if not isinstance(operand, Qty):
        return p.node(DerivOf(operand, den, pos=t.pos))
    return p.node(Partial(operand, den, pos=t.pos))


def operator_subscript(p, t, missing: str, not_one: str, whole: bool = True) -> Qty:
    """The quantity an operator's subscript names (\\partial_x, \\nabla_{W^{(l)}}): the operator and
    its ``_`` are taken; ``missing`` / ``not_one`` are the messages when there is no subscript or it is
    not one quantity (``whole``: nothing may follow the quantity inside the subscript)."""
    p.take()
    if not p.at("_"):
        p.fail(missing, t.pos)
    p.take()
    den_p = p.sub(p.group_tokens())
    den = den_p.quantity()
    if not isinstance(den, Qty) or (whole and den_p.peek() is not None):
        p.fail(not_one, t.pos)
    return den


def parse_partial_sub(p, t):
    """\\partial_x f, \\partial_{W^{(l)}} J: the operator form of \\frac{\\partial}{\\partial x}, on the whole term after it."""
    den = operator_subscript(p, t, r"\partial outside a \frac{\partial ...}{\partial ...}: write \partial_x f or "
                             r"\frac{\partial f}{\partial x}",
                             r"\partial_{...}'s subscript must be one quantity (x, z, W^{(l)}, ...)")
    return derivative_node(p, t, den, operator_operand(p, t))
