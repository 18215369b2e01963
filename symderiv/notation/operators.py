"""The numeric meaning of the operators on NumPy values: which shapes add (a bias column broadcasts over
the batch), multiply, divide and raise to a power, and how a product written ambiguously is read by its
factors' types.

Juxtaposition, ``\\cdot``, ``\\times``, ``*`` and ``\\ast`` mean the matrix product in one text and the
element-wise product in the next: ``(a - y)\\, a(1-a)``, ``\\sigma(Z)\\cdot(1-\\sigma(Z))``,
``dZ \\cdot W^T \\times f'(Z)``.  Such a product is read as its row says (juxtaposition, ``\\cdot`` and
``\\times`` a matrix product; ``*`` element-wise) wherever its factors' shapes allow that; where they allow
only the other product, it is that one, as a reader would take it, and the reading is recorded so the
verdict states it (``typed_products``).  ``\\odot``, ``\\circ`` and ``.*`` are always element-wise.

>>> import numpy as np

from .tree import Partial
>>> col = np.ones((3, 1))
>>> with typed_products() as typed:
...     shape_of(product("mm")(None, col, 2 * col))
'3×1'
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

import numpy as np

from .tree import Partial


class ShapeError(Exception):
    """The claim's own expression has incompatible shapes in this context. ``what`` names the operation
    (``add``, ``mm``, ``had``, ``div``, ``index``; "" when not one of these) and ``shapes`` its operands'
    shapes (for ``index``: the quantity and its shape), so a report reads data, not the message."""

    def __init__(self, message: str, what: str = "", shapes: tuple = ()):
        super().__init__(message)
        self.what, self.shapes = what, shapes


class Unevaluable(Exception):
    """The construct has no numeric meaning in this context (a matrix exponent, softmax of a scalar)."""


def shape_of(v) -> str:
    """'scalar', '7×9', or '7×9×7×6' for the tensor of a matrix-by-matrix derivative."""
    return "scalar" if not isinstance(v, np.ndarray) else "×".join(map(str, v.shape))


def add(x, y):
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        # z = W a + b: a bias column broadcasts over the batch; nothing else does
        if not (x.ndim == y.ndim == 2 and (x.shape[0] == y.shape[0] and 1 in (x.shape[1], y.shape[1])
                                           or x.shape[1] == y.shape[1] and 1 in (x.shape[0], y.shape[0]))):
            raise ShapeError(f"adding {shape_of(x)} and {shape_of(y)}", "add", (shape_of(x), shape_of(y)))
    return x + y


def matrix_product(x, y):
    if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
        return x * y
    if x.ndim == 2 and y.ndim == 4 and x.shape == y.shape[:2]:
        return np.tensordot(x, y, axes=2)       # dJ/dz . dz/dW: the chain rule, contracting over (unit, sample)
    if x.shape[1] == y.shape[0]:
        return x @ y
    if x.size == 1 or y.size == 1:
        return x * y
    raise ShapeError(f"matrix product of {shape_of(x)} and {shape_of(y)}", "mm", (shape_of(x), shape_of(y)))


def hadamard(x, y):
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        raise ShapeError(f"Hadamard product of {shape_of(x)} and {shape_of(y)}", "had", (shape_of(x), shape_of(y)))
    return x * y


def divide(x, y):
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        raise ShapeError(f"elementwise division of {shape_of(x)} by {shape_of(y)}", "div",
                         (shape_of(x), shape_of(y)))
    with np.errstate(all="ignore"):
        return np.float64(x) / y if not isinstance(x, np.ndarray) else x / y    # 1/0 is inf, not an error


def power(x, e):
    if isinstance(e, np.ndarray):
        raise Unevaluable("a matrix exponent")
    with np.errstate(all="ignore"):
        if isinstance(x, np.ndarray):
            return np.power(x, e)
        if not (x > 0 or float(e).is_integer()):
            return float("nan")
        return float(np.power(np.float64(x), np.float64(e)))     # an overflow is inf, not an error


# ---------------------------------------------------------------- products read by their factors' types
AMBIGUOUS = frozenset({"", r"\cdot", r"\times", "*", r"\ast"})    # spellings that name neither product for sure

_TYPED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("typed_products", default=None)


@contextmanager
def typed_products():
    """Collect, while the block runs, the products read by their factors' types: ``{id(node): (node,
    reading, left shape, right shape)}`` (a reading is a key of ``READINGS``), the first draw's shapes."""
    token = _TYPED.set({})
    try:
        yield _TYPED.get()
    finally:
        _TYPED.reset(token)


def product(kind: str):
    """The evaluation of a product row (``kind`` "mm" or "had") of a node and its factors' values: the
    written product where the shapes allow it, else, for an ambiguous spelling, the first reading of
    ``OTHERWISE[kind]`` the shapes allow."""
    own = READINGS[kind]

    def evaluate(node, x, y):
        try:
            value = own(node, x, y)
        except ShapeError:
            if getattr(node, "style", None) not in AMBIGUOUS:
                raise
            for reading in OTHERWISE[kind]:
                try:
                    value = READINGS[reading](node, x, y)
                except ShapeError:
                    continue
                _note(node, reading, x, y)
                return value
            raise                                # nothing fits: the written product's error is the one to show
        if getattr(node, "style", None) in AMBIGUOUS and _both_fit(x, y):
            _note(node, "both", x, y)
            if _OTHER_WHERE_BOTH_FIT.get():
                return READINGS[OTHER[kind]](node, x, y)
        return value
    return evaluate


_OTHER_WHERE_BOTH_FIT: contextvars.ContextVar[bool] = contextvars.ContextVar("other_product", default=False)


@contextmanager
def other_product_where_both_fit():
    """Inside, an ambiguously written product whose factors fit both products (two square matrices of one
    size) is read as the product it is not written as: the claim's second reading, tried to see whether the
    verdict depends on the reading."""
    token = _OTHER_WHERE_BOTH_FIT.set(True)
    try:
        yield
    finally:
        _OTHER_WHERE_BOTH_FIT.reset(token)


def _both_fit(x, y) -> bool:
    return isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.ndim == y.ndim == 2 and \
        x.shape == y.shape and x.shape[0] == x.shape[1] > 1


def _chain(node, x, y):
    """A gradient (a column, shaped like its variable) times a Jacobian whose rows are that variable's
    units: the chain rule written in numerator order, dL/dz . dz/da, which is (dz/da)^T dL/dz in the
    gradient's own shape, as the batch form already contracts dL/dZ with dZ/dA over (unit, sample)."""
    if not (isinstance(node.args[1], Partial) and isinstance(x, np.ndarray) and isinstance(y, np.ndarray)
            and x.ndim == y.ndim == 2 and x.shape[1] == 1 and x.shape[0] == y.shape[0] and y.shape[1] > 1):
        raise ShapeError("not a gradient times a Jacobian")
    return y.T @ x


# d2l's prod(A, B): "after the necessary operations, such as transposition and swapping input positions"
REARRANGED = {"B^T A": lambda x, y: matrix_product(y.T, x), "B A": lambda x, y: matrix_product(y, x),
              "A B^T": lambda x, y: matrix_product(x, y.T), "A^T B": lambda x, y: matrix_product(x.T, y)}


def rearranged_product(node, x, y):
    """d2l's prod(A, B): A B or A ⊙ B where the shapes allow it; else the one rearrangement of the factors
    (REARRANGED) whose shapes fit. Rearrangements that fit with different results are two readings:
    unverifiable, never a guess."""
    for reading in ("mm", "had"):
        try:
            value = READINGS[reading](node, x, y)
        except ShapeError:
            continue
        _note(node, reading, x, y)
        return value
    fits = {}
    for name, fn in REARRANGED.items():
        try:
            fits[name] = fn(x, y)
        except ShapeError:
            pass
    if not fits:
        raise ShapeError(f"prod of {shape_of(x)} and {shape_of(y)}: no product of them, transposed or "
                         "swapped, fits", "mm", (shape_of(x), shape_of(y)))
    for name, value in list(fits.items()):       # B^T A and A^T B: one reading, a column or its row
        if any(other != name and other in fits and _transposes(value, fits[other])
               for other in list(fits)[:list(fits).index(name)]):
            del fits[name]
    values = list(fits.values())
    if any(a.shape != values[0].shape or not np.array_equal(a, values[0]) for a in values[1:]):
        raise Unevaluable(f"prod of {shape_of(x)} and {shape_of(y)} fits several products ({', '.join(fits)}): "
                          "write the one meant")
    name, value = next(iter(fits.items()))
    _note(node, name, x, y)
    return value


def _transposes(a, b) -> bool:
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.T.shape and np.array_equal(a, b.T)


def _note(node, reading, x, y):
    typed = _TYPED.get()
    if typed is not None:
        typed.setdefault(id(node), (node, reading, shape_of(x), shape_of(y)))


READINGS = {"mm": lambda node, x, y: matrix_product(x, y), "had": lambda node, x, y: hadamard(x, y), "chain": _chain}
OTHERWISE = {"mm": ("had", "chain"), "had": ("mm",)}
OTHER = {"mm": "had", "had": "mm"}
