"""A document's forward pass as its model: a computational graph in SymPy over the document's own symbols.

A document that defines its quantities (``h = \\sigma(W_1 x + b_1)``, ``o = W_2 h``,
``J = L + s``) is its own model. ``build_graph`` reads those definitions
(forward.py) into a graph:

* parameters are the symbols used and never defined; ``x``/``X`` and
  ``y``/``Y``/``t`` are data; ``\\lambda``, ``\\eta``, ``m``... are scalars;
* shapes are inferred from how symbols combine (a matrix product joins two
  dimensions, a sum or Hadamard product makes shapes equal, a bias broadcasts)
  and each dimension gets its own small size, all different, so a missing
  transpose cannot hide;
* ``g``, ``f``, ``\\phi``, ``\\sigma_1`` and an undefined loss ``l(o, y)`` are
  generic: each draw takes a different random smooth function, so a line that
  holds is shown to hold for every activation, not only for the sigmoid;
* a derivative is taken by SymPy: the graph is evaluated with the variable's
  entries as symbols (the graph cut at it when it is an intermediate node,
  everything else at the draw's numbers), and ``sympy.diff`` of the scalar;
* a cost the document never defines (``Y = XW`` with ``\\partial L/\\partial Y``
  given) is an arbitrary function of the graph's outputs: its upstream gradient
  is a free random quantity at each draw.

``check_line`` compares a claim's two sides at several random draws, link by
link; every verdict carries the assumptions it was read under.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

import operator

from ..notation.tree import (Call, Cancel, Cases, Cond, DerivOf, Index, Indicator, Norm, Num, Op, Partial, Qty, Sum,
                             rewrite, walk)
from ..verify.diagnostics import diagnostic
from ..verify.verdict import Unverifiable
from ..notation.tree import LayerRef
from .forward import COST, COST_SUMMED, Line, entry_of, key_of, latex_of, read_lines  # noqa: F401

DATA_IN = {"x", "X"}
DATA_OUT = {"y", "Y", "t"}
SCALARS = {r"\lambda", r"\alpha", r"\eta", r"\epsilon", r"\gamma", "m", "N", "n", r"\mu"}
GENERIC = {"f", "g", r"\phi", r"\varphi", r"\psi"}        # activations named, not given
COST_NAMES = {"J", "L", "C", "E", r"\mathcal{L}", r"\ell", r"\mathcal{J}", r"\mathcal{E}"}
SIZES = (2, 3, 4, 5, 6, 7, 8, 9)
DRAWS = 3
RTOL = 1e-8


class TypeCheck(Unverifiable):
    """A product or sum whose shapes do not fit: on a claim's side, the line is wrong."""


class GraphError(Exception):
    """The document's lines do not make a model (a definition that cannot be read, shapes that do not fit)."""


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


@dataclass
class Symbol:
    key: tuple
    role: str                  # parameter | data | scalar | defined | upstream
    shape: tuple = (0, 0)      # two dimension ids while reading; sizes once built
    line: str | None = None    # the id of the line that defines it

    @property
    def latex(self) -> str:
        return latex_of(self.key)

    def to_json(self) -> dict:
        return {"name": self.latex, "role": self.role, "shape": list(self.shape),
                "line": self.line.split("#")[0] if self.line else None}


def _role(key: tuple) -> str:
    base = key[0]
    if base in DATA_IN or base in DATA_OUT or (key[1] == "0" and base in ("a", "h", "A", "H")):
        return "data"                    # a^{(0)}: the input, where the document numbers it as a layer
    if base in SCALARS:
        return "scalar"
    return "parameter"


class Shapes:
    """The shape of every symbol and sub-expression, inferred from the definitions."""

    def __init__(self, graph: "Graph"):
        self.g, self.dims = graph, Dims()
        self.deferred: list = []          # (bias shape, other shape): a bias broadcasts over the batch
        self.index: dict = {}             # index letter -> dimension it runs over
        self.matrices: set = set()        # symbols written with two indices

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
            role = _role(key)
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
                    key_of(bias)[0] in ("b", "c", r"\beta") and not entry_of(bias):
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

    def settle(self):
        """Biases take the non-batch dimension; vectors written in lower case take 1 where nothing
        contracts them."""
        d = self.dims
        for sym in list(self.g.symbols.values()):
            if sym.role in ("data", "parameter") and sym.key[0][:1].islower() or sym.key[0].startswith("\\hat"):
                r, c = sym.shape
                if d.is_one(r) or d.is_one(c) or sym.key[0] in ("b", "c") or sym.key in self.matrices:
                    continue
                if not d.was_contracted(c):
                    d.union(c, Dims.ONE)
                elif not d.was_contracted(r):
                    d.union(r, Dims.ONE)
        batch = {d.find(x) for s in self.g.symbols.values() if s.role == "data" for x in s.shape} - \
            {d.find(x) for s in self.g.symbols.values() if s.role == "parameter" and s.key[0] not in ("b", "c")
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
            if sym.key[0] in ("b", "c") and not (d.is_one(sym.shape[0]) or d.is_one(sym.shape[1])):
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


def _pass(self, n, a):
    return a


SHAPE_RULES = {
    "add": Shapes.add, "sub": Shapes.add, "neg": _pass, "mm": Shapes.mm, "had": Shapes.had,
    "div": lambda self, n, a, b: a if self.dims.scalar(b) else self.had(n, a, b),
    "pow": lambda self, n, a, b: a,
    "T": lambda self, n, a: (a[1], a[0]),
}


# ---------------------------------------------------------------- the graph
@dataclass
class Graph:
    lines: list
    symbols: dict = field(default_factory=dict)      # key -> Symbol
    definitions: dict = field(default_factory=dict)  # key -> (Line, expression)
    order: list = field(default_factory=list)        # defined keys, each after what it uses
    cost: tuple | None = None
    batch_rows: bool = False
    assumptions: list = field(default_factory=list)

    draws: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)      # l -> L where the document writes L = l(o, y)
    depth: int = 0                                   # the layers a line in symbolic l is read at: 1..depth
    unread: set = field(default_factory=set)         # names of lines that define something and were not read

    def draw(self, seed: int) -> "Draw":
        """The draw of this seed, made once (its derivatives are kept for every line)."""
        if seed not in self.draws:
            self.draws[seed] = Draw(self, 1000 + seed)
        return self.draws[seed]

    def model_json(self) -> list:
        return [s.to_json() for s in self.symbols.values()]

    def describe(self) -> str:
        return "; ".join(f"{s.latex}: {s.role} {s.shape[0]}×{s.shape[1]}" for s in self.symbols.values())


def _uses(expr) -> list:
    """The symbols an expression reads (the arguments of an applied loss l(o, y) included)."""
    out = []
    for q in walk(expr):
        if isinstance(q, Qty):
            if q.args:
                out += [k for a in q.args for k in _uses(a)]
            else:
                out.append(key_of(q))
    return out


# ---------------------------------------------------------------- symbolic layers
DEPTH = 3       # a forward pass written for layer l is instantiated with this many weight layers


def _layers(n) -> list:
    return [q.layer for q in walk(n) if isinstance(q, Qty) and q.layer is not None and q.layer.base is not None]


def symbolic(sides) -> bool:
    return any(_layers(s) for s in sides)


def at_layer(n, lv: int, depth: int):
    """The tree with every layer superscript resolved at l = lv in a model of ``depth`` layers."""
    def fn(x):
        if isinstance(x, Qty) and x.layer is not None and x.layer.base is not None:
            return replace(x, layer=LayerRef(None, x.layer.resolve(lv, depth)))
        return None
    return rewrite(n, fn)


def expand_layers(lines: list[Line]) -> tuple[list, int]:
    """Definitions in symbolic l (z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}) once per layer 1..depth, unless
    the document defines that layer's symbol itself (a^{(L)} = softmax(z^{(L)}), a^{(0)} = x)."""
    numbers = [q.layer.offset for ln in lines for s in ln.sides for q in walk(s)
               if isinstance(q, Qty) and q.layer is not None and q.layer.base is None]
    depth = max([DEPTH] + numbers)
    if not any(ln.defines and symbolic(ln.sides) for ln in lines):
        return lines, depth
    explicit = {ln.defines for ln in lines if ln.defines and not symbolic(ln.sides)}
    out, made, bases = [], set(), set()
    for ln in lines:
        if not (ln.defines and symbolic(ln.sides)):
            out.append(ln)
            continue
        if ln.defines[0] in bases:       # z^{l+1}_i = ... after z^l = ...: the same layers again, a claim
            out.append(replace(ln, defines=None, free=()))
            continue
        bases.add(ln.defines[0])
        letters = any(r.base != "L" for s in ln.sides for r in _layers(s))
        for lv in (range(1, depth + 1) if letters else (depth,)):
            sides = tuple(at_layer(s, lv, depth) for s in ln.sides)
            key = key_of(sides[0])
            if key in explicit or key in made or any(r < 0 or r > depth for r in
                                                     (q.layer.offset for s in sides for q in walk(s)
                                                      if isinstance(q, Qty) and q.layer is not None)):
                continue
            made.add(key)
            out.append(replace(ln, sides=sides, defines=key))
    return out, depth


def layer_instances(g: "Graph", sides) -> list:
    """(l, sides at l) for every layer l where each quantity the line names is in the model."""
    out = []
    letters = any(r.base != "L" for s in sides for r in _layers(s))
    for lv in (range(1, g.depth + 1) if letters else (g.depth,)):
        at = tuple(at_layer(s, lv, g.depth) for s in sides)
        tagged = [q for s in at for q in walk(s) if isinstance(q, Qty) and q.layer is not None]
        tagged += [p.den for s in at for p in walk(s) if isinstance(p, Partial) and p.den.layer is not None]
        if all(key_of(q) in g.symbols for q in tagged):
            out.append((lv, at))
    return out


def pre_activations(lines: list[Line]) -> list[Line]:
    """``\\hat y = \\sigma(V h + b^{(2)})``: the activation's argument is the pre-activation z^{(2)} the
    document does not write, named so that ``\\delta^{(2)}`` has something to be the derivative by."""
    defined = {ln.defines for ln in lines if ln.defines}
    out = []
    for ln in lines:
        rhs = ln.sides[1] if ln.defines else None
        if isinstance(rhs, Call) and rhs.fn in ("act", "function") and not isinstance(rhs.arg, Qty):
            tags = {key_of(q)[1] for q in walk(rhs.arg) if isinstance(q, Qty)} - {None}
            tags = tags or {ln.defines[1]} - {None}
            tag = next(iter(tags)) if len(tags) == 1 else None
            z = ("z", tag)
            if z not in defined and (tags or not any(k[0] == "z" for k in defined)):
                defined.add(z)
                zq = Qty("z", "z", idx=(int(tag),) if tag and tag.isdigit() else (), pos=rhs.arg.pos)
                if tag and not tag.isdigit():
                    zq = Qty("z", "z", layer=LayerRef(tag, 0), pos=rhs.arg.pos)
                out.append(Line(ln.id, ln.text, (zq, rhs.arg), z, implicit=True))
                ln = replace(ln, sides=(ln.sides[0], replace(rhs, arg=zq)))
        out.append(ln)
    return out


def build_graph(lines: list[Line]) -> Graph:
    """The model that a document's definitions state (GraphError when they do not make one)."""
    g = Graph(lines)
    lines, g.depth = expand_layers(lines)
    lines = pre_activations(lines)
    for line in lines:
        if line.defines is not None:
            g.definitions[line.defines] = (line, line.sides[1])
            rhs = line.sides[1]
            if isinstance(rhs, Qty) and rhs.args and not rhs.prime:
                g.aliases[key_of(rhs)] = line.defines        # \\partial l / \\partial o means dL/do
    if not g.definitions:
        raise GraphError("the document defines nothing")
    seen: set = set()

    def visit(key, stack=()):
        if key in seen or key not in g.definitions:
            return
        if key in stack:
            raise GraphError(f"{latex_of(key)} is defined in terms of itself")
        for used in _uses(g.definitions[key][1]):
            visit(used, stack + (key,))
        seen.add(key)
        g.order.append(key)
    for key in g.definitions:
        visit(key)
    shapes = Shapes(g)
    differentiated = {key_of(n.num) for ln in lines if ln.defines is None for side in ln.sides
                      for n in walk(side) if isinstance(n, Partial) and not entry_of(n.num)}
    for key in g.order:
        line, expr = g.definitions[key]
        for used in _uses(expr):
            if used in g.definitions and used not in g.symbols:
                raise GraphError(f"{latex_of(used)} is used before it is defined")
        shapes.index = {}                 # index letters name dimensions within one line only
        s = shapes.shape(expr)
        if line.free:                     # p_i = ...: a vector (W_{ij} = ...: a matrix) of such entries
            dims = [shapes.index.get(i) or shapes.dims.new() for i in line.free]
            s = (dims[0], dims[1] if len(dims) == 2 else Dims.ONE)
        if key in differentiated or key[0] in COST_NAMES:
            shapes.unify(s, shapes.scalar(), "cost")      # what is differentiated is a number
        g.symbols[key] = Symbol(key, "defined", s, line.id)
        if line.implicit:
            g.assumptions.append(f"{latex_of(key)}: the argument of the activation in line {line.id}, "
                                 "not written")
    shapes.settle()
    sizes = shapes.sizes()
    for sym in g.symbols.values():
        sym.shape = tuple(sizes[shapes.dims.find(x)] for x in sym.shape)
    used = {u for key in g.order for u in _uses(g.definitions[key][1])}
    sinks = [k for k in g.order if k not in used and g.symbols[k].shape == (1, 1)]
    g.cost = sinks[-1] if sinks else None
    if g.cost is not None:
        g.symbols[g.cost].role = "cost"
    x = next((s for s in g.symbols.values() if s.key[0] in DATA_IN), None)
    g.batch_rows = x is not None and x.shape[0] > 1 and x.shape[1] > 1 and \
        not any(s.role == "parameter" and x.shape[0] in s.shape for s in g.symbols.values())
    g.assumptions.append("every dimension has its own size (" + ", ".join(
        f"{s.latex}: {s.shape[0]}×{s.shape[1]}" for s in g.symbols.values()) + ")")
    return g


# ---------------------------------------------------------------- numbers
def _sigmoid(u):
    return 1 / (1 + sp.exp(-u))


def _smooth(rng: random.Random):
    """A random smooth function of one variable (not odd, not linear, nowhere flat at the draws)."""
    a, b, c, d = (sp.Float(round(rng.uniform(0.5, 1.5), 3)) for _ in range(4))
    return lambda u: a * sp.tanh(b * u + c / 3) + d * u / 2 + a * b * u ** 2 / 10


def _loss(rng: random.Random):
    """A random smooth scalar function of any number of entries (the same function at every call)."""
    weights: dict = {}

    def f(values):
        v = list(values)
        if len(v) not in weights:
            weights[len(v)] = ([sp.Float(round(rng.uniform(-1, 1), 3)) for _ in v],
                               [sp.Float(round(rng.uniform(0.5, 1.5), 3)) for _ in v])
        ws, cs = weights[len(v)]
        return sum(c * sp.log(1 + sp.exp(w * x)) for c, w, x in zip(cs, ws, v)) + \
            sp.tanh(sum(w * x for w, x in zip(ws, v))) ** 2
    return f


class Draw:
    """One random instance: numbers for every leaf, one random function for every generic name."""

    def __init__(self, g: Graph, seed: int):
        self.g, self.rng = g, random.Random(seed)
        self.values: dict = {}
        self.functions: dict = {}
        self.losses: dict = {}
        self.upstream: dict = {}
        self.jacobians: dict = {}         # key -> {input: local Jacobian at this draw}
        self.adjoints: dict = {}          # numerator -> {key: derivative at this draw}
        for sym in g.symbols.values():
            if sym.role == "defined" or sym.role == "cost":
                continue
            self.values[sym.key] = self.matrix(sym)
        self.forward = evaluate_graph(g, self, self.values)

    def matrix(self, sym: Symbol) -> sp.Matrix:
        r, c = sym.shape
        if sym.role == "scalar":
            return sp.Matrix([[sp.Float(round(self.rng.uniform(0.5, 2), 4))]])
        m = sp.Matrix(r, c, lambda i, j: sp.Float(round(self.rng.uniform(-1, 1), 4)))
        if sym.key[0] in DATA_OUT:               # targets: a distribution over the classes of each sample
            m = m.applyfunc(lambda v: abs(v) * sp.Float("0.9") + sp.Float("0.05"))
            if (c if self.g.batch_rows else r) == 1:
                return m                         # one output: a probability of the class
            if self.g.batch_rows:
                m = sp.Matrix(r, c, lambda i, j: m[i, j] / sum(m.row(i)))
            else:
                m = sp.Matrix(r, c, lambda i, j: m[i, j] / sum(m.col(j)))
        return m

    def function(self, name: str):
        if name not in self.functions:
            self.functions[name] = _smooth(self.rng)
        return self.functions[name]

    def loss(self, name: str):
        if name not in self.losses:
            self.losses[name] = _loss(self.rng)
        return self.losses[name]

    def upstream_of(self, key) -> sp.Matrix:
        if key not in self.upstream:
            r, c = self.g.symbols[key].shape
            self.upstream[key] = sp.Matrix(r, c, lambda i, j: sp.Float(round(self.rng.uniform(-1, 1), 4)))
        return self.upstream[key]


def _symbols(key, shape) -> sp.Matrix:
    r, c = shape
    return sp.Matrix(r, c, lambda i, j: sp.Symbol(f"v{i}_{j}"))


def evaluate_graph(g: Graph, draw: Draw, leaves: dict, cut: tuple | None = None, cut_value=None) -> dict:
    """Every defined symbol's value from the leaves (``cut``: that node's value is ``cut_value``)."""
    env = dict(leaves)
    for key in g.order:
        if key == cut:
            env[key] = cut_value
            continue
        env[key] = defined_value(g, draw, env, key)
    return env


def defined_value(g: Graph, draw: "Draw", env: dict, key: tuple) -> sp.Matrix:
    """A defined symbol's value: its right side, or (p_i = ...) its entries one by one."""
    line, expr = g.definitions[key]
    if not line.free:
        return Evaluator(g, draw, env).value(expr)
    r, c = g.symbols[key].shape

    def entry(i, j):
        v = Evaluator(g, draw, env, dict(zip(line.free, (i, j)))).value(expr)
        if v.shape != (1, 1):
            raise TypeCheck(f"an entry of {latex_of(key)} is defined as a {v.shape[0]}×{v.shape[1]} matrix")
        return v[0, 0]
    return sp.Matrix(r, c, entry)


def _broadcast(a: sp.Matrix, b: sp.Matrix):
    if a.shape == b.shape:
        return a, b
    if a.shape == (1, 1):
        return sp.ones(*b.shape) * a[0, 0], b
    if b.shape == (1, 1):
        return a, sp.ones(*a.shape) * b[0, 0]
    if a.shape[0] == b.shape[0] and 1 in (a.shape[1], b.shape[1]):
        n = max(a.shape[1], b.shape[1])
        return (a * sp.ones(1, n) if a.shape[1] == 1 else a), (b * sp.ones(1, n) if b.shape[1] == 1 else b)
    if a.shape[1] == b.shape[1] and 1 in (a.shape[0], b.shape[0]):
        n = max(a.shape[0], b.shape[0])
        return (sp.ones(n, 1) * a if a.shape[0] == 1 else a), (sp.ones(n, 1) * b if b.shape[0] == 1 else b)
    raise TypeCheck(f"shapes {a.shape[0]}×{a.shape[1]} and {b.shape[0]}×{b.shape[1]} do not fit")


def _elementwise(f):
    return lambda a, b: sp.Matrix(a.shape[0], a.shape[1], lambda i, j: f(a[i, j], b[i, j]))


def _mm(a, b):
    if a.shape == (1, 1):
        return b * a[0, 0]
    if b.shape == (1, 1):
        return a * b[0, 0]
    if a.shape == b.shape and a.shape[1] == 1:      # two columns side by side: read by their types
        return _elementwise(lambda x, y: x * y)(a, b)
    if a.shape[1] != b.shape[0]:
        raise TypeCheck(f"a product of {a.shape[0]}×{a.shape[1]} by {b.shape[0]}×{b.shape[1]} does not "
                           "type-check")
    return a * b


OPS = {
    "add": lambda a, b: (lambda x, y: x + y)(*_broadcast(a, b)),
    "sub": lambda a, b: (lambda x, y: x - y)(*_broadcast(a, b)),
    "neg": lambda a: -a,
    "mm": _mm,
    "had": lambda a, b: _elementwise(lambda x, y: x * y)(*_broadcast(a, b)),
    "div": lambda a, b: _elementwise(lambda x, y: x / y)(*_broadcast(a, b)),
    "pow": lambda a, b: a.applyfunc(lambda x: x ** b[0, 0]) if b.shape == (1, 1) else None,
    "T": lambda a: a.T,
}
ELEMENTWISE = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sigmoid": _sigmoid, "sinh": sp.sinh,
               "cosh": sp.cosh, "relu": lambda u: sp.Max(0, u)}


COMPARE = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le,
           ">=": operator.ge}


def derivative_of(ev: "Evaluator", n: DerivOf) -> sp.Matrix:
    """\\frac{\\partial}{\\partial o_k}(expression): sympy.diff of the expression with the graph recomputed
    from the variable's entries as symbols, at the draw."""
    g, draw, key = ev.g, ev.draw, key_of(n.den)
    if key not in draw.forward:
        raise Unverifiable(f"{latex_of(key)} is not a symbol of the forward pass")
    point = draw.forward[key]
    syms = _symbols(key, point.shape)
    leaves = dict(draw.values)
    if key in leaves:
        leaves[key] = syms
        env = evaluate_graph(g, draw, leaves)
    else:
        env = evaluate_graph(g, draw, leaves, key, syms)
    body = Evaluator(g, draw, env, ev.indices).value(n.body)
    at = dict(zip(syms, point))
    if entry_of(n.den):
        target = Evaluator(g, draw, {key: syms}, ev.indices).quantity(n.den)[0, 0]
        return body.applyfunc(lambda e: sp.diff(e, target).xreplace(at))
    if body.shape != (1, 1):
        raise Unverifiable("the derivative of a matrix by a matrix is a Jacobian: write one entry")
    return syms.applyfunc(lambda s_: sp.diff(body[0, 0], s_).xreplace(at))


class Evaluator:
    """A tree's value as a SymPy matrix, over an environment of symbol values."""

    def __init__(self, g: Graph, draw: Draw, env: dict, indices: dict | None = None):
        self.g, self.draw, self.env, self.indices = g, draw, env, indices or {}

    def value(self, n) -> sp.Matrix:
        if isinstance(n, Num):
            return sp.Matrix([[sp.Rational(n.value.numerator, n.value.denominator)]])
        if isinstance(n, Qty):
            return self.quantity(n)
        if isinstance(n, Op):
            out = OPS[n.op](*(self.value(a) for a in n.args)) if n.op in OPS else None
            if out is None:
                raise Unverifiable(f"the operation {n.op} is not read on a document's own model yet")
            return out
        if isinstance(n, Call):
            return self.call(n)
        if isinstance(n, Norm):
            v = self.value(n.arg)
            return sp.Matrix([[sp.sqrt(sum(x ** 2 for x in v))]])
        if isinstance(n, Sum):
            return self.sum(n)
        if isinstance(n, Partial):
            return derivative(self.g, self.draw, n, self.indices)
        if isinstance(n, Cancel):
            return self.value(n.arg) * 0
        if isinstance(n, Cases):
            return self.cases(n)
        if isinstance(n, Indicator):
            mask = self.condition(n.cond)
            return sp.Matrix(mask.astype(int).tolist())
        if isinstance(n, DerivOf):
            return derivative_of(self, n)
        raise Unverifiable(f"{type(n).__name__.lower()} is not read on a document's own model yet")

    def condition(self, c) -> sp.Matrix:
        """Where a comparison holds: one truth value (indices), or one per entry (z > 0)."""
        if not isinstance(c, Cond) or c.op not in COMPARE:
            raise Unverifiable("a condition that is not a comparison")
        a, b = _broadcast(self.side_of(c.left), self.side_of(c.right))
        return np.array([[COMPARE[c.op](float(sp.N(a[i, j])), float(sp.N(b[i, j]))) for j in range(a.shape[1])]
                         for i in range(a.shape[0])])

    def side_of(self, n) -> sp.Matrix:
        if isinstance(n, Index):
            if not isinstance(n.name, str) or n.name not in self.indices:
                raise Unverifiable(f"the index {n.name} in a condition is not bound")
            return sp.Matrix([[self.indices[n.name]]])
        return self.value(n)

    def cases(self, n: Cases) -> sp.Matrix:
        """Each entry from the first row whose condition holds there."""
        rows = [(self.value(v), self.condition(c) if c is not None else None) for v, c in n.rows]
        shapes = [v.shape for v, _ in rows] + [m.shape for _, m in rows if m is not None]
        shape = max(shapes, key=lambda s: s[0] * s[1])
        if any(x not in ((1, 1), shape) for x in shapes):
            raise TypeCheck("the rows of a cases do not have one shape")

        def entry(i, j):
            for v, m in rows:
                if m is None or (m[0, 0] if m.shape == (1, 1) else m[i, j]):
                    return v[0, 0] if v.shape == (1, 1) else v[i, j]
            raise Unverifiable("no row of the cases holds")
        return sp.Matrix(shape[0], shape[1], entry)

    def quantity(self, q: Qty) -> sp.Matrix:
        key = key_of(q)
        if q.args or q.prime:
            return self.applied(q)
        if key not in self.env:
            raise Unverifiable(f"{latex_of(key)} is neither defined nor used by the forward pass")
        v = self.env[key]
        idx = entry_of(q)
        if not idx:
            return v
        if len(idx) == 1 and min(v.shape) > 1:
            raise Unverifiable(f"one index on the {v.shape[0]}×{v.shape[1]} matrix {latex_of(key)}: which "
                               "dimension it runs over is not said")
        at = [self.index(i, v.shape[pos] if len(idx) == 2 else max(v.shape)) for pos, i in enumerate(idx)]
        if len(at) == 1:
            flat = list(v)
            return sp.Matrix([[flat[at[0]]]])
        return sp.Matrix([[v[at[0], at[1]]]])

    def index(self, i, size: int) -> int:
        k = (i - 1) if isinstance(i, int) else self.indices.get(i)
        if k is None:
            raise Unverifiable(f"index {i} is not bound")
        if not 0 <= k < size:
            raise TypeCheck(f"index {i} runs past the {size} entries of a quantity it indexes")
        return k

    def applied(self, q: Qty) -> sp.Matrix:
        """l(o, y) or C'(a): a generic function of its arguments (its gradient when primed)."""
        args = [self.value(a) for a in q.args]
        f = self.draw.loss(q.spelling)
        if not q.prime:
            return sp.Matrix([[f([x for a in args for x in a])]])
        if len(args) != 1:
            raise Unverifiable(f"{q.spelling}' of several arguments is ambiguous")
        syms = _symbols(None, args[0].shape)
        flat = dict(zip(syms, args[0]))
        value = f(list(syms) + [x for a in args[1:] for x in a])
        return syms.applyfunc(lambda s: sp.diff(value, s).subs(flat))

    def call(self, c: Call) -> sp.Matrix:
        v = self.value(c.arg)
        if c.fn in ("act", "dact"):
            generic = c.spelling in GENERIC or getattr(c, "sub", "")
            f = self.draw.function(c.spelling + getattr(c, "sub", "")) if generic else _sigmoid
            if c.fn == "act":
                return v.applyfunc(f)
            u = sp.Symbol("u")
            df = sp.diff(f(u), u)
            return v.applyfunc(lambda x: df.subs(u, x))
        if c.fn == "softmax":
            e = v.applyfunc(sp.exp)
            if self.g.batch_rows or v.shape[1] > 1 and v.shape[0] == 1:
                return sp.Matrix(e.shape[0], e.shape[1], lambda i, j: e[i, j] / sum(e.row(i)))
            return sp.Matrix(e.shape[0], e.shape[1], lambda i, j: e[i, j] / sum(e.col(j)))
        if c.fn in ELEMENTWISE:
            return v.applyfunc(ELEMENTWISE[c.fn])
        raise Unverifiable(f"the function {c.spelling or c.fn} is not read on a document's own model yet")

    def sum(self, s: Sum) -> sp.Matrix:
        size = _range(self, s)
        total = None
        for k in range(size):
            v = Evaluator(self.g, self.draw, self.env, {**self.indices, s.index: k}).value(s.body)
            total = v if total is None else OPS["add"](total, v)
        return total if total is not None else sp.Matrix([[0]])


def _range(ev: Evaluator, s: Sum) -> int:
    """How far a sum's index runs: its written bound, else the length its quantities give it."""
    if s.hi and s.hi[0] == "num":
        return s.hi[1] - s.lo + 1
    for q in walk(s.body):
        if isinstance(q, Qty) and s.index in entry_of(q) and key_of(q) in ev.env:
            v, idx = ev.env[key_of(q)], entry_of(q)
            return v.shape[idx.index(s.index)] if len(idx) == 2 else max(v.shape)
    raise Unverifiable(f"the range of the sum over {s.index} is not known")


# ---------------------------------------------------------------- derivatives, by SymPy
# The chain rule is applied over the document's named quantities; each step's local derivative (the
# Jacobian of one definition by one of its inputs) is taken by sympy.diff at the draw. Measured on the
# issue's two-layer example: 0.3 s for every gradient of a draw, against 1.4 s per gradient when SymPy
# differentiates the whole scalarised cost.
def local_jacobians(g: Graph, draw: "Draw", key: tuple) -> dict:
    """input key -> the Jacobian (numbers) of ``key``'s definition by that input, entries row-major."""
    if key in draw.jacobians:
        return draw.jacobians[key]
    expr = g.definitions[key][1]
    inputs = [k for k in dict.fromkeys(_uses(expr)) if k in draw.forward]
    env, point, syms = dict(draw.forward), {}, {}
    for n, k in enumerate(inputs):
        shape = draw.forward[k].shape
        m = sp.Matrix(shape[0], shape[1], lambda i, j: sp.Symbol(f"in{n}_{i}_{j}"))
        syms[k] = m
        env[k] = m
        point.update(zip(m, draw.forward[k]))
    value = defined_value(g, draw, env, key)
    flat = sp.Matrix(list(value))
    out = {}
    for k, m in syms.items():
        jac = flat.jacobian(sp.Matrix(list(m))).xreplace(point)
        out[k] = np.array(jac.evalf(), dtype=float)
    draw.jacobians[key] = out
    return out


def backward(g: Graph, draw: "Draw", seeds: dict) -> dict:
    """key -> the derivative of sum(seed * node) by that quantity, every quantity of the graph at once."""
    adj = {k: np.zeros(v.shape) for k, v in draw.forward.items()}
    for k, seed in seeds.items():
        adj[k] = adj[k] + seed
    for key in reversed(g.order):
        if not adj[key].any():
            continue
        for k, jac in local_jacobians(g, draw, key).items():
            adj[k] = adj[k] + (adj[key].reshape(-1) @ jac).reshape(adj[k].shape)
    return adj


def _cost_seeds(g: Graph, draw: "Draw", num: Qty, indices: dict) -> dict:
    """Where the numerator sits in the graph, as seeds for ``backward``."""
    cost = num.spelling in (COST, COST_SUMMED)
    key = g.cost if cost else g.aliases.get(key_of(num), key_of(num))
    if cost and key is None or key not in draw.forward:
        if not cost and key in g.symbols:
            raise Unverifiable(f"{latex_of(key)} is an input of the graph: nothing is differentiated")
        if g.unread and (cost or key[0] in g.unread):     # the document defines it in a line not read
            raise Unverifiable(f"the cost is defined in a line that could not be read "
                               f"({', '.join(sorted(g.unread))} = ...)")
        used = {u for k in g.order for u in _uses(g.definitions[k][1])}
        return {k: np.array(draw.upstream_of(k).evalf(), dtype=float) for k in g.order if k not in used}
    shape = draw.forward[key].shape
    seed = np.zeros(shape)
    idx = entry_of(num)
    if idx:
        ev = Evaluator(g, draw, {key: sp.Matrix(shape[0], shape[1], lambda i, j: i * shape[1] + j)}, indices)
        seed.reshape(-1)[int(ev.quantity(num)[0, 0])] = 1
    elif shape != (1, 1):
        raise Unverifiable(f"the derivative of the {shape[0]}×{shape[1]} {latex_of(key)} by a matrix is a "
                           "Jacobian: write one entry")
    else:
        seed[0, 0] = 1
    return {key: seed}


def _samples(draw: "Draw"):
    """m (or N) where the document writes it: dZ^{[l]} = m dJ/dZ^{[l]} (deeplearning.ai); else 1."""
    for name in ("m", "N"):
        if (name, None) in draw.forward:
            return draw.forward[(name, None)][0, 0]
    return 1


def derivative(g: Graph, draw: "Draw", p: Partial, indices: dict) -> sp.Matrix:
    """The derivative of p's numerator by p's denominator at the draw."""
    den_key = key_of(p.den)
    if den_key not in draw.forward:
        raise Unverifiable(f"{latex_of(den_key)} is not a symbol of the forward pass")
    names = tuple(sorted((i, indices[i]) for i in set(entry_of(p.num)) if i in indices))
    memo = (key_of(p.num) if p.num.spelling != COST_SUMMED else (COST, None), entry_of(p.num), names)
    if memo not in draw.adjoints:
        draw.adjoints[memo] = backward(g, draw, _cost_seeds(g, draw, p.num, indices))
    grad = sp.Matrix(draw.adjoints[memo][den_key])
    if p.num.spelling == COST_SUMMED:
        grad = grad * _samples(draw)
    idx = entry_of(p.den)
    if idx:
        return Evaluator(g, draw, {den_key: grad}, indices).quantity(p.den)
    return grad


# ---------------------------------------------------------------- checking a line
@dataclass
class LineVerdict:
    verdict: str
    reason: str
    diagnostics: list = field(default_factory=list)   # Diagnostic objects (verify/diagnostics.py)
    counterexample: dict | None = None
    assumptions: list = field(default_factory=list)

    @property
    def diagnosis(self) -> list:
        return [d.text for d in self.diagnostics]


def _free_indices(sides) -> list:
    names = []
    for side in sides:
        bound = {x.index for x in walk(side) if isinstance(x, Sum)}
        for q in walk(side):
            if isinstance(q, Qty) or isinstance(q, Partial):
                for qq in ((q,) if isinstance(q, Qty) else (q.num, q.den)):
                    for i in entry_of(qq):
                        if isinstance(i, str) and i not in bound and i not in names:
                            names.append(i)
    return names


def _index_ranges(g: Graph, sides, names) -> dict:
    ranges = {}
    for side in sides:
        for q in walk(side):
            for qq in ((q,) if isinstance(q, Qty) else (q.num, q.den) if isinstance(q, Partial) else ()):
                idx = entry_of(qq)
                sym = g.symbols.get(key_of(qq))
                if sym is None:
                    continue
                for pos, i in enumerate(idx):
                    if i in names and i not in ranges:
                        ranges[i] = sym.shape[pos] if len(idx) == 2 else max(sym.shape)
    missing = [i for i in names if i not in ranges]
    if missing:
        raise Unverifiable(f"the range of index {missing[0]} is not known")
    return ranges


def _numbers(m: sp.Matrix):
    return [complex(sp.N(x)) for x in m]


def _close(a, b) -> bool:
    scale = max([1.0] + [abs(x) for x in a + b])
    return all(abs(x - y) <= RTOL * scale for x, y in zip(a, b))


def _diagnose(pairs) -> list:
    """Sign, scale and transpose, from the values at the draws."""
    out = []
    ratios = [x / y for a, b in pairs for x, y in zip(a, b) if abs(y) > 1e-9]
    if ratios and all(abs(r - ratios[0]) < 1e-6 * max(1, abs(ratios[0])) for r in ratios):
        r = ratios[0].real
        if abs(r) < 1e-9:
            return out
        out.append(diagnostic("sign") if abs(r + 1) < 1e-9 else diagnostic("scale", factor=f"{r:.6g}"))
    return out


def check_sides(g: Graph, left, right, draws: int = DRAWS) -> LineVerdict:
    """Do two sides agree at every draw (for every value of their free indices)?"""
    names = _free_indices([left, right])
    ranges = _index_ranges(g, [left, right], names)
    import itertools
    bindings = [dict(zip(names, vals)) for vals in itertools.product(*(range(ranges[i]) for i in names))]
    pairs, first_bad = [], None
    for seed in range(draws):
        draw = g.draw(seed)
        for b in bindings:
            lv = Evaluator(g, draw, draw.forward, b).value(left)
            rv = Evaluator(g, draw, draw.forward, b).value(right)
            if lv.shape != rv.shape:
                if lv.shape == rv.T.shape and rv.shape != (1, 1) and _close(_numbers(lv), _numbers(rv.T)):
                    return LineVerdict("incorrect", f"shape: the left side is {lv.shape[0]}×{lv.shape[1]}, the "
                                       f"right side {rv.shape[0]}×{rv.shape[1]}; equal after a transpose",
                                       [diagnostic("transpose.whole")])
                if 1 not in lv.shape or 1 not in rv.shape or max(lv.shape) != max(rv.shape):
                    return LineVerdict("incorrect", f"shape: the left side is {lv.shape[0]}×{lv.shape[1]}, the "
                                       f"right side {rv.shape[0]}×{rv.shape[1]}",
                                       [diagnostic("shape", expected=f"{lv.shape[0]}×{lv.shape[1]}",
                                                   given=f"{rv.shape[0]}×{rv.shape[1]}")])
                rv = rv.reshape(*lv.shape)
            a, c = _numbers(lv), _numbers(rv)
            pairs.append((c, a))
            if not _close(a, c) and first_bad is None:
                first_bad = {"draw": seed, **{k: v + 1 for k, v in b.items()},
                             "left": [round(x.real, 6) for x in a[:4]], "right": [round(x.real, 6) for x in c[:4]]}
    n = draws * len(bindings)
    if first_bad is None:
        return LineVerdict("correct", f"held at {draws} random draws of the document's model"
                           + (" (every entry)" if len(bindings) > 1 else ""))
    return LineVerdict("incorrect", f"the sides differ at draw {first_bad['draw']} of {draws} "
                       f"({n} comparisons)", _diagnose(pairs), first_bad)


def check_line(g: Graph, line: Line) -> list:
    """One verdict per link of the line's chain; a line in a symbolic layer l, at every layer it is about."""
    if not symbolic(line.sides):
        return _check_links(g, line.sides)
    runs = [(lv, _check_links(g, sides)) for lv, sides in layer_instances(g, line.sides)]
    if not runs:
        return [LineVerdict("unverifiable", "no layer of the model has every quantity this line names "
                            f"(layers 0..{g.depth} read)") for _ in line.sides[1:]]
    out = []
    for k in range(len(line.sides) - 1):
        links = [(lv, run[k]) for lv, run in runs]
        bad = next(((lv, v) for lv, v in links if v.verdict == "incorrect"), None)
        lv, v = bad or next(((lv, v) for lv, v in links if v.verdict == "unverifiable"), links[0])
        layers = ", ".join(str(x) for x, _ in links)
        v.reason = (f"at layer {lv}: " if bad or v.verdict == "unverifiable" else "") + v.reason + \
            f" (the line read at layers {layers} of a depth-{g.depth} model)"
        out.append(v)
    return out


def _check_links(g: Graph, sides) -> list:
    out = []
    for left, right in zip(sides, sides[1:]):
        try:
            for seed in range(DRAWS):
                g.draw(seed)
        except (Unverifiable, ZeroDivisionError, TypeError, ValueError) as exc:
            out.append(LineVerdict("unverifiable", f"the document's forward pass cannot be evaluated: {exc}"))
            continue
        try:
            v = check_sides(g, left, right)
        except TypeCheck as exc:
            v = LineVerdict("incorrect", f"shape: {exc} (shapes as the forward pass gives them)",
                            [diagnostic("shape.error", error=str(exc))])
        except Unverifiable as exc:
            v = LineVerdict("unverifiable", str(exc))
        except (ZeroDivisionError, TypeError, ValueError) as exc:
            v = LineVerdict("unverifiable", f"cannot be evaluated on the document's model ({type(exc).__name__})")
        v.assumptions = assumptions(g, left, right)
        out.append(v)
    return out


def assumptions(g: Graph, *sides) -> list:
    """What reading a line took for granted, said once per kind."""
    out = []
    nodes = [n for s in sides for n in walk(s)]
    for n in nodes:
        if isinstance(n, Partial) and n.num.spelling == COST_SUMMED:
            text = f"d{latex_of(key_of(n.den))} read as the derivative of the loss summed over the samples " \
                   f"(m times that of the mean cost, as deeplearning.ai writes it)"
            if text not in out:
                out.append(text)
        if isinstance(n, Partial) and n.num.spelling == COST:
            cost = latex_of(g.cost) if g.cost else "the upstream cost (a free random function of the outputs)"
            text = f"d{latex_of(key_of(n.den))} (or \\delta) read as the derivative of {cost} by " \
                f"{latex_of(key_of(n.den))}"
            if text not in out:
                out.append(text)
        if isinstance(n, Call) and n.fn in ("act", "dact"):
            generic = n.spelling in GENERIC or getattr(n, "sub", "")
            text = (f"{n.spelling}: a generic smooth function (a different random one at each draw)" if generic
                    else f"{n.spelling}: the logistic sigmoid")
            if text not in out:
                out.append(text)
        if isinstance(n, Partial) and n.num.spelling not in (COST, COST_SUMMED) and key_of(n.num) not in g.definitions \
                and key_of(n.num) not in g.symbols:
            text = f"{latex_of(key_of(n.num))} is not defined: any function of the outputs, its gradient a free " \
                   "random quantity"
            if text not in out:
                out.append(text)
    keys = {key_of(q) for n in nodes for q in ((n,) if isinstance(n, Qty) else (n.den,) if isinstance(n, Partial)
                                                 else ())}
    for key in keys:
        line = g.definitions.get(key, (None,))[0]
        if line is not None and line.implicit:
            out.append(f"{latex_of(key)} is the argument of the activation in line {line.id.split('#')[0]} "
                       "(the document does not name it)")
    if any(s.key[0] in DATA_OUT for s in g.symbols.values()):
        out.append("targets drawn as distributions over the classes (entries sum to 1)")
    return out


def document_graph(equations) -> tuple[Graph, list] | None:
    """The graph of a document's (id, LaTeX) equations and its lines, or None when the document does not
    define a forward pass that differentiating lines use."""
    try:
        every = read_lines(equations, tolerant=True)
    except Exception:                    # noqa: BLE001 - the reader cannot take the document: today's path
        return None
    lines = [ln for ln in every if not ln.error]
    unread = {ln.head for ln in every if ln.error and ln.head}
    claims = [ln for ln in lines if (ln.defines is None or len(ln.sides) > 2) and not ln.names]
    if not claims or not any(ln.defines for ln in lines):
        return None
    if not any(isinstance(n, Partial) for ln in claims for s in ln.sides for n in walk(s)):
        return None
    try:
        g = build_graph(lines)
    except (GraphError, Unverifiable):
        return None
    g.unread = unread - {k[0] for k in g.definitions}
    if not any(s.role == "parameter" for s in g.symbols.values()):
        return None
    return g, every


__all__ = ["Graph", "GraphError", "build_graph", "check_line", "check_sides", "document_graph", "LineVerdict"]


# ---------------------------------------------------------------- a document checked on its own model
def document_model(note):
    """(graph, {entry id: [Line, ...]}) when the document defines its forward pass, else None."""
    from .check import claims_of, left_side
    if note.readings:
        return None                      # a document mapped onto the menu network with read: lines
    equations, per_entry, lhs = [], {}, ""
    for entry in note.entries:
        if entry.read_as is not None:
            return None
        texts = claims_of(entry, lhs)
        lhs = left_side(texts[0]) or lhs
        per_entry[entry.id] = [f"{entry.id}#{k}" for k in range(len(texts))]
        equations += [(f"{entry.id}#{k}", t) for k, t in enumerate(texts)]
    found = document_graph(equations)
    if found is None:
        return None
    g, lines = found
    by_id = {ln.id: ln for ln in lines}
    return g, {eid: [by_id[i] for i in ids] for eid, ids in per_entry.items()}


def check_document(note) -> dict | None:
    """entry id -> (its results on the document's own model, whether the model left it open: every link
    unverifiable and none a definition); None when the document states no forward pass."""
    from .check import Result, failed_result
    found = document_model(note)
    if found is None:
        return None
    g, per_entry = found
    out = {}
    for entry in note.entries:
        verdicts, settled = [], False
        try:
            for line in per_entry[entry.id]:
                verdicts += _line_verdicts(g, line)
                # a definition alone settles nothing: the settings' network checks it as before (an assignment's
                # front matter states the model its definitions must match)
                settled = settled or bool(line.names or (line.defines and len(line.sides) > 2))
        except Exception as exc:         # noqa: BLE001 - one line's failure never loses the other lines
            out[entry.id] = ([failed_result(entry, exc)], False)     # said, not hidden by a fallback
            continue
        results = [Result(entry.id if len(verdicts) == 1 else f"{entry.id}.{n}", entry.source_latex, text,
                          v.verdict, v.reason, None, list(v.diagnosis), v.counterexample, entry.why, v.assumptions,
                          diagnostics=list(v.diagnostics))
                   for n, (text, v) in enumerate(verdicts, 1)]
        open_ = not settled and all(r.verdict == "unverifiable" for r in results)
        out[entry.id] = (results, open_)
    return out


def _line_verdicts(g: Graph, line: Line) -> list:
    if line.error:
        return [(line.text, LineVerdict("unverifiable", f"not read: {line.error}"))]
    if line.names:
        return [(line.text, LineVerdict("unverifiable", "definition of \\delta: later lines read it as this "
                                        "derivative"))]
    if line.defines is None:
        return [(line.text, v) for v in check_line(g, line)]
    out = [(line.text, LineVerdict("unverifiable", f"definition of {latex_of(line.defines)} (the document's "
                                   "forward pass): not a claim"))]
    if len(line.sides) > 2:          # h = x W = [...]: the links after the definition are claims
        out += [(line.text, v) for v in check_line(g, replace(line, sides=line.sides[1:]))]
    return out


def verify_defined(claim: str, defines: list):
    """``verify --define 'h = \\sigma(W_1 x + b_1)' ... CLAIM``: one formula checked on the model its
    definitions state, read exactly as a document's forward pass."""
    from ..notation.tokens import NotationError
    from ..verify.verdict import Verdict
    equations = [(f"define {k}", t) for k, t in enumerate(defines, 1)] + [("claim", claim)]
    for text in defines:
        try:
            read_lines([("define", text)])
        except NotationError as exc:
            return Verdict("unverifiable", claim, reason=f"--define '{text}': {exc}", convention="document")
    try:
        lines = read_lines(equations)
        g = build_graph(lines)
    except (NotationError, GraphError, Unverifiable) as exc:
        return Verdict("unverifiable", claim, reason=f"the --define lines do not make a model: {exc}",
                       convention="document")
    line = lines[-1]
    if any(ln.defines is None for ln in lines[:-1]):
        bad = next(ln for ln in lines[:-1] if ln.defines is None)
        return Verdict("unverifiable", claim, reason=f"--define '{bad.text}' defines nothing new "
                       "(name = expression, the name not defined before)", convention="document", model=g.describe())
    if line.defines is not None:
        line = Line(line.id, line.text, line.sides)         # the claim is checked, whatever its form
    links = check_line(g, line)
    worst = next((v for v in links if v.verdict == "incorrect"), None) or \
        next((v for v in links if v.verdict == "unverifiable"), links[0])
    return Verdict(worst.verdict, claim, diagnostics=list(worst.diagnostics), counterexample=worst.counterexample,
                   reason=worst.reason, convention="document", model=g.describe(),
                   evidence={"assumptions": worst.assumptions})
