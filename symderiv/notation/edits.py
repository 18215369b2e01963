"""The single-edit repairs of the core rows (their ``edits``): a shifted layer, swapped indices, a
dropped or added transpose, a sign or a 1/m on one term, a matrix product read as element-wise, a
factor too many. Each edit says what it found as (diagnostic code, node, arguments); the checker
makes a Diagnostic of it (verify/diagnostics.py)."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from .tree import walk, transposed, Node, Num, Op, Partial, Qty


M = Qty("m", "m")


MATRIX_KINDS = {"W", "a", "z", "delta", "x", "y", "yhat", "ones", "b"}


def _found(code: str, at: Node, **args) -> tuple:
    """What an edit says is wrong: (diagnostic code, the node it is about, its arguments); the checker
    makes a Diagnostic of it (verify/diagnostics.py) and writes trees in the claim's notation."""
    return code, at, args


def qty_edits(q: Qty):
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


def partial_edits(p: Partial):
    if len(p.den.idx) == 2:
        new = replace(p, den=replace(p.den, idx=p.den.idx[::-1]))
        yield _found("index-swap", p, was=p, should=new), new
    if not p.den.idx:
        yield _found("transpose", p, was=p), transposed(p)


def num_edits(n: Num):
    if n.value != 1:
        yield _found("scale.replace", n, was=n, should=M), M


def term_edits(n: Op):
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


def sub_edits(n: Op):
    yield from term_edits(n)
    x, y = n.args
    swapped = Op("sub", (y, x))
    yield _found("sign.swap", n, was=n, should=swapped), swapped


def product_edits(n: Op):
    x, y = n.args
    yield _found("extra-factor.part", x, was=x), y
    yield _found("extra-factor.part", y, was=y), x
    if n.op == "mm":
        yield _found("product-type", n, was=n, product="Hadamard"), replace(n, op="had", style=r"\odot")
        flipped = Op("mm", (y, x))
        yield _found("factor-order", n, was=n, should=flipped), flipped
    else:
        yield _found("product-type", n, was=n, product="matrix"), replace(n, op="mm", style="")


def div_edits(n: Op):
    if isinstance(n.args[0], Num) and isinstance(n.args[1], Num):
        new = Op("div", (n.args[0], M))
        yield _found("scale.replace", n, was=n, should=new), new


def transpose_edits(n: Op):
    inner = n.args[0]
    yield _found("transpose.drop", n, was=inner), inner
    if isinstance(inner, Op) and inner.op == "mm":
        x, y = inner.args
        new = Op("mm", (transposed(y), transposed(x)))
        yield _found("transpose.product", n, should=new), new
