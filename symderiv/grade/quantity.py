"""Which quantity a line is about: its left side, read, as a tree that compares by meaning.

A required result is found on a line whose left side is that quantity in the
student's notation: the line is parsed by symderiv's parser with the
student's readings and convention (as the checker reads it), and the left
side is made canonical: every quantity named by its kind, not its spelling
(``\\mathcal{L}``, ``E``, ``C`` and ``J`` are all the cost), an output layer
``L`` written as its number, index letters renamed in order of appearance
(``W_{ij}`` and ``W_{jk}`` are the same entry). Two lines about the same
quantity then have equal keys; nothing is compared as text.
"""
from __future__ import annotations

from dataclasses import replace

from ..notation import conventions
from ..notation.parse import parse
from ..notation.readings import as_readings
from ..notation.tokens import NotationError
from ..notation.tree import LayerRef, Node, Qty, rewrite


def canonical(node: Node, depth: int) -> Node:
    """``node`` with spellings, absolute layers and index letters made uniform (see the module's doc)."""
    names: dict = {}

    def index(i):
        return names.setdefault(i, f"#{len(names)}") if isinstance(i, str) else i

    def fn(x):
        if not isinstance(x, Qty):
            return None
        layer = x.layer
        if layer is not None and not layer.symbolic:
            layer = LayerRef(None, layer.resolve(None, depth))
        return replace(x, spelling=x.spelling if x.kind == "var" else x.kind, layer=layer,
                       idx=tuple(index(i) for i in x.idx), sample=index(x.sample) if x.sample is not None else None,
                       pos=0)
    return rewrite(node, fn)


def reader_for(readings, convention: str):
    """The readings a document's lines are parsed with: the convention's, the document's over them."""
    conv = conventions.resolve("", convention or "default")
    return conventions.readings_for(conv, as_readings(readings))


def sides_of(claim: str, reader) -> list | None:
    """The parsed sides of one equation (a chain), or None when the parser cannot read it."""
    try:
        return parse(claim, reader).sides
    except (NotationError, RecursionError, ValueError):
        return None


def quantity_of(latex: str, readings, convention: str, flags) -> Node | None:
    """The canonical tree of a quantity written alone (an ``expects:`` value), or None."""
    sides = sides_of(f"{latex} = 0", reader_for(readings, convention))
    return canonical(sides[0], flags.depth) if sides else None
