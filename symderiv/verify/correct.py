"""Corrections of wrong lines, written in the document's own symbols and checked again.

A wrong link gets the first of these candidate lines that, written back
through the document's readings (inverted) and read again the same way, the
checker finds correct:

1. the repair: the smallest edit of the line that makes it true (repair.py);
2. the chain's conclusion: for a later link ``B = C`` of ``A = B = C`` whose
   ``C`` equals ``A``, the line ``A = C`` (the step in between is what is wrong);
3. the line's right side under the name it really has (``J = ...`` for a loss
   written under another name, ``dJ/dbeta = ...`` for what was called dp/dbeta);
4. the reference side with its derivatives worked out, and the true value of
   the reference side (and of the chain's first side) written out (standard.py);
5. the reference side simplified by SymPy (an algebra slip: a factor that did
   not cancel).

In a document that never writes delta, delta is spelled out in the quantities
it does write (a, y, W, f') before the line is written back. No candidate is
a verdict: each is only a line to check, and a line that does not come out
correct in the document's own reading is never shown.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import sympy as sp

from ..bounded import TimedOut, bounded
from ..notation.registry import render
from ..engine.network import NetFlags
from ..notation.tokens import NotationError
from ..notation.parse import parse, parse_fragment
from ..notation.tree import Call, Node, Num, Op, Partial, Qty, rewrite, walk
from .checker import Checker, holds, rtol_for
from .repair import oracle_weight, reference_first
from .standard import delta_free, standard_lines
from .diagnostics import Fix, text_edits
from .verdict import Unverifiable, Verdict

MAX_TRIES = 6              # candidate lines written back and checked per wrong link
SECONDS = 20.0             # bound of one such check
SYMPY_SECONDS = 2.0        # bound of one simplification


def correct(v: Verdict, claim, k: int, flags: NetFlags, readings, text: str, document_text: str,
            seed: int, show=render) -> tuple[Fix, str] | None:
    """The first candidate line that holds in the document's own notation, as a checked Fix (its edits:
    of ``text`` when the line replaces all of it) and the line's right side; None when none does. A side the correction keeps is written
    as the document wrote it; ``show`` writes a tree in the document's convention (its ``render``)."""
    from .api import verify_chain
    convention = getattr(show, "__self__", "default")   # a convention's bound render, or the default one
    chain = claim.sides
    back = readings.inverse(text)
    spell_delta = "\\delta" not in (document_text or text)
    tried, seen = 0, set()
    for left, right in candidates(v, chain, k, flags):
        kept = [claim.side_text(chain.index(side)) if side in chain else "" for side in (left, right)]
        if spell_delta:
            left, right = _without_delta(left, flags), _without_delta(right, flags)
        left, right = _activation_as_written(left, chain), _activation_as_written(right, chain)
        if left is None or right is None or (left, right) in seen or not _holds_here(left, right, flags):
            continue
        seen.add((left, right))
        left, right = (_as_the_document_writes(back.apply_to(side, ""), flags, document_text or text, back)
                       for side in (left, right))      # what the readings leave in symderiv's names
        line = f"{kept[0] or show(left)} = {kept[1] or show(right)}"
        tried += 1
        try:
            again = bounded(lambda: verify_chain(line, flags, readings=readings, seed=seed + 1,
                                                 convention=convention,
                                                 alternatives=False), SECONDS)
        except TimedOut:
            again = []
        if again and all(w.verdict == "correct" for w in again):
            whole = len(chain) == 2
            return Fix(line, text_edits(text, line) if whole else (), True), kept[1] or show(right)
        if tried >= MAX_TRIES:
            return None
    return None


def candidates(v: Verdict, chain: list, k: int, flags: NetFlags):
    """(left, right) trees in the default notation, most faithful to the note's line first."""
    left, right = chain[k], chain[k + 1]
    if v.repair is not None:
        ref, fixed, swapped = v.repair
        yield (fixed, ref) if swapped else (ref, fixed)
    first = chain[0]
    if k > 0:
        yield first, right                              # the chain's conclusion, without the wrong step
    for name in _true_names(first if k > 0 else left):
        yield name, right                               # a right side written under the wrong name
    ref = left if reference_first(left, right) else right
    worked = _worked_out(ref, flags)
    if worked is not None:
        yield (ref, worked) if ref is left else (worked, ref)
    sides = [left, right] if k == 0 else [left, right, first]
    for side in sorted(sides, key=oracle_weight, reverse=True):
        for lhs, rhs in standard_lines(side, flags):
            yield (_fragment(lhs) if lhs else side), _fragment(rhs)
    simpler = simplified(ref)
    if simpler is not None:
        yield (ref, simpler) if ref is left else (simpler, ref)


def _worked_out(side: Node, flags: NetFlags) -> Node | None:
    """``side`` with each derivative inside it replaced by its standard form (None when none is a
    derivative with one, or ``side`` is a bare derivative: that is the standard lines' case)."""
    if isinstance(side, Partial):
        return None
    changed = []

    def work(n):
        if not isinstance(n, Partial):
            return None
        forms = [rhs for lhs, rhs in standard_lines(n, flags) if lhs is None]
        new = _fragment(forms[0]) if forms else None
        if new is not None:
            changed.append(n)
        return new
    out = rewrite(side, work)
    return out if changed else None


def simplified(side: Node) -> Node | None:
    """An algebraic side (quantities, numbers, + - * /) with common factors cancelled by SymPy, as a
    tree; None for anything else, or when SymPy takes too long. Never reads user text: the tree is
    translated node by node."""
    symbols: dict = {}
    try:
        expr = _to_sympy(side, symbols)
        out = bounded(lambda: sp.factor(sp.cancel(sp.together(expr))), SYMPY_SECONDS)
    except (NotSymbolic, TimedOut):
        return None
    names = {v: q for q, v in symbols.items()}
    tree = _from_sympy(out, names)
    return tree if tree is not None and tree != side else None


class NotSymbolic(Exception):
    """A node with no scalar SymPy meaning here."""


_SP_OPS = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mm": lambda x, y: x * y,
           "had": lambda x, y: x * y, "div": lambda x, y: x / y}


def _to_sympy(n: Node, symbols: dict):
    if isinstance(n, Num):
        return sp.Rational(n.value.numerator, n.value.denominator)
    if isinstance(n, Qty) and not n.args:
        return symbols.setdefault(n, sp.Symbol(f"q{len(symbols)}", positive=True))
    if isinstance(n, Op) and n.op in _SP_OPS:
        return _SP_OPS[n.op](*(_to_sympy(a, symbols) for a in n.args))
    if isinstance(n, Op) and n.op == "neg":
        return -_to_sympy(n.args[0], symbols)
    if isinstance(n, Op) and n.op == "pow" and isinstance(n.args[1], Num):
        return _to_sympy(n.args[0], symbols) ** _to_sympy(n.args[1], symbols)
    raise NotSymbolic(type(n).__name__)


def _from_sympy(e, names: dict) -> Node | None:
    num, den = sp.fraction(e)
    if den != 1:
        top, bottom = _from_sympy(num, names), _from_sympy(den, names)
        return None if top is None or bottom is None else Op("div", (top, bottom))
    if e.is_Symbol:
        return names.get(e)
    if e.is_Integer or e.is_Rational:
        value = Fraction(int(e.p), int(e.q))
        return Num(value) if value >= 0 else Op("neg", (Num(-value),))
    if e.is_Pow and e.exp.is_Integer and e.exp > 0:
        base = _from_sympy(e.base, names)
        return None if base is None else Op("pow", (base, Num(Fraction(int(e.exp)))))
    if e.is_Add:
        terms = sorted(e.args, key=lambda t: t.could_extract_minus_sign())
        out = _from_sympy(terms[0], names)
        for t in terms[1:]:
            if out is None:
                return None
            neg = t.could_extract_minus_sign()
            part = _from_sympy(-t if neg else t, names)
            out = None if part is None else Op("sub" if neg else "add", (out, part))
        return out
    if e.is_Mul:
        coeff, rest = e.as_coeff_mul()
        if coeff < 0:
            inner = _from_sympy(-e, names)
            return None if inner is None else Op("neg", (inner,))
        factors = [_from_sympy(f, names) for f in ((coeff,) if coeff != 1 else ()) + rest]
        if any(f is None for f in factors):
            return None
        out = factors[0]
        for f in factors[1:]:
            out = Op("mm", (out, f))
        return out
    return None


def _true_names(side: Node) -> list:
    """What a right side may really be: the loss J, or dJ/dX where the line says dp/dX."""
    out = [Qty("J", "J")]
    if isinstance(side, Partial) and side.num.kind != "J":
        out.append(Partial(Qty("J", "J"), side.den))
    return [n for n in out if n != side]


def _fragment(latex: str) -> Node | None:
    try:
        return parse_fragment(latex)
    except NotationError:
        return None


def _without_delta(n: Node | None, flags: NetFlags) -> Node | None:
    """n with every delta of a concrete layer spelled out (None when one cannot be)."""
    if n is None:
        return None
    failed = []

    def spell(q):
        if not isinstance(q, Qty) or q.kind != "delta":
            return None
        if q.layer is None or q.layer.symbolic or len(q.idx) > 1:
            failed.append(q)
            return None
        index = q.idx[0] if q.idx else None
        text = delta_free(q.layer.resolve(None, flags.depth), flags, index, used=_letters(n), sample=q.sample)
        spelled = _fragment(text) if text else None
        if spelled is None:
            failed.append(q)
        return spelled
    out = rewrite(n, spell)
    return None if failed else out


def _activation_as_written(n: Node | None, chain: list) -> Node | None:
    """The activation spelled as the line spells it (sigma, g, phi) where a candidate wrote f."""
    spelling = next((c.spelling for side in chain for c in walk(side)
                     if isinstance(c, Call) and c.fn in ("act", "dact") and c.spelling not in ("", "f")), None)
    if n is None or spelling is None:
        return n
    return rewrite(n, lambda c: replace(c, spelling=spelling) if isinstance(c, Call) and c.fn in ("act", "dact")
                   and c.spelling in ("", "f") else None)


# (layer of a, a name the document may use for it instead, its kind): the input and the output
OTHER_NAMES = [(lambda L: 0, "x", "x"), (lambda L: L, r"\hat{y}", "yhat")]


def _as_the_document_writes(n: Node | None, flags: NetFlags, document_text: str, back) -> Node | None:
    """What the readings left as a^{(0)} written x, and as a^{(L)} written \\hat{y}, in a document that
    writes those and never a^{(0)}, a^{(L)}; the document's readings of x and \\hat{y} then apply to them
    (``back``: the readings inverted)."""
    if n is None:
        return None
    for layer_of, name, kind in OTHER_NAMES:
        layer = layer_of(flags.depth)
        if name not in document_text or any(f"a^{{({t})}}" in document_text for t in (layer, "L")):
            continue

        def renamed(q, layer=layer, name=name, kind=kind):
            if isinstance(q, Qty) and q.kind == "a" and q.layer is not None and \
                    not q.layer.symbolic and q.layer.resolve(None, flags.depth) == layer:
                return back.apply_to(Qty(kind, name, None, q.idx, sample=q.sample), "")
            return None
        n = rewrite(n, renamed)
    return n


def _letters(n: Node) -> set:
    return {i for q in walk(n) if isinstance(q, Qty) for i in q.idx if isinstance(i, str)}


def _holds_here(left: Node, right: Node, flags: NetFlags) -> bool:
    """A quick look in the default notation (one shape, one draw) before the full check in the note's."""
    try:
        claim = parse(f"{render(left)} = {render(right)}")
        checker = Checker(claim, flags, 7, 1, 1)
        rtol = rtol_for(claim.sides)
        return not checker.index_conflicts and holds(checker.samples(*claim.sides, until_fails=rtol), rtol)[0]
    except (NotationError, Unverifiable, ValueError, TypeError, ArithmeticError, IndexError, KeyError,
            RecursionError):
        return False

