"""Checking a claim: randomized identity testing against the derived truth.

Owns the verdict. A parsed claim (parse.py) is evaluated with NumPy on random
instances of the network -- several shapes in which every width and the batch
size differ, random weights, biases, inputs and targets -- for every valid
layer of a symbolic ``l`` and every (or a random sample of) index value.
The truth comes from the lambdified derivation (``net.lambdify().trace``):
delta, dW, db, J; partials that the trace does not hold (e.g. dz_j/da_i) are
computed by central differences on the forward pass of the same instance.

A claim that holds in every context is "correct" (the evidence names the
shapes and draws). Otherwise it is "incorrect" with a diagnosis (shape,
scale, sign, transpose, index order, layer shift, dropped/extra factor,
dropped sum over the batch, wrong activation derivative), a small
counterexample and, when a one-edit repair of the claim matches the truth,
the corrected formula in the claim's own notation. Input that cannot be used
gives "unverifiable" with a one-line reason (CLI exit 2).

User text never reaches SymPy or generated code: the tree is walked here
with NumPy, and the only lambdified functions come from the activation and
loss tables.
"""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from . import activations as acts
from .activations import a as A_SYM, z as Z_SYM
from .bounded import TimedOut, bounded
from .losses import y as Y_SYM
from .network import NetFlags, Network, mlp
from .notation import NotationError
from .parse import (Call, Claim, Deriv, LayerRef, Node, Num, Op, Partial, Qty, Sum, parse, render,
                    render_qty, transposed, walk)

SHAPES = 3                 # random network shapes per claim
DRAWS = 2                  # random parameter draws per shape
MAX_INDEX_CONTEXTS = 40    # index assignments per (shape, draw, layer)
MAX_SECONDS = 20.0         # wall-clock budget of one check
RTOL = 1e-6


class Unverifiable(Exception):
    """The claim parsed but cannot be checked (unsupported construct, missing layer...)."""


class ShapeError(Exception):
    """The claim's own expression has incompatible shapes in this context."""


# ---------------------------------------------------------------- verdict
@dataclass
class Verdict:
    verdict: str                       # correct | incorrect | unverifiable
    claim: str
    expected: str | None = None        # the true right-hand side, in the claim's notation
    diagnosis: list = field(default_factory=list)
    counterexample: dict | None = None
    reason: str = ""
    corrected_latex: str | None = None  # the whole corrected claim "LHS = expected"
    evidence: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "claim": self.claim, "expected": self.expected,
                "diagnosis": list(self.diagnosis), "counterexample": self.counterexample,
                "reason": self.reason}

    @property
    def exit_code(self) -> int:
        return {"correct": 0, "incorrect": 1}.get(self.verdict, 2)

    def text(self) -> str:
        lines = [f"{self.verdict.upper()}: {self.claim}"]
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        for d in self.diagnosis:
            lines.append(f"  diagnosis: {d}")
        if self.expected and self.verdict == "incorrect":
            lines.append(f"  expected: {self.expected}")
        if self.corrected_latex and self.verdict == "incorrect":
            lines.append(f"  corrected: {self.corrected_latex}")
        if self.counterexample:
            lines.append("  counterexample: " + json.dumps(self.counterexample))
        return "\n".join(lines)


# ---------------------------------------------------------------- network kind
@dataclass(frozen=True)
class Kind:
    """Everything about the network but its widths."""
    depth: int
    hidden: acts.Activation
    output: acts.Activation
    loss: object
    reg: object
    batch: bool
    layout: str

    def net(self, sizes, layout=None) -> Network:
        return mlp(sizes, hidden=self.hidden, output=self.output, loss=self.loss, reg=self.reg.name,
                   layout=layout or self.layout)


def kind_of(net_or_flags, batch: bool | None = None) -> Kind:
    if isinstance(net_or_flags, NetFlags):
        probe = net_or_flags.network()
        b = net_or_flags.batch if batch is None else batch
    elif isinstance(net_or_flags, Network):
        probe = net_or_flags
        b = bool(batch)
    else:
        raise ValueError("verify needs a Network or NetFlags")
    return Kind(probe.depth, probe.hidden, probe.output, probe.loss, probe.reg, bool(b), probe.layout)


@lru_cache(maxsize=64)
def _compiled(kind: Kind):
    """The lambdified network (shapes never enter its symbols, so one per kind)."""
    return kind.net([2 + k for k in range(kind.depth + 1)], layout="columns").lambdify()


@lru_cache(maxsize=64)
def _elementwise(act: acts.Activation, derivative: bool):
    """NumPy f or f' from the activation table (our own symbol z, never user text)."""
    if act.name == "softmax":
        return None
    if not derivative and act.numpy is not None and act.name in acts.ACTIVATIONS:
        return act.numpy
    expr = acts.derivative(act).raw if derivative else act.expr
    fn = sp.lambdify(Z_SYM, expr, "numpy")
    return lambda v: np.broadcast_to(fn(v), np.shape(v)) * 1.0


@lru_cache(maxsize=64)
def _loss_grad(loss):
    fn = sp.lambdify((A_SYM, Y_SYM), sp.diff(loss.expr, A_SYM), "numpy")
    return fn


def _softmax(Z, axis=0):
    e = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------- instances
@dataclass
class Instance:
    """One random network at one shape: parameters, data and the oracle trace (columns)."""
    kind: Kind
    sizes: tuple
    m: int
    W: list
    b: list
    X: np.ndarray
    Y: np.ndarray
    lam: float
    alpha: float
    trace: object

    @property
    def L(self):
        return self.kind.depth

    @property
    def M(self):
        return float(self.m)


def random_shapes(kind: Kind, count: int, rng) -> list:
    """Shapes in which every width and the batch size differ (so no transpose can hide)."""
    out = []
    for _ in range(count):
        pool = list(range(2, 2 + kind.depth + 8))
        picks = rng.choice(pool, size=kind.depth + 2, replace=False)
        sizes = tuple(int(v) for v in picks[:kind.depth + 1])
        m = int(picks[-1]) if kind.batch else 1
        out.append((sizes, m))
    return out


def make_instance(kind: Kind, sizes, m, rng) -> Instance:
    W = [None] + [rng.uniform(-1.0, 1.0, (sizes[l], sizes[l - 1])) for l in range(1, len(sizes))]
    b = [None] + [rng.uniform(-0.5, 0.5, (sizes[l], 1)) for l in range(1, len(sizes))]
    X = rng.normal(0.0, 1.0, (sizes[0], m))
    nL = sizes[-1]
    if kind.loss.name == "ce" or kind.output.name == "softmax":
        Y = np.zeros((nL, m))
        Y[rng.integers(0, nL, m), np.arange(m)] = 1.0         # one-hot: sum_k y_k = 1
    elif kind.loss.name == "bce":
        Y = rng.integers(0, 2, (nL, m)).astype(float)
    else:
        Y = rng.normal(0.0, 1.0, (nL, m))
    lam = float(rng.uniform(0.3, 1.3))
    params = [(W[l], b[l]) for l in range(1, len(sizes))]
    tr = _compiled(kind).trace(params, X, Y, lam)
    return Instance(kind, tuple(sizes), m, W, b, X, Y, lam, float(rng.uniform(0.05, 0.5)), tr)


def forward(inst: Instance, W, b, at=None, bump=None):
    """z and a lists of a forward pass; ``at=(kind, layer)`` adds ``bump`` to that quantity."""
    k = inst.kind
    zs, as_ = [None] * (k.depth + 1), [inst.X.copy()] + [None] * k.depth
    if at == ("a", 0):
        as_[0] = as_[0] + bump
    for l in range(1, k.depth + 1):
        zs[l] = W[l] @ as_[l - 1] + b[l]
        if at == ("z", l):
            zs[l] = zs[l] + bump
        act = k.output if l == k.depth else k.hidden
        as_[l] = _softmax(zs[l]) if act.name == "softmax" else _elementwise(act, False)(zs[l])
        if at == ("a", l):
            as_[l] = as_[l] + bump
    return zs, as_


# ---------------------------------------------------------------- evaluation
RANGE = {"W": (1, 0), "b": (1, 0), "z": (1, 0), "delta": (1, 0), "a": (0, 0)}   # lowest layer, offset from L


@dataclass
class Context:
    inst: Instance
    l: int | None
    idx: dict            # index name -> 1-based value
    s: int = 0           # the sample a single-indexed vector quantity refers to
    vars: dict = field(default_factory=dict)   # pure-calculus variables


class Evaluator:
    """Walks a claim tree with NumPy in one context."""

    def __init__(self, ctx: Context, layout: str):
        self.ctx, self.rows = ctx, layout == "rows"

    # -- quantities
    def layer(self, q: Qty) -> int:
        L = self.ctx.inst.L
        if q.layer is None:
            return L
        if q.layer.base == "l" and self.ctx.l is None:
            raise Unverifiable("symbolic layer without a value")
        k = q.layer.resolve(self.ctx.l, L)
        lo = RANGE.get(q.kind, (0, 0))[0]
        if not lo <= k <= L:
            raise LayerOutOfRange(q, k, lo, L)
        return k

    def matrix(self, q: Qty) -> np.ndarray | float:
        """The column-layout value of a quantity, before layout and indices."""
        inst, tr = self.ctx.inst, self.ctx.inst.trace
        kind = q.kind
        if kind == "J":
            return float(tr.J)
        if kind == "m":
            return inst.M
        if kind == "lam":
            return inst.lam
        if kind == "alpha":
            return inst.alpha
        if kind == "ones":
            return np.ones((inst.m, 1)) if not self.rows else np.ones((inst.m, 1)).T
        if kind == "x":
            return inst.X
        if kind == "y":
            return inst.Y
        if kind == "yhat":
            return tr.a[inst.L]
        k = self.layer(q)
        return {"W": lambda: inst.W[k], "b": lambda: inst.b[k], "z": lambda: tr.z[k],
                "a": lambda: tr.a[k], "delta": lambda: tr.delta[k]}[kind]()

    def laid_out(self, v):
        if isinstance(v, np.ndarray) and self.rows:
            return v.T
        return v

    def entry(self, v, idx: tuple, where: Node):
        """Index a laid-out matrix: two indices = (row, column); one = unit of the current sample."""
        if not idx:
            return v
        if not isinstance(v, np.ndarray):
            raise Unverifiable(f"{render(where)}: a scalar takes no index")
        vals = [self.index_value(i) for i in idx]
        try:
            if len(vals) == 2:
                r, c = vals
            elif self.rows:
                r, c = (1 if v.shape[0] == 1 else self.ctx.s + 1), vals[0]
            else:
                r, c = vals[0], (1 if v.shape[1] == 1 else self.ctx.s + 1)
            if r < 1 or c < 1:
                raise IndexError
            return float(v[r - 1, c - 1])
        except IndexError:
            raise ShapeError(f"index out of range in {render(where)} (shape {_shape(v)})") from None

    def index_value(self, i):
        if isinstance(i, int):
            return i
        try:
            return self.ctx.idx[i]
        except KeyError:
            raise Unverifiable(f"index {i} has no range") from None

    # -- tree
    def __call__(self, n: Node):
        return getattr(self, "_" + type(n).__name__)(n)

    def _Num(self, n):
        return float(n.value)

    def _Qty(self, q):
        if q.kind == "var":
            return self.ctx.vars[q.spelling]
        if q.kind in ("z", "x", "a", "y") and self.ctx.vars and q.spelling in self.ctx.vars:
            return self.ctx.vars[q.spelling]
        return self.entry(self.laid_out(self.matrix(q)), q.idx, q)

    def _Partial(self, p):
        return self.entry(self.laid_out(partial_matrix(self, p)), _partial_idx(p), p) \
            if not (p.num.idx and p.den.idx and p.num.kind != "J") else partial_entry(self, p)

    def _Op(self, n):
        f = OPS[n.op]
        return f(*[self(x) for x in n.args])

    def _Call(self, c):
        if c.fn in ("act", "dact"):
            return self.activation(c)
        v = self(c.arg)
        with np.errstate(all="ignore"):
            return ELEMENTARY[c.fn](v)

    def _Sum(self, s):
        hi = self.sum_bound(s)
        total = 0.0
        saved = self.ctx.idx.get(s.index)
        for v in range(s.lo, hi + 1):
            self.ctx.idx[s.index] = v
            total = _add(total, self(s.body))
        if saved is None:
            self.ctx.idx.pop(s.index, None)
        else:
            self.ctx.idx[s.index] = saved
        return total

    def sum_bound(self, s: Sum) -> int:
        inst = self.ctx.inst
        if s.hi is None:
            dims = index_dims(s.body, self, {}).get(s.index)
            if not dims:
                raise Unverifiable(f"cannot tell the range of the sum over {s.index}")
            return min(dims)
        tag = s.hi[0]
        if tag == "num":
            return s.hi[1]
        if tag == "m":
            return inst.m
        if tag == "K":
            return inst.sizes[-1]
        k = s.hi[1].resolve(self.ctx.l, inst.L)
        if not 0 <= k <= inst.L:
            raise LayerOutOfRange(None, k, 0, inst.L)
        return inst.sizes[k]

    def _Deriv(self, d):
        if d.var not in self.ctx.vars:
            raise Unverifiable(f"d/d{d.var}: {d.var} is not a variable of the claim")
        v0 = self.ctx.vars[d.var]
        h = 1e-5 * (1.0 + abs(v0))
        self.ctx.vars[d.var] = v0 + h
        up = self(d.body)
        self.ctx.vars[d.var] = v0 - h
        down = self(d.body)
        self.ctx.vars[d.var] = v0
        return (up - down) / (2 * h)

    # -- activations
    def act_layer(self, arg: Node) -> int | None:
        for n in walk(arg):
            if isinstance(n, Qty) and n.kind in ("z", "W", "b") and n.layer is not None:
                return self.layer(n)
            if isinstance(n, Qty) and n.kind == "yhat":
                return self.ctx.inst.L
        return None

    def activation(self, c: Call):
        inst = self.ctx.inst
        if self.ctx.vars:                      # pure calculus: sigma is the logistic sigmoid
            act = acts.ACTIVATIONS["sigmoid"] if c.spelling == r"\sigma" else inst.kind.hidden
        else:
            k = self.act_layer(c.arg)
            act = inst.kind.output if k == inst.L else inst.kind.hidden
        if act.name == "softmax":
            if c.fn == "dact":
                raise Unverifiable("softmax has no elementwise derivative f'(z^{(L)}); its Jacobian is "
                                   "diag(a) - a a^T")
            if isinstance(c.arg, Qty) and c.arg.idx:
                full = self.laid_out(self.matrix(c.arg))
                return self.entry(_softmax(full, axis=1 if self.rows else 0), c.arg.idx, c.arg)
            v = self(c.arg)
            if not isinstance(v, np.ndarray):
                raise Unverifiable("softmax of a scalar: index the result instead, softmax(z^{(L)})_i")
            return _softmax(v, axis=1 if self.rows else 0)
        v = self(c.arg)
        with np.errstate(all="ignore"):
            return _elementwise(act, c.fn == "dact")(np.asarray(v, dtype=float)) * 1.0 \
                if isinstance(v, np.ndarray) else float(_elementwise(act, c.fn == "dact")(np.array(v)))


class LayerOutOfRange(Unverifiable):
    def __init__(self, q, k, lo, L):
        self.q, self.k = q, k
        name = render_qty(q) if q is not None else "a sum bound"
        super().__init__(f"{name} refers to layer {k}, but the network has layers {lo}..{L}")


def _shape(v):
    return "scalar" if not isinstance(v, np.ndarray) else "×".join(map(str, v.shape))


def _scalarish(v):
    if isinstance(v, np.ndarray) and v.size == 1:
        return float(v.reshape(()))
    return v


def _add(x, y):
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        # z = W a + b: a bias column broadcasts over the batch; nothing else does
        if not (x.ndim == y.ndim == 2 and (x.shape[0] == y.shape[0] and 1 in (x.shape[1], y.shape[1])
                                           or x.shape[1] == y.shape[1] and 1 in (x.shape[0], y.shape[0]))):
            raise ShapeError(f"adding {_shape(x)} and {_shape(y)}")
    return x + y


def _mm(x, y):
    if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
        return x * y
    if x.shape[1] == y.shape[0]:
        return x @ y
    if x.size == 1 or y.size == 1:
        return x * y
    raise ShapeError(f"matrix product of {_shape(x)} and {_shape(y)}")


def _had(x, y):
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        raise ShapeError(f"Hadamard product of {_shape(x)} and {_shape(y)}")
    return x * y


def _div(x, y):
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        raise ShapeError(f"elementwise division of {_shape(x)} by {_shape(y)}")
    with np.errstate(all="ignore"):
        return x / y


def _pow(x, e):
    if isinstance(e, np.ndarray):
        raise Unverifiable("a matrix exponent")
    with np.errstate(all="ignore"):
        return np.power(x, e) if isinstance(x, np.ndarray) else (x ** e if x > 0 or float(e).is_integer()
                                                                else float("nan"))


OPS = {"add": _add, "sub": lambda x, y: _add(x, -y), "neg": lambda x: -x, "mm": _mm, "had": _had,
       "div": _div, "pow": _pow, "T": lambda x: x.T if isinstance(x, np.ndarray) else x}
ELEMENTARY = {"tanh": np.tanh, "exp": np.exp, "log": np.log, "sinh": np.sinh, "cosh": np.cosh,
              "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "relu": lambda v: np.maximum(v, 0.0),
              "softmax": lambda v: _softmax(v) if isinstance(v, np.ndarray) else 1.0}


# ---------------------------------------------------------------- partial derivatives
def _partial_idx(p: Partial) -> tuple:
    return p.den.idx if p.num.kind == "J" else (p.num.idx or p.den.idx)


def partial_matrix(ev: Evaluator, p: Partial):
    """Matrix-level partials, column layout: dJ/dW, dJ/db, dJ/dz, dJ/da, da/dz, dz/da."""
    inst, tr = ev.ctx.inst, ev.ctx.inst.trace
    num, den = p.num, p.den
    nk = "a" if num.kind == "yhat" else num.kind
    dk = "a" if den.kind in ("yhat",) else ("a0" if den.kind == "x" else den.kind)
    if nk == "J":
        if dk == "a0":
            return inst.W[1].T @ tr.delta[1] / inst.M
        k = inst.L if den.kind == "yhat" else ev.layer(den)
        if dk == "W":
            return tr.dW[k]
        if dk == "b":
            return tr.db[k]
        if dk == "z":
            return tr.delta[k] / inst.M
        if dk == "a":
            if k < inst.L:
                return inst.W[k + 1].T @ tr.delta[k + 1] / inst.M
            with np.errstate(all="ignore"):
                return _loss_grad(inst.kind.loss)(tr.a[k], inst.Y) * 1.0 / inst.M
    if nk == "a" and dk == "z":
        k = inst.L if num.kind == "yhat" else ev.layer(num)
        if ev.layer(den) == k:
            act = inst.kind.output if k == inst.L else inst.kind.hidden
            if act.name != "softmax":
                return _elementwise(act, True)(tr.z[k])     # elementwise convention: f'(z)
    if nk == "z" and dk == "a":
        k = ev.layer(num)
        if ev.layer(den) == k - 1:
            return inst.W[k]                                # the Jacobian of z^{(k)} in a^{(k-1)}
    raise Unverifiable(f"{render(p)} is not supported as a whole matrix (it is a higher-order tensor "
                       "or not defined here); write one entry, e.g. with indices _{ij}")


def partial_entry(ev: Evaluator, p: Partial) -> float:
    """One entry d N_i / d D_j by central differences on the forward pass (same sample)."""
    inst = ev.ctx.inst
    num, den = p.num, p.den
    nk = "a" if num.kind == "yhat" else num.kind
    if nk not in ("z", "a") or den.kind not in ("z", "a", "W", "b", "x"):
        raise Unverifiable(f"{render(p)} is not supported")
    nl = inst.L if num.kind == "yhat" else ev.layer(num)
    dl = 0 if den.kind == "x" else ev.layer(den)
    dk = "a" if den.kind == "x" else den.kind
    ni = _entry_position(ev, num.idx, inst.sizes[nl], inst.m)
    di = _entry_position(ev, den.idx, (inst.W[dl].shape if dk == "W" else inst.sizes[dl]), inst.m,
                         weight=dk == "W")
    h = 1e-6

    def value(sign):
        W = [w if w is None else w.copy() for w in inst.W]
        b = [v if v is None else v.copy() for v in inst.b]
        at, bump = None, None
        if dk == "W":
            W[dl][di] += sign * h
        elif dk == "b":
            b[dl][di[0], 0] += sign * h
        else:
            bump = np.zeros((inst.sizes[dl], inst.m))
            bump[di] = sign * h
            at = (dk, dl)
        zs, as_ = forward(inst, W, b, at, bump)
        return (zs if nk == "z" else as_)[nl][ni]

    return float((value(+1) - value(-1)) / (2 * h))


def _entry_position(ev, idx, dims, m, weight=False):
    vals = [ev.index_value(i) for i in idx]
    if weight:
        if len(vals) != 2:
            raise Unverifiable("a weight entry needs two indices, W_{ij}")
        r, c = (vals[1], vals[0]) if ev.rows else (vals[0], vals[1])
        if not (1 <= r <= dims[0] and 1 <= c <= dims[1]):
            raise ShapeError("index out of range in a weight entry")
        return (r - 1, c - 1)
    if len(vals) == 2:
        r, c = (vals[1], vals[0]) if ev.rows else (vals[0], vals[1])
    else:
        r, c = vals[0], ev.ctx.s + 1
    if not (1 <= r <= dims and 1 <= c <= m):
        raise ShapeError("index out of range in a derivative")
    return (r - 1, c - 1)


# ---------------------------------------------------------------- contexts
def index_dims(node: Node, ev: Evaluator, acc: dict) -> dict:
    """index name -> set of sizes it indexes, from every quantity that carries it."""
    for n in walk(node):
        if isinstance(n, (Qty, Partial)):
            q = n if isinstance(n, Qty) else (n.den if n.num.kind == "J" or not n.num.idx else n.num)
            names = q.idx
            if not names or (isinstance(n, Qty) and n.kind == "var"):
                continue
            try:
                if isinstance(n, Partial):
                    v = ev.laid_out(partial_matrix(ev, n)) if n.num.kind == "J" else None
                    if v is None:
                        k = ev.inst_layer(q)
                        v = np.zeros((ev.ctx.inst.sizes[k], ev.ctx.inst.m))
                        v = v.T if ev.rows else v
                else:
                    v = ev.laid_out(ev.matrix(q))
            except Unverifiable:
                continue
            if not isinstance(v, np.ndarray):
                continue
            if len(names) == 2:
                pairs = [(names[0], v.shape[0]), (names[1], v.shape[1])]
            else:
                pairs = [(names[0], v.shape[1] if ev.rows else v.shape[0])]
            for name, size in pairs:
                if isinstance(name, str):
                    acc.setdefault(name, set()).add(size)
    return acc


def _inst_layer(self, q):
    return self.ctx.inst.L if q.kind == "yhat" else (0 if q.kind == "x" else self.layer(q))


Evaluator.inst_layer = _inst_layer


def bound_indices(node: Node) -> set:
    return {n.index for n in walk(node) if isinstance(n, Sum)}


def free_indices(sides) -> list:
    names = []
    for side in sides:
        bound = bound_indices(side)
        for n in walk(side):
            qs = [n] if isinstance(n, Qty) else ([n.num, n.den] if isinstance(n, Partial) else [])
            for q in qs:
                for i in q.idx:
                    if isinstance(i, str) and i not in bound and i not in names:
                        names.append(i)
    return names


def uses_sample(sides) -> bool:
    for side in sides:
        for n in walk(side):
            qs = [n] if isinstance(n, Qty) else ([n.num, n.den] if isinstance(n, Partial) else [])
            for q in qs:
                if len(q.idx) == 1 and q.kind in ("z", "a", "delta", "x", "y", "yhat"):
                    return True
    return False


def valid_layers(sides, kind: Kind) -> list:
    """Every l for which each layer reference in the claim exists."""
    L = kind.depth
    out = []
    for l in range(0, L + 1):
        ok = True
        for side in sides:
            for n in walk(side):
                qs = [n] if isinstance(n, Qty) else ([n.num, n.den] if isinstance(n, Partial) else [])
                for q in qs:
                    if q.layer is not None:
                        k = q.layer.resolve(l, L)
                        if not RANGE.get(q.kind, (0, 0))[0] <= k <= L:
                            ok = False
                if isinstance(n, Sum) and n.hi and n.hi[0] == "width":
                    if not 0 <= n.hi[1].resolve(l, L) <= L:
                        ok = False
                if isinstance(n, Call) and n.fn == "dact" and not kind.hidden.name == kind.output.name:
                    pass
        if ok:
            out.append(l)
    return out


# ---------------------------------------------------------------- comparison
def close(x, y, rtol=RTOL) -> bool:
    x, y = _scalarish(x), _scalarish(y)
    if isinstance(x, np.ndarray) != isinstance(y, np.ndarray):
        return False
    if isinstance(x, np.ndarray) and x.shape != y.shape:
        return False
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        return False
    scale = max(float(np.max(np.abs(xa), initial=0.0)), float(np.max(np.abs(ya), initial=0.0)), 1e-12)
    return bool(np.allclose(xa, ya, rtol=rtol, atol=rtol * 1e-2 * scale + 1e-12))


@dataclass
class Sample:
    """One evaluated context: both sides' values (or the error one side raised)."""
    ctx: Context
    left: object
    right: object
    error: str | None = None


class Checker:
    """Builds contexts for a claim link and evaluates both sides in each."""

    def __init__(self, claim: Claim, kind: Kind, seed: int, shapes: int, draws: int):
        self.claim, self.kind = claim, kind
        self.rng = np.random.default_rng(seed)
        self.contexts: list[Context] = []
        self.shapes_used = []
        self.layers = None
        self.index_conflicts: dict = {}
        self._build(shapes, draws)

    def _build(self, shapes, draws):
        claim, kind = self.claim, self.kind
        if claim.pure:
            for _ in range(8 * shapes):
                vars_ = {}
                for n in (n for side in claim.sides for n in walk(side)):
                    if isinstance(n, Qty) and n.spelling not in vars_:
                        if n.spelling in "pay":
                            vars_[n.spelling] = float(self.rng.uniform(0.05, 0.95))
                        else:
                            mag = float(self.rng.uniform(0.1, 2.5))
                            vars_[n.spelling] = mag if self.rng.random() < 0.5 else -mag
                    if isinstance(n, Deriv) and n.var not in vars_:
                        mag = float(self.rng.uniform(0.1, 2.5))
                        vars_[n.var] = mag if self.rng.random() < 0.5 else -mag
                dummy = _pure_instance(kind)
                self.contexts.append(Context(dummy, None, {}, 0, vars_))
            return
        sides = claim.sides
        layers = valid_layers(sides, kind) if claim.symbolic_layer else [None]
        if not layers:
            raise Unverifiable(f"no layer l makes every layer in the claim exist in a depth-{kind.depth} "
                               "network")
        if not claim.symbolic_layer:
            self._check_absolute_layers(sides)
        self.layers = layers
        names = free_indices(sides)
        sample = uses_sample(sides)
        for sizes, m in random_shapes(kind, shapes, self.rng):
            self.shapes_used.append((sizes, m))
            for _ in range(draws):
                inst = make_instance(kind, sizes, m, self.rng)
                for l in layers:
                    self._contexts_for(inst, l, names, sample)

    def _check_absolute_layers(self, sides):
        L = self.kind.depth
        for side in sides:
            for n in walk(side):
                qs = [n] if isinstance(n, Qty) else ([n.num, n.den] if isinstance(n, Partial) else [])
                for q in qs:
                    if q.layer is not None:
                        k = q.layer.resolve(None, L)
                        lo = RANGE.get(q.kind, (0, 0))[0]
                        if not lo <= k <= L:
                            raise NotationError(f"{render_qty(q)} refers to layer {k}, but the network has "
                                                f"layers {lo}..{L} (--depth {L})", self.claim.text, q.pos)

    def _contexts_for(self, inst, l, names, sample):
        probe = Evaluator(Context(inst, l, {}), self.kind.layout)
        dims = {}
        for side in self.claim.sides:
            index_dims(side, probe, dims)
        ranges = []
        for name in names:
            sizes = dims.get(name)
            if not sizes:
                raise Unverifiable(f"cannot tell the range of index {name}")
            if len(sizes) > 1 and name not in self.index_conflicts:   # ill-typed: never correct
                self.index_conflicts[name] = set(sizes)
            ranges.append(range(1, min(sizes) + 1))
        samples = range(inst.m) if sample else [0]
        combos = list(itertools.islice(itertools.product(*ranges, samples), 5000))
        if len(combos) > MAX_INDEX_CONTEXTS:
            pick = self.rng.choice(len(combos), MAX_INDEX_CONTEXTS, replace=False)
            combos = [combos[int(k)] for k in sorted(pick)]
        for combo in combos:
            self.contexts.append(Context(inst, l, dict(zip(names, combo[:-1])), combo[-1]))

    def evaluate(self, node: Node, ctx: Context):
        ev = Evaluator(Context(ctx.inst, ctx.l, dict(ctx.idx), ctx.s, dict(ctx.vars)), self.kind.layout)
        return _scalarish(ev(node))

    def samples(self, left: Node, right: Node, contexts=None) -> list[Sample]:
        out = []
        for ctx in contexts or self.contexts:
            try:
                lv = self.evaluate(left, ctx)
            except ShapeError as exc:
                out.append(Sample(ctx, None, None, f"left side: {exc}"))
                continue
            try:
                rv = self.evaluate(right, ctx)
            except ShapeError as exc:
                out.append(Sample(ctx, lv, None, f"right side: {exc}"))
                continue
            out.append(Sample(ctx, lv, rv))
        return out


@lru_cache(maxsize=16)
def _pure_instance(kind: Kind):
    return Instance(kind, (), 1, [], [], np.zeros((1, 1)), np.zeros((1, 1)), 0.5, 0.1, None)


def holds(samples: list[Sample], rtol=RTOL) -> tuple[bool, Sample | None]:
    valid = 0
    for s in samples:
        if s.error is not None:
            return False, s
        lv, rv = s.left, s.right
        if _nonfinite(lv) or _nonfinite(rv):
            continue          # outside the domain (log of a negative draw): skipped, not counted
        valid += 1
        if not close(lv, rv, rtol):
            return False, s
    if valid == 0:
        raise Unverifiable("no draw gave finite values on both sides")
    return True, None


def _nonfinite(v):
    return v is None or not np.all(np.isfinite(np.asarray(v, dtype=float)))


def _rtol_for(sides) -> float:
    # central differences are accurate to ~1e-9 relative; leave room
    fd = any(isinstance(n, (Partial, Deriv)) and (isinstance(n, Deriv) or (n.num.kind != "J" and n.num.idx))
             for side in sides for n in walk(side))
    return 1e-5 if fd else RTOL


# ---------------------------------------------------------------- public API
def verify(latex: str, net_or_flags=None, *, bindings: dict | None = None, seed: int = 0,
           draws: int = DRAWS, shapes: int = SHAPES, batch: bool | None = None) -> Verdict:
    """Check one claim (a chain returns its first failing link, else correct)."""
    links = verify_chain(latex, net_or_flags, bindings=bindings, seed=seed, draws=draws, shapes=shapes,
                         batch=batch)
    for v in links:
        if v.verdict != "correct":
            if len(links) > 1:
                v.reason = (v.reason + " " if v.reason else "") + \
                    f"(link {links.index(v) + 1} of {len(links)} in the chain)"
            return v
    if len(links) == 1:
        return links[0]
    first = links[0]
    return Verdict("correct", latex, expected=first.expected, reason=f"all {len(links)} links hold; " +
                   first.reason, evidence=first.evidence, seconds=sum(v.seconds for v in links),
                   corrected_latex=None)


def verify_chain(latex: str, net_or_flags=None, *, bindings: dict | None = None, seed: int = 0,
                 draws: int = DRAWS, shapes: int = SHAPES, batch: bool | None = None) -> list[Verdict]:
    """One verdict per link of ``a = b = c``."""
    started = time.monotonic()
    net_or_flags = NetFlags() if net_or_flags is None else net_or_flags
    try:
        kind = kind_of(net_or_flags, batch)
        claim = parse(latex, bindings)
    except NotationError as exc:
        return [_unusable(latex, exc)]
    except RecursionError:
        return [Verdict("unverifiable", latex, reason="input nested too deeply")]
    out = []
    for k in range(len(claim.sides) - 1):
        sub = Claim(claim.text, [claim.sides[k], claim.sides[k + 1]], claim.symbolic_layer, claim.pure)
        link_latex = latex if len(claim.sides) == 2 else f"{render(sub.sides[0])} = {render(sub.sides[1])}"
        try:
            v = bounded(lambda: check_link(sub, link_latex, kind, seed, draws, shapes), MAX_SECONDS)
        except NotationError as exc:
            v = _unusable(link_latex, exc)
        except Unverifiable as exc:
            v = Verdict("unverifiable", link_latex, reason=str(exc))
        except TimedOut:
            v = Verdict("unverifiable", link_latex, reason=f"check did not finish within {MAX_SECONDS:g} s")
        except RecursionError:
            v = Verdict("unverifiable", link_latex, reason="claim nested too deeply")
        except (ValueError, ArithmeticError, IndexError, KeyError, TypeError) as exc:
            # a bug of ours must not become a verdict either way: say so, exit 2
            v = Verdict("unverifiable", link_latex,
                        reason=f"internal error while checking ({type(exc).__name__}: {exc})")
        v.seconds = time.monotonic() - started
        out.append(v)
    return out


def _unusable(latex, exc: NotationError) -> Verdict:
    v = Verdict("unverifiable", latex, reason=exc.one_line())
    v.evidence = {"caret": exc.caret()}
    return v


def check_link(claim: Claim, latex: str, kind: Kind, seed: int, draws: int, shapes: int) -> Verdict:
    left, right = claim.sides
    if _is_update_rule(left, right):
        raise Unverifiable("this is a gradient-descent update (an assignment), not an identity")
    checker = Checker(claim, kind, seed, shapes, draws)
    rtol = _rtol_for(claim.sides)
    # the oracle side is the reference; put it on the left for diagnosis
    ref, test, swapped = (left, right, False) if _oracle_weight(left) >= _oracle_weight(right) else \
        (right, left, True)
    samples = checker.samples(ref, test)
    ok, bad = holds(samples, rtol)
    if ok and checker.index_conflicts:
        ok = False
    if ok:
        return Verdict("correct", latex, expected=render(test), reason=_evidence_text(checker, claim),
                       evidence=_evidence(checker, claim))
    return incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol)


def _oracle_weight(n: Node) -> int:
    return sum(1 for x in walk(n) if isinstance(x, Partial) or (isinstance(x, Qty) and x.kind in ("delta", "J")))


def _is_update_rule(left, right) -> bool:
    return isinstance(left, Qty) and left.kind in ("W", "b") and any(
        isinstance(n, Qty) and n.kind == "alpha" for n in walk(right)) and any(
        isinstance(n, Qty) and n.kind == left.kind and n.layer == left.layer for n in walk(right))


def _evidence(checker: Checker, claim: Claim) -> dict:
    if claim.pure:
        return {"points": len(checker.contexts)}
    return {"shapes": [{"sizes": list(s), "m": m} for s, m in checker.shapes_used],
            "layers": checker.layers if checker.layers != [None] else None,
            "contexts": len(checker.contexts)}


def _evidence_text(checker: Checker, claim: Claim) -> str:
    if claim.pure:
        return (f"holds at {len(checker.contexts)} random points (central differences for d/dz); a false "
                "match would need an exact coincidence at every point")
    shapes = "; ".join(f"{'-'.join(map(str, s))} m={m}" for s, m in checker.shapes_used)
    layers = "" if checker.layers == [None] else f", every valid layer l in {checker.layers}"
    return (f"holds in all {len(checker.contexts)} contexts: shapes {shapes} (all widths and m distinct), "
            f"{DRAWS} random draws each{layers}, index values sampled; a wrong formula would have to agree "
            "at every random real draw")


# ---------------------------------------------------------------- diagnosis
def incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol) -> Verdict:
    kind = checker.kind
    diagnosis = [f"index order: {name} indexes dimensions of different sizes ({', '.join(map(str, sorted(v)))})"
                 for name, v in checker.index_conflicts.items()]
    errors = [s for s in samples if s.error]
    if errors:
        diagnosis.append("shape mismatch: " + errors[0].error)
    else:
        diagnosis.extend(shape_diagnosis(samples))
        diagnosis.extend(ratio_diagnosis(samples))
        diagnosis.extend(factor_diagnosis(samples, checker))
    variant_label, variant = search_variants(checker, ref, test, rtol)
    if variant_label and not any(variant_label.split(":")[0] == d.split(":")[0] for d in diagnosis):
        diagnosis.append(variant_label)
    if not diagnosis:
        diagnosis.append("value: the two sides differ (no single sign, scale, transpose, index, layer or "
                         "factor change explains it)")
    expected, corrected = None, None
    if variant is not None:
        expected = render(variant)
    else:
        expected = textbook_expected(ref, checker, rtol)
    if expected is not None:
        corrected = f"{expected} = {render(ref)}" if swapped else f"{render(ref)} = {expected}"
    return Verdict("incorrect", latex, expected=expected, diagnosis=diagnosis,
                   counterexample=counterexample(samples, bad, ref, test, swapped),
                   reason=diagnosis[0], corrected_latex=corrected)


def _arrays(s: Sample):
    return np.asarray(s.left, dtype=float), np.asarray(s.right, dtype=float)


def shape_diagnosis(samples) -> list:
    for s in samples:
        lv, rv = _arrays(s)
        if lv.shape == rv.shape:
            continue
        out = [f"shape mismatch: expected {_shape(s.left)}, claim gives {_shape(s.right)}"]
        if rv.ndim == 2 and rv.T.shape == lv.shape and all(
                close(np.asarray(x.left), np.asarray(x.right).T) for x in samples if x.error is None):
            out.append("transpose: the claim is the transpose of the truth")
        elif rv.ndim == 2 and lv.ndim == 2 and lv.shape[1] == 1 and rv.shape[0] == lv.shape[0]:
            sums = [(np.asarray(x.right).sum(axis=1, keepdims=True), np.asarray(x.left), x.ctx.inst.M)
                    for x in samples if x.error is None]
            if all(close(r, l) or close(r / m, l) for r, l, m in sums):
                out.append("dropped sum over the batch: the claim keeps one column per sample")
        elif rv.ndim == 2 and lv.ndim == 2 and lv.shape[0] == 1 and rv.shape[1] == lv.shape[1]:
            sums = [(np.asarray(x.right).sum(axis=0, keepdims=True), np.asarray(x.left), x.ctx.inst.M)
                    for x in samples if x.error is None]
            if all(close(r, l) or close(r / m, l) for r, l, m in sums):
                out.append("dropped sum over the batch: the claim keeps one row per sample")
        return out
    return []


def _nice(c: float) -> str:
    f = Fraction(c).limit_denominator(24)
    if abs(float(f) - c) <= 1e-6 * max(1.0, abs(c)):
        return str(f)
    return f"{c:.6g}"


def ratio_diagnosis(samples) -> list:
    """Constant ratio claim/truth: sign or scale (as a number, or k/m, or k*m)."""
    per = []
    for s in samples:
        if s.error or _nonfinite(s.left) or _nonfinite(s.right):
            continue
        lv, rv = _arrays(s)
        if lv.shape != rv.shape:
            return []
        scale = max(float(np.max(np.abs(lv), initial=0)), 1e-300)
        mask = np.abs(lv) > 1e-8 * scale
        if not mask.any():
            if np.max(np.abs(rv), initial=0) > 1e-8:
                return []
            continue
        q = rv[mask] / lv[mask]
        if np.ptp(q) > 1e-6 * max(1.0, float(np.max(np.abs(q)))):
            return []
        if not np.allclose(rv[~mask], 0, atol=1e-8 * scale):
            return []
        per.append((float(np.mean(q)), s.ctx.inst.M))
    if not per:
        return []
    cs = np.array([c for c, _ in per])
    ms = np.array([m for _, m in per])

    def const(v):
        return np.ptp(v) <= 1e-6 * max(1.0, float(np.max(np.abs(v))))

    if const(cs):
        c = float(cs[0])
        if abs(c - 1) < 1e-6:
            return []
        if abs(c + 1) < 1e-6:
            return ["sign: claim = -1 × truth"]
        if abs(c) < 1e-12:
            return ["value: the claim is 0 where the truth is not"]
        return [f"scale: claim = {_nice(c)} × truth"]
    if const(cs * ms):
        k = float((cs * ms)[0])
        return [f"scale: claim = {_nice(k)}/m × truth (a factor 1/m too many)" if abs(k - 1) < 1e-6 else
                f"scale: claim = ({_nice(k)}/m) × truth"]
    if const(cs / ms):
        k = float((cs / ms)[0])
        hint = " (1/m missing)" if abs(k - 1) < 1e-6 else (f" ({_nice(1 / k)} written where 1/m belongs?)"
                                                            if abs(k) > 1e-12 else "")
        return [f"scale: claim = {_nice(k)}·m × truth{hint}"]
    return []


def factor_diagnosis(samples, checker) -> list:
    """Elementwise ratio equal to f'(z) (dropped/extra factor) or g'/f' (wrong activation derivative)."""
    kind = checker.kind
    tests = []
    for s in samples:
        if s.error or _nonfinite(s.left) or _nonfinite(s.right):
            continue
        lv, rv = _arrays(s)
        if lv.ndim != 2 or lv.shape != rv.shape:
            return []
        tests.append((s, lv, rv))
    if not tests:
        return []
    L = kind.depth
    others = [act for name, act in acts.ACTIVATIONS.items() if act.elementwise]
    for k in range(1, L + 1):
        act = kind.output if k == L else kind.hidden
        if act.name == "softmax":
            continue
        fp = _elementwise(act, True)
        for label, make in [
            (f"dropped factor: f'(z^{{({_lay(k, L)})}}) (elementwise) is missing", lambda z: 1.0 / fp(z)),
            (f"extra factor: f'(z^{{({_lay(k, L)})}}) should not be there", lambda z: fp(z)),
        ] + [(f"wrong activation derivative: the claim uses {g.name}' where layer {_lay(k, L)} is {act.name}",
              (lambda z, g=g: _elementwise(g, True)(z) / fp(z))) for g in others if g.name != act.name]:
            if _ratio_matches(tests, k, make, checker):
                return [label]
    return []


def _lay(k, L):
    return "L" if k == L else str(k)


def _ratio_matches(tests, k, make, checker) -> bool:
    for s, lv, rv in tests:
        z = s.ctx.inst.trace.z[k]
        z = z.T if checker.kind.layout == "rows" else z
        if z.shape != lv.shape:
            return False
        with np.errstate(all="ignore"):
            cand = make(z)
        if not np.all(np.isfinite(cand)) or not close(lv * cand, rv):
            return False
        if close(cand, np.ones_like(cand)):
            return False
    return True


# -- one-edit repairs of the claim, in its own notation
MATRIX_KINDS = {"W", "a", "z", "delta", "x", "y", "yhat", "ones", "b"}


def node_edits(n: Node, checker):
    """(label, replacement) for single edits of node n itself."""
    if isinstance(n, Qty) and n.layer is not None:
        for d in (+1, -1):
            new = replace(n, layer=LayerRef(n.layer.base, n.layer.offset + d))
            yield f"layer shift: {render(n)} should be {render(new)}", new
    if isinstance(n, (Qty, Partial)) and len(n.idx if isinstance(n, Qty) else n.den.idx) == 2:
        if isinstance(n, Qty):
            new = replace(n, idx=n.idx[::-1])
        else:
            new = replace(n, den=replace(n.den, idx=n.den.idx[::-1]))
        yield f"index order: {render(n)} should be {render(new)}", new
    if isinstance(n, Qty) and len(n.idx) == 1 and n.idx[0] is not None:
        pass
    if (isinstance(n, Qty) and n.kind in MATRIX_KINDS and not n.idx) or \
            (isinstance(n, Partial) and not n.den.idx):
        yield f"transpose: {render(n)} should be transposed", transposed(n)
    if isinstance(n, Op) and n.op == "T":
        yield f"transpose: {render(n.args[0])} should not be transposed", n.args[0]
    if isinstance(n, Op) and n.op in ("mm", "had"):
        x, y = n.args
        yield f"extra factor: {render(x)}", y
        yield f"extra factor: {render(y)}", x
        other = "had" if n.op == "mm" else "mm"
        yield (f"product type: {render(n)} should be a "
               f"{'Hadamard' if other == 'had' else 'matrix'} product"), replace(n, op=other,
                                                                                style="" if other == "mm"
                                                                                else r"\odot")
        if n.op == "mm":
            yield f"factor order: {render(n)} should be {render(Op('mm', (y, x)))}", Op("mm", (y, x))
    if isinstance(n, Op) and n.op == "div" and isinstance(n.args[0], Num) and isinstance(n.args[1], Num):
        new = Op("div", (n.args[0], Qty("m", "m")))
        yield f"scale: {render(n)} should be {render(new)}", new
    if isinstance(n, Num) and n.value != 1:
        yield f"scale: {render(n)} should be m", Qty("m", "m")
    if isinstance(n, Qty) and n.kind == "m":
        for c in (Fraction(1), Fraction(2)):
            yield f"scale: m should be {c}", Num(c)
    if isinstance(n, Op) and n.op in ("add", "sub"):
        x, y = n.args
        for k, term in enumerate((x, y)):
            for label, new in ((f"sign: {render(term)} has the wrong sign", Op("neg", (term,))),
                               (f"scale: {render(term)} lacks a factor 1/m",
                                Op("mm", (Op("div", (Num(Fraction(1)), Qty("m", "m"))), term))),
                               (f"scale: {render(term)} has an extra factor 1/m", Op("mm", (Qty("m", "m"), term))),
                               (f"scale: {render(term)} should be doubled", Op("mm", (Num(Fraction(2)), term))),
                               (f"scale: {render(term)} should be halved",
                                Op("mm", (Num(Fraction(1, 2)), term)))):
                yield label, Op(n.op, (new, y) if k == 0 else (x, new))
    if isinstance(n, Op) and n.op == "sub":
        x, y = n.args
        yield f"sign: {render(n)} should be {render(Op('sub', (y, x)))}", Op("sub", (y, x))
    if isinstance(n, Op) and n.op == "T" and isinstance(n.args[0], Op) and n.args[0].op == "mm":
        x, y = n.args[0].args
        new = Op("mm", (transposed(y), transposed(x)))
        yield f"transpose: (AB)^T is B^T A^T: {render(new)}", new


def all_edits(n: Node, checker):
    yield from node_edits(n, checker)
    kids = _kids(n)
    for k, child in enumerate(kids):
        for label, new_child in all_edits(child, checker):
            yield label, _with_child(n, k, new_child)


def _kids(n):
    if isinstance(n, Op):
        return list(n.args)
    if isinstance(n, Call):
        return [n.arg]
    if isinstance(n, Sum):
        return [n.body]
    return []


def _with_child(n, k, new):
    if isinstance(n, Op):
        args = list(n.args)
        args[k] = new
        return replace(n, args=tuple(args))
    if isinstance(n, Call):
        return replace(n, arg=new)
    if isinstance(n, Sum):
        return replace(n, body=new)
    raise AssertionError


def root_edits(ref: Node, test: Node, checker):
    kind = checker.kind
    m_q = Qty("m", "m")
    yield "sign: the right side has the wrong sign", Op("neg", (test,))
    for c in (Fraction(1, 2), Fraction(2)):
        yield f"scale: claim = {1 / c} × truth", Op("mm", (Num(c), test))
    yield "scale: a factor 1/m is missing", Op("mm", (Op("div", (Num(Fraction(1)), m_q)), test))
    yield "scale: a factor 1/m too many", Op("mm", (m_q, test))
    layers = sorted({q.layer for q in walk(Op("add", (ref, test))) if isinstance(q, Qty)
                     and q.layer is not None and q.kind in ("z", "a", "delta")}, key=str)
    for lay in layers:
        zq = Qty("z", "z", lay)
        yield f"dropped factor: f'(z^{{({lay.latex()})}}) is missing", Op(
            "had", (test, Call("dact", zq, "f")), style=r"\odot")
    names = free_indices([test])
    for x, y in itertools.combinations(names, 2):
        yield f"index order: {x} and {y} are swapped", _rename(test, {x: y, y: x})
    ones = Qty("ones", r"\mathbf{1}")
    if kind.layout == "rows":
        yield "dropped sum over the batch", Op("mm", (transposed(ones), test))
        yield "dropped sum over the batch (and 1/m)", Op("mm", (Op("div", (Num(Fraction(1)), m_q)),
                                                              Op("mm", (transposed(ones), test))))
    else:
        yield "dropped sum over the batch", Op("mm", (test, ones))
        yield "dropped sum over the batch (and 1/m)", Op("mm", (Op("div", (Num(Fraction(1)), m_q)),
                                                              Op("mm", (test, ones))))
    if isinstance(ref, Partial) and ref.num.kind == "J" and ref.den.kind == "W" and kind.reg.name != "none":
        wq = ref.den
        lam = Qty("lam", r"\lambda")
        term = (Op("mm", (Op("div", (lam, m_q)), wq)) if kind.reg.name == "l2"
                else Op("mm", (Op("mm", (Num(Fraction(2)), lam)), wq)))
        yield f"dropped regulariser term: + {render(term)}", Op("add", (test, term))


def _rename(n: Node, mapping: dict) -> Node:
    if isinstance(n, Qty):
        return replace(n, idx=tuple(mapping.get(i, i) for i in n.idx))
    if isinstance(n, Partial):
        return replace(n, num=_rename(n.num, mapping), den=_rename(n.den, mapping))
    kids = _kids(n)
    for k, child in enumerate(kids):
        n = _with_child(n, k, _rename(child, mapping))
    return n


def search_variants(checker, ref, test, rtol, budget=240):
    quick = checker.contexts[:4]
    count = 0
    for label, variant in itertools.chain(all_edits(test, checker), root_edits(ref, test, checker)):
        count += 1
        if count > budget:
            break
        try:
            ok, _ = holds(checker.samples(ref, variant, quick), rtol)
            if ok:
                ok, _ = holds(checker.samples(ref, variant), rtol)
        except (Unverifiable, ZeroDivisionError, FloatingPointError, ValueError, TypeError):
            continue
        if ok:
            return label, variant
    return None, None


def _small(v):
    if v is None:
        return None
    if not isinstance(v, np.ndarray):
        return float(f"{float(v):.6g}")
    clipped = v[:3, :3]
    return {"shape": list(v.shape), "values" if clipped.shape == v.shape else "top_left":
            [[float(f"{x:.4g}") for x in row] for row in clipped]}


def counterexample(samples, bad, ref, test, swapped) -> dict | None:
    failing = [s for s in samples if s.error or not close(s.left, s.right)]
    if not failing:
        return None
    s = min(failing, key=lambda x: (sum(x.ctx.inst.sizes) + x.ctx.inst.m, x.ctx.l or 0))
    inst = s.ctx.inst
    if not inst.sizes:
        return {"point": {k: round(v, 6) for k, v in s.ctx.vars.items()},
                "claim": _small(s.right if not swapped else s.left),
                "truth": _small(s.left if not swapped else s.right)}
    out = {"sizes": list(inst.sizes), "m": inst.m}
    if s.ctx.l is not None:
        out["l"] = s.ctx.l
    if s.ctx.idx:
        out["indices"] = dict(s.ctx.idx)
    if inst.m > 1 and any(len(q.idx) == 1 for q in walk(Op("add", (ref, test))) if isinstance(q, Qty)):
        out["sample"] = s.ctx.s + 1
    out["truth"] = _small(s.left)
    out["claim"] = _small(s.right) if s.error is None else s.error
    return out


def textbook_expected(ref: Node, checker, rtol) -> str | None:
    """A standard form of the reference quantity, shown only after it passes this same check."""
    for cand in _textbook_candidates(ref, checker.kind):
        try:
            text = f"{render(ref)} = {cand}"
            claim = parse(text)
            sub = Checker(claim, checker.kind, 1, 2, 1)
            ok, _ = holds(sub.samples(*claim.sides), rtol)
        except (NotationError, Unverifiable):
            continue
        if ok:
            return cand
    return None


def _textbook_candidates(ref: Node, kind: Kind) -> list:
    if isinstance(ref, Qty) and ref.kind == "delta" and ref.layer is not None:
        lay = ref.layer
        l0, l1 = lay.latex(), LayerRef(lay.base, lay.offset + 1).latex()
        rows = kind.layout == "rows"
        if ref.idx and len(ref.idx) == 1:
            i = ref.idx[0]
            j = next(c for c in "jkpqr" if c != i)
            return [f"a^{{({l0})}}_{{{i}}} - y_{{{i}}}", f"(a^{{({l0})}}_{{{i}}} - y_{{{i}}}) f'(z^{{({l0})}}_{{{i}}})",
                    f"\\left(\\sum_{{{j}}} W^{{({l1})}}_{{{j}{i}}} \\delta^{{({l1})}}_{{{j}}}\\right) "
                    f"f'(z^{{({l0})}}_{{{i}}})"]
        if ref.idx:
            return []
        hidden = (f"\\delta^{{({l1})}} \\left(W^{{({l1})}}\\right)^T \\odot f'(z^{{({l0})}})" if rows else
                  f"\\left(W^{{({l1})}}\\right)^T \\delta^{{({l1})}} \\odot f'(z^{{({l0})}})")
        a, z = f"a^{{({l0})}}", f"z^{{({l0})}}"
        return [f"{a} - y", f"({a} - y) \\odot f'({z})", f"-\\frac{{y}}{{{a}}} \\odot f'({z})",
                f"\\frac{{{a} - y}}{{{a} \\odot (1 - {a})}} \\odot f'({z})", hidden]
    if isinstance(ref, Partial) and ref.num.kind == "J" and ref.den.layer is not None and not ref.den.idx:
        lay = ref.den.layer
        l0, lm = lay.latex(), LayerRef(lay.base, lay.offset - 1).latex()
        rows = kind.layout == "rows"
        s = "\\frac{1}{m} " if kind.batch else ""
        d, a = f"\\delta^{{({l0})}}", f"a^{{({lm})}}"
        if ref.den.kind == "W":
            reg = {"none": "", "l2": f" + \\frac{{\\lambda}}{{m}} W^{{({l0})}}" if kind.batch else
                   f" + \\lambda W^{{({l0})}}", "l2-sum": f" + 2 \\lambda W^{{({l0})}}"}.get(kind.reg.name, "")
            core = f"{s}\\left({a}\\right)^T {d}" if rows else f"{s}{d} \\left({a}\\right)^T"
            return [core + reg]
        if ref.den.kind == "b":
            if not kind.batch:
                return [d]
            return [f"{s}\\mathbf{{1}}^T {d}" if rows else f"{s}{d} \\mathbf{{1}}"]
        if ref.den.kind == "z":
            return [f"{s}{d}"]
    return []
