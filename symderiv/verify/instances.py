"""Random instances of a network setting: shapes, parameters, data, and the derived truth.

Every width and the batch size of a shape differ, so a missing transpose
cannot hide behind a square matrix. The truth at an instance is the
lambdified derivation's trace (delta, dW, db, J), compiled once per setting.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import field, dataclass, replace
from functools import lru_cache

import numpy as np

from ..engine.losses import per_unit_loss, regulariser_value
from ..engine.network import NetFlags
from ..engine import numeric
from ..engine.numeric import forward as forward_pass
from .stages import LazyTrace, Stages


@dataclass
class ForwardTrace:
    """z, a and J of a perturbed forward pass; the backward quantities are not there."""
    J: float
    z: list
    a: list

    def __getattr__(self, name):
        raise AttributeError(name)


@lru_cache(maxsize=64)
def compiled(flags: NetFlags):
    """The lambdified network (shapes never enter its symbols, so one per setting)."""
    return flags.network([2 + k for k in range(flags.depth + 1)], layout="columns").lambdify()


@lru_cache(maxsize=64)
def _stages(flags: NetFlags) -> Stages:
    return Stages(compiled(flags).expressions, numeric._Symbols(flags.depth).args(), flags.depth, numeric._lambdify)


def truth(flags: NetFlags, W, b, X, Y, lam) -> LazyTrace:
    """The derived truth (J, z, a, delta, dW, db) at these parameters and data, in float64, each stage
    computed when a claim first reads it (stages.py): a perturbed network whose J alone is read costs a
    forward pass, not a backward one."""
    bias = compiled(flags).net.bias            # as the compiled trace: no bias terms, biases 0
    values = [p for l in range(1, flags.depth + 1) for p in (W[l], b[l] if bias else b[l] * 0)]
    return LazyTrace(_stages(flags), values + [X, Y, lam, X.shape[1]], X, scalar=float)


@dataclass
class Instance:
    """One random network at one shape: parameters, data and the oracle trace (columns)."""
    flags: NetFlags
    sizes: tuple
    m: int
    W: list
    b: list
    X: np.ndarray
    Y: np.ndarray
    lam: float
    alpha: float
    trace: object
    # Values derived from this instance alone (one central difference of a whole layer, ...),
    # kept while a claim is evaluated at every index value; not copied by ``replace``.
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # One example of a batch (``example``): the batch's size, which the symbol m still names there (the
    # example's own cost is over m = 1, but 1/m written inside \\sum_x is the training set's 1/m).
    of_batch: int = 0

    @property
    def L(self):
        return self.flags.depth

    @property
    def M(self):
        return float(self.m)

    def trace_of(self, flags, W, b, X, Y, m):
        """The derived truth's trace at these parameters and data (float64 here; mpmath in PreciseInstance)."""
        return truth(flags, W, b, X, Y, self.lam)

    def with_parameters(self, W, b) -> "Instance":
        """The same data with other parameters, and their own derived trace."""
        return replace(self, W=W, b=b, trace=self.trace_of(self.flags, W, b, self.X, self.Y, self.m))

    def example(self, k: int) -> "Instance":
        """This instance restricted to example k (m = 1, one sample's J), its trace recomputed; cached."""
        cache = self.__dict__.setdefault("_examples", {})
        if k not in cache:
            flags = replace(self.flags, batch=False)
            X, Y = self.X[:, [k]], self.Y[:, [k]]
            cache[k] = type(self)(flags, self.sizes, 1, self.W, self.b, X, Y, self.lam, self.alpha,
                                  self.trace_of(flags, self.W, self.b, X, Y, 1), of_batch=self.m)
        return cache[k]

    def with_bump(self, at, bump) -> "Instance":
        """The forward pass with ``bump`` added to z or a of one layer: z, a and J only (no backward pass)."""
        zs, as_ = self.forward(at=at, bump=bump)
        loss = per_unit_loss(self.flags.loss_obj)(as_[-1], self.Y).sum() / self.M
        J = loss + regulariser_value(self.flags.reg_obj, self.W[1:], self.lam, self.M)
        return replace(self, trace=ForwardTrace(float(J), zs, as_))

    def forward(self, W=None, b=None, at=None, bump=None):
        """z and a lists of a forward pass (own or perturbed parameters)."""
        acts = [self.flags.activation(l) for l in range(1, self.L + 1)]
        return forward_pass(acts, self.W if W is None else W, self.b if b is None else b, self.X, at, bump)


MAX_WIDTH = 40     # a claim naming a larger unit (W_{99999}) cannot be checked at drawn sizes


def random_shapes(flags: NetFlags, count: int, rng, at_least: int = 2) -> list:
    """Shapes in which every width and the batch size differ (so no transpose can hide), all at least
    ``at_least`` (the largest unit a claim names, so that W_{53} exists in every shape drawn)."""
    out = []
    for _ in range(count):
        pool = list(range(at_least, at_least + flags.depth + 8))
        picks = rng.choice(pool, size=flags.depth + 2, replace=False)
        sizes = tuple(int(v) for v in picks[:flags.depth + 1])
        if flags.outputs is not None:
            sizes = sizes[:-1] + (flags.outputs,)
        m = int(picks[-1]) if flags.batch else 1
        out.append((sizes, m))
    return out


def random_targets(flags: NetFlags, n_out: int, m: int, rng) -> np.ndarray:
    """One-hot columns for softmax/CE (sum_k y_k = 1), 0/1 for BCE, reals for squared error."""
    loss = flags.loss_obj.name
    if loss == "ce" or flags.output_act.name == "softmax":
        Y = np.zeros((n_out, m))
        Y[rng.integers(0, n_out, m), np.arange(m)] = 1.0
        return Y
    if loss == "bce":
        return rng.integers(0, 2, (n_out, m)).astype(float)
    return rng.normal(0.0, 1.0, (n_out, m))


DRAWN_KEPT = 256          # instances kept by the generator state they were drawn from (``make_instance``)
_DRAWN: "OrderedDict[tuple, tuple]" = OrderedDict()
_DRAWN_LOCK = threading.Lock()


def _state(rng) -> tuple:
    """The generator's whole state as a key (PCG64's two 128-bit words and its buffered 32 bits)."""
    s = rng.bit_generator.state
    inner = s["state"]
    return (s["bit_generator"], tuple(sorted(inner.items())) if isinstance(inner, dict) else repr(inner),
            s.get("has_uint32"), s.get("uinteger"))


def make_instance(flags: NetFlags, sizes, m, rng, scale: float = 1.0, kept: bool = True) -> Instance:
    """A random network: weights in (-scale, scale), biases in (-scale/2, scale/2), inputs N(0, 1) (N(0, 4)
    when wide).

    The draw is a function of the generator's state, so an instance drawn from a state met before is the
    one drawn then, the generator moved on as the draw moves it: a claim checked again (a candidate
    correction, another convention's reading, the same line in another note) finds its traces, its
    central differences and its high-precision trace already computed in the instance's memo. An instance
    is never changed once drawn (a perturbed network is a new one: ``with_parameters``, ``with_bump``).
    ``kept=False``: a new instance, neither looked up nor kept (nothing computed on it yet)."""
    if not kept:
        return _drawn(flags, sizes, m, rng, scale)
    key = (flags, tuple(sizes), m, scale, _state(rng))
    with _DRAWN_LOCK:
        kept = _DRAWN.get(key)
        if kept is not None:
            _DRAWN.move_to_end(key)
    if kept is not None:
        rng.bit_generator.state = kept[1]
        return kept[0]
    inst = _drawn(flags, sizes, m, rng, scale)
    with _DRAWN_LOCK:
        _DRAWN[key] = (inst, rng.bit_generator.state)
        while len(_DRAWN) > DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    return inst


def _drawn(flags: NetFlags, sizes, m, rng, scale: float) -> Instance:
    W = [None] + [rng.uniform(-scale, scale, (sizes[l], sizes[l - 1])) for l in range(1, len(sizes))]
    b = [None] + [rng.uniform(-0.5, 0.5, (sizes[l], 1)) * scale * (1.0 if flags.bias else 0.0)   # --no-bias: b = 0
                  for l in range(1, len(sizes))]
    X = rng.normal(0.0, 1.0 if scale == 1.0 else 2.0, (sizes[0], m))
    Y = random_targets(flags, sizes[-1], m, rng)
    lam = float(rng.uniform(0.3, 1.3))
    tr = truth(flags, W, b, X, Y, lam)
    return Instance(flags, tuple(sizes), m, W, b, X, Y, lam, float(rng.uniform(0.05, 0.5)), tr)


@lru_cache(maxsize=16)
def pure_instance(flags: NetFlags) -> Instance:
    """The stand-in instance of a pure-calculus claim (no network quantity is read)."""
    return Instance(flags, (), 1, [], [], np.zeros((1, 1)), np.zeros((1, 1)), 0.5, 0.1, None)
