"""A document's lines read in its own names: definitions of its forward pass, and claims about it.

The project's parser (notation/parse.py) gives each line's tree; this module
reads the tree the way a derivation's author wrote it, never the string:

* names as people write them: ``W_1``, ``W^{(1)}``, ``W^{[1]}`` and ``W1`` are
  the symbol W tagged 1 (a digit written straight after a letter is a suffix);
  ``dW2`` and ``dz1`` (``d`` written straight before a name) are the derivative
  of the cost by that symbol; ``\\delta_1`` is the derivative by ``z_1``;
* a *definition* is ``name = expression`` whose name nothing earlier defined and
  whose right side differentiates nothing; every other equation is a claim.

``read_lines`` turns (id, LaTeX) pairs into ``Line`` objects; graph.py builds
the model from the definitions and checks the claims.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..notation.parse import Parser, layout_free
from ..notation.tokens import NotationError, prepare
from ..notation.tree import Call, DerivOf, LayerRef, Node, Num, Op, Partial, Qty, rewrite, walk

COST = "\\mathcal{C}"          # the spelling of "the cost" in dW2 and delta_1 (graph.py names the real one)
DELTA = {r"\delta", r"\Delta"}


@dataclass(frozen=True)
class Line:
    """One equation of a document: a definition (``defines`` is the key it defines) or a claim."""
    id: str
    text: str
    sides: tuple
    defines: tuple | None = None
    implicit: bool = False          # a node the document uses without writing it (a pre-activation)


def key_of(q: Qty) -> tuple:
    """(base, tag): the symbol a quantity names, its entry indices aside (``W_1`` and ``W^{(1)}``: ("W", "1"))."""
    tag = None
    if q.layer is not None:
        tag = q.layer.latex()
    elif len(q.idx) == 1 and isinstance(q.idx[0], int):
        tag = str(q.idx[0])
    return (q.spelling, tag)


def entry_of(q: Qty) -> tuple:
    """The entry indices written on a quantity (letters or 1-based numbers), its tag aside."""
    if q.layer is None and len(q.idx) == 1 and isinstance(q.idx[0], int):
        return ()
    return q.idx


def latex_of(key: tuple) -> str:
    base, tag = key
    return base if tag is None else f"{base}_{{{tag}}}" if tag.isdigit() else f"{base}^{{({tag})}}"


# ---------------------------------------------------------------- names as written
def _factors(n: Node) -> list:
    """The factors of a juxtaposition chain, left to right."""
    if isinstance(n, Op) and n.op == "mm" and n.style == "":
        return _factors(n.args[0]) + _factors(n.args[1])
    return [n]


def _end(q: Node) -> int:
    return q.pos + len(q.spelling) if isinstance(q, Qty) else -1


def _suffixed(q: Qty, num: Num) -> Qty | None:
    """W2: the digit straight after a bare name is its tag."""
    if q.layer is None and not q.idx and num.value.denominator == 1 and num.pos == _end(q) and q.spelling.isalpha():
        return replace(q, idx=(int(num.value),))
    return None


def _fused(parts: list) -> list:
    """A chain's factors with digit suffixes and d-prefixes joined to the names they belong to."""
    out = []
    for f in parts:
        prev = out[-1] if out else None
        inner = f.args[0] if isinstance(f, Op) and f.op == "T" else f
        if isinstance(prev, Qty) and isinstance(inner, Num):
            joined = _suffixed(prev, inner)
            if joined is not None:
                out[-1] = joined if inner is f else replace(f, args=(joined,))
                continue
        if isinstance(prev, Qty) and prev.spelling == "d" and not prev.idx and prev.layer is None and \
                isinstance(inner, Qty) and inner.pos == prev.pos + 1:
            deriv = Partial(Qty("J", COST, pos=prev.pos), inner, pos=prev.pos)
            out[-1] = deriv if inner is f else replace(f, args=(deriv,))
            continue
        if isinstance(prev, Partial) and prev.num.spelling == COST and isinstance(inner, Num):
            joined = _suffixed(prev.den, inner)        # dW2: the suffix belongs to W
            if joined is not None:
                out[-1] = replace(prev, den=joined)
                continue
        out.append(f)
    return out


def _join(parts: list, like: Op) -> Node:
    node = parts[0]
    for p in parts[1:]:
        node = Op("mm", (node, p), style="", pos=like.pos)
    return node


def names_as_written(n: Node) -> Node:
    """The tree with ``W2``, ``dW2``, ``dz1 a1^T`` read as names, ``\\delta_1`` as the derivative by z_1."""
    def fn(x):
        if isinstance(x, Op) and x.op == "mm" and x.style == "":
            parts = _fused([names_as_written(f) for f in _factors(x)])
            return _join(parts, x)
        if isinstance(x, Qty) and x.spelling in DELTA:
            return Partial(Qty("J", COST, pos=x.pos), replace(x, spelling="z", kind="z"), pos=x.pos)
        return None
    return rewrite(n, fn)


# ---------------------------------------------------------------- lines
def parse_line(text: str) -> list:
    """The sides of one equation, names read as written (NotationError when it does not parse)."""
    text, tokens = prepare(text)
    tokens = layout_free(tokens, text)
    if not tokens:
        raise NotationError("empty line")
    p = Parser(text, tokens)
    sides = p.chain()
    if p.condition is not None:
        raise NotationError("a condition after the equation")
    return [names_as_written(s) for s in sides]


def differentiates(n: Node) -> bool:
    """Does the expression take a derivative (a partial, d/dx, a primed function)?"""
    return any(isinstance(x, (Partial, DerivOf)) or (isinstance(x, Call) and x.fn == "dact") or
               (isinstance(x, Qty) and x.prime) for x in walk(n))


def read_lines(equations) -> list[Line]:
    """(id, LaTeX) pairs -> Lines; an equation that does not parse raises NotationError."""
    lines, defined = [], set()
    for line_id, text in equations:
        sides = tuple(parse_line(text))
        if len(sides) < 2:
            raise NotationError("a line needs '='")
        head = sides[0]
        key = None
        if len(sides) == 2 and isinstance(head, Qty) and not entry_of(head) and not head.args and not head.prime \
                and not differentiates(sides[1]):
            key = key_of(head)
            if key in defined or key in {key_of(q) for q in walk(sides[1]) if isinstance(q, Qty)}:
                key = None
        if key is not None:
            defined.add(key)
        lines.append(Line(line_id, text, sides, key))
    return lines


__all__ = ["Line", "read_lines", "parse_line", "key_of", "entry_of", "latex_of", "COST", "LayerRef"]
