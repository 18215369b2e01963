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
from . import backends, derive, validate
from .activations import a, z
from .derive import Layer
from .losses import STABLE_FORMS, lam, logsumexp, m, softplus, w, y
from .npnames import prepare as prepare_numpy_names

matmul = sp.Function("matmul")
T = sp.Function("T")
tmatmul = sp.Function("tmatmul")   # tmatmul(A, B) = A^T B (JAX and PyTorch only)
BACKEND_ONLY = ("tmatmul", "dsigmoid", "dtanh", "dstep")
rowsum = sp.Function("rowsum")     # sum over the batch (columns), keeps the column shape
colsum = sp.Function("colsum")     # sum over units (rows) of each sample
sumall = sp.Function("sumall")
softmax = sp.Function("softmax")


# The NumPy table lives with the other backends (backends.py); the name stays importable here.
NUMPY_FUNCTIONS = backends.NUMPY_FUNCTIONS


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
                          "user_functions": {name: name for name in [*NUMPY_FUNCTIONS, *BACKEND_ONLY]}})


def _lambdify(args, exprs, rt=None):
    if rt is None or rt.name == "numpy":   # the NumPy path exactly as it always was
        prepare_numpy_names()
        return sp.lambdify(args, exprs, modules=[NUMPY_FUNCTIONS, "numpy"], printer=_printer(), cse=True)
    return sp.lambdify(args, _backend_forms(exprs), modules=rt.namespace(), printer=_printer(), cse=True)


def _backend_forms(exprs):
    """The array algebra as the JAX and PyTorch tables want it: the same values, fewer passes.

    * ``matmul(T(A), B)`` -> ``tmatmul(A, B)``: a backend chooses how to form a
      product with a transposed left factor (XLA on CPU runs it at half speed
      unless the small weight's transpose is materialised; see backends.py).
    * ``D * f'(z)`` for the derived ``f'`` of sigmoid ``a(1 - a)``, of tanh
      ``1 - a^2`` and of relu ``Heaviside(z, 0)`` -> ``dsigmoid(D, a)``,
      ``dtanh(D, a)``, ``dstep(D, z)``: one elementwise pass where eager
      PyTorch would make three. Only these exact derived forms are matched;
      any other f' (a custom activation's) stays as it is.
    * numbers -> floats.
    """
    if isinstance(exprs, list):
        return [_backend_forms(e) for e in exprs]
    left_transposed = lambda e: e.func == matmul and e.args[0].func == T  # noqa: E731
    exprs = exprs.replace(left_transposed, lambda e: tmatmul(e.args[0].args[0], e.args[1]))
    exprs = exprs.replace(lambda e: e.is_Mul and _fused_fprime(e) is not None, _fused_fprime)
    return _numbers_as_floats(exprs)


dsigmoid, dtanh, dstep = (sp.Function(name) for name in ("dsigmoid", "dtanh", "dstep"))


def _fused_fprime(product):
    """``D * f'`` as one fused call, or None; D must hold a matrix product (the back-propagated delta)."""
    factors = list(product.args)
    for k, f in enumerate(factors):
        rest = factors[:k] + factors[k + 1:]
        if isinstance(f, sp.Heaviside) and f.args[1:] == (0,):
            fused, rest = dstep, (rest, f.args[0])
        elif f.is_Add and (1 - f) in rest:                                   # a * (1 - a)
            a_ = 1 - f
            fused, rest = dsigmoid, ([g for g in rest if g != a_], a_)
        elif f.is_Add and (1 - f).is_Pow and (1 - f).exp == 2:                # 1 - a^2
            fused, rest = dtanh, (rest, (1 - f).base)
        else:
            continue
        D = sp.Mul(*rest[0])
        if D.has(matmul, tmatmul):
            return fused(D, rest[1])
    return None


def _numbers_as_floats(exprs):
    """``log(2)`` or ``sqrt(2)`` in a custom activation as a float: torch.log takes no Python number."""
    def fold(e):
        return e.replace(lambda s: isinstance(s, (sp.Function, sp.Pow)) and s.is_number,
                         lambda s: s.evalf())
    return [_numbers_as_floats(e) for e in exprs] if isinstance(exprs, list) else fold(exprs)


class NumericNet:
    """Loss and gradients of one network, compiled once for one backend (see backends.py).

    The compiled kernels work in columns; each public method is one compiled
    *program* that brings its inputs to columns, runs its kernel and brings
    the results back to the network's layout, so that under ``jax.jit`` the
    layout transposes are compiled in as well.
    """

    def __init__(self, net, backend: str = "numpy", compile: bool = False):
        self.net = net
        self.backend = backend
        rt = self._rt = backends.runtime(backend)
        S, e = build_expressions(net)
        L = net.depth
        args = S.args()
        layers = range(1, L + 1)
        kernel = {
            "loss": _lambdify(args, e["J"], rt),
            "gradients": _lambdify(args, [g for l in layers for g in (e["dW"][l], e["db"][l])], rt),
            "trace": _lambdify(args, [e["J"], [e["z"][l] for l in layers], [e["a"][l] for l in layers],
                                      [e["delta"][l] for l in layers],
                                      [e["fprime"][l] if e["fprime"][l] is not None else sp.S.Zero
                                       for l in layers],
                                      [e["dW"][l] for l in layers], [e["db"][l] for l in layers]], rt),
        }
        self._loss, self._grads, self._trace = kernel["loss"], kernel["gradients"], kernel["trace"]
        finish = {"loss": lambda J, X: J, "gradients": self._pairs, "trace": self._trace_parts}
        self._programs = {name: rt.compile(self._program(kernel[name], finish[name]), compile)
                          for name in kernel}
        self._programs["predict"] = rt.compile(self._predict_program(), compile)
        self.expressions = e

    # -- layout: the compiled kernels are in columns; rows is the transposed view
    def _columns(self, params, X, Y):
        """Parameters, X and Y in column layout, on the backend; Y None (predict) means no targets."""
        asarray = self._rt.asarray
        X, Y = asarray(X), asarray(Y)
        if self.net.layout == "rows":
            params = [(W.T, b.T) for W, b in params]
            X, Y = X.T, (None if Y is None else Y.T)
        if Y is not None and Y.ndim == 1 and self.net.sizes[-1] == 1:  # one output unit: a row of targets
            Y = Y.reshape(1, -1)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        flat = [asarray(p) for pair in params for p in pair]
        if not self.net.bias:          # mlp(..., bias=False): the biases are not parameters; they stay 0
            flat[1::2] = [b * 0 for b in flat[1::2]]
        return flat, X, Y

    def _rows(self, pairs):
        return [(W.T, b.T) for W, b in pairs] if self.net.layout == "rows" else pairs

    def _program(self, kernel, finish):
        def program(params, X, Y, lam):
            flat, X, Y = self._columns(params, X, Y)
            return finish(kernel(*flat, X, Y, lam, X.shape[1]), X)
        return program

    def _pairs(self, g, X):
        asarray = self._rt.asarray
        if self.net.bias:
            return self._rows([(asarray(g[2 * t]), asarray(g[2 * t + 1])) for t in range(self.net.depth)])
        # no bias terms: their gradients are 0
        return self._rows([(asarray(g[2 * t]), asarray(g[2 * t + 1]) * 0.0) for t in range(self.net.depth)])

    def _trace_parts(self, parts, X):
        J, Zs, As, Ds, Fs, dWs, dbs = parts
        Fs = [self._rt.broadcast(f, z_) for f, z_ in zip(Fs, Zs)]
        return J, list(Zs), [X] + list(As), list(Ds), Fs, list(dWs), list(dbs)

    def loss(self, params, X, Y, lam: float = 0.0) -> float:
        """J: the mean per-sample loss over the samples of X, Y plus the regulariser at ``lam``.

        A float on NumPy; a 0-d array / tensor on JAX / PyTorch.
        """
        validate.data(self.net, params, X, Y)
        validate.penalty(lam)
        return self._rt.scalar(self._programs["loss"](params, X, Y, lam))

    def gradients(self, params, X, Y, lam: float = 0.0):
        """[(dW1, db1), ...] in the shapes of the parameters."""
        validate.data(self.net, params, X, Y)
        validate.penalty(lam)
        return self._programs["gradients"](params, X, Y, lam)

    def trace(self, params, X, Y, lam: float = 0.0) -> Trace:
        """All layer quantities, in column layout whatever the network's layout."""
        validate.data(self.net, params, X, Y)
        validate.penalty(lam)
        J, Zs, As, Ds, Fs, dWs, dbs = self._programs["trace"](params, X, Y, lam)
        none = [None]
        return Trace(self._rt.scalar(J), none + Zs, As, none + Ds, none + Fs, none + dWs, none + dbs)

    def predict(self, params, X):
        """The network's output a^(L) (in the network's layout)."""
        validate.inputs(self.net, params, X)
        return self._programs["predict"](params, X)

    def _predict_program(self):
        steps = [_forward(self.net.activation(l), self._rt) for l in range(1, self.net.depth + 1)]
        rows = self.net.layout == "rows"

        def predict(params, X):
            A = self._rt.asarray(X)
            A = A.T if rows else A
            A = A.reshape(-1, 1) if A.ndim == 1 else A
            for (W, b), f in zip(params, steps):
                W, b = self._rt.asarray(W), self._rt.asarray(b)
                A = f((W.T if rows else W) @ A + (b.T if rows else b))
            return A.T if rows else A
        return predict


def _forward(act, rt):
    """The activation as a function on the backend's arrays."""
    if rt.name == "numpy":
        return acts.numpy_function(act)
    if act.name == "softmax":
        return rt.functions["softmax"]
    if act.numpy is not None and act.name in acts.ACTIVATIONS:
        return rt.functions[f"act_{act.name}"]
    return sp.lambdify(z, _numbers_as_floats(act.expr), modules=rt.namespace(), printer=_printer())


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


def compile_network(net, backend: str = "numpy", compile: bool = False) -> NumericNet:
    return NumericNet(net, backend, compile)
