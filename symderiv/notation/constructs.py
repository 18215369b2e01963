"""The construct registry: one row per construct of the notation.

A row says everything about one construct, in one place:

* ``spellings``: how people write it (documentation, and the tokens the
  tokenizer must accept; ``starts`` are the tokens that open it in a primary
  position, ``infix``/``postfix`` the operator tokens);
* ``parse``: for primaries, ``parse(parser, token) -> Node`` using the
  parser's small public API (take, at, group_tokens, sub, expr, ...);
* ``precedence``: how tightly it binds when rendered (parentheses);
* ``evaluate(ev, node)``: its numeric meaning, with NumPy, given an evaluator
  ``ev`` that evaluates children (``ev(child)``) and knows the model
  (``ev.quantity``, ``ev.partial``, ``ev.activation``, ``ev.derivative``,
  ``ev.sum_range``, ``ev.bound``);
* ``render(node, r) -> str``: LaTeX in the claim's own spelling, where
  ``r(child, prec)`` renders a child, parenthesised if it binds looser;
* ``edits(node) -> iter[(label, node)]``: the single-edit repairs that apply
  to it (a shifted layer, a dropped transpose, ``1/m`` for ``1/2``...).

Adding a construct is adding a row (the lesson of autograd's ``defvjp``
table and SymPy's ``_print_<Class>``): the parser, the evaluator, the
renderer and the repair search all dispatch through ``registry.CONSTRUCTS``,
built once from these core rows and the textbook rows (textbook.py).
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from fractions import Fraction
from typing import Callable

import numpy as np

from ..engine import activations as acts
from .operators import ShapeError, Unevaluable, add as _add, divide as _div, power as _pow, product, rearranged_product, shape_of, REARRANGED  # noqa: F401 (re-exported)
from .tree import walk, children, free_indices, with_children, Call, Cancel, Cases, Cond, Deriv, DerivOf, Index, Indicator, Matrix, Named, Node, Norm, Num, Op, Partial, Qty, Sum, transposed


def no_edits(_n):
    return iter(())


class Prec(float, Enum):
    """How tightly a construct binds when rendered: a child is parenthesised when its level is below
    the level its parent asks for (``r(child, Prec.FACTOR)``). Floats, so a level can sit between two."""
    LOWEST = 0          # a whole group or argument: never parenthesised
    COMPARISON = 0.5    # z > 0
    SUM = 1             # a + b, a - b
    PREFIX = 2          # -x, \sum_j x (and the right operand of a sum)
    PRODUCT = 3         # A B, A \odot B, a / b
    FACTOR = 4          # the right operand of a product
    POWER = 5           # x^2, A^T
    SCRIPTED = 5.5      # a quantity with scripts, a partial: parenthesised as the base of ^T or a power
    BASE = 6            # the base of a power or a transpose
    ATOM = 9            # numbers, names, functions applied, norms, matrices


@dataclass(frozen=True)
class Construct:
    """One construct of the notation (module docstring); rows are written with keyword arguments."""
    name: str
    doc: str
    spellings: tuple
    precedence: Callable | Prec
    evaluate: Callable
    render: Callable
    edits: Callable = no_edits
    starts: tuple = ()          # tokens opening it as a primary
    parse: Callable | None = None
    infix: tuple = ()           # operator tokens at the sum or product level
    level: str = ""             # "sum" | "product" for infix operators
    postfix: tuple = ()         # superscript spellings that mean it (^T, ^\top, ')
    closer: str = ""            # the token that ends it (\| of a norm): an expression stops there

    def prec(self, n: Node) -> float:
        return self.precedence(n) if callable(self.precedence) else self.precedence


def _binary(fn):
    return lambda ev, n: fn(ev(n.args[0]), ev(n.args[1]))


def _struck_or(fn):
    """A product with a struck-out (\\cancel) factor is struck out: 0, whatever the other factor is."""
    return lambda ev, n: 0.0 if any(a.construct == "cancel" for a in n.args) else fn(n, ev(n.args[0]), ev(n.args[1]))


def _parse_indicator(p, t):
    """\\mathbb{1}(y_i = k) or \\mathbb{1}\\{y = k\\}."""
    p.take()
    closer = {"(": ")", r"\{": r"\}"}.get(p.peek().text if p.peek() is not None else "")
    if closer is None:
        p.fail(r"\mathbb{1} is an indicator: write its condition after it, \mathbb{1}(y_i = k)", t.pos)
    p.take()
    p.closing.append(closer)
    try:
        cond = parse_condition(p, t.pos)
    finally:
        p.closing.pop()
    p.expect(closer)
    return p.node(Indicator(cond, pos=t.pos))


def _evaluate_indicator(ev, n):
    mask = ev(n.cond)
    return np.where(mask, 1.0, 0.0) if isinstance(mask, np.ndarray) else float(bool(mask))


ELLIPSES = {r"\dots", r"\cdots", r"\vdots", r"\ddots", r"\ldots"}
MATRIX_ENVIRONMENTS = ("bmatrix", "pmatrix", "matrix")


def _parse_matrix(p, t):
    """Rows of cells; an ellipsis cell is None; cells past an ellipsis (x_n^{(m)}) are read only for shape."""
    p.take()
    env = t.text.split(":", 1)[1]
    rows, row = [], []
    while True:
        nxt = p.peek()
        if nxt is None:
            p.fail(f"\\begin{{{env}}} is never closed", t.pos)
        if nxt.text == f"end:{env}":
            p.take()
            rows.append(tuple(row))
            break
        if nxt.kind == "break":
            p.take()
            rows.append(tuple(row))
            row = []
            continue
        if nxt.kind == "align":
            p.take()
            continue
        if nxt.text in ELLIPSES:
            p.take()
            row.append(None)
            continue
        row.append(_cell(p))
    rows = tuple(r for r in rows if r)
    return p.node(_with_general_term(p, Matrix(rows, pos=t.pos)))


def _cell(p):
    """One cell, or OPAQUE when it names its place with a count (x_n^{(m)}) rather than a number."""
    start = p.k
    try:
        return p.expr()
    except Exception:
        depth = 0
        p.k = start
        while p.peek() is not None and not (depth == 0 and (p.peek().kind in ("align", "break") or
                                                             p.peek().text.startswith("end:"))):
            depth += {"{": 1, "}": -1, "(": 1, ")": -1}.get(p.take().text, 0)
        return OPAQUE


OPAQUE = Num(Fraction(0))          # a cell read for the matrix's shape, not for its value


def _with_general_term(p, m: Matrix) -> Matrix:
    if not any(c is None for row in m.rows for c in row):
        return m
    first = m.rows[0][0]
    below = m.rows[1][0] if len(m.rows) > 1 and m.rows[1] and m.rows[1][0] is not None else None
    right = m.rows[0][1] if len(m.rows[0]) > 1 and m.rows[0][1] is not None else None
    term, row_index, col_index = first, None, None
    for other, letter in ((below, "u"), (right, "v")):
        if other is None or other is OPAQUE or first is None or first is OPAQUE:
            continue
        varied = _vary(term, first, other, letter)
        if varied is None:
            p.fail("a matrix with ellipses needs its first cells to differ in one number "
                   "(x_1^{(1)}, x_1^{(2)}, ...)", m.pos)
        term = varied
        row_index, col_index = (letter, col_index) if letter == "u" else (row_index, letter)
    return replace(m, term=term, row_index=row_index, col_index=col_index)


def _vary(term, first, other, letter):
    """``term`` with the one number in which ``first`` differs from ``other`` (1 vs 2) replaced by ``letter``."""
    if isinstance(first, Qty) and isinstance(other, Qty) and isinstance(term, Qty):
        if (first.spelling, first.layer) != (other.spelling, other.layer):
            return None
        if first.sample != other.sample and first.idx == other.idx and isinstance(first.sample, int):
            return replace(term, sample=letter)
        diffs = [k for k, (x, y) in enumerate(zip(first.idx, other.idx)) if x != y]
        if len(diffs) == 1 and len(first.idx) == len(other.idx) and first.sample == other.sample:
            idx = list(term.idx)
            idx[diffs[0]] = letter
            return replace(term, idx=tuple(idx))
        return None
    kids_f, kids_o, kids_t = children(first), children(other), children(term)
    if type(first) is not type(other) or len(kids_f) != len(kids_o) or not kids_f:
        return None
    out, changed = list(kids_t), 0
    for k, (a, b) in enumerate(zip(kids_f, kids_o)):
        if a != b:
            new = _vary(kids_t[k], a, b, letter)
            if new is None:
                return None
            out[k], changed = new, changed + 1
    return with_children(term, out) if changed == 1 else None


def _cell_value(v) -> float:
    if np.size(v) != 1:
        raise Unevaluable(f"a matrix cell must be one number, this one is {shape_of(v)}")
    return float(np.reshape(v, ()))


def _evaluate_matrix(ev, m: Matrix):
    if m.term is None:
        return np.array([[_cell_value(ev(c)) for c in row] for row in m.rows])
    rows = ev.index_range(m.term, m.row_index) if m.row_index else [None]
    cols = ev.index_range(m.term, m.col_index) if m.col_index else [None]
    out = np.empty((len(rows), len(cols)))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            with ev.bound(m.row_index or "_", r or 0), ev.bound(m.col_index or "_", c or 0):
                out[i, j] = _cell_value(ev(m.term))
    return out


def _render_matrix(m, r):
    cells = [" & ".join(r"\dots" if c is None else r(c, Prec.LOWEST) for c in row) for row in m.rows]
    return "\\begin{bmatrix} " + " \\\\ ".join(cells) + " \\end{bmatrix}"


def _parse_cancel(p, t):
    p.take()
    return p.node(Cancel(p.sub(p.group_tokens()).expr_all(t.pos), pos=t.pos))


# Elementary functions by evaluator name: the table people's \tanh, \exp, \log... resolve to.
ELEMENTARY: dict[str, Callable] = {
    "tanh": np.tanh, "exp": np.exp, "log": np.log, "sinh": np.sinh, "cosh": np.cosh,
    "sigmoid": acts.numpy_function(acts.ACTIVATIONS["sigmoid"]),
    "relu": acts.numpy_function(acts.ACTIVATIONS["relu"]),
    "softmax": lambda v: acts.np_softmax(v) if isinstance(v, np.ndarray) else 1.0,
    # primed (\text{ReLU}'(z), \tanh'(z)): the derivative of the named function, element-wise
    "tanh'": lambda v: 1 - np.tanh(v) ** 2, "exp'": np.exp,
    "sigmoid'": lambda v: ELEMENTARY["sigmoid"](v) * (1 - ELEMENTARY["sigmoid"](v)),
    "relu'": lambda v: np.heaviside(v, 0.0),
}


# ---------------------------------------------------------------- rendering helpers
def render_qty(q: Qty) -> str:
    s = q.spelling + ("'" if q.prime else "")
    if q.args:
        s += "(" + ", ".join(render(a) for a in q.args) + ")"
    if q.idx:
        s += "_{" + "".join(_index_latex(i) for i in q.idx) + "}"
    sample = q.sample if not q.args else None     # h_\theta(x^{(i)}): the arguments already name it
    layer = None if q.kind == "width" and q.spelling.endswith("}") else q.layer    # N_{out}: its name says it
    if layer is not None or sample is not None:
        s += "^{" + (f"({layer.latex()})" if layer is not None else "") + \
            (f"({sample})" if sample is not None else "") + "}"
    return s


def _index_latex(i) -> str:
    """An index as written: a letter, a unit number, or y_i (the class of sample i) after a space."""
    if isinstance(i, tuple) and i[0] == "label":
        return f" y_{i[1]}"
    return str(i)


def _qty_prec(q: Qty) -> Prec:
    # W^{(l)} under ^T or a power needs parentheses: (W^{(l)})^T
    return Prec.SCRIPTED if (q.idx or q.layer is not None) else Prec.ATOM


def _render_num(n, r):
    v = n.value
    return str(v.numerator) if v.denominator == 1 else f"\\frac{{{v.numerator}}}{{{v.denominator}}}"


def _render_add(n, r):
    x, y = n.args
    if isinstance(y, Op) and y.op == "neg":
        return f"{r(x, Prec.SUM)} - {r(y.args[0], Prec.PREFIX)}"
    return f"{r(x, Prec.SUM)} + {r(y, Prec.PREFIX)}"


def _render_call(n, r):
    name = n.spelling or n.fn
    if n.fn == "dact" or (n.fn.endswith("'") and not name.endswith("'")):
        name += "'"
    elif n.spelling == "e":
        return f"e^{{{r(n.arg, Prec.LOWEST)}}}"
    return f"{name}\\left({r(n.arg, Prec.LOWEST)}\\right)"


def _render_T(n, r):
    style = n.style or "^T"
    return f"{r(n.args[0], Prec.BASE)}'" if style == "'" else f"{r(n.args[0], Prec.BASE)}{style.strip()}"


def _render_sum(n, r):
    hi = f"^{{{n.hi_latex}}}" if n.hi_latex else ""
    if not hi and n.lo == 1:          # the natural range: every unit
        return f"\\sum_{{{n.index}}} {r(n.body, Prec.PRODUCT)}"
    return f"\\sum_{{{n.index}={n.lo}}}{hi} {r(n.body, Prec.PRODUCT)}"


# ---------------------------------------------------------------- repair edits
M = Qty("m", "m")
MATRIX_KINDS = {"W", "a", "z", "delta", "x", "y", "yhat", "ones", "b"}


def _found(code: str, at: Node, **args) -> tuple:
    """What an edit says is wrong: (diagnostic code, the node it is about, its arguments); the checker
    makes a Diagnostic of it (verify/diagnostics.py) and writes trees in the claim's notation."""
    return code, at, args


def _qty_edits(q: Qty):
    if q.layer is not None:
        for d in (+1, -1):
            new = replace(q, layer=q.layer.shifted(d))
            yield _found("layer-shift", q, was=q, should=new), new
    if len(q.idx) == 2:
        new = replace(q, idx=q.idx[::-1])
        yield _found("index-swap", q, was=q, should=new), new
    if q.kind in MATRIX_KINDS and not q.idx:
        yield _found("transpose", q, was=q), transposed(q)
    if q.kind == "m":
        for c in (Fraction(1), Fraction(2)):
            yield _found("scale.replace", q, was=q, should=Num(c)), Num(c)


def _partial_edits(p: Partial):
    if len(p.den.idx) == 2:
        new = replace(p, den=replace(p.den, idx=p.den.idx[::-1]))
        yield _found("index-swap", p, was=p, should=new), new
    if not p.den.idx:
        yield _found("transpose", p, was=p), transposed(p)


def _num_edits(n: Num):
    if n.value != 1:
        yield _found("scale.replace", n, was=n, should=M), M


def _term_edits(n: Op):
    """Sign and scale slips of one term of a sum or difference."""
    x, y = n.args
    for k, term in enumerate((x, y)):
        for code, new in (("sign.term", Op("neg", (term,))),
                          ("scale.term-missing-1/m", Op("mm", (Op("div", (Num(Fraction(1)), M)), term))),
                          ("scale.term-extra-1/m", Op("mm", (M, term))),
                          ("scale.term-doubled", Op("mm", (Num(Fraction(2)), term))),
                          ("scale.term-halved", Op("mm", (Num(Fraction(1, 2)), term)))):
            if code in ("scale.term-doubled", "scale.term-halved") and _has_number(term):
                continue        # a number inside the term is what to change (lambda/(2m) for lambda/m)
            yield _found(code, term, was=term), Op(n.op, (new, y) if k == 0 else (x, new), style=n.style)


def _has_number(n: Node) -> bool:
    return any(isinstance(x, Num) and x.value not in (0, 1) for x in walk(n))


def _sub_edits(n: Op):
    yield from _term_edits(n)
    x, y = n.args
    swapped = Op("sub", (y, x))
    yield _found("sign.swap", n, was=n, should=swapped), swapped


def _product_edits(n: Op):
    x, y = n.args
    yield _found("extra-factor.part", x, was=x), y
    yield _found("extra-factor.part", y, was=y), x
    if n.op == "mm":
        yield _found("product-type", n, was=n, product="Hadamard"), replace(n, op="had", style=r"\odot")
        flipped = Op("mm", (y, x))
        yield _found("factor-order", n, was=n, should=flipped), flipped
    else:
        yield _found("product-type", n, was=n, product="matrix"), replace(n, op="mm", style="")


def _div_edits(n: Op):
    if isinstance(n.args[0], Num) and isinstance(n.args[1], Num):
        new = Op("div", (n.args[0], M))
        yield _found("scale.replace", n, was=n, should=new), new


def _transpose_edits(n: Op):
    inner = n.args[0]
    yield _found("transpose.drop", n, was=inner), inner
    if isinstance(inner, Op) and inner.op == "mm":
        x, y = inner.args
        new = Op("mm", (transposed(y), transposed(x)))
        yield _found("transpose.product", n, should=new), new


# ---------------------------------------------------------------- primary parsers
def _num_value(n):
    try:
        return float(n.value)
    except OverflowError:       # a 4000-digit number: no float64 value, so nothing can be compared
        raise Unevaluable(f"the number {str(n.value)[:12]}... is beyond float64's range") from None


def _parse_num(p, t):
    p.take()
    return p.node(Num(Fraction(t.text), pos=t.pos))


def _parse_frac(p, t):
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


def _parse_partial_sub(p, t):
    """\\partial_x f, \\partial_{W^{(l)}} J: the operator form of \\frac{\\partial}{\\partial x}, on the whole term after it."""
    den = operator_subscript(p, t, r"\partial outside a \frac{\partial ...}{\partial ...}: write \partial_x f or "
                             r"\frac{\partial f}{\partial x}",
                             r"\partial_{...}'s subscript must be one quantity (x, z, W^{(l)}, ...)")
    return derivative_node(p, t, den, operator_operand(p, t))


def _parse_sqrt(p, t):
    p.take()
    arg = p.sub(p.group_tokens()).expr_all(t.pos)
    return p.node(Op("pow", (arg, Num(Fraction(1, 2))), pos=t.pos))


def _parse_exp_e(p, t):
    p.take()
    p.take()           # ^
    arg = p.sub(p.group_tokens()).expr_all(t.pos)
    p.no_second_exponent()
    return p.node(Call("exp", arg, "e", pos=t.pos))


def primed(p) -> bool:
    """Takes a prime after a function's name: ', ^{\\prime}, ^\\prime or \\prime written alone."""
    if p.at("'", r"\prime"):
        p.take()
        return True
    if p.at("^") and [x.text for x in p.peek_group(1)] in ([r"\prime"], ["'"]):
        p.take()
        p.group_tokens()
        return True
    return False


def _parse_activation(p, t):
    """\\sigma(z), f'(z), g^{\\prime}(z), g\\prime(z), \\sigma_1(...): the layer's activation or its derivative."""
    p.take()
    prime = False
    while True:
        if primed(p):
            prime = True
        elif p.at("_"):          # f_l, \sigma_1: which layer is read from the argument
            p.take()
            p.group_tokens()
        else:
            break
    return activation_applied(p, t, prime)


def activation_applied(p, t, prime: bool) -> Call:
    """The activation (or, primed, its derivative) applied to the parenthesised argument that follows."""
    if not p.at("("):
        p.fail(f"{t.text}{chr(39) if prime else ''} needs an argument in parentheses")
    p.take()
    arg = p.expr()
    p.expect(")")
    return p.node(Call("dact" if prime else "act", arg, t.text, pos=t.pos))


def _parse_function(p, t):
    """\\tanh(z), \\log a, \\tanh^2(z), \\text{softmax}(z); primed (\\text{ReLU}'(z)), its derivative."""
    p.take()
    fn = FUNCTION_NAMES[t.text]
    if primed(p):
        fn += "'"
        if fn not in ELEMENTARY:
            p.fail(f"the derivative of {t.text} is not known: write it out", t.pos)
    power = None
    if p.at("^"):
        p.take()
        power = p.sub(p.group_tokens()).expr_all(t.pos)
    if p.at("("):
        p.take()
        arg = p.expr()
        p.expect(")")
    else:                                    # \ln a^{(L)}
        if p.stops(p.peek()):
            p.fail(f"{t.text} needs an argument")
        arg = p.postfix(p.primary())
    call = p.node(Call(fn, arg, t.text, pos=t.pos))
    return p.node(Op("pow", (call, power), pos=t.pos)) if power is not None else call


def _parse_sum(p, t):
    """\\sum_{j=1}^{n_{l+1}} body, \\sum_k body (natural range); \\sum body whose entries run over one index
    letter (\\sum (y_i - a_i)^2) sums over it."""
    p.take()
    if not p.at("_"):
        return _sum_over_its_index(p, t)
    p.take()
    lower = [x.text for x in p.group_tokens()]
    if not lower or lower[0] not in INDEX_LETTERS:
        p.fail(r"\sum needs an index letter (i, j, k, ...)", t.pos)
    index, lo, skip = lower[0], 1, None
    if len(lower) == 3 and lower[1] in (r"\neq", r"\ne") and lower[2] in INDEX_LETTERS and lower[2] != index:
        skip = lower[2]                      # \sum_{i \neq k}: every i but k
    elif len(lower) > 1:
        if len(lower) != 3 or lower[1] != "=" or not lower[2].isdigit():
            p.fail(r"\sum lower limit must read index=number", t.pos)
        lo = int(lower[2])
    hi, hi_latex = None, ""
    if p.at("^"):
        p.take()
        toks = p.group_tokens()
        hi_latex = "".join(x.text for x in toks)
        hi = p.sum_bound(toks, t.pos)
    body = _summand(p, index)
    if skip is not None:                     # read as \sum_i \mathbb{1}(i \neq k) body
        body = Op("mm", (Indicator(Cond(r"\neq", Index(index), Index(skip)), pos=t.pos), body), pos=t.pos)
    return p.node(Sum(index, lo, hi, body, hi_latex, pos=t.pos))


def _summand(p, index: str):
    """A sum's body, parsed knowing the indices the sums around it bind (``p.summed``)."""
    outer = p.summed
    p.summed = outer + (index,)
    try:
        return p.product()
    finally:
        p.summed = outer


def _sum_over_its_index(p, t):
    """\\sum{(y_i - a^L_i)^2}: no index written, the one index letter the body's entries run over; with no
    index letter at all (\\sum dZ), the sum its operand's type allows (_total)."""
    if p.stops(p.peek()):
        p.fail(r"\sum needs an index: \sum_{j=1}^{n}")
    body = p.product()
    letters = [i for i in free_indices([body]) if i in INDEX_LETTERS]
    if not letters:                                       # \sum dZ: the sum its operand's type allows
        return p.node(Op("total", (body,), style=r"\sum", pos=t.pos))
    if len(letters) != 1 or letters[0] in p.summed:      # \sum_i .. \sum \exp(z_i): which?
        p.fail(r"\sum needs an index: \sum_{j=1}^{n}", t.pos)
    return p.node(Sum(letters[0], 1, None, body, pos=t.pos))


def _parse_prod(p, t):
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


def _parse_total_call(p, t):
    """sum(dZ), \\text{sum}(dZ), \\operatorname{sum}(dZ): the sum without an index, written as a function."""
    p.take()
    if not p.at("("):
        p.fail(f"{t.text} needs its argument in parentheses: sum(dZ)", t.pos)
    p.take()
    arg = p.expr()
    p.expect(")")
    return p.node(Op("total", (arg,), style="sum", pos=t.pos))


_EVERY_ENTRY = contextvars.ContextVar("sum_every_entry", default=False)


@contextmanager
def summing_every_entry():
    """Inside, a sum without an index sums every entry: the reading when the claim's other side is a scalar
    (J = -\\frac{1}{m}\\sum (Y \\log A + ...) over a batch of several output units)."""
    token = _EVERY_ENTRY.set(True)
    try:
        yield
    finally:
        _EVERY_ENTRY.reset(token)


def _total(ev, n):
    """A sum written without an index sums what its operand's type leaves to sum, as NumPy-minded authors
    mean it: a batch (one column per example, or one row in the rows layout) over the examples, keeping
    the units (db = \\frac{1}{m}\\sum dZ); one example's vector over its entries (L = -\\sum y \\log \\hat y).
    Anything else (a weight matrix) has no one reading: unverifiable."""
    v = ev(n.args[0])
    if not isinstance(v, np.ndarray):
        raise Unevaluable("a sum without an index over a single number: write the index it runs over")
    if _EVERY_ENTRY.get():
        return ev.number(v.sum())
    inst = getattr(ev.ctx, "inst", None)
    m = inst.m if inst is not None else 1
    examples, units = (0, 1) if ev.rows else (1, 0)
    if m > 1 and v.shape[examples] == m:
        total = v.sum(axis=examples, keepdims=True)
        return total if total.size > 1 else ev.number(total.flat[0])
    if v.shape[examples] == 1 or v.shape[units] == 1:
        return ev.number(v.sum())
    raise Unevaluable(f"a sum without an index over a {shape_of(v)} matrix: write the index it runs over "
                      "(\\sum_{i=1}^{m} for the examples, \\sum_j for the units)")


def _render_total(n, r):
    if n.style == "sum":
        return f"\\operatorname{{sum}}\\left({r(n.args[0], Prec.LOWEST)}\\right)"
    return f"\\sum {r(n.args[0], Prec.PRODUCT)}"


def _parse_quantity(p, t):
    return p.quantity()


def _parse_norm(p, t):
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


COMPARISONS = {"=": np.equal, r"\neq": np.not_equal, r"\ne": np.not_equal, "<": np.less, ">": np.greater,
               r"\leq": np.less_equal, r"\le": np.less_equal, r"\geq": np.greater_equal,
               r"\ge": np.greater_equal}
CONDITION_WORDS = {"if", "when", "for", '"'}        # " is a ditto mark for the "if" above it
OTHERWISE = {"otherwise", "else"}


def parse_condition(p, pos):
    """left op right, the comparison of a case or of a whole claim."""
    left = _condition_side(p)
    t = p.peek()
    if t is None or t.text not in COMPARISONS:
        p.fail("a condition compares two sides: z^{(2)} > 0, j = y_i, ...", pos)
    p.take()
    return p.node(Cond(t.text, left, _condition_side(p), pos=t.pos))


def _condition_side(p):
    """An index (j), a class label (y_i), or an expression."""
    t, nxt = p.peek(), p.peek(1)
    ends = nxt is None or nxt.text in COMPARISONS or p.stops(nxt)
    if t is not None and t.kind == "letter" and t.text in INDEX_LETTERS and t.text not in QUANTITY_NAMES and ends:
        p.take()
        return p.node(Index(t.text, pos=t.pos))
    after = p.peek(3)
    if t is not None and t.text == "y" and nxt is not None and nxt.text == "_" and p.peek(2) is not None and \
            p.peek(2).kind == "letter" and (after is None or after.text in COMPARISONS or p.stops(after)):
        p.take(), p.take()
        return p.node(Index(("label", p.take().text), pos=t.pos))
    return p.expr()


def _parse_cases(p, t):
    """\\begin{cases} value & \\text{if } condition \\\\ ... \\end{cases}."""
    p.take()
    rows = []
    while True:
        value = p.expr()
        cond = None
        if p.peek() is not None and p.peek().kind == "align":
            p.take()
            word = p.peek()
            said = word.text.strip() if word is not None and word.kind in ("prose", "word") else None
            if said in OTHERWISE:
                p.take()
            else:
                if said in CONDITION_WORDS:
                    p.take()
                cond = parse_condition(p, t.pos)
        rows.append((value, cond))
        nxt = p.take()
        if nxt.kind == "break":
            continue
        if nxt.text == "end:cases":
            return p.node(Cases(tuple(rows), pos=t.pos))
        p.fail("a case ends with \\\\ or \\end{cases}", nxt.pos)


def _evaluate_cases(ev, n):
    """The value of the first row whose condition holds, element by element; 0 where none does."""
    out = None
    for value, cond in reversed(n.rows):
        v = ev(value)
        if cond is None:
            out = v
            continue
        mask = ev(cond)
        base = 0.0 if out is None else out
        out = np.where(mask, v, base) if isinstance(mask, np.ndarray) or isinstance(v, np.ndarray) else \
            (v if mask else base)
    return out


def _evaluate_cond(ev, c):
    with np.errstate(invalid="ignore"):
        return COMPARISONS[c.op](ev(c.left), ev(c.right))


def _render_cases(n, r):
    rows = [r(v, Prec.LOWEST) + (f" & \\text{{if }} {r(c, Prec.LOWEST)}" if c is not None else " & \\text{otherwise}")
            for v, c in n.rows]
    return "\\begin{cases} " + " \\\\ ".join(rows) + " \\end{cases}"


def _frobenius(v):
    return float(np.sqrt(np.sum(np.square(v))))


# ---------------------------------------------------------------- name tables (read by notation.py and parse.py)
# Spelling -> quantity kind. Layer superscripts and index subscripts are read by the parser.
QUANTITY_NAMES: dict[str, str] = {
    "W": "W", "w": "W", r"\Theta": "W", r"\theta": "W",
    "b": "b", "B": "b",
    "z": "z", "Z": "z",
    "a": "a", "A": "a",
    r"\delta": "delta", r"\Delta": "delta",
    "x": "x", "X": "x",
    "y": "y", "Y": "y",
    r"\hat{y}": "yhat", r"\hat{Y}": "yhat", "h": "yhat",
    "J": "J", "C": "J", "E": "J", "L": "J", r"\mathcal{L}": "J", r"\ell": "J",
    "m": "m", "N": "m", "n": "width",
    r"\lambda": "lam",
    r"\alpha": "alpha", r"\eta": "alpha",
    r"\mathbf{1}": "ones",
}
# A count with a name subscript: N_{out}, n_{\text{out}} the output units (n_L), N_{in}, n_{in} the inputs (n_0);
# (base of the layer, offset) as LayerRef takes them. "hidden" is not here: which hidden layer is not said.
COUNT_LABELS = {"out": ("L", 0), "output": ("L", 0), "outputs": ("L", 0),
                "in": (None, 0), "input": (None, 0), "inputs": (None, 0)}
COUNT_KINDS = frozenset({"m", "width"})      # N and n: a count, whose name subscript says which
# A quantity with a name subscript: J_{\text{data}} is the data term of J, J_{\text{reg}} its regulariser.
LABELLED_KINDS = {("J", "data"): "Jdata", ("J", "reg"): "Jreg", ("J", "Data"): "Jdata", ("J", "Reg"): "Jreg"}
# Scalar losses a partial derivative can be taken of (J and its two terms).
LOSS_KINDS = frozenset({"J", "Jdata", "Jreg"})
# Quantities written as applied to arguments: h_\theta(x), J(W, b); the arguments are kept as notation.
APPLIED_KINDS = {"yhat", "J", "Jdata", "Jreg"}
# Letters that are free scalar variables in a pure-calculus claim (no network quantity).
PURE_VARIABLES = frozenset("zxatuvwpsyr")
# The layer's activation, as a function symbol (DESIGN: sigma, f, g and their primes).
ACTIVATION_NAMES = {r"\sigma", "f", "g", r"\phi", r"\varphi"}
# Named elementary functions -> evaluator name (a key of ELEMENTARY).
FUNCTION_NAMES: dict[str, str] = {
    r"\tanh": "tanh", r"\exp": "exp", r"\log": "log", r"\ln": "log",
    r"\sinh": "sinh", r"\cosh": "cosh",
    "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "ReLU": "relu", "softmax": "softmax",
    "exp": "exp", "log": "log", "ln": "log",
}
INDEX_LETTERS = set("ijklpqrstuvcnh")


# ---------------------------------------------------------------- the core rows (registry.py adds textbook.py's)
CORE_ROWS = [
    Construct(name="num", doc="a number (integer or decimal); fractions are div of two numbers",
              spellings=("2", "0.5"), precedence=Prec.ATOM, evaluate=lambda ev, n: _num_value(n),
              render=_render_num, edits=_num_edits, parse=_parse_num),
    Construct(name="qty",
              doc="a named network quantity or free symbol, with layer superscript and index subscripts",
              spellings=("W^{(l)}", "a^{(l-1)}_j", "\\delta^{(L)}", "y", "J", "m", "\\lambda", "\\mathbf{1}"),
              precedence=_qty_prec, evaluate=lambda ev, q: ev.quantity(q), render=lambda q, r: render_qty(q),
              edits=_qty_edits, parse=_parse_quantity),
    Construct(name="partial",
              doc="a partial derivative of one quantity by another (matrix, or one entry with indices)",
              spellings=(r"\frac{\partial J}{\partial W^{(l)}}", r"\frac{\partial}{\partial W^{(l)}} J",
               r"\frac{\partial z_j}{\partial a_i}"),
              precedence=Prec.SCRIPTED, evaluate=lambda ev, d: ev.partial(d),
              render=lambda n, r: f"\\frac{{\\partial {render_qty(n.num)}}}{{\\partial {render_qty(n.den)}}}",
              edits=_partial_edits),
    Construct(name="derivof",
              doc="the partial derivative of an expression by a quantity (by central differences on the "
              "network: a scalar by a matrix, or anything by one entry)",
              spellings=(r"\frac{\partial}{\partial W^{(2)}} \left(\lambda \|W^{(2)}\|^2\right)",
               r"\frac{\partial (W a + b)}{\partial z_i}"),
              precedence=Prec.SCRIPTED, evaluate=lambda ev, d: ev.derivative_of(d),
              render=lambda n, r: f"\\frac{{\\partial}}{{\\partial {render_qty(n.den)}}} {r(n.body, Prec.ATOM)}"),
    Construct(name="deriv",
              doc="an ordinary derivative of a scalar expression (pure calculus); an operator written in "
                  "front (d/dz, \\partial/\\partial x, \\partial_x, \\nabla_x) takes the whole term after it, up to "
                  "the next +, -, = or closing bracket",
              spellings=(r"\frac{d}{dz} \sigma(z)", r"\frac{d}{dz} 3 z^2", r"\partial_z \tfrac{1}{2} z^2"),
              precedence=Prec.ATOM, evaluate=lambda ev, d: ev.derivative(d),
              render=lambda n, r: f"\\frac{{d}}{{d{n.var}}} {r(n.body, Prec.POWER)}", starts=(r"\partial",),
              parse=_parse_partial_sub),
    Construct(name="add", doc="sum of two terms (a bias column broadcasts over the batch)", spellings=("+",),
              precedence=Prec.SUM, evaluate=_binary(_add), render=_render_add, edits=_term_edits, infix=("+",),
              level="sum"),
    Construct(name="sub", doc="difference of two terms", spellings=("-",), precedence=Prec.SUM,
              evaluate=_binary(lambda x, y: _add(x, -y)),
              render=lambda n, r: f"{r(n.args[0], Prec.SUM)} - {r(n.args[1], Prec.PREFIX)}", edits=_sub_edits,
              infix=("-",), level="sum"),
    Construct(name="neg", doc="leading minus", spellings=("-x",), precedence=Prec.PREFIX,
              evaluate=lambda ev, n: -ev(n.args[0]), render=lambda n, r: f"-{r(n.args[0], Prec.PRODUCT)}"),
    Construct(name="mm", doc="matrix product (or scalar times anything): juxtaposition, \\cdot, \\times",
              spellings=("A B", r"A \cdot B", r"A \times B"), precedence=Prec.PRODUCT, evaluate=_struck_or(product("mm")),
              render=lambda n, r: f"{r(n.args[0], Prec.PRODUCT)}{f' {n.style} ' if n.style else ' '}{r(n.args[1], Prec.FACTOR)}",
              edits=_product_edits, infix=(r"\cdot", r"\times"), level="product"),
    Construct(name="had", doc="element-wise (Hadamard) product", spellings=(r"\odot", r"\circ", "*", r"\ast"),
              precedence=Prec.PRODUCT, evaluate=_struck_or(product("had")),
              render=lambda n, r: f"{r(n.args[0], Prec.PRODUCT)} {n.style or chr(92) + 'odot'} {r(n.args[1], Prec.FACTOR)}",
              edits=_product_edits, infix=(r"\odot", r"\circ", "*", r"\ast"), level="product"),
    Construct(name="div", doc="division (element-wise between equal shapes)", spellings=(r"\frac{a}{b}", "a / b"),
              precedence=Prec.PRODUCT, evaluate=_binary(_div),
              render=lambda n, r: f"\\frac{{{r(n.args[0], Prec.LOWEST)}}}{{{r(n.args[1], Prec.LOWEST)}}}",
              edits=_div_edits, starts=(r"\frac", r"\dfrac", r"\tfrac"), parse=_parse_frac, infix=("/",),
              level="product"),
    Construct(name="pow", doc="power (element-wise on a matrix); \\sqrt is the power 1/2",
              spellings=("x^{2}", r"\sqrt{x}"), precedence=Prec.POWER, evaluate=_binary(_pow),
              render=lambda n, r: f"{r(n.args[0], Prec.BASE)}^{{{r(n.args[1], Prec.LOWEST)}}}", starts=(r"\sqrt",),
              parse=_parse_sqrt),
    Construct(name="T", doc="transpose of a matrix",
              spellings=("A^T", r"A^\top", r"A^\intercal", "A'", r"A^{\prime}"), precedence=Prec.POWER,
              evaluate=lambda ev, n: (lambda v: v.T if isinstance(v, np.ndarray) else v)(ev(n.args[0])),
              render=_render_T, edits=_transpose_edits, postfix=("T", r"\top", r"\intercal", r"\prime", "'")),
    Construct(name="act", doc="the layer's activation function, read from its argument's layer",
              spellings=(r"\sigma(z^{(l)})", "f(z)", "g(z)", r"\phi(z)"), precedence=Prec.ATOM,
              evaluate=lambda ev, c: ev.activation(c, derivative=False), render=_render_call,
              starts=tuple(sorted(ACTIVATION_NAMES)), parse=_parse_activation),
    Construct(name="dact", doc="the derivative of the layer's activation, element-wise",
              spellings=(r"\sigma'(z^{(l)})", "f'(z)", r"g^{\prime}(z)", r"g\prime(z)"), precedence=Prec.ATOM,
              evaluate=lambda ev, c: ev.activation(c, derivative=True), render=_render_call),
    Construct(name="function",
              doc="an elementary function applied element-wise: tanh, exp, log, sigmoid, relu, softmax; primed, "
                  "its derivative (tanh, exp, sigmoid, relu)",
              spellings=(r"\tanh(z)", r"\log a", r"\exp(z)", "e^{z}", r"\text{softmax}(z)", r"\text{ReLU}'(z)"),
              precedence=Prec.ATOM,
              evaluate=lambda ev, c: ev.elementary(c), render=_render_call,
              starts=tuple(sorted(FUNCTION_NAMES)) + ("e",), parse=_parse_function),
    Construct(name="norm",
              doc="the Frobenius norm (the 2-norm of a vector); \\|W\\|_2^2 in weight decay is the sum of squares",
              spellings=(r"\|W\|", r"\|W\|_2^2", r"\|W\|_F^2", r"\left\|y - a\right\|^{2}", "||x||^2_2"), precedence=Prec.ATOM,
              evaluate=lambda ev, n: _frobenius(ev(n.arg)),
              render=lambda n, r: f"\\left\\|{r(n.arg, Prec.LOWEST)}\\right\\|" + (f"_{{{n.kind}}}" if n.kind else ""),
              starts=(r"\|",), parse=_parse_norm, closer=r"\|"),
    Construct(name="cases", doc="a value by cases (ReLU masks): the first row whose condition holds, element-wise",
              spellings=(r"\begin{cases} 1 & \text{if } z > 0 \\ 0 & \text{otherwise} \end{cases}",),
              precedence=Prec.ATOM, evaluate=_evaluate_cases, render=_render_cases, starts=("begin:cases",),
              parse=_parse_cases),
    Construct(name="cond",
              doc="a comparison in a case or after a claim (\\text{if } j = y_i): true or false, element-wise",
              spellings=("z^{(2)} > 0", r"z \leq 0", r"j \neq k"), precedence=Prec.COMPARISON,
              evaluate=_evaluate_cond, render=lambda n, r: f"{r(n.left, Prec.SUM)} {n.op} {r(n.right, Prec.SUM)}",
              infix=tuple(COMPARISONS), level="comparison"),
    Construct(name="index", doc="the value of an index in a condition (j), or the class of sample i (y_i)",
              spellings=("j = y_i",), precedence=Prec.ATOM, evaluate=lambda ev, n: float(ev.index_value(n.name)),
              render=lambda n, r: f"y_{{{n.name[1]}}}" if isinstance(n.name, tuple) else str(n.name)),
    Construct(name="indicator", doc="1 where its condition holds, else 0 (element-wise)",
              spellings=(r"\mathbb{1}(y_i = k)", r"\mathbb{1}\{y = k\}"), precedence=Prec.ATOM,
              evaluate=_evaluate_indicator,
              render=lambda n, r: f"\\mathbb{{1}}\\left({r(n.cond, Prec.LOWEST)}\\right)", starts=(r"\mathbb{1}",),
              parse=_parse_indicator, infix=(r"\{", r"\}"), level="delimiter"),
    Construct(name="matrix",
              doc="a matrix written out; with ellipses, its general entry is read from its first cells",
              spellings=(r"\begin{bmatrix} x_1^{(1)} & \dots & x_n^{(1)} \\ \vdots & \ddots & \vdots \end{bmatrix}",),
              precedence=Prec.ATOM, evaluate=_evaluate_matrix, render=_render_matrix,
              starts=tuple(f"begin:{e}" for e in MATRIX_ENVIRONMENTS), parse=_parse_matrix, infix=tuple(ELLIPSES),
              level="ellipsis"),
    Construct(name="cancel", doc="a term the author struck out (\\cancel): 0, and a product holding it is 0",
              spellings=(r"\cancel{x}",), precedence=Prec.ATOM, evaluate=lambda ev, n: 0.0,
              render=lambda n, r: f"\\cancel{{{r(n.arg, Prec.LOWEST)}}}", starts=(r"\cancel",), parse=_parse_cancel),
    Construct(name="prod", doc="d2l's prod(A, B): the product of A and B after the transposing or swapping their "
                               "shapes need; two different fits are unverifiable",
              spellings=(r"\text{prod}(A, B)",), precedence=Prec.ATOM,
              evaluate=lambda ev, n: rearranged_product(n, ev(n.args[0]), ev(n.args[1])),
              render=lambda n, r: f"\\text{{prod}}\\left({r(n.args[0], Prec.LOWEST)}, {r(n.args[1], Prec.LOWEST)}\\right)",
              starts=("prod",), parse=_parse_prod),
    Construct(name="total", doc="a sum without an index (\\sum dZ, sum(dZ)): over the examples of a batch, "
                                "over the entries of one example's vector",
              spellings=(r"\sum dZ", "sum(dZ)", r"\text{sum}(dZ)"), precedence=Prec.PREFIX, evaluate=_total,
              render=_render_total, starts=("sum",), parse=_parse_total_call),
    Construct(name="sum", doc="a sum over an index, with explicit or natural range",
              spellings=(r"\sum_{j=1}^{n_{l+1}}", r"\sum_k", r"\sum_{i=1}^{m}"), precedence=Prec.PREFIX,
              evaluate=lambda ev, s: ev.summation(s), render=_render_sum, starts=(r"\sum",), parse=_parse_sum),
]
# Syntax that produces another construct's node (listed so the tokenizer accepts it).
SPECIAL_STARTS = {"e": _parse_exp_e}


def render(n: Node, parent_prec: float = Prec.LOWEST) -> str:
    """LaTeX of a tree: the registry's renderer (registry.py), for the rows' own edit labels."""
    from .registry import render as render_by_registry   # the registry is built from these rows, so it comes later
    return render_by_registry(n, parent_prec)
