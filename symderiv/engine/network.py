"""The network spec: layer sizes, activations, loss, regulariser, layout.

``mlp`` is the public constructor; it takes the same names as the CLI flags.

>>> net = mlp([4, 3, 2], hidden="tanh", output="softmax")
>>> net.loss.name, net.depth
('ce', 2)
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import activations as acts
from . import losses
from ..errors import ModelError

LAYOUTS = ("columns", "rows")


@dataclass(frozen=True)
class Network:
    """One network setting: widths, activations, loss, regulariser, layout (build it with ``mlp``)."""

    sizes: tuple[int, ...]            # n_0 (inputs) ... n_L (outputs)
    hidden: acts.Activation
    output: acts.Activation
    loss: losses.Loss
    reg: losses.Regulariser
    layout: str = "columns"
    bias: bool = True                 # False: no bias terms (d2l's backprop section); b stays 0

    @property
    def depth(self) -> int:
        """L, the number of weight layers."""
        return len(self.sizes) - 1

    def __repr__(self) -> str:
        shape = "-".join(map(str, self.sizes))
        return (f"Network({shape}, hidden={self.hidden.name}, output={self.output.name}, "
                f"loss={self.loss.name}, reg={self.reg.name}, layout={self.layout})")

    def activation(self, layer: int) -> acts.Activation:
        """The activation of weight layer ``layer`` (1..L): the output one at L."""
        return self.output if layer == self.depth else self.hidden

    def describe(self) -> str:
        """One line for people, e.g. '4-3-2 network, hidden tanh, output softmax, ...'."""
        shape = "-".join(map(str, self.sizes))
        return (f"{shape} network, hidden {self.hidden.name}, output {self.output.name}, "
                f"loss {self.loss.name}, regulariser {self.reg.name}, {self.layout} layout"
                + ("" if self.bias else ", no bias"))

    def init_params(self, seed: int = 0, scale: float | None = None):
        """[(W1, b1), ...] with W_l of shape (n_l, n_{l-1}) and b_l of shape (n_l, 1).

        Glorot-uniform weights and zero biases; in rows layout, W_l is (n_{l-1}, n_l)
        and b_l is (1, n_l).
        """
        rng = np.random.default_rng(seed)
        params = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            limit = scale if scale is not None else np.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-limit, limit, size=(n_out, n_in))
            b = np.zeros((n_out, 1))
            params.append((W.T.copy(), b.T.copy()) if self.layout == "rows" else (W, b))
        return params

    def derivation(self):
        """The justified steps of backprop for this network: ``.text()``, ``.latex()``,
        ``.markdown()``; rendered as LaTeX in Jupyter."""
        from .derive import derivation
        return derivation(self)

    def lambdify(self, backend: str = "numpy", compile: bool = False):
        """A ``NumericNet``: ``loss``, ``gradients``, ``trace`` and ``predict``, compiled once
        from the derived formulas.

        ``backend``: "numpy" (default), "jax" (jit-compiled, JAX arrays in and out) or
        "torch" (tensors on their own device); ``compile=True`` adds torch.compile.
        """
        from .numeric import compile_network
        return compile_network(self, backend, compile)


def mlp(sizes: Sequence[int], hidden="sigmoid", output="sigmoid", loss=None, reg="none",
        layout="columns", bias: bool = True) -> Network:
    """A fully connected network, described with the same names as the CLI flags.

    ``sizes`` are the widths n_0 (inputs), ..., n_L (outputs): positive integers.
    ``hidden`` / ``output`` are a table name or a SymPy function of one symbol
    (e.g. ``sympy.tanh``, ``lambda z: sympy.log(1 + sympy.exp(z))``); ``loss`` a
    table name or a SymPy expression in (a, y).

    Valid names:
%s
    """
    sizes = _widths(sizes)
    if layout not in LAYOUTS:
        raise ModelError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    out_act = acts.resolve(output)
    hid_act = acts.resolve(hidden)
    if not hid_act.elementwise:
        raise ModelError("softmax is only supported as the output activation")
    if loss is None:
        try:
            loss = losses.DEFAULT_LOSS[out_act.name]
        except KeyError:
            raise ModelError(f"no default loss for output {out_act.name!r}: pass loss=") from None
    loss_obj = losses.resolve_loss(loss)
    _check_loss_fits(out_act, loss_obj)
    if out_act.name == "softmax" and sizes[-1] < 2:
        raise ModelError("a softmax output needs at least two units")
    return Network(sizes, hid_act, out_act, loss_obj, losses.resolve_reg(reg), layout, bool(bias))


def _valid_names() -> str:
    """The names ``mlp`` accepts, read from the tables (so the docstring cannot drift)."""
    rows = {
        "hidden": [n for n, a in acts.ACTIVATIONS.items() if a.elementwise],
        "output": list(acts.ACTIVATIONS),
        "loss": [_loss_label(n) for n in losses.LOSSES],
        "reg": [f"{n} ({r.title})" for n, r in losses.REGULARISERS.items()],
        "layout": list(LAYOUTS),
    }
    return "\n".join(f"        {key}: {', '.join(names)}" for key, names in rows.items())


def _loss_label(name: str) -> str:
    outputs = [o for o, l in losses.DEFAULT_LOSS.items() if l == name]
    return f"{name} (default for {' / '.join(outputs)} output)" if outputs else name


if mlp.__doc__:   # None under python -OO
    mlp.__doc__ = mlp.__doc__ % _valid_names()


def _widths(sizes) -> tuple[int, ...]:
    """The layer widths as ints, refusing anything that is not a sequence of positive integers.

    No rounding and no splitting of strings: ``[2.7, 3.9]`` or ``"32"`` is a
    mistake to report, not a (2, 3) or (3, 2) network to build.
    """
    try:
        if isinstance(sizes, (str, bytes)):
            raise TypeError
        sizes = sizes.tolist() if isinstance(sizes, np.ndarray) else list(sizes)
    except TypeError:
        raise ModelError(f"sizes must be a list of layer widths, got {type(sizes).__name__}") from None
    bad = [n for n in sizes if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1]
    if bad or len(sizes) < 2:
        shown = repr(bad[0])[:40] if bad else f"{len(sizes)} width(s)"
        raise ModelError(f"sizes must be at least two positive integers, got {shown}")
    if len(sizes) - 1 > MAX_DEPTH:
        raise ModelError(f"at most {MAX_DEPTH} weight layers, got {len(sizes) - 1}: the derived "
                         "expressions nest once per layer and deeper ones exceed Python's recursion limit")
    return tuple(int(n) for n in sizes)


# Measured: 40 weight layers lambdify in ~18 s, 50 hit Python's recursion limit.
MAX_DEPTH = 32


# output activation -> the losses that are defined on its range. A custom
# output activation or loss is the user's responsibility and is not checked.
LOSSES_FOR_OUTPUT = {
    "sigmoid": ("bce", "mse"),     # a in (0, 1) per unit
    "softmax": ("ce", "mse"),      # a column of probabilities summing to 1
}
LOSSES_FOR_OTHER_OUTPUTS = ("mse",)  # identity, tanh, relu, ...: a is not a probability


def _check_loss_fits(output: acts.Activation, loss: losses.Loss) -> None:
    if output.name == "custom" or loss.name not in losses.LOSSES:
        return
    valid = LOSSES_FOR_OUTPUT.get(output.name, LOSSES_FOR_OTHER_OUTPUTS)
    if loss.name not in valid:
        raise ModelError(f"loss {loss.name} does not fit output {output.name}: "
                         f"with output {output.name} use --loss {' or '.join(valid)}")


# Distinct small default widths, one per layer up to the CLI's maximum depth of 12.
DEFAULT_WIDTHS = (5, 4, 6, 3, 7, 2, 8, 9, 10, 11, 12, 13)
OUTPUT_WIDTH = 3


@dataclass(frozen=True)
class NetFlags:
    """A network setting without its widths: the one description of a network setting.

    The CLI's NET FLAGS, the presets, the notes' models and the checker all use
    it (DESIGN.md, NET FLAGS). ``hidden``/``output``/``loss`` are table names or,
    from the Python API, the resolved objects of a custom network.

    >>> NetFlags(depth=3, output="softmax").network([4, 5, 6, 3]).describe()[:20]
    '4-5-6-3 network, hid'
    """

    depth: int = 2
    hidden: str | acts.Activation = "sigmoid"
    output: str | acts.Activation = "sigmoid"
    loss: str | losses.Loss | None = None
    reg: str = "none"
    batch: bool = False
    layout: str = "columns"
    outputs: int | None = None        # a fixed number of output units (1 for a binary classifier), else any
    bias: bool = True                 # False: no bias terms (--no-bias, d2l's backprop section)

    @classmethod
    def of(cls, net: Network, batch: bool = False) -> "NetFlags":
        """The setting of a concrete network (its activations and loss kept as objects)."""
        return cls(net.depth, net.hidden, net.output, net.loss, net.reg.name, bool(batch), net.layout,
                   bias=net.bias)

    @property
    def hidden_act(self) -> acts.Activation:
        return acts.resolve(self.hidden)

    @property
    def output_act(self) -> acts.Activation:
        return acts.resolve(self.output)

    @property
    def loss_obj(self) -> losses.Loss:
        return losses.resolve_loss(self.loss if self.loss is not None else losses.DEFAULT_LOSS[self.output_act.name])

    @property
    def reg_obj(self) -> losses.Regulariser:
        return losses.resolve_reg(self.reg)

    def activation(self, layer: int) -> acts.Activation:
        return self.output_act if layer == self.depth else self.hidden_act

    def network(self, sizes: Sequence[int] | None = None, layout: str | None = None) -> Network:
        """The network at the given widths (default: distinct small widths)."""
        if sizes is None:
            if not 1 <= self.depth <= len(DEFAULT_WIDTHS):
                raise ModelError(f"depth must be between 1 and {len(DEFAULT_WIDTHS)}, got {self.depth}")
            sizes = list(DEFAULT_WIDTHS[: self.depth]) + [OUTPUT_WIDTH]
        if len(sizes) != self.depth + 1:
            raise ModelError(f"{len(sizes)} widths given for depth {self.depth}")
        return mlp(sizes, hidden=self.hidden, output=self.output, loss=self.loss, reg=self.reg,
                   layout=layout or self.layout, bias=self.bias)
