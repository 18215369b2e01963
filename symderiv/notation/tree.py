"""The claim tree: node types and the one API every pass walks it with.

Parser, readings, evaluator, diagnosis and repair all go through
``children`` / ``with_children`` / ``walk`` / ``quantities`` / ``rewrite``,
so a new node type is taught to every pass in one place.

Positions (``pos``) and how an operator was written (``style``) never take
part in equality: two trees are equal when they mean the same formula, which
is what readings match on and what repairs compare.

>>> q = Qty("a", "a", LayerRef("l", 0))
>>> [n.spelling for n in quantities(Op("mm", (q, q)))]
['a', 'a']
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction


@dataclass(frozen=True)
class LayerRef:
    """A layer superscript: base None (absolute), "L" (output) or a letter for any layer ("l", or the
    note's own letter such as j), plus offset."""
    base: str | None
    offset: int

    @property
    def symbolic(self) -> bool:
        return self.base is not None and self.base != "L"

    def resolve(self, l: int | None, L: int) -> int:
        if self.base is None:
            return self.offset
        return (L if self.base == "L" else l) + self.offset

    def shifted(self, d: int) -> "LayerRef":
        return LayerRef(self.base, self.offset + d)

    def latex(self) -> str:
        if self.base is None:
            return str(self.offset)
        if self.offset == 0:
            return self.base
        return f"{self.base}{'+' if self.offset > 0 else '-'}{abs(self.offset)}"


class Node:
    """Base of every tree node; ``construct`` names its row in registry.CONSTRUCTS."""

    @property
    def construct(self) -> str:
        return type(self).__name__.lower()


@dataclass(frozen=True)
class Num(Node):
    value: Fraction
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Qty(Node):
    """A named quantity: W, b, z, a, delta, x, y, yhat, J, m, lam, alpha, ones, or a free symbol ("var").

    ``args`` keeps what was written in parentheses right after a symbol that is
    applied rather than multiplied (``h_\\theta(x)``, ``J(W, b)``, ``\\psi(z)``):
    notation, not operands, so no pass walks into it; a reading can turn the
    symbol into a function of them.
    """
    kind: str
    spelling: str
    layer: LayerRef | None = None
    idx: tuple = ()            # index names (str) or 1-based numbers (int)
    args: tuple = field(default=(), compare=False)
    prime: bool = field(default=False, compare=False)   # h'(z): a symbol read as a function, differentiated
    sample: str | int | None = None   # x^{(i)}: the sample (column, or row in rows layout) it is taken at
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Partial(Node):
    """d num / d den, both quantities (num usually J)."""
    num: Qty
    den: Qty
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Op(Node):
    """op names a row of the construct registry: add, sub, neg, mm, had, div, pow, T."""
    op: str
    args: tuple
    style: str = field(default="", compare=False)   # how the user wrote it: "^T", "'", "\\odot", "\\cdot"
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written

    @property
    def construct(self) -> str:
        return self.op


@dataclass(frozen=True)
class Call(Node):
    """fn is "act" / "dact" (the layer's activation and its derivative) or an elementary function."""
    fn: str
    arg: Node
    spelling: str = field(default="", compare=False)
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written

    @property
    def construct(self) -> str:
        return self.fn if self.fn in ("act", "dact") else "function"


@dataclass(frozen=True)
class Sum(Node):
    index: str
    lo: int
    hi: tuple | None           # ("num", n) | ("m",) | ("width", LayerRef) | ("K",) | None: natural range
    body: Node
    hi_latex: str = field(default="", compare=False)
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class DerivOf(Node):
    """The partial derivative of an expression by a quantity: \\frac{\\partial}{\\partial W}(...)."""
    body: Node
    den: Qty
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written

    @property
    def construct(self) -> str:
        return "derivof"


@dataclass(frozen=True)
class Index(Node):
    """An index's value in a condition: j in "if j = y_i", or ("label", "i") for y_i, the class of sample i."""
    name: object
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Matrix(Node):
    """\\begin{bmatrix} ... \\end{bmatrix}: rows of cells; None is an ellipsis (\\dots, \\vdots, \\ddots).

    With ellipses, ``term`` is the general entry inferred from the first cells, in the fresh
    index letters ``row_index`` / ``col_index`` (None where the matrix has one row or column)."""
    rows: tuple
    term: Node | None = None
    row_index: str | None = None
    col_index: str | None = None
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Indicator(Node):
    """\\mathbb{1}(cond): 1 where the condition holds, else 0."""
    cond: Node
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Cancel(Node):
    """\\cancel{arg}: struck out by the author."""
    arg: Node
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Cond(Node):
    """A comparison: z^{(2)} > 0, j = y_i (op one of = != < > <= >=)."""
    op: str
    left: Node
    right: Node
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Cases(Node):
    """\\begin{cases} v_1 & \\text{if } c_1 \\\\ v_2 & \\text{otherwise} \\end{cases}: (value, Cond or None) rows."""
    rows: tuple
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Norm(Node):
    """\\|arg\\| (kind "", "2" or "F": all the Frobenius norm here)."""
    arg: Node
    kind: str = field(default="", compare=False)
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Deriv(Node):
    """d/dvar body, for pure-calculus claims."""
    var: str
    body: Node
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


@dataclass(frozen=True)
class Named(Node):
    """A quantity a course gives a name of its own (Ng's D^{(l)}_{ij}, \\Delta^{(l)}): ``name`` as written
    (rendered so, in the claim's own numbering), ``meaning`` the tree it stands for, which every pass
    reads and the evaluator evaluates; ``said`` the reading in words, for the verdict's reason. A repair
    edits the name as a whole, never inside its meaning."""
    name: Qty
    meaning: Node
    said: str = field(default="", compare=False)
    pos: int = field(default=0, compare=False)
    span: tuple | None = field(default=None, compare=False)   # [start, end) in the text as written


# ---------------------------------------------------------------- the tree API
def children(n: Node) -> tuple:
    """The operands of n, in order (a Qty's ``args`` are notation, not operands)."""
    if isinstance(n, Op):
        return n.args
    if isinstance(n, (Call, Norm, Cancel)):
        return (n.arg,)
    if isinstance(n, Named):
        return (n.meaning,)
    if isinstance(n, Indicator):
        return (n.cond,)
    if isinstance(n, (Sum, Deriv)):
        return (n.body,)
    if isinstance(n, Partial):
        return (n.num, n.den)
    if isinstance(n, DerivOf):
        return (n.body, n.den)
    if isinstance(n, Cond):
        return (n.left, n.right)
    if isinstance(n, Cases):
        return tuple(x for value, cond in n.rows for x in ((value, cond) if cond is not None else (value,)))
    return ()


def with_children(n: Node, kids) -> Node:
    """n with its operands replaced (same order as ``children``)."""
    kids = tuple(kids)
    if isinstance(n, Op):
        return replace(n, args=kids)
    if isinstance(n, (Call, Norm, Cancel)):
        return replace(n, arg=kids[0])
    if isinstance(n, Named):
        return replace(n, meaning=kids[0])
    if isinstance(n, Indicator):
        return replace(n, cond=kids[0])
    if isinstance(n, (Sum, Deriv)):
        return replace(n, body=kids[0])
    if isinstance(n, Partial):
        return replace(n, num=kids[0], den=kids[1])
    if isinstance(n, DerivOf):
        return replace(n, body=kids[0], den=kids[1])
    if isinstance(n, Cond):
        return replace(n, left=kids[0], right=kids[1])
    if isinstance(n, Cases):
        it, rows = iter(kids), []
        for _, cond in n.rows:
            rows.append((next(it), next(it) if cond is not None else None))
        return replace(n, rows=tuple(rows))
    return n


def walk(n: Node):
    """n and every node below it, parents first."""
    yield n
    for child in children(n):
        yield from walk(child)


def quantities(*nodes: Node) -> list:
    """Every Qty below the given nodes (the numerator and denominator of partials included)."""
    return [q for n in nodes for q in walk(n) if isinstance(q, Qty)]


def rewrite(n: Node, fn) -> Node:
    """Top-down rewrite: where ``fn(node)`` returns a node, it replaces the subtree (not revisited)."""
    new = fn(n)
    if new is not None:
        return new
    kids = children(n)
    if not kids:
        return n
    new_kids = tuple(rewrite(k, fn) for k in kids)
    return n if new_kids == kids and all(a is b for a, b in zip(new_kids, kids)) else with_children(n, new_kids)


def edits_below(n: Node, node_edits):
    """(label, tree) for every single edit ``node_edits(node)`` offers anywhere in the tree."""
    yield from node_edits(n)
    if isinstance(n, Named):
        return                  # an edit inside its meaning would render as the same name
    kids = children(n)
    for k, child in enumerate(kids):
        for label, new_child in edits_below(child, node_edits):
            if (isinstance(n, Partial) or (isinstance(n, DerivOf) and k == 1)) and not isinstance(new_child, Qty):
                continue        # a derivative is taken of and by quantities only
            yield label, with_children(n, kids[:k] + (new_child,) + kids[k + 1:])


def transposed(n: Node, style: str = "^T") -> Node:
    """n with its transpose toggled."""
    if isinstance(n, Op) and n.op == "T":
        return n.args[0]
    return Op("T", (n,), style=style)


def bound_indices(n: Node) -> set:
    return {x.index for x in walk(n) if isinstance(x, Sum)}


def free_indices(sides) -> list:
    """Index letters used by quantities and not bound by a sum, in order of appearance."""
    names = []
    for side in sides:
        bound = bound_indices(side)
        for q in quantities(side):
            for i in q.idx + ((q.sample,) if q.sample is not None else ()):
                if isinstance(i, str) and i not in bound and i not in names:
                    names.append(i)
    return names


def rename_indices(n: Node, mapping: dict) -> Node:
    """n with index letters renamed (used by repair to swap two indices)."""
    def fn(x):
        if isinstance(x, Qty):
            return replace(x, idx=tuple(mapping.get(i, i) for i in x.idx), sample=mapping.get(x.sample, x.sample))
        return None
    return rewrite(n, fn)
