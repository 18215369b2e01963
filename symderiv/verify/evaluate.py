"""Evaluating a claim tree with NumPy in one context (an instance, a layer l, index values).

The evaluator dispatches every node through the construct registry
(``registry.CONSTRUCTS[n.construct].evaluate``) and offers the rows what
only it knows: the model's value of a quantity, of a partial derivative
(from the derived trace, or by central differences on the forward pass for
single entries such as dz_j/da_i), the layer's activation, index ranges.
"""
from __future__ import annotations

from ..notation.names import LOSS_KINDS

from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ..engine import activations as acts
from ..notation.operators import ShapeError, Unevaluable, add as _add, shape_of
from ..notation.quantities import render_qty
from ..notation.registry import CONSTRUCTS, render
from ..engine.losses import loss_gradient, per_unit_loss, regulariser_gradient, regulariser_value
from ..notation.tree import Call, Node, Partial, Qty, Sum, walk
from .instances import Instance
from .partials import entry_position, partial_entry, partial_indices, partial_matrix
from .diagnostics import diagnostic
from .verdict import Unverifiable

# lowest layer each layered quantity exists at
LOWEST_LAYER = {"W": 1, "b": 1, "z": 1, "delta": 1, "a": 0}


class LayerOutOfRange(Unverifiable):
    def __init__(self, q, k, lo, L):
        self.q, self.k = q, k
        name = render_qty(q) if q is not None else "a sum bound"
        super().__init__(f"{name} refers to layer {k}, but the network has layers {lo}..{L}")


@dataclass
class Context:
    inst: Instance
    l: int | None
    idx: dict            # index name -> 1-based value
    s: int = 0           # the sample a single-indexed vector quantity refers to
    vars: dict = field(default_factory=dict)   # pure-calculus variables


def _sums_over_layers(s: Sum) -> bool:
    """True when the sum's index is written as a layer superscript in its body (\\sum_l W^{(l)})."""
    kept = _OVER_LAYERS.get(id(s))
    if kept is None or kept[0] is not s:       # a sum is evaluated at every index value: walked once
        if len(_OVER_LAYERS) > KEPT:
            _OVER_LAYERS.clear()
        kept = _OVER_LAYERS[id(s)] = (s, any(isinstance(q, Qty) and q.layer is not None and q.layer.base == s.index
                                             for q in walk(s.body)))
    return kept[1]


KEPT = 4096                # entries of a per-node cache (keyed by id, the node kept with it to rule out reuse)
_OVER_LAYERS: dict = {}


def _layer_limit(hi: tuple, L: int) -> int | None:
    """The upper limit L or L-1 written as a symbol; None for anything else."""
    text = str(hi[-1]).replace(" ", "")
    return {"L": L, "L-1": L - 1}.get(text)


# a quantity's column-layout value, by kind (tables built once, not per lookup: this runs per index value)
SCALARS = {"J": lambda ev, inst, tr, q: ev.number(tr.J),
           "m": lambda ev, inst, tr, q: float(inst.of_batch or inst.m),
           "lam": lambda ev, inst, tr, q: inst.lam,
           "alpha": lambda ev, inst, tr, q: inst.alpha,
           "Jreg": lambda ev, inst, tr, q: ev.regulariser(),
           "Jdata": lambda ev, inst, tr, q: ev.number(tr.J) - ev.regulariser(),
           "width": lambda ev, inst, tr, q: float(inst.sizes[ev.layer(q)])}     # n_3 past the output: out of range
WHOLE = {"ones": lambda ev, inst, tr: np.ones((inst.m, 1)) if not ev.rows else np.ones((inst.m, 1)).T,
         "x": lambda ev, inst, tr: inst.X, "y": lambda ev, inst, tr: inst.Y,
         "yhat": lambda ev, inst, tr: tr.a[inst.L]}
LAYERED = {"W": lambda inst, tr, k: inst.W[k], "b": lambda inst, tr, k: inst.b[k], "z": lambda inst, tr, k: tr.z[k],
           "a": lambda inst, tr, k: tr.a[k], "delta": lambda inst, tr, k: tr.delta[k]}


class Evaluator:
    """Walks a claim tree with NumPy in one context; ``ev(node)`` is the node's value.

    The numeric primitives a value passes through (``number``, ``step``, ``act_function``, the loss and
    regulariser functions) are attributes, so that precise.py evaluates the same tree in high precision."""

    number = staticmethod(float)     # one entry of an array as a scalar
    step = 1e-6                      # the central-difference step in the network's parameters

    def __init__(self, ctx: Context, layout: str):
        self.ctx, self.rows = ctx, layout == "rows"

    def __call__(self, n: Node):
        try:
            return CONSTRUCTS[n.construct].evaluate(self, n)
        except Unevaluable as exc:
            raise Unverifiable(str(exc)) from None

    # -- quantities
    def layer(self, q: Qty) -> int:
        L = self.ctx.inst.L
        if q.layer is None:
            return L
        if q.layer.symbolic and self.ctx.l is None:
            raise Unverifiable("symbolic layer without a value")
        k = q.layer.resolve(self.ctx.l, L)
        lo = LOWEST_LAYER.get(q.kind, 0)
        if not lo <= k <= L:
            raise LayerOutOfRange(q, k, lo, L)
        return k

    def inst_layer(self, q: Qty) -> int:
        return self.ctx.inst.L if q.kind == "yhat" else (0 if q.kind == "x" else self.layer(q))

    def matrix(self, q: Qty) -> np.ndarray | float:
        """The column-layout value of a quantity, before layout and indices."""
        inst, tr = self.ctx.inst, self.ctx.inst.trace
        if q.kind == "Jdata" and q.sample is not None:     # each sample's loss, a row over the samples
            return self.unit_loss(inst.flags.loss_obj)(tr.a[inst.L], inst.Y).sum(axis=0, keepdims=True)
        kind = q.kind
        if kind in SCALARS:
            return SCALARS[kind](self, inst, tr, q)
        if kind in WHOLE:
            return WHOLE[kind](self, inst, tr)
        k = self.layer(q)
        return LAYERED[kind](inst, tr, k)

    def regulariser(self) -> float:
        inst = self.ctx.inst
        return regulariser_value(inst.flags.reg_obj, inst.W[1:], inst.lam, inst.M)

    def regulariser_gradient(self, W):
        inst = self.ctx.inst
        return regulariser_gradient(inst.flags.reg_obj, W, inst.lam, inst.M)

    @staticmethod
    def unit_loss(loss):
        return per_unit_loss(loss)

    @staticmethod
    def loss_gradient(loss):
        return loss_gradient(loss)

    @staticmethod
    def act_function(act, derivative: bool):
        """f (or f') of an element-wise activation, on a number or an array."""
        fn = acts.numpy_function(act, derivative)

        def apply(v):
            with np.errstate(all="ignore"):
                if isinstance(v, np.ndarray):
                    return fn(np.asarray(v, dtype=float)) * 1.0
                return float(fn(np.array(v)))
        return apply

    @staticmethod
    def softmax(v, axis: int):
        return acts.np_softmax(v, axis=axis)

    def laid_out(self, v):
        if isinstance(v, np.ndarray) and self.rows:
            return v.T
        return v

    def entry(self, v, idx: tuple, where: Node, vals: list | None = None):
        """Index a laid-out matrix: two indices = (row, column); one = unit of the current sample. ``vals``:
        the indices' values, when the caller has them already."""
        if not idx:
            return v
        if not isinstance(v, np.ndarray):
            raise Unverifiable(f"{render(where)}: a scalar takes no index")
        if v.ndim > 2:        # dz/dW_j: a tensor, whose entry needs an index per axis
            raise Unverifiable(f"{render(where)} has {v.ndim} axes and {len(idx)} index: which entry it means "
                               "is not said")
        if vals is None:
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
            return self.number(v[r - 1, c - 1])
        except IndexError:
            raise ShapeError(f"index out of range in {render(where)} (shape {shape_of(v)})", "index",
                             (render(where), shape_of(v))) from None

    def index_value(self, i):
        if type(i) is str and i != r"\tilde{k}":       # the common case first: a letter bound in the context
            try:
                return self.ctx.idx[i]
            except KeyError:
                raise Unverifiable(f"index {i} has no range") from None
        if isinstance(i, int):
            return i
        if i == r"\tilde{k}":                 # the true class of the current sample (y one-hot)
            return int(np.argmax(self.ctx.inst.Y[:, self.ctx.s])) + 1
        if isinstance(i, tuple) and i[0] == "label":    # y_i as an index: the class of sample i
            sample = self.index_value(i[1])
            if not 1 <= sample <= self.ctx.inst.m:
                raise ShapeError(f"sample {sample} out of range")
            return int(np.argmax(self.ctx.inst.Y[:, sample - 1])) + 1
        try:
            return self.ctx.idx[i]
        except KeyError:
            raise Unverifiable(f"index {i} has no range") from None

    def quantity(self, q: Qty):
        if q.kind == "var" or (q.kind in ("z", "x", "a", "y") and q.spelling in self.ctx.vars):
            try:
                return self.ctx.vars[q.spelling]
            except KeyError:
                raise Unverifiable(f"unknown symbol {q.spelling}") from None
        vals = [self.index_value(i) for i in q.idx] if q.idx else None     # once: this runs per index value
        if vals is not None and 0 in vals:
            return self.bias_unit(q, vals)
        v = self.laid_out(self.matrix(q))
        if q.sample is not None:
            v = self.at_sample(v, q)
        return self.entry(v, q.idx, q, vals)

    def bias_unit(self, q: Qty, vals: list):
        """Index 0 in the bias-unit convention (a_0 = x_0 = 1, W_{i0} = b_i), samples as columns; ``vals``
        the indices' values, one of them 0."""
        if self.rows:
            raise Unverifiable("index 0 (the bias unit) is read in the samples-as-columns layout only")
        if q.kind in ("a", "x") and vals == [0]:
            return 1.0
        if q.kind == "W" and len(vals) == 2 and vals[1] == 0 and vals[0] >= 1:
            b = self.ctx.inst.b[self.layer(q)]
            if vals[0] > b.shape[0]:
                raise ShapeError(f"index out of range in {render(q)}")
            return self.number(b[vals[0] - 1, 0])
        tail = ", which only a_0, x_0 and W_{i0} have"
        raise Unverifiable(f"{render(q)}: index 0 is the bias unit{tail}",
                           cause=diagnostic("bias-unit", quantity=render(q), tail=tail))

    def at_sample(self, v, q: Qty):
        """The sample's column (its row in rows layout) of a per-sample quantity."""
        if not isinstance(v, np.ndarray):
            raise Unverifiable(f"{render_qty(q)}: a sample superscript on a quantity that has no samples")
        k = self.index_value(q.sample)
        axis_len = v.shape[0] if self.rows else v.shape[1]
        if not 1 <= k <= axis_len or axis_len != self.ctx.inst.m:
            raise ShapeError(f"sample {k} of {render_qty(q)} (shape {shape_of(v)})")
        return v[k - 1:k, :] if self.rows else v[:, k - 1:k]

    def partial(self, p: Partial):
        if p.num.idx and p.den.idx and p.num.kind not in LOSS_KINDS:
            return partial_entry(self, p)
        return self.entry(self.laid_out(partial_matrix(self, p)), partial_indices(p), p)

    # -- sums and derivatives
    @contextmanager
    def bound(self, index: str, value: int):
        """Evaluate with ``index`` set to ``value``; the outer value comes back afterwards."""
        saved = self.ctx.idx.get(index)
        self.ctx.idx[index] = value
        try:
            yield
        finally:
            if saved is None:
                self.ctx.idx.pop(index, None)
            else:
                self.ctx.idx[index] = saved

    MAX_TERMS = 100_000

    def index_range(self, node: Node, name: str) -> range:
        """1..n for an index letter, n from the dimension it indexes in ``node`` (a matrix's general entry)."""
        dims = index_dims(node, self, {}).get(name)
        if not dims or len(dims) > 1:
            raise Unverifiable(f"cannot tell how far the matrix's ellipsis runs (index {name})")
        return range(1, min(dims) + 1)

    def summation(self, s: Sum):
        if _sums_over_layers(s):
            return self.layer_summation(s)
        terms = self.sum_range(s)
        if len(terms) > self.MAX_TERMS:
            raise Unverifiable(f"a sum of {len(terms)} terms: too many to evaluate (at most {self.MAX_TERMS})")
        total, idx = 0.0, self.ctx.idx
        saved = idx.get(s.index)
        try:                                   # ``bound`` for every term, without a context manager per term
            for v in terms:
                idx[s.index] = v
                total = _add(total, self(s.body))
        finally:
            if saved is None:
                idx.pop(s.index, None)
            else:
                idx[s.index] = saved
        return total

    def dims(self, node: Node) -> dict:
        """``index_dims`` of ``node`` in this context: they depend on the instance's shapes and the layer
        only, so they are kept with the instance (a sum asks at every index value)."""
        memo = self.ctx.inst.memo
        key = ("dims", id(node), self.ctx.l, self.rows)
        kept = memo.get(key)
        if kept is None or kept[0] is not node:
            kept = (node, index_dims(node, self, {}))
            if len(memo) < KEPT:
                memo[key] = kept
        return kept[1]

    def layer_summation(self, s: Sum):
        """\\sum_l ||W^{(l)}||^2, \\sum_{l=1}^{L}: the index names a layer; each term is the body at
        that layer, over the layers (within the limits written) where every quantity of the body exists."""
        L = self.ctx.inst.L
        hi = L if s.hi is None else (s.hi[1] if s.hi[0] == "num" else _layer_limit(s.hi, L))
        if hi is None:
            raise Unverifiable(f"the sum's upper limit {s.hi_latex or s.hi[-1]} is not a layer count")
        offsets = [q.layer.offset for q in walk(s.body) if isinstance(q, Qty) and q.layer is not None
                   and q.layer.base == s.index]
        lo, hi = max([s.lo] + [1 - k for k in offsets]), min([hi] + [L - k for k in offsets])
        saved, total = self.ctx.l, 0.0
        try:
            for v in range(lo, hi + 1):
                self.ctx.l = v
                total = _add(total, self(s.body))
        finally:
            self.ctx.l = saved
        return total

    def over_examples(self, body: Node):
        """Nielsen's \\sum_x body: the body evaluated on each training example alone (its own forward and
        backward pass, so C_x and dC_x/dw are that example's), summed."""
        total = 0.0
        for k in range(self.ctx.inst.m):
            ctx = Context(self.ctx.inst.example(k), self.ctx.l, dict(self.ctx.idx), 0, dict(self.ctx.vars))
            total = _add(total, type(self)(ctx, "rows" if self.rows else "columns")(body))
        return total

    def sum_range(self, s: Sum) -> range:
        inst = self.ctx.inst
        if s.hi is None:
            dims = self.dims(s.body).get(s.index)
            if not dims:
                raise Unverifiable(f"cannot tell the range of the sum over {s.index}")
            return range(s.lo, min(dims) + 1)
        tag = s.hi[0]
        if tag == "symbol":
            raise Unverifiable(f"the sum's upper limit {s.hi[1]} is not a known range: say what it counts "
                               f"(m samples, n_0 inputs, n_1 units, ...)")
        fixed = {"num": lambda: s.hi[1], "m": lambda: inst.m, "K": lambda: inst.sizes[-1]}
        if tag in fixed:
            return range(s.lo, fixed[tag]() + 1)
        k = s.hi[1].resolve(self.ctx.l, inst.L)
        if not 0 <= k <= inst.L:
            raise LayerOutOfRange(None, k, 0, inst.L)
        return range(s.lo, inst.sizes[k] + 1)

    def derivative(self, d):
        """d/dvar body by central differences (pure calculus)."""
        if d.var not in self.ctx.vars:
            raise Unverifiable(f"d/d{d.var}: {d.var} is not a variable of the claim")
        v0 = self.ctx.vars[d.var]
        h = 1e-5 * (1.0 + abs(v0))
        try:
            self.ctx.vars[d.var] = v0 + h
            up = self(d.body)
            self.ctx.vars[d.var] = v0 - h
            down = self(d.body)
        finally:
            self.ctx.vars[d.var] = v0
        return (up - down) / (2 * h)

    def derivative_of(self, d):
        """d(expression)/d(quantity) by central differences on the network (W, b: full backward pass;
        z, a, x: the forward pass from there). A scalar by a matrix gives the gradient matrix; anything
        by one entry gives the entry-wise derivative; a matrix by a matrix would be a 4-index tensor."""
        inst, den = self.ctx.inst, d.den
        if den.kind in ("W", "b"):
            k = self.layer(den)
            base = inst.W[k] if den.kind == "W" else inst.b[k]

            def moved(pos, step):
                W = [w if w is None else w.copy() for w in inst.W]
                b = [v if v is None else v.copy() for v in inst.b]
                (W if den.kind == "W" else b)[k][pos] += step
                return inst.with_parameters(W, b)
            positions = [entry_position(self, den.idx, base.shape if den.kind == "W" else base.shape[0], inst.m,
                                         weight=den.kind == "W")] if den.idx else list(np.ndindex(base.shape))
        elif den.kind in ("z", "a", "x"):
            k = 0 if den.kind == "x" else self.layer(den)
            where = ("a" if den.kind == "x" else den.kind, k)
            base = np.zeros((inst.sizes[k], inst.m))

            def moved(pos, step):
                bump = np.zeros_like(base)
                bump[pos] = step
                return inst.with_bump(where, bump)
            positions = [entry_position(self, den.idx, inst.sizes[k], inst.m)] if den.idx else \
                list(np.ndindex(base.shape))
        else:
            raise Unverifiable(f"a derivative by {den.spelling} is not supported")
        if len(positions) > 400:
            raise Unverifiable("the derivative has too many entries to take by differences here")
        h = self.step
        values = []
        for pos in positions:
            up, down = (self.at_instance(d.body, moved(pos, s * h)) for s in (+1, -1))
            values.append((up - down) / (2 * h) if isinstance(up, np.ndarray) else (self.number(up) - self.number(down)) / (2 * h))
        if den.idx:
            return values[0]
        if any(isinstance(v, np.ndarray) and v.size > 1 for v in values):
            if self.rows or any(np.ndim(v) != 2 for v in values):
                raise Unverifiable(f"{render(d)}: a derivative of a matrix by a matrix is read in the "
                                   "samples-as-columns layout only")
            stacked = np.array(values).reshape(base.shape + np.shape(values[0]))
            return stacked.transpose(2, 3, 0, 1)          # T[i, s, p, q], as the layer Jacobian
        grad = np.array([self.number(np.reshape(v, ())) for v in values]).reshape(base.shape)
        return self.laid_out(grad)

    def at_instance(self, node: Node, inst) -> object:
        """node's value in this context on another instance (a perturbed network)."""
        ev = type(self)(Context(inst, self.ctx.l, dict(self.ctx.idx), self.ctx.s, dict(self.ctx.vars)),
                       "rows" if self.rows else "columns")
        try:
            return ev(node)
        except AttributeError:
            raise Unverifiable("this derivative needs the backward pass of a network perturbed inside; "
                               "take it by a weight or bias instead") from None

    # -- functions
    def elementary(self, c: Call):
        from ..notation.functions import ELEMENTARY
        v = self(c.arg)
        try:    # an overflow in the claim's own maths is no value at all (tanh(e^{e^{99}}) is not 1)
            with np.errstate(over="raise", invalid="ignore", divide="ignore"):
                return ELEMENTARY[c.fn](v)
        except FloatingPointError:
            raise Unverifiable(f"{render(c)} overflows float64 at the random draws") from None

    def act_layer(self, arg: Node) -> int | None:
        for n in walk(arg):
            if isinstance(n, Qty) and n.kind in ("z", "W", "b") and n.layer is not None:
                return self.layer(n)
            if isinstance(n, Qty) and n.kind == "yhat":
                return self.ctx.inst.L
        return None

    def activation(self, c: Call, derivative: bool):
        """The activation of the layer the argument belongs to (pure calculus: sigma is the sigmoid)."""
        inst, flags = self.ctx.inst, self.ctx.inst.flags
        if self.ctx.vars:
            act = acts.ACTIVATIONS["sigmoid"] if c.spelling == r"\sigma" else flags.hidden_act
        else:
            k = self.act_layer(c.arg)
            act = flags.output_act if k == inst.L else flags.hidden_act
        axis = 1 if self.rows else 0
        if act.name == "softmax" and derivative:
            # f'(z_k) of a softmax read as the diagonal of its Jacobian, da_k/dz_k = a_k (1 - a_k): what a
            # formula treating softmax element-wise means; it is compared with the truth like any other
            a = self.activation(c, derivative=False)
            return a * (1 - a)
        if act.name == "softmax":
            if isinstance(c.arg, Qty) and c.arg.idx:
                full = self.laid_out(self.matrix(c.arg))
                return self.entry(self.softmax(full, axis), c.arg.idx, c.arg)
            v = self(c.arg)
            if not isinstance(v, np.ndarray):
                raise Unverifiable("softmax of a scalar: index the result instead, softmax(z^{(L)})_i")
            return self.softmax(v, axis)
        return self.act_function(act, derivative)(self(c.arg))


# ---------------------------------------------------------------- index ranges
def index_dims(node: Node, ev: Evaluator, acc: dict) -> dict:
    """index name -> set of sizes it indexes, from every quantity that carries it."""
    for n in walk(node):
        if not isinstance(n, (Qty, Partial)):
            continue
        q = n if isinstance(n, Qty) else (n.den if n.num.kind in LOSS_KINDS or not n.num.idx else n.num)
        names = q.idx
        if isinstance(n, Qty) and isinstance(n.sample, str):
            acc.setdefault(n.sample, set()).add(ev.ctx.inst.m)
        if not names or (isinstance(n, Qty) and n.kind == "var"):
            continue
        try:
            if isinstance(n, Partial):
                v = ev.laid_out(partial_matrix(ev, n)) if n.num.kind in LOSS_KINDS else None
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
