"""Array backends for the compiled gradients: one table, backend name -> how to run there.

numeric.py prints the derived array algebra once, as Python source that calls a
handful of names (``matmul``, ``T``, ``rowsum``, ``softmax``, ``act_sigmoid``,
``heaviside``, ``exp`` ...). A backend is what those names mean, plus how
arrays come in (``asarray``), how the loss comes out (``scalar``) and how a
whole wrapped function is compiled (``compile``). Nothing else in the pipeline
knows which library runs it, so a backend is one row of ``BACKENDS``:

* ``numpy`` (the default): NumPy arrays in and out, the loss as a float.
* ``jax``: every function is ``jax.jit``-compiled, JAX arrays in and out (NumPy
  arrays are accepted as input), never a round trip through NumPy. Float64
  needs ``jax.config.update("jax_enable_x64", True)``, which is the user's
  call, not a library's: without it JAX computes in float32.
* ``torch``: tensors in and out, on the tensors' own device and in their dtype,
  computed under ``torch.no_grad()`` (the gradients are derived, autograd has
  nothing to record); ``compile=True`` wraps each function in ``torch.compile``.

A backend's library is imported only when the backend is first used; when it
is missing, ``BackendUnavailable`` says in one line which extra installs it.

>>> runtime("numpy").functions["rowsum"](__import__("numpy").ones((2, 3))).shape
(2, 1)
"""
from __future__ import annotations

import functools
import importlib
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import activations as acts
from ..errors import BackendUnavailable, ModelError  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Runtime:
    """What the printed code's names mean on one array library."""

    name: str
    functions: dict                      # names the printer emits -> implementations
    fallback: dict                       # the library's namespace for names a custom activation needs
    asarray: Callable                    # one input (parameter, X or Y) -> the library's array
    scalar: Callable                     # the loss J as the API returns it
    compile: Callable                    # (function, wanted) -> the function as the API calls it
    broadcast: Callable                  # (value, like) -> value as an array of like's shape, dtype, device
    to_numpy: Callable = field(default=np.asarray)
    prefer_float64: Callable = field(default=lambda: None)   # for a program that wants float64 (the CLI)

    def namespace(self) -> list:
        """``modules=`` for sympy.lambdify: our names first, the library's for the rest."""
        return [self.functions, self.fallback]


# ---- NumPy ------------------------------------------------------------------

def _np_logsumexp(Z):
    top = Z.max(axis=0, keepdims=True)
    return top + np.log(np.exp(Z - top).sum(axis=0, keepdims=True))


def _np_heaviside(X, at_zero):
    # relu' = Heaviside(z, 0): a comparison is 10x faster than np.heaviside (measured 22 us vs
    # 228 us on 25 x 1797), and multiplying by a boolean array is multiplying by 0 or 1.
    return X > 0 if at_zero == 0 else np.heaviside(X, at_zero)


NUMPY_FUNCTIONS = {
    "matmul": np.matmul,
    "T": np.transpose,
    "rowsum": lambda X: X.sum(axis=1, keepdims=True),
    "colsum": lambda X: X.sum(axis=0, keepdims=True),
    "sumall": np.sum,
    "softmax": acts.np_softmax,
    "logsumexp": _np_logsumexp,
    "softplus": lambda X: np.logaddexp(0.0, X),
    "heaviside": _np_heaviside,
    **{f"act_{name}": act.numpy for name, act in acts.ACTIVATIONS.items() if act.numpy},
}


_KEPT = (np.dtype(np.float32), np.dtype(np.float64))


def numpy_array(A) -> np.ndarray:
    """``A`` as a real floating array in the caller's precision: float32 stays float32.

    float64 and float32 pass unchanged (a mixed call computes in float64, NumPy's own
    promotion); integers and booleans become float64. Complex values, strings and objects
    are refused rather than silently coerced (a complex part would be dropped).

    >>> numpy_array(np.ones(2, dtype=np.float32)).dtype
    dtype('float32')
    """
    if type(A) is np.ndarray and A.dtype in _KEPT:   # the training path: nothing to convert
        return A
    a = np.asarray(A)
    if a.dtype.kind == "f":
        return a if a.dtype in _KEPT else a.astype(np.float64)
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    kind = {"c": "complex numbers"}.get(a.dtype.kind, f"values of dtype {a.dtype}")
    raise TypeError(f"gradients need real numbers (float32 or float64 arrays), got {kind}")


def _load_numpy() -> Runtime:
    return Runtime("numpy", NUMPY_FUNCTIONS, {"reduce": functools.reduce, **vars(np)},
                   asarray=numpy_array, scalar=float,
                   compile=lambda fn, wanted: fn,
                   broadcast=lambda f, like: np.broadcast_to(f, like.shape) * 1.0)


# ---- JAX --------------------------------------------------------------------

TRANSPOSE_COPY_FROM = 1 << 24   # multiply-adds of A^T B from which the transpose is materialised

def _load_jax() -> Runtime:
    import jax
    import jax.numpy as jnp
    import jax.scipy.special as jsp

    def heaviside(X, at_zero):
        # relu' is Heaviside(z, 0): a single compare, where jnp.heaviside nests two selects.
        if at_zero == 0:
            return (X > 0).astype(X.dtype)
        return jnp.heaviside(X, at_zero)

    def tmatmul(A, B):
        # A^T B. XLA folds a transpose into the product, and on CPU the product with a
        # transposed left factor then runs at half the speed of a plain one (measured:
        # 17 ms vs 8.7 ms for a 256x128 weight times a 128x5000 delta). The barrier keeps
        # the small weight's transpose a real copy, so the product is a plain one. Shapes
        # are static under jit: small products, where the extra copy is not repaid, stay as
        # they are.
        if A.shape[0] * A.shape[1] * B.shape[-1] < TRANSPOSE_COPY_FROM:
            return A.T @ B
        return jax.lax.optimization_barrier(A.T) @ B

    functions = {
        "matmul": jnp.matmul,
        "tmatmul": tmatmul,
        # XLA fuses elementwise work itself: these are the formulas as written.
        "dsigmoid": lambda D, A: D * A * (1 - A),
        "dtanh": lambda D, A: D * (1 - A * A),
        "dstep": lambda D, Z: jnp.where(Z > 0, D, 0.0),
        "T": jnp.transpose,
        "rowsum": lambda X: X.sum(axis=1, keepdims=True),
        "colsum": lambda X: X.sum(axis=0, keepdims=True),
        "sumall": jnp.sum,
        "softmax": lambda Z: jax.nn.softmax(Z, axis=0),
        "logsumexp": lambda Z: jax.nn.logsumexp(Z, axis=0, keepdims=True),
        "softplus": lambda X: jnp.logaddexp(0.0, X),
        "heaviside": heaviside,
        "act_sigmoid": jax.nn.sigmoid,
        "act_tanh": jnp.tanh,
        "act_relu": lambda X: jnp.maximum(X, 0.0),
        "act_identity": lambda X: X,
    }
    fallback = {"reduce": functools.reduce, **vars(jsp), **vars(jnp)}
    return Runtime("jax", functions, fallback, asarray=jnp.asarray, scalar=lambda J: J,
                   compile=lambda fn, wanted: jax.jit(fn),
                   broadcast=lambda f, like: jnp.broadcast_to(jnp.asarray(f, dtype=like.dtype), like.shape),
                   prefer_float64=lambda: jax.config.update("jax_enable_x64", True))


# ---- PyTorch ----------------------------------------------------------------

def _load_torch() -> Runtime:
    import torch

    def heaviside(X, at_zero):
        if at_zero == 0:
            return (X > 0).to(X.dtype)
        return torch.heaviside(X, torch.tensor(at_zero, dtype=X.dtype, device=X.device))

    def pairwise(op):
        # Max(0, z) prints as reduce(maximum, [0, z]); torch.maximum wants two tensors. A 0-d
        # tensor mixes with a tensor on any device and takes its dtype, as a Python number would.
        return lambda p, q: op(torch.as_tensor(p), torch.as_tensor(q))

    def select(conditions, choices, default=math.nan):
        # numpy.select: the first true condition wins, so build the where-chain from the last.
        out = default
        for cond, choice in reversed(list(zip(conditions, choices))):
            out = choice if cond is True else torch.where(cond, choice, out)
        return out

    def softplus(X):
        return torch.clamp(X, min=0) + torch.log1p(torch.exp(-torch.abs(X)))

    functions = {
        "matmul": torch.matmul,
        "tmatmul": lambda A, B: A.T @ B,
        # D * a(1 - a), D * (1 - a^2), D * [z > 0] in one pass each: ATen's fused kernels for
        # exactly these formulas (the ones autograd uses for sigmoid, tanh and relu).
        "dsigmoid": torch.ops.aten.sigmoid_backward,
        "dtanh": torch.ops.aten.tanh_backward,
        "dstep": lambda D, Z: torch.ops.aten.threshold_backward(D, Z, 0),
        "T": lambda X: X.T,
        "rowsum": lambda X: X.sum(dim=1, keepdim=True),
        "colsum": lambda X: X.sum(dim=0, keepdim=True),
        "sumall": torch.sum,
        "softmax": lambda Z: torch.softmax(Z, dim=0),
        "logsumexp": lambda Z: torch.logsumexp(Z, dim=0, keepdim=True),
        "softplus": softplus,
        "heaviside": heaviside,
        "maximum": pairwise(torch.maximum),
        "minimum": pairwise(torch.minimum),
        "select": select,
        "act_sigmoid": torch.sigmoid,
        "act_tanh": torch.tanh,
        "act_relu": torch.relu,
        "act_identity": lambda X: X,
    }
    fallback = {"reduce": functools.reduce, "nan": math.nan, "inf": math.inf,
                **{k: v for k, v in vars(torch.special).items() if not k.startswith("_")},
                **{k: v for k, v in vars(torch).items() if not k.startswith("_")}}

    def asarray(A):
        return A if isinstance(A, torch.Tensor) else torch.as_tensor(A)

    def compile_(fn, wanted):
        fn = torch.no_grad()(fn)
        if not wanted:
            return fn
        compiled = torch.compile(fn, dynamic=False)
        # torch.compile specialises on Python floats: lambda as a 0-d float64 tensor (which takes
        # the other operands' dtype and device) keeps one compiled graph for every lambda.
        as_tensor = lambda v: torch.tensor(v, dtype=torch.float64) if isinstance(v, float) else v  # noqa: E731
        return lambda *args: compiled(*map(as_tensor, args))

    def broadcast(f, like):
        return torch.as_tensor(f, dtype=like.dtype, device=like.device).expand(like.shape).clone()

    return Runtime("torch", functions, fallback, asarray=asarray, scalar=lambda J: J,
                   compile=compile_, broadcast=broadcast,
                   to_numpy=lambda A: A.detach().cpu().numpy())


# ---- the table --------------------------------------------------------------

@dataclass(frozen=True)
class Backend:
    library: str                 # the module that must import
    extra: str | None            # the pip extra that installs it
    load: Callable[[], Runtime]


BACKENDS: dict[str, Backend] = {
    "numpy": Backend("numpy", None, _load_numpy),
    "jax": Backend("jax", "jax", _load_jax),
    "torch": Backend("torch", "torch", _load_torch),
}


def runtime(name: str) -> Runtime:
    """The loaded backend ``name``; ValueError for an unknown name, BackendUnavailable without its library."""
    try:
        backend = BACKENDS[name]
    except (KeyError, TypeError):
        raise ModelError(f"unknown backend {name!r}; known: {', '.join(BACKENDS)}") from None
    try:
        importlib.import_module(backend.library)
    except ImportError:
        raise BackendUnavailable(f"the {name} backend needs {backend.library}, which is not installed: "
                                 f"pip install 'symderiv[{backend.extra}]'") from None
    return _loaded(name)


@functools.lru_cache(maxsize=None)
def _loaded(name: str) -> Runtime:
    return BACKENDS[name].load()
