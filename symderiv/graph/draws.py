"""One random instance of a document's model: numbers for every leaf, a random function per generic name."""
from __future__ import annotations

import random

import numpy as np
import sympy as sp

from .symbols import DATA_OUT, Graph, Symbol

def number(x: float, dps: int | None = None) -> sp.Float:
    """A drawn number (a short decimal) as a SymPy Float: of float64's precision, or exactly that decimal in
    ``dps`` digits (a precise draw: the same numbers, every operation on them in ``dps`` digits)."""
    return sp.Float(x) if dps is None else sp.Float(repr(x), dps)


def _smooth(rng: random.Random, dps: int | None = None):
    """A random smooth function of one variable (not odd, not linear, nowhere flat at the draws)."""
    a, b, c, d = (number(round(rng.uniform(0.5, 1.5), 3), dps) for _ in range(4))
    return lambda u: a * sp.tanh(b * u + c / 3) + d * u / 2 + a * b * u ** 2 / 10


def _loss(rng: random.Random, dps: int | None = None):
    """A random smooth scalar function of any number of entries (the same function at every call)."""
    weights: dict = {}

    def f(values):
        v = list(values)
        if len(v) not in weights:
            weights[len(v)] = ([number(round(rng.uniform(-1, 1), 3), dps) for _ in v],
                               [number(round(rng.uniform(0.5, 1.5), 3), dps) for _ in v])
        ws, cs = weights[len(v)]
        return sum(c * sp.log(1 + sp.exp(w * x)) for c, w, x in zip(cs, ws, v)) + \
            sp.tanh(sum(w * x for w, x in zip(ws, v))) ** 2
    return f


class Draw:
    """One random instance: numbers for every leaf, one random function for every generic name; with
    ``dps``, the same instance in that many digits (linecheck confirms a "correct" on it)."""

    def __init__(self, g: Graph, seed: int, dps: int | None = None):
        self.g, self.rng, self.dps = g, random.Random(seed), dps
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
            return sp.Matrix([[number(round(self.rng.uniform(0.5, 2), 4), self.dps)]])
        m = sp.Matrix(r, c, lambda i, j: number(round(self.rng.uniform(-1, 1), 4), self.dps))
        if sym.key[0] in DATA_OUT:               # targets: a distribution over the classes of each sample
            m = m.applyfunc(lambda v: abs(v) * sp.Rational(9, 10) + sp.Rational(1, 20))
            if (c if self.g.batch_rows else r) == 1:
                return m                         # one output: a probability of the class
            if self.g.batch_rows:
                m = sp.Matrix(r, c, lambda i, j: m[i, j] / sum(m.row(i)))
            else:
                m = sp.Matrix(r, c, lambda i, j: m[i, j] / sum(m.col(j)))
        return m

    def function(self, name: str):
        if name not in self.functions:
            self.functions[name] = _smooth(self.rng, self.dps)
        return self.functions[name]

    def loss(self, name: str):
        if name not in self.losses:
            self.losses[name] = _loss(self.rng, self.dps)
        return self.losses[name]

    def upstream_of(self, key) -> sp.Matrix:
        if key not in self.upstream:
            r, c = self.g.symbols[key].shape
            self.upstream[key] = sp.Matrix(r, c, lambda i, j: number(round(self.rng.uniform(-1, 1), 4), self.dps))
        return self.upstream[key]

    def array(self, m: sp.Matrix) -> np.ndarray:
        """A matrix of numbers as the backward pass keeps them: float64, or SymPy Floats in ``dps`` digits."""
        if self.dps is None:
            return np.array(m.evalf(), dtype=float)
        return np.array(m.evalf(self.dps), dtype=object).reshape(m.shape)

    def zeros(self, shape) -> np.ndarray:
        return np.zeros(shape) if self.dps is None else np.full(shape, sp.Integer(0), dtype=object)
