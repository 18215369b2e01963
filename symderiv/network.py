"""The network spec: layer sizes, activations, loss, regulariser, layout.

``mlp`` is the public constructor; it takes the same names as the CLI flags.

>>> net = mlp([4, 3, 2], hidden="tanh", output="softmax")
>>> net.loss.name, net.depth
('ce', 2)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import activations as acts
from . import losses

LAYOUTS = ("columns", "rows")


@dataclass(frozen=True)
class Network:
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

    def activation(self, layer: int) -> acts.Activation:
        return self.output if layer == self.depth else self.hidden

    def describe(self) -> str:
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
        from .derive import derivation
        return derivation(self)

    def lambdify(self):
        from .numeric import compile_network
        return compile_network(self)


def mlp(sizes: Sequence[int], hidden="sigmoid", output="sigmoid", loss=None, reg="none",
        layout="columns", bias: bool = True) -> Network:
    """A fully connected network; ``hidden``/``output`` may be table names or SymPy functions."""
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) < 2 or any(n < 1 for n in sizes):
        raise ValueError(f"sizes must be at least two positive widths, got {list(sizes)}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    out_act = acts.resolve(output)
    hid_act = acts.resolve(hidden)
    if not hid_act.elementwise:
        raise ValueError("softmax is only supported as the output activation")
    if loss is None:
        try:
            loss = losses.DEFAULT_LOSS[out_act.name]
        except KeyError:
            raise ValueError(f"no default loss for output {out_act.name!r}: pass loss=") from None
    loss_obj = losses.resolve_loss(loss)
    if out_act.name == "softmax" and sizes[-1] < 2:
        raise ValueError("a softmax output needs at least two units")
    return Network(sizes, hid_act, out_act, loss_obj, losses.resolve_reg(reg), layout, bool(bias))


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
    bias: bool = True

    @classmethod
    def of(cls, net: Network, batch: bool = False) -> "NetFlags":
        """The setting of a concrete network (its activations and loss kept as objects)."""
        return cls(net.depth, net.hidden, net.output, net.loss, net.reg.name, bool(batch), net.layout, net.bias)

    @property
    def hidden_act(self) -> acts.Activation:
        return acts.resolve(self.hidden)

    @property
    def output_act(self) -> acts.Activation:
        return acts.resolve(self.output)

    @property
    def loss_obj(self) -> losses.Loss:
        return losses.resolve_loss(self.loss if self.loss is not None else losses.DEFAULT_LOSS[self.output_act.name])

    def activation(self, layer: int) -> acts.Activation:
        return self.output_act if layer == self.depth else self.hidden_act

    def network(self, sizes: Sequence[int] | None = None, layout: str | None = None) -> Network:
        """The network at the given widths (default: distinct small widths)."""
        if sizes is None:
            sizes = [5, 4, 6, 3, 7, 2, 8, 9, 10, 11, 12][: self.depth] + [3]
        if len(sizes) != self.depth + 1:
            raise ValueError(f"{len(sizes)} widths given for depth {self.depth}")
        return mlp(sizes, hidden=self.hidden, output=self.output, loss=self.loss, reg=self.reg,
                   layout=layout or self.layout, bias=self.bias)
