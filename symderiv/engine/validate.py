"""Shape checks of what a user hands to the compiled NumPy functions.

``NumericNet.loss / gradients / trace / predict`` call ``data`` or ``inputs``
first, so a wrong layout (samples as rows given to a columns network) or a
wrong width is a ``ValueError`` that names the expected shapes and the layout,
never NumPy's ``matmul: Input operand 1 has a mismatch in its core dimension``.

The widths are read from the parameters, not from ``net.sizes``: the compiled
functions never depend on shapes, and the checker (verify) reuses one compiled
network at many widths. What must hold is that the parameters chain
(W_l maps n_{l-1} to n_l), that their number is the network's depth, and that
X and Y fit them.

>>> import symderiv, numpy as np
>>> net = symderiv.mlp([3, 4, 2])
>>> data(net, net.init_params(), np.ones((5, 3)), np.ones((2, 5)))
Traceback (most recent call last):
...
ValueError: X has shape (5, 3), but this network (3-4-2, columns layout) needs X of shape (3, m): one sample per column. It looks like samples as rows: pass X.T, or build the network with layout="rows".
"""
from __future__ import annotations

import numpy as np

from ..errors import DataError

# layout -> (axis of features in X and Y, how people say it, the other layout, one-hot targets)
LAYOUTS = {
    "columns": (0, "one sample per column", "rows", "np.eye({n})[:, labels]"),
    "rows": (1, "one sample per row", "columns", "np.eye({n})[labels]"),
}


def data(net, params, X, Y) -> None:
    """Refuse parameters, inputs X and targets Y that do not fit ``net`` (ValueError)."""
    widths = _widths(net, params)
    m = _samples(net, widths, "X", X, widths[0])
    m_y = _samples(net, widths, "Y", Y, widths[-1])
    if m == 0:
        raise DataError("X holds no samples: the loss and its gradients are means over at least one sample")
    if m_y != m:
        raise DataError(f"X holds {m} samples but Y holds {m_y}: {_where(net, widths)} needs one "
                        f"target per sample ({LAYOUTS[net.layout][1]} in both)")
    if net.output.name == "softmax" and net.loss.name == "ce" and isinstance(Y, (np.ndarray, list)):
        _one_hot(net, np.asarray(Y))   # values of JAX tracers and device tensors are not read


def penalty(lam) -> None:
    """Refuse a regularisation strength that is not a real number (a string, a complex number)."""
    if isinstance(lam, (str, bytes, bool)) or np.iscomplexobj(lam):
        raise TypeError(f"lam must be a real number, got {type(lam).__name__} {lam!r}")


def _one_hot(net, Y) -> None:
    """The premise of softmax + cross-entropy's derived delta a - y: each target sums to 1 (sum_k y_k = 1)."""
    axis = LAYOUTS[net.layout][0]
    if Y.size == 0:
        return
    # the ufuncs' reduce directly: this runs on every training call, and ndarray.sum/.max wrappers
    # cost as much as the reductions themselves on a 32-sample batch
    sums = np.add.reduce(Y, axis=axis)
    # float32 probability vectors sum to 1 only to float32's precision
    tol = 1e-5 if Y.dtype == np.float32 else 1e-9
    if not (np.maximum.reduce(np.abs(sums - 1.0), axis=None) < tol and np.minimum.reduce(Y, axis=None) >= 0):
        bad = int(np.argmax(np.abs(sums - 1.0)))
        raise DataError(f"softmax with ce needs each column of Y to be one-hot (or a probability "
                        f"vector): column {bad} sums to {sums[bad]:g}")


def inputs(net, params, X) -> None:
    """Refuse parameters and inputs X that do not fit ``net`` (ValueError)."""
    widths = _widths(net, params)
    _samples(net, widths, "X", X, widths[0])


def _shape(n, layout: str) -> str:
    return f"({n}, m)" if layout == "columns" else f"(m, {n})"


def _where(net, widths) -> str:
    return f"this network ({'-'.join(map(str, widths))}, {net.layout} layout)"


def _widths(net, params) -> list[int]:
    """n_0 ... n_L read from the parameters, after checking that they chain."""
    try:
        pairs = [(_shape_of(W), _shape_of(b)) for W, b in params]
    except (TypeError, ValueError):
        raise DataError(f"params must be a list of (W, b) pairs, one per weight layer "
                        f"({net.depth} for this network), as net.init_params() returns") from None
    if len(pairs) != net.depth:
        raise DataError(f"params has {len(pairs)} (W, b) pairs but the network has {net.depth} weight layers")
    if net.layout == "rows":   # the same checks on the column-layout shapes
        pairs = [(w[::-1], b[::-1]) for w, b in pairs]
    widths = [pairs[0][0][-1] if pairs[0][0] else None]
    for l, (w, b) in enumerate(pairs, start=1):
        if len(w) != 2 or b != (w[0], 1):
            raise DataError(f"W{l} has shape {_user(w, net)} and b{l} has shape {_user(b, net)}: in "
                            f"{net.layout} layout W_l must be {_PARAM_SHAPES[net.layout]}")
        if w[1] != widths[-1]:
            raise DataError(f"W{l} has shape {_user(w, net)} but layer {l - 1} has {widths[-1]} units: "
                            f"W{l} must be {_user((w[0], widths[-1]), net)} in {net.layout} layout")
        widths.append(w[0])
    return widths


def _user(shape: tuple, net) -> tuple:
    """A column-layout shape as the user's layout writes it."""
    return shape[::-1] if net.layout == "rows" else shape


_PARAM_SHAPES = {"columns": "(n_l, n_{l-1}) and b_l (n_l, 1)", "rows": "(n_{l-1}, n_l) and b_l (1, n_l)"}


def _shape_of(value) -> tuple:
    # .shape first: np.shape costs a function call per array on the training path
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else np.shape(value)


def _samples(net, widths, name: str, value, n: int) -> int:
    """The number of samples in X or Y, whose feature axis must have ``n`` entries.

    A 1-D X is one sample; a 1-D Y is one target per sample (a one-unit output).
    """
    shape = _shape_of(value)
    axis, words, other, one_hot = LAYOUTS[net.layout]
    if len(shape) == 1:
        if name == "X" and shape[0] == n:
            return 1
        if name == "Y" and n == 1:
            return shape[0]
    elif len(shape) == 2 and shape[axis] == n:
        return shape[1 - axis]
    hint = ""
    if len(shape) == 2 and shape[1 - axis] == n:
        hint = (f" It looks like samples as {other}: pass {name}.T, or build the network with "
                f'layout="{other}".')
    elif name == "Y" and len(shape) == 1:
        hint = f" Class labels? Give one-hot targets: {one_hot.format(n=n)}."
    raise DataError(f"{name} has shape {shape}, but {_where(net, widths)} needs {name} of shape "
                    f"{_shape(n, net.layout)}: {words}.{hint}")
