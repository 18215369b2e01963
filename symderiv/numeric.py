"""From derived matrix expressions to NumPy functions.

derive.py produces, for a generic layer l, the matrix forms of the delta
recursion and the gradients. Here they are specialised to the layers of a
concrete network, translated into *array algebra* (each matrix a SymPy
symbol standing for a NumPy array, ``*`` the Hadamard product, ``matmul``
and ``T`` explicit) and compiled with ``sympy.lambdify(cse=True)``, so the
forward pass is computed once and shared by the loss and every gradient.

Shapes never enter the symbols, so compiling a 400-25-10 network costs what
a 4-3-2 network costs.

>>> import symderiv, numpy as np
>>> net = symderiv.mlp([3, 4, 2])
>>> num = net.lambdify()
>>> X, Y = np.ones((3, 5)), np.zeros((2, 5))
>>> [dW.shape for dW, db in num.gradients(net.init_params(), X, Y)]
[(4, 3), (2, 4)]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from . import activations as acts
from . import derive, validate
from .activations import a, z
from .derive import Layer
from .losses import STABLE_FORMS, lam, logsumexp, m, softplus, w, y

matmul = sp.Function("matmul")
T = sp.Function("T")
rowsum = sp.Function("rowsum")     # sum over the batch (columns), keeps the column shape
colsum = sp.Function("colsum")     # sum over units (rows) of each sample
sumall = sp.Function("sumall")
softmax = sp.Function("softmax")


def _np_logsumexp(Z):
    top = Z.max(axis=0, keepdims=True)
    return top + np.log(np.exp(Z - top).sum(axis=0, keepdims=True))


NUMPY_FUNCTIONS = {
    "matmul": np.matmul,
    "T": np.transpose,
    "rowsum": lambda X: X.sum(axis=1, keepdims=True),
    "colsum": lambda X: X.sum(axis=0, keepdims=True),
    "sumall": np.sum,
    "softmax": acts.np_softmax,
    "logsumexp": _np_logsumexp,
    "softplus": lambda X: np.logaddexp(0.0, X),
}
NUMPY_FUNCTIONS.update({f"act_{name}": act.numpy for name, act in acts.ACTIVATIONS.items() if act.numpy})




class ToArray:
    """Matrix expression -> array algebra, one method per node type."""

    def __init__(self, names: dict):
        self.names = names

    def __call__(self, e):
        if not isinstance(e, sp.MatrixExpr):
            return e.xreplace(self.names) if isinstance(e, sp.Basic) else e  # a scalar factor
        return getattr(self, "_" + type(e).__name__)(e)

    def _MatrixSymbol(self, e):
        return self.names[e]

    def _Transpose(self, e):
        return T(self(e.arg))

    def _HadamardProduct(self, e):
        return sp.Mul(*[self(f) for f in e.args])

    def _MatAdd(self, e):
        return sp.Add(*[self(t) for t in e.args])

    def _MatMul(self, e):
        coeff, matrices = e.as_coeff_matrices()
        matrices = list(matrices)
        total_over_batch = matrices[-1] == derive.ONES
        if total_over_batch:
            matrices.pop()
        product = self(matrices[0])
        for right in matrices[1:]:
            product = matmul(product, self(right))
        if total_over_batch:
            product = rowsum(product)
        return self(coeff) * product


@dataclass
class Trace:
    """Every layer quantity of one forward/backward pass (column layout).

    Lists are indexed by layer: ``a[0]`` is X; ``z[0]`` and ``delta[0]`` are None.
    ``delta[l]`` is the n_l x m matrix of per-sample deltas (no 1/m).
    """

    J: float
    z: list
    a: list
    delta: list
    fprime: list
    dW: list
    db: list


class _Symbols:
    """The array symbols of one concrete network."""

    def __init__(self, depth):
        self.W = [None] + [sp.Symbol(f"W{l}") for l in range(1, depth + 1)]
        self.b = [None] + [sp.Symbol(f"b{l}") for l in range(1, depth + 1)]
        self.X, self.Y = sp.Symbol("X"), sp.Symbol("Y")

    def args(self):
        params = [p for l in range(1, len(self.W)) for p in (self.W[l], self.b[l])]
        return params + [self.X, self.Y, lam, m]


def _apply(act: acts.Activation, Z):
    if act.name == "softmax":
        return softmax(Z)
    if act.expr == z:
        return Z
    if act.name in acts.ACTIVATIONS and act.numpy is not None:
        return sp.Function(f"act_{act.name}")(Z)
    return act.expr.subs(z, Z)


def _output_delta_array(od: derive.OutputDelta, A, Y, Z):
    if od.elementwise:
        return od.expr.subs({a: A, y: Y, z: Z})
    # Softmax: a[i], y[i] are this unit's entries; sums over k are sums over units.
    k = derive.k
    expr = od.expr.replace(
        lambda e: isinstance(e, sp.Sum),
        lambda e: colsum(e.function.subs({derive.av[k]: A, derive.yv[k]: Y})))
    return expr.subs({derive.av[derive.i]: A, derive.yv[derive.i]: Y})


def build_expressions(net):
    """SymPy array-algebra expressions for J, every layer quantity and every gradient."""
    L = net.depth
    S = _Symbols(L)
    Z, A, F, D = [None] * (L + 1), [S.X] + [None] * L, [None] * (L + 1), [None] * (L + 1)
    for l in range(1, L + 1):
        Z[l] = matmul(S.W[l], A[l - 1]) + S.b[l]
        A[l] = _apply(net.activation(l), Z[l])
    for l in range(1, L):
        F[l] = acts.derivative(net.hidden).best.subs({a: A[l], z: Z[l]})
    D[L] = _output_delta_array(derive.output_delta(net.output, net.loss), A[L], S.Y, Z[L])
    rec = derive.recursion()
    here, nxt = Layer("l"), Layer("l+1")
    for l in range(L - 1, 0, -1):
        names = {nxt.W: S.W[l + 1], nxt.delta: D[l + 1], here.fprime: F[l]}
        D[l] = ToArray(names)(rec.matrix)
    grads = derive.gradients(net.reg)
    here, prev = Layer("l"), Layer("l-1")
    dW, db = [None] * (L + 1), [None] * (L + 1)
    for l in range(1, L + 1):
        names = {here.delta: D[l], prev.a: A[l - 1], here.W: S.W[l], derive.ONES: derive.ONES}
        dW[l] = ToArray(names)(grads.weight_matrix)
        db[l] = ToArray(names)(grads.bias_matrix)
    J = sumall(_per_unit_loss(net, A[L], S.Y, Z[L])) / m
    if net.reg.expr != 0:
        J += sp.Add(*[sumall(net.reg.expr.subs(w, S.W[l])) for l in range(1, L + 1)])
    return S, dict(J=J, z=Z, a=A, fprime=F, delta=D, dW=dW, db=db)


def _per_unit_loss(net, A, Y, Z):
    stable = STABLE_FORMS.get((net.output.name, net.loss.name))
    if stable is not None:
        return stable.subs({z: Z, y: Y})
    return net.loss.expr.subs({a: A, y: Y})


class _ArrayPrinter(NumPyPrinter):
    """NumPy code with subtractions written as such.

    SymPy orders ``a - Y`` as ``-Y + a``, which NumPy evaluates as a full
    negated copy of ``Y`` followed by an addition: one pass over the batch more
    than ``a - Y``. Printing the positive terms first avoids it.
    """

    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        terms.sort(key=lambda t: t.could_extract_minus_sign())  # stable: positives first
        return super()._print_Add(sp.Add(*terms, evaluate=False), order="none")

    def _print_Heaviside(self, expr):
        # relu' = Heaviside(z, 0): one ufunc pass, where SymPy's default prints a select()
        # over a list of conditions (several passes and a NaN default).
        arg, at_zero = expr.args if len(expr.args) == 2 else (expr.args[0], sp.S.Half)
        return f"heaviside({self._print(arg)}, {self._print(sp.Float(at_zero))})"


def _printer():
    # lambdify's own settings for a NumPy printer, plus our function names.
    return _ArrayPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                          "user_functions": {name: name for name in NUMPY_FUNCTIONS}})


def _lambdify(args, exprs):
    return sp.lambdify(args, exprs, modules=[NUMPY_FUNCTIONS, "numpy"], printer=_printer(), cse=True)


class NumericNet:
    """NumPy loss and gradients of one network, compiled once."""

    def __init__(self, net):
        self.net = net
        S, e = build_expressions(net)
        L = net.depth
        args = S.args()
        self._loss = _lambdify(args, e["J"])
        self._grads = _lambdify(args, [g for l in range(1, L + 1) for g in (e["dW"][l], e["db"][l])])
        layers = range(1, L + 1)
        self._trace = _lambdify(args, [e["J"], [e["z"][l] for l in layers], [e["a"][l] for l in layers],
                                       [e["delta"][l] for l in layers],
                                       [e["fprime"][l] if e["fprime"][l] is not None else sp.S.Zero
                                        for l in layers],
                                       [e["dW"][l] for l in layers], [e["db"][l] for l in layers]])
        self.expressions = e

    # -- layout: the compiled functions are in columns; rows is the transposed view
    def _columns(self, params, X, Y):
        """Parameters, X and Y in column layout, checked; Y None (predict) means no targets."""
        X = np.asarray(X, dtype=float)
        Y = None if Y is None else np.asarray(Y, dtype=float)
        if self.net.layout == "rows":
            params = [(W.T, b.T) for W, b in params]
            X, Y = X.T, (None if Y is None else Y.T)
        if Y is not None and Y.ndim == 1 and self.net.sizes[-1] == 1:  # one output unit: a row of targets
            Y = Y.reshape(1, -1)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        flat = [np.asarray(p, dtype=float) for pair in params for p in pair]
        return flat, X, Y

    def _rows(self, pairs):
        return [(W.T, b.T) for W, b in pairs] if self.net.layout == "rows" else pairs

    def loss(self, params, X, Y, lam: float = 0.0) -> float:
        """J: the mean per-sample loss over the samples of X, Y plus the regulariser at ``lam``."""
        validate.data(self.net, params, X, Y)
        flat, X, Y = self._columns(params, X, Y)
        return float(self._loss(*flat, X, Y, lam, X.shape[1]))

    def gradients(self, params, X, Y, lam: float = 0.0):
        """[(dW1, db1), ...] in the shapes of the parameters."""
        validate.data(self.net, params, X, Y)
        flat, X, Y = self._columns(params, X, Y)
        g = self._grads(*flat, X, Y, lam, X.shape[1])
        pairs = [(np.asarray(g[2 * t]), np.asarray(g[2 * t + 1])) for t in range(self.net.depth)]
        return self._rows(pairs)

    def trace(self, params, X, Y, lam: float = 0.0) -> Trace:
        """All layer quantities, in column layout whatever the network's layout."""
        validate.data(self.net, params, X, Y)
        flat, X, Y = self._columns(params, X, Y)
        J, Zs, As, Ds, Fs, dWs, dbs = self._trace(*flat, X, Y, lam, X.shape[1])
        none = [None]
        return Trace(float(J), none + list(Zs), [X] + list(As), none + list(Ds),
                     none + [np.broadcast_to(f, z_.shape) * 1.0 for f, z_ in zip(Fs, Zs)],
                     none + list(dWs), none + list(dbs))

    def predict(self, params, X):
        """The network's output a^(L) (in the network's layout)."""
        validate.inputs(self.net, params, X)
        flat, Xc, _ = self._columns(params, X, None)
        _, A = forward([self.net.activation(l) for l in range(1, self.net.depth + 1)],
                       [None] + flat[0::2], [None] + flat[1::2], Xc)
        return A[-1].T if self.net.layout == "rows" else A[-1]


def forward(activations, W, b, X, at=None, bump=None):
    """z and a of every layer, column layout: the one forward pass outside the compiled code.

    ``W[l]``, ``b[l]`` for l = 1..L (index 0 unused); ``at=("z", l)`` or ``("a", l)`` adds
    ``bump`` to that quantity on the way (the checker's finite differences).
    """
    L = len(activations)
    zs, as_ = [None] * (L + 1), [X + bump if at == ("a", 0) else X] + [None] * L
    for l in range(1, L + 1):
        zs[l] = W[l] @ as_[l - 1] + b[l]
        if at == ("z", l):
            zs[l] = zs[l] + bump
        as_[l] = acts.numpy_function(activations[l - 1])(zs[l])
        if at == ("a", l):
            as_[l] = as_[l] + bump
    return zs, as_


def compile_network(net) -> NumericNet:
    return NumericNet(net)
