"""One random instance of a document's model: numbers for every leaf, a random function per generic name."""
from __future__ import annotations

import random

import sympy as sp

from .symbols import DATA_OUT, Graph, Symbol

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
        self.forward: dict = {}           # every defined symbol's value (values.draw_of fills it)

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
