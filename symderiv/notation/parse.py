"""LaTeX claim -> Claim, the notation layer's entry points: ``parse`` (a claim or chain, with a
document's readings applied to its trees, then classified) and ``parse_fragment`` (one expression,
the sides of a reading). The stages are their own modules: layout.py (which tokens are the claim),
grammar.py (the recursive-descent engine, dispatching through the construct registry), scripts.py
(quantities with their scripts), classify.py (pure calculus or network, symbol checks), claim.py
(the Claim and its errors).

Why not latex2sympy2_extended: it flattens ``A \\cdot H \\cdot (B C)`` into one
product (so a Hadamard marker cannot keep ``A \\odot (B C)`` apart from
``(A \\odot B) C``), reads ``\\log`` as base 10 and rejects ``\\operatorname``.
"""
from __future__ import annotations

from functools import lru_cache

from .claim import Claim, ParseError
from .classify import classify
from .grammar import Parser
from .layout import layout_free
from .tokens import NotationError, prepare
from .tree import Cond, Index, Node, Num, free_indices, rename_indices


def parse(latex: str, readings=None) -> Claim:
    """Parse a claim (or chain) into a Claim; NotationError/ParseError on bad input.

    ``readings`` (readings.Readings or a dict of LaTeX -> LaTeX) say how to read the claim's own
    symbols; they are applied to the tree, before the symbols are checked against the model.
    """
    from .readings import as_readings
    text, sides, condition, cuts = _read(latex)
    sides = list(sides)
    read = as_readings(readings)
    sides = read.apply(sides, text)
    condition = read.apply_to(condition, text) if condition is not None else None
    claim = Claim(text, sides, condition=condition, cuts=cuts)
    classify(claim)
    return claim


@lru_cache(maxsize=256)
def _read(latex: str) -> tuple:
    """The claim's trees before any readings: (text, sides, condition, cuts). Kept for the latest claims
    (the trees are immutable): a claim is read again under each convention's readings (verify/api.py
    asks where else it would be right), and a document's corrections are checked in its readings."""
    text, tokens = prepare(latex)
    tokens = layout_free(tokens, text)
    if not tokens:
        raise NotationError("empty claim")
    p = Parser(text, tokens)
    sides = p.chain()
    if len(sides) < 2:
        raise ParseError("a claim needs '=': LHS = RHS", text, len(text) - 1)
    sides, condition = _index_fixed_by(sides, p.condition)
    return text, tuple(sides), condition, tuple(p.cuts)


def _index_fixed_by(sides: list, condition: Node | None) -> tuple:
    """A condition that sets a free index to a number (Ng's "D_{ij} = \\frac{1}{m} \\Delta_{ij} if j = 0") is
    that index's value: the sides are read with the number in its place, before the readings, so that
    unit 0 is the bias unit where the convention has one (a letter index counts from 1 and never meets 0)."""
    if not (isinstance(condition, Cond) and condition.op == "=" and isinstance(condition.left, Index)
            and isinstance(condition.left.name, str) and isinstance(condition.right, Num)
            and condition.right.value.denominator == 1 and condition.right.value >= 0
            and condition.left.name in free_indices(sides)):
        return sides, condition
    value = {condition.left.name: int(condition.right.value)}
    return [rename_indices(side, value) for side in sides], None


def parse_fragment(latex: str) -> Node:
    """One expression (no '='), no readings, no model checks: the two sides of a reading."""
    text, tokens = prepare(latex)
    p = Parser(text, layout_free(tokens, text))
    return p.expr_all(0)
