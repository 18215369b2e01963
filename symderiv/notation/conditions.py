"""The condition rows' functions: comparisons (z > 0, j = y_i) in a case or after a claim, values by
cases (ReLU masks), the indicator \\mathbb{1}(...) and an index's value; their parsing, numeric
meaning and rendering."""
from __future__ import annotations

import numpy as np

from .names import INDEX_LETTERS, QUANTITY_NAMES
from .rows import Prec
from .tree import Cases, Cond, Index, Indicator


def parse_indicator(p, t):
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


def evaluate_indicator(ev, n):
    mask = ev(n.cond)
    return np.where(mask, 1.0, 0.0) if isinstance(mask, np.ndarray) else float(bool(mask))


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


def parse_cases(p, t):
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


def evaluate_cases(ev, n):
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


def evaluate_cond(ev, c):
    with np.errstate(invalid="ignore"):
        return COMPARISONS[c.op](ev(c.left), ev(c.right))


def render_cases(n, r):
    rows = [r(v, Prec.LOWEST) + (f" & \\text{{if }} {r(c, Prec.LOWEST)}" if c is not None else " & \\text{otherwise}")
            for v, c in n.rows]
    return "\\begin{cases} " + " \\\\ ".join(rows) + " \\end{cases}"
