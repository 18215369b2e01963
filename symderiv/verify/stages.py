"""The derived truth of a network setting in stages, each computed only when a claim asks for it.

engine/numeric.py gives J, z, a, delta, dW and db of every layer as expressions of the parameters and
data. Compiled as one function they are computed all at once, which in high precision (precise.py: every
number an mpmath number) is most of a confirmation's cost, while a claim about ``\\delta^{(L)}`` needs
the forward pass and one delta. Here each of them is a *stage*: its expression with every other stage it
contains replaced by that stage's symbol (``delta^{(1)}`` is written in ``W^{(2)}``, ``delta^{(2)}``,
``z^{(1)}`` and ``a^{(1)}``), compiled on first use, and evaluated on first use from the stages it needs.
The arithmetic is the one-function arithmetic, operation for operation: a stage is computed once and
read where the single function would have reused it.
"""
from __future__ import annotations

import sympy as sp

_MISSING = object()


class Stages:
    """The stages of one setting: ``expressions`` as engine/numeric.py builds them, ``args`` the symbols
    of the parameters and data, ``lambdify(args, expr)`` the compiler (high precision's, or NumPy's)."""

    def __init__(self, expressions: dict, args: list, depth: int, lambdify):
        self.args, self.depth, self._lambdify = list(args), depth, lambdify
        named = [(f"{kind}{l}", expressions[kind][l]) for l in range(1, depth + 1) for kind in ("z", "a")]
        named += [(f"delta{l}", expressions["delta"][l]) for l in range(depth, 0, -1)]
        named += [(f"{kind}{l}", expressions[kind][l]) for l in range(1, depth + 1) for kind in ("dW", "db")]
        named += [("J", expressions["J"])]
        self.symbol = {name: sp.Symbol(f"stage_{name}") for name, _ in named}
        first = {}
        for name, expr in named:          # a stage equal to an earlier one (a = z of an identity layer) is it
            first.setdefault(expr, self.symbol[name])
        self.expr, self.needs = {}, {}
        stage_of = {s: name for name, s in self.symbol.items()}
        for name, expr in named:
            own = self.symbol[name]
            body = expr.xreplace({e: s for e, s in first.items() if s != own})
            self.expr[name] = body
            self.needs[name] = sorted((stage_of[s] for s in body.free_symbols if s in stage_of), key=str)
        self._compiled = {}

    def function(self, name: str):
        if name not in self._compiled:
            extra = [self.symbol[n] for n in self.needs[name]]
            self._compiled[name] = self._lambdify(self.args + extra, self.expr[name])
        return self._compiled[name]


class LazyTrace:
    """numeric.Trace's fields over one instance's values, each stage computed when first read.

    ``values`` are the instance's parameters and data in the order of ``Stages.args``; ``X`` is a^{(0)};
    ``scalar`` makes J a number of the caller's kind (a Python float in float64)."""

    def __init__(self, stages: Stages, values: list, X, scalar=None):
        self._stages, self._values, self._done, self._scalar = stages, list(values), {}, scalar
        L = stages.depth
        self.z, self.delta, self.dW, self.db = (_Layers(self, kind, L) for kind in ("z", "delta", "dW", "db"))
        self.a = _Layers(self, "a", L, first=X)
        self.fprime = [None] * (L + 1)

    @property
    def J(self):
        J = self.stage("J")
        return J if self._scalar is None else self._scalar(J)

    def stage(self, name: str):
        if name not in self._done:
            needed = [self.stage(n) for n in self._stages.needs[name]]
            self._done[name] = self._stages.function(name)(*self._values, *needed)
        return self._done[name]


class _Layers:
    """One quantity's list over the layers 0..L (index 0: None, or X for a), read like numeric.Trace's."""

    def __init__(self, trace: LazyTrace, kind: str, L: int, first=None):
        self._trace, self._L = trace, L
        self._names = [None] + [f"{kind}{k}" for k in range(1, L + 1)]
        self._values = [first] + [_MISSING] * L      # read per index value: a list, once computed

    def __len__(self):
        return self._L + 1

    def __getitem__(self, k):
        if type(k) is int and 0 <= k <= self._L:
            v = self._values[k]
            if v is _MISSING:
                v = self._values[k] = self._trace.stage(self._names[k])
            return v
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if -len(self) <= k < 0:
            return self[k + len(self)]
        raise IndexError(k)

    def __iter__(self):
        return (self[k] for k in range(len(self)))
