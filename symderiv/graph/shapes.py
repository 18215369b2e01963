"""The shape of every symbol of a document's model, inferred from how the definitions combine them.

Dimensions are joined in a union-find (``Dims``): a matrix product joins the inner two, a sum or a
Hadamard product makes two shapes equal, a bias broadcasts over the batch. Each dimension left distinct
then gets its own small size (``SIZES``), all different, so that a missing transpose cannot type-check.
"""
from __future__ import annotations

from ..notation.tree import Call, Cancel, Norm, Num, Op, Qty, Sum, walk
from .lines import entry_of, key_of
from .symbols import COST_NAMES, DATA_OUT, Graph, GraphError, Symbol, role_of

SIZES = (2, 3, 4, 5, 6, 7, 8, 9)
# a bias added to a product broadcasts over the batch: b, c, \beta, and B beside Z = W X + B (as Z and A are z
# and a; read as a matrix of the batch's shape, dJ/dB = dZ, which forgets the sum over the examples, held)
BIASES = ("b", "c", r"\beta", "B")

# ---------------------------------------------------------------- shapes
class Dims:
    """Union-find over dimensions; ONE is the dimension of size 1."""

    def __init__(self):
        self.parent = [0]
        self.contracted: set = set()

    ONE = 0

    def new(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, d: int) -> int:
        while self.parent[d] != d:
            self.parent[d] = self.parent[self.parent[d]]
            d = self.parent[d]
        return d

    def union(self, a: int, b: int, why: str = "") -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if b == self.ONE:
            a, b = b, a
        self.parent[b] = a
        if b in self.contracted:
            self.contracted.add(a)

    def is_one(self, d: int) -> bool:
        return self.find(d) == self.ONE

    def scalar(self, shape) -> bool:
        return self.is_one(shape[0]) and self.is_one(shape[1])

    def was_contracted(self, d: int) -> bool:
        return self.find(d) in {self.find(c) for c in self.contracted}


class Shapes:
    """The shape of every symbol and sub-expression, inferred from the definitions."""

    def __init__(self, graph: "Graph"):
        self.g, self.dims = graph, Dims()
        self.deferred: list = []          # (bias shape, other shape): a bias broadcasts over the batch
        self.index: dict = {}             # index letter -> dimension it runs over
        self.matrices: set = set()        # symbols written with two indices
        self.layered: set = set()         # symbols of a line written for a symbolic layer (w^l), one per layer

    def fresh(self) -> tuple:
        return (self.dims.new(), self.dims.new())

    def scalar(self) -> tuple:
        return (Dims.ONE, Dims.ONE)

    def unify(self, a, b, where: str):
        self.dims.union(a[0], b[0])
        self.dims.union(a[1], b[1])

    def of_symbol(self, key: tuple) -> tuple:
        sym = self.g.symbols.get(key)
        if sym is None:
            role = role_of(key)
            sym = Symbol(key, role, self.scalar() if role == "scalar" else self.fresh())
            self.g.symbols[key] = sym
        return sym.shape

    def shape(self, n) -> tuple:
        d = self.dims
        if isinstance(n, Num):
            return self.scalar()
        if isinstance(n, Qty):
            if n.args:
                for a in n.args:
                    self.shape(a)
                return self.scalar()          # l(o, y): a loss of its arguments
            s = self.of_symbol(key_of(n))
            idx = entry_of(n)
            for pos, i in enumerate(idx):
                if isinstance(i, str):
                    dim = s[pos] if len(idx) == 2 else s[0]
                    if i in self.index:
                        d.union(self.index[i], dim)
                    else:
                        self.index[i] = dim
            if len(idx) == 1:
                d.union(s[1], Dims.ONE)           # y_k: an entry of a column vector
            if len(idx) == 2:
                self.matrices.add(key_of(n))      # w_{jk}: a matrix, whatever its case
            return self.scalar() if idx else s
        if isinstance(n, Op):
            shapes = [self.shape(a) for a in n.args]
            return SHAPE_RULES[n.op](self, n, *shapes)
        if isinstance(n, Call):
            return self.shape(n.arg)
        if isinstance(n, Norm):
            self.shape(n.arg)
            return self.scalar()
        if isinstance(n, Sum):
            self.shape(n.body)
            return self.scalar()
        if isinstance(n, Cancel):
            return self.shape(n.arg)
        raise GraphError(f"{type(n).__name__.lower()} in a definition is not read yet")

    def add(self, n, a, b):
        left, right = n.args
        for bias, other, s_b, s_o in ((left, right, a, b), (right, left, b, a)):
            if isinstance(bias, Qty) and self.g.symbols[key_of(bias)].role == "parameter" and \
                    key_of(bias)[0] in BIASES and not entry_of(bias):
                self.deferred.append((s_b, s_o))
                return s_o
        if self.dims.scalar(a):
            return b
        if self.dims.scalar(b):
            return a
        self.unify(a, b, "+")
        return a

    def mm(self, n, a, b):
        if self.dims.scalar(a):
            return b
        if self.dims.scalar(b):
            return a
        left = n.args[0]
        if isinstance(left, Qty) and key_of(left)[0] in DATA_OUT and left.spelling[:1].islower() and \
                not entry_of(left):
            self.unify(a, b, "y log(...)")          # y \log \hat y: the targets weight each output
            return a
        self.dims.union(a[1], b[0])
        self.dims.contracted.add(self.dims.find(a[1]))
        return (a[0], b[1])

    def had(self, n, a, b):
        if self.dims.scalar(a):
            return b
        if self.dims.scalar(b):
            return a
        self.unify(a, b, r"\odot")
        return a

    def settle(self, numbers: bool = False):
        """Biases take the non-batch dimension; vectors written in lower case take 1 where nothing
        contracts them; with ``numbers`` (a document that writes no vector, see ``shows_vectors``)
        every lower-case symbol is a number."""
        d = self.dims
        if numbers:
            for sym in self.g.symbols.values():
                if not _upper(sym.key[0]):          # a cost is never upper case here: a number too
                    self.unify(sym.shape, self.scalar(), "a number")
        # w^l of z^l = w^l a^{l-1} + b^l is a matrix at every layer: the output layer's too, whose rows no
        # later layer contracts
        layer_matrices = {k[0] for k in self.layered if k in self.g.symbols and
                          all(d.was_contracted(x) for x in self.g.symbols[k].shape)}
        for sym in list(self.g.symbols.values()):
            if sym.role in ("data", "parameter") and sym.key[0][:1].islower() or sym.key[0].startswith("\\hat"):
                r, c = sym.shape
                if d.is_one(r) or d.is_one(c) or sym.key[0] in ("b", "c") or sym.key in self.matrices or \
                        (sym.key in self.layered and sym.key[0] in layer_matrices):
                    continue
                if not d.was_contracted(c):
                    d.union(c, Dims.ONE)
                elif not d.was_contracted(r):
                    d.union(r, Dims.ONE)
        batch = {d.find(x) for s in self.g.symbols.values() if s.role == "data" for x in s.shape} - \
            {d.find(x) for s in self.g.symbols.values() if s.role == "parameter" and s.key[0] not in BIASES
             for x in s.shape}
        for bias, other in self.deferred:
            r, c = other
            if d.is_one(c) or d.find(c) in batch:
                d.union(bias[0], r)
                d.union(bias[1], Dims.ONE)
            elif d.is_one(r) or d.find(r) in batch:
                d.union(bias[0], Dims.ONE)
                d.union(bias[1], c)
            else:
                self.unify(bias, other, "+")
        for sym in self.g.symbols.values():      # a bias no sum placed is a column
            if sym.key[0] in BIASES and not (d.is_one(sym.shape[0]) or d.is_one(sym.shape[1])):
                d.union(sym.shape[1], Dims.ONE)

    def sizes(self) -> dict:
        out, used = {Dims.ONE: 1}, iter(SIZES)
        for sym in self.g.symbols.values():
            for x in sym.shape:
                root = self.dims.find(x)
                if root not in out:
                    try:
                        out[root] = next(used)
                    except StopIteration:
                        raise GraphError("too many different dimensions to instantiate") from None
        return out


# What shows that a document's quantities are vectors or matrices: without any of them (3Blue1Brown's chain
# of single neurons, a unit z = w x + b with its error signals) the lower-case quantities are numbers, as
# the author means them, and w x is a product of numbers, not a row times a column of some width.
VECTOR_OPS = {"T", "total"}                      # a transpose; a sum without an index over a vector's entries
ELEMENTWISE_STYLES = {r"\odot", r"\circ", ".*", r"\otimes"}
VECTOR_FUNCTIONS = {"softmax"}


def shows_vectors(lines) -> bool:
    """True when some line of the document writes a vector or a matrix: a transpose, an element-wise
    product written as one, an entry index letter (on anything but a cost: C_x is one example's), a sum
    without an index, a norm, a softmax, or a data or parameter symbol in upper case (W, X, \\Theta)."""
    for ln in lines:
        for side in ln.sides:
            for n in walk(side):
                if isinstance(n, Op) and (n.op in VECTOR_OPS or n.op == "had" and n.style in ELEMENTWISE_STYLES):
                    return True
                if isinstance(n, Norm) or isinstance(n, Call) and n.fn in VECTOR_FUNCTIONS:
                    return True
                if isinstance(n, Qty) and n.spelling not in COST_NAMES and (      # C_x: one example's cost
                        any(isinstance(i, str) for i in entry_of(n)) or
                        role_of(key_of(n)) != "scalar" and _upper(n.spelling)):
                    return True
    return False


def _upper(spelling: str) -> bool:
    name = spelling.lstrip("\\")
    return name[:1].isupper() and spelling not in COST_NAMES


def _pass(self, n, a):
    return a


SHAPE_RULES = {
    "add": Shapes.add, "sub": Shapes.add, "neg": _pass, "mm": Shapes.mm, "had": Shapes.had,
    "div": lambda self, n, a, b: a if self.dims.scalar(b) else self.had(n, a, b),
    "pow": lambda self, n, a, b: a,
    "T": lambda self, n, a: (a[1], a[0]),
    "total": lambda self, n, a: self.scalar(),     # \\sum v over one example's vector: a number
}
