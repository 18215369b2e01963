"""A tree's value on one draw of a document's model, as a SymPy matrix, derivatives included.

``Evaluator`` computes a side of a claim; ``derivative`` is the chain rule over the document's named
quantities, each definition's local Jacobian by ``sympy.diff`` at the draw (``local_jacobians``), chained
backwards (``backward``).
"""
from __future__ import annotations

from dataclasses import replace
import operator
import numpy as np
import sympy as sp

from ..notation.operators import AMBIGUOUS
from ..notation.tree import (Call, Cancel, Cases, Cond, DerivOf, Index, Indicator, Norm, Num, Op, Partial, Qty, Sum,
                             walk)
from ..notation.textbook import SAMPLE_INDEX
from ..verify.verdict import Unverifiable
from .build import uses
from .draws import Draw
from .lines import COST, COST_SUMMED, entry_of, key_of, latex_of
from .symbols import GENERIC, Graph, TypeCheck


def _sigmoid(u):
    return 1 / (1 + sp.exp(-u))


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
    if a.shape == b.shape and a.shape[1] != b.shape[0]:    # no matrix product: read by their types
        return _elementwise(lambda x, y: x * y)(a, b)
    if a.shape[1] != b.shape[0]:
        raise TypeCheck(f"a product of {a.shape[0]}×{a.shape[1]} by {b.shape[0]}×{b.shape[1]} does not "
                           "type-check")
    return a * b


def _total(a):
    """\\sum v without an index on a document's own (one-example) graph: the entries of a vector; a matrix
    has no one reading."""
    if 1 not in a.shape:
        raise Unverifiable(f"a sum without an index over a {a.shape[0]}×{a.shape[1]} matrix: write the index "
                           "it runs over")
    return sp.Matrix([[sum(a)]])


OPS = {
    "add": lambda a, b: (lambda x, y: x + y)(*_broadcast(a, b)),
    "sub": lambda a, b: (lambda x, y: x - y)(*_broadcast(a, b)),
    "neg": lambda a: -a,
    "mm": _mm,
    "had": lambda a, b: _elementwise(lambda x, y: x * y)(*_broadcast(a, b)),
    "div": lambda a, b: _elementwise(lambda x, y: x / y)(*_broadcast(a, b)),
    "pow": lambda a, b: a.applyfunc(lambda x: x ** b[0, 0]) if b.shape == (1, 1) else None,
    "T": lambda a: a.T,
    "total": lambda a: _total(a),
}
ELEMENTWISE = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sigmoid": _sigmoid, "sinh": sp.sinh,
               "cosh": sp.cosh, "relu": lambda u: sp.Max(0, u)}


COMPARE = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le,
           ">=": operator.ge, r"\neq": operator.ne, r"\ne": operator.ne, r"\leq": operator.le, r"\le": operator.le,
           r"\geq": operator.ge, r"\ge": operator.ge}


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
        if isinstance(n, Op) and n.op == "prod":
            return self.prod(*n.args)
        if isinstance(n, Op):
            args = [self.value(a) for a in n.args]
            try:
                out = OPS[n.op](*args) if n.op in OPS else None
            except TypeCheck:
                if not (n.op == "had" and n.style in AMBIGUOUS and args[0].shape[1] == args[1].shape[0]):
                    raise
                out = OPS["mm"](*args)      # '*' between a matrix and a column: the product its types allow
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

    def prod(self, upstream, local) -> sp.Matrix:
        """d2l's prod(dJ/du, du/dv): the chain rule through u, sum_k (dJ/du)_k du_k/dv, whatever the shapes
        (d2l defines prod as the product after the transposes the shapes need). It is the backward pass
        seeded at u with the first factor, read at v: exact for vectors, matrices and their Jacobians."""
        if not isinstance(local, Partial) or entry_of(local.num) or entry_of(local.den):
            raise Unverifiable("prod's second factor must be a derivative of one quantity by another, "
                               "written whole")
        u = self.g.aliases.get(key_of(local.num), key_of(local.num))
        v = key_of(local.den)
        if u not in self.draw.forward or v not in self.draw.forward:
            raise Unverifiable(f"prod: {latex_of(u)} or {latex_of(v)} is not a quantity of the forward pass")
        seed = self.value(upstream)
        if seed.shape != self.draw.forward[u].shape:
            raise Unverifiable(f"prod: the first factor ({seed.shape[0]}×{seed.shape[1]}) is not a derivative "
                               f"by {latex_of(u)} ({self.draw.forward[u].shape[0]}×{self.draw.forward[u].shape[1]})")
        seeds = {u: self.draw.array(seed)}
        return sp.Matrix(backward(self.g, self.draw, seeds)[v])

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
        if len(q.args) == 1 and not q.prime and key in self.env:
            # h (1 - h) where h is a value of the forward pass, not a function: a product, read by types
            return self.value(Op("mm", (replace(q, args=()), q.args[0]), style="", pos=q.pos, span=q.span))
        if q.args or q.prime:
            return self.applied(q)
        if key not in self.env:
            raise Unverifiable(f"{latex_of(key)} is neither defined nor used by the forward pass")
        if isinstance(q.sample, int):
            # x^{(1)}: one numbered example; the model is one example whose number is never said, so
            # a^{(1)} = x^{(1)} would hold there whichever example the line means
            raise Unverifiable(f"{latex_of(key)}^{{({q.sample})}} is example {q.sample} of the data, and the "
                               "document's model is one example whose number it does not say")
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
    if s.index == SAMPLE_INDEX:
        # over one example a sum is its one term: C = \sum_x C_x would hold whatever factor it lacks
        raise Unverifiable(r"\sum_x sums over the training examples, and the document's model is one example")
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
    inputs = [k for k in dict.fromkeys(uses(expr)) if k in draw.forward]
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
        out[k] = draw.array(jac)
    draw.jacobians[key] = out
    return out


def backward(g: Graph, draw: "Draw", seeds: dict) -> dict:
    """key -> the derivative of sum(seed * node) by that quantity, every quantity of the graph at once."""
    adj = {k: draw.zeros(v.shape) for k, v in draw.forward.items()}
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
        used = {u for k in g.order for u in uses(g.definitions[k][1])}
        return {k: draw.array(draw.upstream_of(k)) for k in g.order if k not in used}
    shape = draw.forward[key].shape
    seed = draw.zeros(shape)
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


def draw_of(g: Graph, seed: int, dps: int | None = None) -> Draw:
    """The draw of this seed with its forward pass, made once per graph (its derivatives are kept for every
    line); with ``dps``, the same draw in that many digits."""
    key = seed if dps is None else (seed, dps)
    if key not in g.draws:
        draw = Draw(g, 1000 + seed, dps)
        draw.forward = evaluate_graph(g, draw, draw.values)
        g.draws[key] = draw
    return g.draws[key]
