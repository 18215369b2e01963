"""Repairs: the smallest edit of a claim that makes it true, in the claim's own notation.

Single edits come from the construct registry (each row's ``edits``: a layer
shift, an index swap, a dropped transpose, a product type...) applied
anywhere in the tree, then from whole-side edits (a sign, a scale, a missing
f'(z), a dropped batch sum, a dropped regulariser term). A repair is offered
only after it passes the same check as the claim. When no single edit
works, a standard form of the quantity is tried, again only if it checks.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

from ..notation.names import LOSS_KINDS
from ..notation.registry import edits, render
from ..engine.network import NetFlags
from ..notation.tokens import NotationError
from ..notation.parse import parse
from ..notation.tree import Call, LayerRef, Named, bound_indices, Node, Num, Op, Partial, Qty, edits_below, free_indices, quantities, \
    rename_indices, transposed, walk
from .checker import Checker, holds
from .diagnostics import diagnostic
from .verdict import Unverifiable


def all_edits(n: Node):
    """Every single edit the registry offers anywhere in the tree, as (Diagnostic, tree)."""
    def local(node):
        for (code, at, args), new in edits(node):
            yield replace(diagnostic(code, at, **args), replacing=(node, new)), new
    return edits_below(n, local)


def root_edits(ref: Node, test: Node, flags: NetFlags):
    ref = ref.meaning if isinstance(ref, Named) else ref      # Ng's D_{i0}: the derivative it names
    m_q = Qty("m", "m")
    yield diagnostic("sign.side", test), Op("neg", (test,))
    for c in (Fraction(1, 2), Fraction(2)):
        yield diagnostic("scale", test, factor=str(1 / c)), Op("mm", (Num(c), test))
    yield diagnostic("scale.side-missing-1/m", test), Op("mm", (Op("div", (Num(Fraction(1)), m_q)), test))
    yield diagnostic("scale.side-extra-1/m", test), Op("mm", (m_q, test))
    layers = sorted({q.layer for q in quantities(ref, test) if q.layer is not None and q.kind in ("z", "a", "delta")},
                    key=str)
    for lay in layers:
        zq = Qty("z", "z", lay)
        yield diagnostic("dropped-factor", test, z=zq), Op(
            "had", (test, Call("dact", zq, "f")), style=r"\odot")
    names = free_indices([test])
    for x, y in itertools.combinations(names, 2):
        yield diagnostic("index-swap.letters", test, first=x, second=y), rename_indices(test, {x: y, y: x})
    ones = Qty("ones", r"\mathbf{1}")
    if flags.layout == "rows":
        yield diagnostic("dropped-sum.side", test), Op("mm", (transposed(ones), test))
        yield diagnostic("dropped-sum.side-1/m", test), Op("mm", (Op("div", (Num(Fraction(1)), m_q)),
                                                              Op("mm", (transposed(ones), test))))
    else:
        yield diagnostic("dropped-sum.side", test), Op("mm", (test, ones))
        yield diagnostic("dropped-sum.side-1/m", test), Op("mm", (Op("div", (Num(Fraction(1)), m_q)),
                                                              Op("mm", (test, ones))))
    yield from _regularised_bias(ref, test)
    if isinstance(ref, Partial) and ref.num.kind == "J" and ref.den.kind == "W" and flags.reg != "none":
        wq = ref.den
        lam = Qty("lam", r"\lambda")
        term = (Op("mm", (Op("div", (lam, m_q)), wq)) if flags.reg == "l2"
                else Op("mm", (Op("mm", (Num(Fraction(2)), lam)), wq)))
        yield diagnostic("dropped-regulariser", test, term=term), Op("add", (test, term))


def _regularised_bias(ref: Node, test: Node):
    """dJ/db written with a regulariser term: the term dropped (the regulariser penalises weights only).
    The edit deletes the term from the text as written."""
    if not (isinstance(ref, Partial) and ref.num.kind == "J" and ref.den.kind == "b" and isinstance(test, Op)
            and test.op in ("add", "sub")):
        return
    kept, term = test.args
    if not any(isinstance(q, Qty) and q.kind == "lam" for q in walk(term)):
        return
    found = diagnostic("regularised-bias", term, term=term)
    if kept.span and term.span:
        found = replace(found, replacing=((kept.span[1], term.span[1]), ""))
    yield found, kept


def index_edits(test: Node, letters: list):
    """One index of one quantity replaced by another index letter of the claim, or dropped: the slips
    of a hand derivation (``delta_j`` for ``delta_i``, ``f(z_j)`` for ``f(z)``, ``k`` for ``\\tilde{k}``)."""
    def edits_of(n):
        if not isinstance(n, Qty) or not n.idx:
            return
        labels = [("label", x) for x in letters if n.kind in ("z", "a", "yhat")]
        for k, old in enumerate(n.idx):
            for new in [*letters, *labels, None]:
                if new == old or (new is None and n.kind not in ("z", "a", "delta")):
                    continue
                idx = n.idx[:k] + ((new,) if new is not None else ()) + n.idx[k + 1:]
                q = replace(n, idx=idx)
                yield replace(diagnostic("index", n, was=n, should=q), replacing=(n, q)), q
    return edits_below(test, edits_of)


def _index_letters(ref: Node, test: Node) -> list:
    return [i for i in free_indices([ref, test]) + sorted(bound_indices(test) | bound_indices(ref))
            if isinstance(i, str)]


def search_variants(checker, ref, test, rtol, budget=320):
    """The first single edit of ``test`` that makes it equal ``ref`` in every context (Diagnostic, tree)."""
    quick = checker.contexts[:4]
    count = 0
    same_indices = free_indices([test])
    for label, variant in itertools.chain(all_edits(test), index_edits(test, _index_letters(ref, test)),
                                          root_edits(ref, test, checker.flags)):
        count += 1
        if count > budget:
            break
        try:
            if checker.index_conflicts or free_indices([variant]) != same_indices:
                ok = holds_afresh(checker, ref, variant, rtol)     # other indices: other contexts
            else:
                # only whether it holds counts: no draw after the first that fails is evaluated
                ok, _ = holds(checker.samples(ref, variant, quick, keep_left=True, until_fails=rtol), rtol)
                if ok:
                    ok, _ = holds(checker.samples(ref, variant, keep_left=True, until_fails=rtol), rtol)
        except (Unverifiable, NotationError, ZeroDivisionError, FloatingPointError, ValueError, TypeError):
            continue
        if ok:         # a whole-side edit replaces the side
            return (label if label.replacing is not None else replace(label, replacing=(test, variant))), variant
    return None, None


def holds_afresh(checker, ref: Node, variant: Node, rtol, shapes: int = 3, draws: int = 2) -> bool:
    """``ref = variant`` in contexts of its own (its indices may range over other sizes than the claim's),
    quick contexts first; an ill-typed variant never holds."""
    claim = checker.claim.with_sides([ref, variant])
    quick = Checker(claim, checker.flags, 1, 1, 1)
    if quick.index_conflicts or not holds(quick.samples(ref, variant, until_fails=rtol), rtol)[0]:
        return False
    full = Checker(claim, checker.flags, 2, shapes, draws)
    return not full.index_conflicts and holds(full.samples(ref, variant, until_fails=rtol), rtol)[0]


def oracle_weight(n: Node) -> int:
    """How much of a side is what the checker derives (derivatives, delta, losses): the heavier side of
    a link is the reference a wrong one is repaired towards."""
    derived = ("delta",) + tuple(LOSS_KINDS)
    return sum(1 for x in walk(n) if isinstance(x, Partial) or (isinstance(x, Qty) and x.kind in derived))


def reference_first(left: Node, right: Node) -> bool:
    """Is the left side the reference (the truth a wrong side is compared with and repaired towards)? A
    side that is one derived quantity alone (dJ/dW, delta) is, against any expression: in
    dJ/dW = 42 dJ/dz dz/dW the product is the claim, though it holds more derivatives. Otherwise the
    side with more of what the checker derives."""
    lone = [isinstance(n, (Qty, Partial)) and oracle_weight(n) > 0 for n in (left, right)]
    if lone[0] != lone[1]:
        return lone[0]
    return oracle_weight(left) >= oracle_weight(right)


def textbook_expected(ref: Node, checker, rtol) -> Node | None:
    """A standard form of the reference quantity (as a tree), offered only after it passes this same check."""
    for cand in _textbook_candidates(ref, checker.flags):
        try:
            text = f"{render(ref)} = {cand}"
            claim = parse(text)
            sub = Checker(claim, checker.flags, 1, 2, 1)
            ok, _ = holds(sub.samples(*claim.sides, until_fails=rtol), rtol)
        except (NotationError, Unverifiable):
            continue
        if ok:
            return claim.sides[1]
    return None


def _textbook_candidates(ref: Node, flags: NetFlags) -> list:
    if isinstance(ref, Qty) and ref.kind == "delta" and ref.layer is not None:
        lay = ref.layer
        l0, l1 = lay.latex(), LayerRef(lay.base, lay.offset + 1).latex()
        rows = flags.layout == "rows"
        if ref.idx and len(ref.idx) == 1:
            i = ref.idx[0]
            j = next(c for c in "jkpqr" if c != i)
            return [f"a^{{({l0})}}_{{{i}}} - y_{{{i}}}", f"(a^{{({l0})}}_{{{i}}} - y_{{{i}}}) f'(z^{{({l0})}}_{{{i}}})",
                    f"\\left(\\sum_{{{j}}} W^{{({l1})}}_{{{j}{i}}} \\delta^{{({l1})}}_{{{j}}}\\right) "
                    f"f'(z^{{({l0})}}_{{{i}}})"]
        if ref.idx:
            return []
        hidden = (f"\\delta^{{({l1})}} \\left(W^{{({l1})}}\\right)^T \\odot f'(z^{{({l0})}})" if rows else
                  f"\\left(W^{{({l1})}}\\right)^T \\delta^{{({l1})}} \\odot f'(z^{{({l0})}})")
        a, z = f"a^{{({l0})}}", f"z^{{({l0})}}"
        return [f"{a} - y", f"({a} - y) \\odot f'({z})", f"-\\frac{{y}}{{{a}}} \\odot f'({z})",
                f"\\frac{{{a} - y}}{{{a} \\odot (1 - {a})}} \\odot f'({z})", hidden]
    if isinstance(ref, Partial) and ref.num.kind == "J" and ref.den.layer is not None and not ref.den.idx:
        lay = ref.den.layer
        l0, lm = lay.latex(), LayerRef(lay.base, lay.offset - 1).latex()
        rows = flags.layout == "rows"
        s = "\\frac{1}{m} " if flags.batch else ""
        d, a = f"\\delta^{{({l0})}}", f"a^{{({lm})}}"
        if ref.den.kind == "W":
            reg = {"none": "", "l2": f" + \\frac{{\\lambda}}{{m}} W^{{({l0})}}" if flags.batch else
                   f" + \\lambda W^{{({l0})}}", "l2-sum": f" + 2 \\lambda W^{{({l0})}}"}.get(flags.reg, "")
            core = f"{s}\\left({a}\\right)^T {d}" if rows else f"{s}{d} \\left({a}\\right)^T"
            return [core + reg]
        if ref.den.kind == "b":
            if not flags.batch:
                return [d]
            return [f"{s}\\mathbf{{1}}^T {d}" if rows else f"{s}{d} \\mathbf{{1}}"]
        if ref.den.kind == "z":
            return [f"{s}{d}"]
    return []
