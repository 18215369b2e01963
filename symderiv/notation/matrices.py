"""The matrix row's functions: a matrix written out cell by cell, with ellipses read as its general
entry (varied from its first cells); parsing, numeric meaning and rendering."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from .operators import Unevaluable, shape_of
from .rows import Prec
from .tree import children, with_children, Matrix, Num, Qty


ELLIPSES = {r"\dots", r"\cdots", r"\vdots", r"\ddots", r"\ldots"}


MATRIX_ENVIRONMENTS = ("bmatrix", "pmatrix", "matrix")


def parse_matrix(p, t):
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


def evaluate_matrix(ev, m: Matrix, cell=_cell_value, dtype=float):
    """A matrix written out, or by a term over its row and column indices; ``cell`` and ``dtype`` are the
    evaluator's numbers (float64 here, mpmath in verify/mpeval.py)."""
    if m.term is None:
        return np.array([[cell(ev(c)) for c in row] for row in m.rows], dtype=dtype)
    rows = ev.index_range(m.term, m.row_index) if m.row_index else [None]
    cols = ev.index_range(m.term, m.col_index) if m.col_index else [None]
    out = np.empty((len(rows), len(cols)), dtype=dtype)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            with ev.bound(m.row_index or "_", r or 0), ev.bound(m.col_index or "_", c or 0):
                out[i, j] = cell(ev(m.term))
    return out


def render_matrix(m, r):
    cells = [" & ".join(r"\dots" if c is None else r(c, Prec.LOWEST) for c in row) for row in m.rows]
    return "\\begin{bmatrix} " + " \\\\ ".join(cells) + " \\end{bmatrix}"
