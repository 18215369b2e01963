"""Contexts of a claim link and the comparison of both sides in each.

A ``Checker`` builds every context a link is evaluated in: several random
shapes, draws per shape, every valid layer of a symbolic ``l``, and every (or
a random sample of) index value and sample. ``samples`` evaluates two trees
in those contexts; ``holds`` says whether they agree everywhere.
"""
from __future__ import annotations

from ..notation.names import LOSS_KINDS

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..engine import activations as acts

from ..notation.operators import ShapeError
from ..engine.network import NetFlags
from ..notation.tokens import NotationError
from ..notation.quantities import render_qty
from ..notation.registry import render
from ..notation.claim import Claim
from ..notation.tree import Cond, Deriv, DerivOf, Node, Num, Partial, Qty, Sum, free_indices, quantities, walk
from .evaluate import LOWEST_LAYER, Context, Evaluator, index_dims
from .instances import MAX_WIDTH, make_instance, pure_instance, random_shapes
from .verdict import Unverifiable

MAX_INDEX_CONTEXTS = 40    # index assignments per (shape, draw, layer)
RTOL = 1e-12               # float64 reassociation stays near 1e-15; a written 1 + 10^{-10} must not pass
FD_RTOL = 1e-5             # a claim evaluated by central differences (one entry of a Jacobian, d/dz)
FD_ATOL = 1e-8             # ... and the absolute error those differences carry


def scalarish(v):
    if isinstance(v, np.ndarray) and v.size == 1:
        return float(v.reshape(()))
    return v


NUMBERS = (float, int, np.float64)   # a scalar value: compared in Python floats, the same IEEE arithmetic


def nonfinite(v) -> bool:
    if type(v) in NUMBERS:
        return not math.isfinite(v)
    return v is None or not np.all(np.isfinite(np.asarray(v, dtype=float)))


def _close_numbers(x: float, y: float, rtol: float) -> bool:
    """``close`` of two numbers: np.allclose's test |x - y| <= atol + rtol |y| without building arrays."""
    if not (math.isfinite(x) and math.isfinite(y)):
        return False
    scale = max(abs(x), abs(y), 1e-12)
    floor = FD_ATOL if rtol >= FD_RTOL else 0.0
    return abs(x - y) <= (rtol * 1e-2 * scale + floor + 1e-12) + rtol * abs(y)


def close(x, y, rtol=RTOL) -> bool:
    x, y = scalarish(x), scalarish(y)
    if type(x) in NUMBERS and type(y) in NUMBERS:
        return _close_numbers(float(x), float(y), rtol)
    if isinstance(x, np.ndarray) != isinstance(y, np.ndarray):
        return False
    if isinstance(x, np.ndarray) and x.shape != y.shape:
        return False
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        return False
    scale = max(float(np.max(np.abs(xa), initial=0.0)), float(np.max(np.abs(ya), initial=0.0)), 1e-12)
    # central differences carry an absolute error of about eps |f| / h, whatever the derivative's size
    floor = FD_ATOL if rtol >= FD_RTOL else 0.0
    return bool(np.allclose(xa, ya, rtol=rtol, atol=rtol * 1e-2 * scale + floor + 1e-12))


@dataclass
class Sample:
    """One evaluated context: both sides' values (or the error one side raised)."""
    ctx: Context
    left: object
    right: object
    error: str | None = None
    fault: tuple | None = None         # (side, ShapeError) behind ``error``: what a diagnostic is made of


def rtol_for(sides) -> float:
    # central differences are accurate to ~1e-9 relative; leave room
    fd = any(isinstance(n, (Deriv, DerivOf)) or (isinstance(n, Partial) and n.num.kind not in LOSS_KINDS and n.num.idx)
             for side in sides for n in walk(side))
    return FD_RTOL if fd else RTOL


def agrees(s: Sample, rtol=RTOL) -> bool | None:
    """Do both sides agree at this draw: True, False, or None for a draw outside both sides' domain. A
    draw where exactly one side is undefined (NaN, inf) is a counterexample, never skipped."""
    if s.error is not None or nonfinite(s.left) != nonfinite(s.right):
        return False
    if nonfinite(s.left):
        return None
    return close(s.left, s.right, rtol)


def holds(samples: list[Sample], rtol=RTOL) -> tuple[bool, Sample | None]:
    """Both sides agree at every draw; only draws outside both sides' domain are passed over."""
    valid = 0
    for s in samples:
        found = agrees(s, rtol)
        if found is False:
            return False, s
        valid += found is True
    if valid == 0:
        raise Unverifiable("no draw gave finite values on both sides")
    return True, None


WIDE = 3.0                 # the scale of the wide network draws
SCALES = ((0.1, 2.5), (1e-3, 0.05), (3.0, 12.0))     # magnitudes of the pure-calculus draws


def claim_constants(claim) -> list:
    """Every number the claim (and its condition) contains, with its sign as written: the thresholds a
    draw must fall on both sides of (relu(z - 3) changes at z = 3, not in [-2.5, 2.5])."""
    out = set()
    for tree in claim.all_trees():
        for n in walk(tree):
            if isinstance(n, Num) and abs(n.value) < 1e6:
                out.update({float(n.value), -float(n.value)})
    return sorted(out)


def _pre_activation(act, c: float, signs: np.ndarray) -> np.ndarray | None:
    """The z at which an element-wise activation takes values on both sides of ``c`` (by bisection in
    [-60, 60], where every table activation is monotone), or None when c is outside what it takes there."""
    if not act.elementwise:
        return None
    f = acts.numpy_function(act)
    bottom, top = float(f(np.array(-60.0))), float(f(np.array(60.0)))
    if not bottom < c < top:
        return None
    a = c + min(1e-3, (top - c) / 2, (c - bottom) / 2) * signs
    lo, hi = np.full(a.shape, -60.0), np.full(a.shape, 60.0)
    for _ in range(80):
        mid = (lo + hi) / 2
        below = f(mid) < a
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def _constant(n) -> float | None:
    """The value of a number as written (2, -0.01), else None."""
    if isinstance(n, Num):
        return float(n.value)
    if getattr(n, "op", None) == "neg" and isinstance(n.args[0], Num):
        return -float(n.args[0].value)
    return None


def uses_sample(sides) -> bool:
    return any(len(q.idx) == 1 and q.kind in ("z", "a", "delta", "x", "y", "yhat") for q in quantities(*sides))


def valid_layers(sides, flags: NetFlags) -> list:
    """Every l for which each layer reference in the claim exists."""
    L = flags.depth

    def fits(l):
        for side in sides:
            for n in walk(side):
                if isinstance(n, Qty) and n.layer is not None and \
                        not LOWEST_LAYER.get(n.kind, 0) <= n.layer.resolve(l, L) <= L:
                    return False
                if isinstance(n, Sum) and n.hi and n.hi[0] == "width" and not 0 <= n.hi[1].resolve(l, L) <= L:
                    return False
        return True
    return [l for l in range(0, L + 1) if fits(l)]


class Checker:
    """Builds contexts for a claim link and evaluates both sides in each."""

    def __init__(self, claim: Claim, flags: NetFlags, seed: int, shapes: int, draws: int):
        self.claim, self.flags = claim, flags
        # any integer is a seed; a negative one maps onto its own non-negative stream (NumPy refuses it)
        self.rng = np.random.default_rng(seed if seed >= 0 else 2 ** 63 + seed)
        self.contexts: list[Context] = []
        self.shapes_used = []
        self.draws = draws
        self.layers = None
        self.index_conflicts: dict = {}
        self._kept: dict = {}       # (id(tree), id(context)) -> (tree, value, error): see samples(keep_left)
        self._build(shapes, draws)

    def _build(self, shapes, draws):
        claim, flags = self.claim, self.flags
        if claim.pure:
            self._pure_contexts(8 * shapes)
            return
        sides = claim.sides
        layers = valid_layers(sides, flags) if claim.symbolic_layer else [None]
        if not layers:
            raise Unverifiable(f"no layer l makes every layer in the claim exist in a depth-{flags.depth} "
                               "network")
        if not claim.symbolic_layer:
            self._check_absolute_layers(sides)
        self.layers = layers
        names = free_indices(sides)
        sample = uses_sample(sides)
        for n_shape, (sizes, m) in enumerate(random_shapes(flags, shapes, self.rng,
                                                           at_least=self._largest_unit(sides))):
            self.shapes_used.append((sizes, m))
            if n_shape == 0:
                for inst in self._at_thresholds(sizes, m):
                    for l in layers:
                        self._contexts_for(inst, l, names, sample)
            for d in range(draws):
                # every other draw is wide (weights in (-3, 3), inputs x2): thresholds such as W_{ij} > 1 or
                # a ReLU's z < 0 are crossed, not only the narrow values near the origin
                inst = make_instance(flags, sizes, m, self.rng, scale=WIDE if d % 2 else 1.0)
                for l in layers:
                    self._contexts_for(inst, l, names, sample)

    def _at_thresholds(self, sizes, m) -> list:
        """Instances whose pre-activations straddle each threshold of the claim's condition: for
        ``z^{(k)} > c`` the bias of layer k is moved so that sample 1's units sit at c - 10^{-3} and
        c + 10^{-3} in turn (a draw near the origin never tests z^{(1)} > -0.01 against a ReLU); for
        ``a^{(k)} > c`` they sit where the activation takes values on both sides of c (a^{(1)} > 0.99999999
        under a sigmoid is z near 18.4), if it takes c at all."""
        out = []
        for n in walk(self.claim.condition) if self.claim.condition is not None else ():
            if not (isinstance(n, Cond) and isinstance(n.left, Qty) and n.left.kind in ("z", "a") and
                    n.left.layer is not None and _constant(n.right) is not None):
                continue
            c = _constant(n.right)
            for l in (self.layers or [None]):
                try:
                    k = n.left.layer.resolve(l, self.flags.depth)
                except TypeError:
                    continue
                if not 1 <= k <= self.flags.depth:
                    continue
                inst = make_instance(self.flags, sizes, m, self.rng)
                z = inst.trace.z[k][:, :1]
                signs = np.where(np.arange(z.shape[0]) % 2 == 0, -1.0, 1.0).reshape(-1, 1)
                target = c + 1e-3 * signs if n.left.kind == "z" else \
                    _pre_activation(self.flags.activation(k), c, signs)
                if target is None:          # a^{(k)} > 2 under a sigmoid: no region to sample in
                    continue
                b = [v if v is None else v.copy() for v in inst.b]
                b[k] = b[k] + (target - z)
                out.append(inst.with_parameters(inst.W, b))
        return out

    def _largest_unit(self, sides) -> int:
        """The largest index written as a number (W_{21}, y_2); widths are drawn at least that large."""
        named = [i for q in quantities(*sides) for i in q.idx if isinstance(i, int)]
        largest = max(named, default=2)
        if largest > MAX_WIDTH:
            raise Unverifiable(f"unit {largest} is larger than the widths the checker draws (up to {MAX_WIDTH}): "
                               "write the claim with an index letter (i, j, k)")
        return max(largest, 2)

    def _pure_contexts(self, count):
        """Random points for the free variables, across scales (small, order one, large; both signs), and
        on both sides of every constant the claim itself contains (z - 3, > -0.01); p, a, y stay in
        (0, 1) where they are probabilities (a in (-1, 1) under a tanh hidden layer)."""
        names = []
        for n in (n for side in self.claim.all_trees() for n in walk(side)):
            name = n.spelling if isinstance(n, Qty) else (n.var if isinstance(n, Deriv) else None)
            if name is not None and name not in names:
                names.append(name)
        points = [self._pure_point(names, SCALES[k % len(SCALES)]) for k in range(count)]
        for c in claim_constants(self.claim):
            for name in names:
                for step in (-0.5, -1e-3, 1e-3, 0.5):
                    point = self._pure_point(names, SCALES[0])
                    v = c + step * max(1.0, abs(c))
                    tanh_a = name == "a" and self.flags.hidden_act.name == "tanh"
                    if name in "pay" and not (-1.0 if tanh_a else 0.0) < v < 1.0:
                        continue                # a probability stays a probability
                    point[name] = v
                    points.append(point)
        for vars_ in points:
            self.contexts.append(Context(pure_instance(self.flags), None, {}, 0, vars_))

    def _pure_point(self, names, scale) -> dict:
        point = {}
        for name in names:
            if name in "pay":               # a probability, whether met as a symbol or as d/dp first
                lo = -0.95 if name == "a" and self.flags.hidden_act.name == "tanh" else 0.05
                point[name] = float(self.rng.uniform(lo, 0.95))
            else:
                mag = float(self.rng.uniform(*scale))
                point[name] = mag if self.rng.random() < 0.5 else -mag
        return point

    def _check_absolute_layers(self, sides):
        L = self.flags.depth
        for q in quantities(*sides):
            if q.layer is not None:
                k = q.layer.resolve(None, L)
                lo = LOWEST_LAYER.get(q.kind, 0)
                if not lo <= k <= L:
                    raise NotationError(f"{render_qty(q)} refers to layer {k}, but the network has "
                                        f"layers {lo}..{L} (--depth {L})", self.claim.text, q.pos)

    def _contexts_for(self, inst, l, names, sample):
        probe = Evaluator(Context(inst, l, {}), self.flags.layout)
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
        ev = Evaluator(Context(ctx.inst, ctx.l, dict(ctx.idx), ctx.s, dict(ctx.vars)), self.flags.layout)
        return scalarish(ev(node))

    def _left_value(self, left: Node, ctx: Context):
        key = (id(left), id(ctx))
        if key not in self._kept:
            try:
                self._kept[key] = (left, self.evaluate(left, ctx), None)
            except ShapeError as exc:
                self._kept[key] = (left, None, exc)
        _, value, error = self._kept[key]
        if error is not None:
            raise error
        return value

    def where(self, ctx: Context):
        """Where the claim's condition holds in this context: True, False, or an element-wise mask."""
        if self.claim.condition is None:
            return True
        try:
            mask = self.evaluate(self.claim.condition, ctx)
        except ShapeError:
            return True
        return bool(mask) if not isinstance(mask, np.ndarray) else mask.astype(bool)

    def samples(self, left: Node, right: Node, contexts=None, keep_left: bool = False,
                until_fails: float | None = None) -> list[Sample]:
        """Both sides evaluated in every context (or ``contexts``). ``keep_left``: the left side is the
        same tree call after call (repair tries many right sides against one reference), so its values
        are kept and not evaluated again. ``until_fails`` (a relative tolerance): stop after the first
        sample where the sides disagree (``holds`` stops there too), once the condition has held
        somewhere; for a caller that wants the verdict only."""
        out, held, seen = [], False, 0
        for ctx in contexts or self.contexts:
            if until_fails is not None and len(out) > seen:
                seen = len(out)
                if held and agrees(out[-1], until_fails) is False:
                    break
            mask = self.where(ctx)
            if mask is False:
                continue
            held = held or mask is True or bool(np.any(mask))
            try:
                lv = self._left_value(left, ctx) if keep_left else self.evaluate(left, ctx)
            except ShapeError as exc:
                out.append(Sample(ctx, None, None, f"left side: {exc}", ("left", exc)))
                continue
            try:
                rv = self.evaluate(right, ctx)
            except ShapeError as exc:
                out.append(Sample(ctx, lv, None, f"right side: {exc}", ("right", exc)))
                continue
            lv, rv = _zero_as_matrix(lv, rv)
            if isinstance(mask, np.ndarray):     # an element-wise statement: a number stands for every element
                lv = np.broadcast_to(lv, mask.shape) * 1.0 if np.ndim(lv) == 0 else lv
                rv = np.broadcast_to(rv, mask.shape) * 1.0 if np.ndim(rv) == 0 else rv
            if isinstance(mask, np.ndarray) and np.shape(lv) == np.shape(rv) == mask.shape:
                lv, rv = np.where(mask, lv, 0.0), np.where(mask, rv, 0.0)   # compared only where it holds
            out.append(Sample(ctx, lv, rv))
        if contexts is None and (not out or not held):    # nothing compared: a vacuous claim is never correct
            raise Unverifiable(f"the condition {render(self.claim.condition)} never holds for this model's values "
                               f"at the {len(self.contexts)} random draws")
        return out


def _zero_as_matrix(lv, rv):
    """"= 0" written for a matrix means the zero matrix of its shape."""
    if isinstance(lv, np.ndarray) and not isinstance(rv, np.ndarray) and rv == 0:
        return lv, np.zeros_like(lv)
    if isinstance(rv, np.ndarray) and not isinstance(lv, np.ndarray) and lv == 0:
        return np.zeros_like(rv), rv
    return lv, rv
