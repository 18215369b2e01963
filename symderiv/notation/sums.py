"""The sum rows' functions: \\sum over an index (explicit, natural or read from its body's entries),
and a sum written without an index (\\sum dZ, sum(dZ)), which sums what its operand's type leaves
to sum; their parsing, numeric meaning and rendering."""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

import numpy as np

from .names import INDEX_LETTERS
from .operators import Unevaluable, shape_of
from .rows import Prec
from .tree import free_indices, Cond, Index, Indicator, Op, Sum


def render_sum(n, r):
    hi = f"^{{{n.hi_latex}}}" if n.hi_latex else ""
    if not hi and n.lo == 1:          # the natural range: every unit
        return f"\\sum_{{{n.index}}} {r(n.body, Prec.PRODUCT)}"
    return f"\\sum_{{{n.index}={n.lo}}}{hi} {r(n.body, Prec.PRODUCT)}"


def parse_sum(p, t):
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
    index letter at all (\\sum dZ), the sum its operand's type allows (evaluate_total)."""
    if p.stops(p.peek()):
        p.fail(r"\sum needs an index: \sum_{j=1}^{n}")
    body = p.product()
    letters = [i for i in free_indices([body]) if i in INDEX_LETTERS]
    if not letters:                                       # \sum dZ: the sum its operand's type allows
        return p.node(Op("total", (body,), style=r"\sum", pos=t.pos))
    if len(letters) != 1 or letters[0] in p.summed:      # \sum_i .. \sum \exp(z_i): which?
        p.fail(r"\sum needs an index: \sum_{j=1}^{n}", t.pos)
    return p.node(Sum(letters[0], 1, None, body, pos=t.pos))


def parse_total_call(p, t):
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


def evaluate_total(ev, n):
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


def render_total(n, r):
    if n.style == "sum":
        return f"\\operatorname{{sum}}\\left({r(n.args[0], Prec.LOWEST)}\\right)"
    return f"\\sum {r(n.args[0], Prec.PRODUCT)}"
