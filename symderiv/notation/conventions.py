"""Named notation conventions: how a textbook numbers layers, names quantities and sets up its model.

A convention is data (``CONVENTIONS``, one row per book or course): its layer
numbering, which layer ``W^{(l)}`` maps, the weight index order, the layout,
what ``\\delta``/``dZ``/``dW`` mean, the names of cost, targets and
activations, the model it assumes (a NetFlags adjustment), the tokens that
signal it, and how it is applied: symbol readings (``t -> y``) plus
whole-tree readings from readings.py (a layer shift per quantity kind, unit
letters as layers, the bias as unit 0). Nothing here judges a formula: the
readings say what its symbols mean, and the checker decides.

The constructs only some conventions use (``\\nabla_a C``, ``dW^{[l]}``,
``\\bullet`` and Octave's ``.*`` as the Hadamard product, ``g^{[l]'}(z)``,
``\\mathcal{J}``, ``\\hat{\\mathbf{y}}``) are rows of textbook.py, which the
registry (registry.py) merges with the core rows.

>>> resolve(r"\\delta^{(2)} = \\Theta^{(2)T} \\delta^{(3)} .* g'(z^{(2)})").name
'ng'
>>> resolve(r"\\delta^{(L)} = a^{(L)} - y").name
'default'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..engine.network import NetFlags
from .tokens import NotationError
from .readings import (BiasUnit, CourseNames, KindRename, LayerShift, LetterLayer, NamedDerivatives, Readings, UnitLetters, as_readings,
                       compile_readings, map_tree)
from .registry import render
from .textbook import COURSE_NAMES
from .tree import LayerRef, Node, Qty
from ..errors import ModelError


# ---------------------------------------------------------------- per-sample cost (Bishop's E_n)
def _cost_without_sample(node: Node, text: str) -> Node:
    """E_n, C_x: the cost of one sample is the model's J without --batch."""
    return map_tree(node, lambda n: replace(n, idx=()) if isinstance(n, Qty) and n.kind == "J" and n.idx
                    else None)


# ---------------------------------------------------------------- the table
@dataclass(frozen=True)
class Convention:
    name: str
    source: str
    layers: str                 # how layers are numbered
    weights: str                # which layer W^{(l)} maps, and its index order
    layout: str
    meanings: str               # what delta / dZ / dW mean
    names: str                  # cost, targets, activations
    flags: dict                 # the model it assumes (NetFlags fields)
    signals: tuple = ()         # (regex over the LaTeX, what it is): tokens only this convention uses
    weak_signals: tuple = ()    # tokens it uses that others may use too: two of them select it
    readings: dict = field(default_factory=dict)     # symbol readings, LaTeX -> LaTeX
    passes: tuple = ()          # whole-tree readings (readings.py)
    batch_signals: tuple = ()   # regexes that mean the formula is vectorised over m samples
    model_signals: tuple = ()   # (regex, NetFlags fields): a token that says more of the model
    example: str = ""
    layer_style: tuple = ()     # (regex, replacement) on rendered LaTeX: ^{(l)} -> ^{l}, ^{[l]}, ^{(k)}

    def back(self, node: Node) -> Node:
        """A tree in our notation, written in this convention's symbols and layer numbers again."""
        for tree_pass in reversed(self.passes):
            undo = getattr(tree_pass, "undo", None)
            node = undo(node) if undo else node
        inverse = {}
        for r in compile_readings(self.readings).readings:
            p, m = r.pattern, r.replacement
            if isinstance(p, Qty) and isinstance(m, Qty) and not p.idx and not m.idx and not p.args:
                inverse[(m.kind, m.layer)] = p
        if inverse:
            node = map_tree(node, lambda n: replace(inverse[(n.kind, n.layer)], idx=n.idx, pos=n.pos)
                            if isinstance(n, Qty) and (n.kind, n.layer) in inverse else None)
        return node

    def render(self, node: Node) -> str:
        """LaTeX of a tree (in our notation) in this convention's notation."""
        text = render(self.back(node))
        for rx, rep in self.layer_style:
            text = re.sub(rx, rep, text)
        return text

    @property
    def flag(self) -> str:
        return f"--convention {self.name}"

    def model(self, latex: str = "", base: NetFlags | None = None) -> NetFlags:
        """The convention's model (its defaults over ``base``); batch if the formula is vectorised."""
        flags = replace(base or NetFlags(), **self.flags)
        if self.batch_signals and any(re.search(rx, latex) for rx in self.batch_signals):
            flags = replace(flags, batch=True)
        for rx, fields in self.model_signals:
            if re.search(rx, latex):
                flags = replace(flags, **fields)
        return flags

    def tree_readings(self) -> Readings:
        return Readings(compile_readings(self.readings).readings, self.passes)

    def score(self, latex: str) -> tuple:
        """(2 per strong signal + 1 per weak one, the signals found)."""
        strong = [what for rx, what in self.signals if re.search(rx, latex)]
        weak = [what for rx, what in self.weak_signals if re.search(rx, latex)]
        return 2 * len(strong) + len(weak), strong + weak


NG_GRADIENT = r"(?<![a-zA-Z\\])D[\^_]"     # Ng's D^{(l)}_{ij}
NG_ACCUMULATOR = r"\\Delta[\^_]"          # Ng's accumulator \Delta^{(l)}, a sum over the m examples

ONE_BASED = LayerShift(shift=(("W", -1), ("b", -1), ("z", -1), ("a", -1), ("delta", -1)))
# UFLDL / Ng: input = layer 1 and W^{(l)} maps layer l to l+1.
OUT_OF_L = LayerShift(shift=(("z", -1), ("a", -1), ("delta", -1)),
                      output_shift=(("W", 1), ("b", 1)), width_shift=-1)

CONVENTIONS: dict[str, Convention] = {c.name: c for c in [
    Convention(
        "default", "symderiv (DESIGN.md)", "input = layer 0: a^{(0)} = x; output = layer L",
        "W^{(l)} maps layer l-1 into l; W^{(l)}_{ij} joins unit j of layer l-1 to unit i of layer l",
        "columns (a sample is a column)", "delta^{(l)} = dJ/dz^{(l)} per sample (no 1/m)",
        "cost J, C, E, L; targets y; activations a, pre-activations z", {},
        example=r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})"),
    Convention(
        "nielsen", "Nielsen, Neural Networks and Deep Learning, ch. 2",
        "input = layer 1: a^1 = x; output = layer L; superscripts without parentheses",
        "w^l maps layer l-1 into l; w^l_{jk} joins unit k of layer l-1 to unit j of layer l",
        "columns", "delta^l_j = dC_x/dz^l_j for one example x",
        "cost C (quadratic, 1/2 ||y - a^L||^2), n training examples; activations a, sigmoid",
        {"loss": "mse", "hidden": "sigmoid", "output": "sigmoid"},
        signals=((r"\\nabla_\{?a\}?\s*C", r"\nabla_a C"), (r"C_x|C_\{x\}", "C_x")),
        weak_signals=((r"[a-zA-Z}]\^\{?(?:l|L)(?:[+-]1)?\}?(?![a-zA-Z(])", "bare layer superscripts ^l, ^{l+1}, ^L"),
                      (r"w\^\{?l\}?_\{jk\}", "w^l_{jk}")),
        # eq. (32): "a_in is the activation input to the weight w, delta_out the error of its output"
        readings={"n": "m", "w": "w^{l}_{jk}", r"a_{\rm in}": "a^{l-1}_{k}", r"\delta_{\rm out}": r"\delta^{l}_{j}",
                  r"a_{\rm out}": "a^{l}_{j}", r"\delta_{\rm in}": r"\delta^{l-1}_{k}"},
        passes=(ONE_BASED, _cost_without_sample), batch_signals=(r"\\sum_\{?x\b",),
        layer_style=((r"\^\{\(([^(){}]*)\)\}", r"^{\1}"),),
        example=r"\delta^L = \nabla_a C \odot \sigma'(z^L)"),
    Convention(
        "ufldl", "UFLDL tutorial (Ng et al.), Backpropagation Algorithm",
        "input = layer 1; output = layer n_l; s_l units in layer l",
        "W^{(l)} maps layer l to l+1; W^{(l)}_{ij} joins unit j of layer l to unit i of layer l+1",
        "columns", "delta^{(l)}_i = dJ(W,b;x,y)/dz^{(l)}_i for one example",
        "cost J(W,b) (1/2 ||h_{W,b}(x) - y||^2 per example); f the sigmoid; \\bullet the Hadamard product",
        {"loss": "mse", "hidden": "sigmoid", "output": "sigmoid"},
        signals=((r"\^\{?\(n_\{?l", "^{(n_l)}"), (r"\\bullet", r"\bullet"), (r"J\(W,\s*b", "J(W,b)"),
                 (r"h_\{W,\s*b\}", "h_{W,b}")),
        weak_signals=((r"s_\{?l", "s_l"),),
        passes=(OUT_OF_L,), layer_style=((r"\^\{\(L", "^{(n_l"),),
        example=r"\delta^{(l)} = ((W^{(l)})^T \delta^{(l+1)}) \bullet f'(z^{(l)})"),
    Convention(
        "ng", "Andrew Ng, Machine Learning (Coursera), ex4 and the backpropagation lectures",
        "input = layer 1: a^{(1)} = x; output = layer L (the number of layers); s_l units in layer l",
        "\\Theta^{(l)} maps layer l to l+1, with a bias column: \\Theta^{(l)}_{i0} is the bias of unit i; "
        "a^{(l)}_0 = x_0 = 1", "columns", "delta^{(l)}_j = the error of unit j for one example (no 1/m)",
        "cost J(\\Theta); h_\\Theta(x) the output; g the sigmoid; Octave's .* the Hadamard product",
        {"loss": "bce", "hidden": "sigmoid", "output": "sigmoid"},
        signals=((r"\.\*|\.\\ast", ".*"), (r"h_\\Theta", r"h_\Theta"),
                 (NG_ACCUMULATOR + r"[^=]*:=.*\\Delta", r"\Delta^{(l)} := \Delta^{(l)} + ...")),
        weak_signals=((r"\\Theta", r"\Theta"), (r"s_\{?l", "s_{l+1}"), (r"g'\(|g\^\{?\\prime", "g'(z)"),
                      (NG_GRADIENT, "D^{(l)}"), (NG_ACCUMULATOR, r"\Delta^{(l)}")),
        passes=(CourseNames(COURSE_NAMES["ng"]), OUT_OF_L, BiasUnit(matrix_product=True)),
        batch_signals=(r"\\sum_\{i=1\}\^\{?m", NG_ACCUMULATOR),
        # J(\Theta) is regularised (lambda/(2m) sum Theta^2, our l2) over m examples and D is its gradient:
        # a formula that writes lambda or D is about that cost (m = 1 would hide a missing 1/m)
        model_signals=((NG_GRADIENT + r"|\\lambda", {"reg": "l2", "batch": True}),),
        example=r"\delta^{(2)} = (\Theta^{(2)})^T \delta^{(3)} .* g'(z^{(2)})"),
    Convention(
        "deeplearning.ai", "Ng et al., deeplearning.ai Deep Learning Specialization, course 1",
        "input = layer 0: A^{[0]} = X; output = layer L; square brackets ^{[l]}, samples ^{(i)}",
        "W^{[l]} maps layer l-1 into l, shape (n^{[l]}, n^{[l-1]})",
        "columns (X is n_x by m)",
        "dZ^{[l]} = the per-sample dL/dZ^{[l]} stacked (no 1/m); dW^{[l]} = dJ/dW^{[l]} "
        "(= 1/m dZ^{[l]} A^{[l-1]T}); db^{[l]} = dJ/db^{[l]}; dA^{[l]} = m dJ/dA^{[l]}",
        "cost J = 1/m sum L(\\hat{y}, y); tanh hidden, sigmoid output; upper case = vectorised over m",
        {"loss": "bce", "hidden": "tanh", "output": "sigmoid"},
        signals=((r"(?<![a-zA-Z\\])d[WZAbwza]\^", "dW^{[l]}, dZ^{[l]}"), (r"\^\{\[\w+\]\(i\)", "a^{[l](i)}")),
        weak_signals=((r"\^\{\[", "^{[l]}"),),
        batch_signals=(r"(?<![a-zA-Z\\])d?[ZAXY](?![a-zA-Z])",),
        layer_style=((r"\^\{\(([^(){}]*)\)\}", r"^{[\1]}"),),
        example=r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T}"),
    Convention(
        "bishop", "Bishop, Pattern Recognition and Machine Learning, 5.3",
        "no layer superscripts: the unit letters name the layers (i input, j hidden, k output)",
        "w_{ji} joins input unit i to hidden unit j, w_{kj} hidden j to output k; w_{j0} is the bias (x_0 = 1)",
        "columns", "delta_j = dE_n/da_j for one example n",
        "a_j the pre-activation, z_j = h(a_j) the activation, y_k the output, t_k the target; E_n the "
        "error of example n (1/2 sum_k (y_k - t_k)^2 in 5.3.2, h = tanh, linear outputs)",
        {"depth": 2, "loss": "mse", "hidden": "tanh", "output": "identity"},
        signals=((r"t_\{?[kn]", "t_k"), (r"w_\{(?:kj|ji)\}", "w_{kj}, w_{ji}")),
        weak_signals=((r"\\delta_\{?[jk]\}?(?!\s*\^)", r"\delta_j without a layer"), (r"E_\{?n", "E_n"),
                      (r"(?<![a-zA-Z\\])w_\{[ijk]{2}\}(?!\s*\^)", "w_{jk} without a layer"), (r"h'\(a_", "h'(a_j)")),
        readings={"y": r"\hat{y}", "t": "y", "h": "f"},
        passes=(UnitLetters((("i", LayerRef(None, 0)), ("j", LayerRef(None, 1)), ("k", LayerRef("L", 0))),
                            not_at_input=("a", "delta", "W", "b")),
                KindRename(((("a", "a"), ("z", "z")), (("z", "z"), ("a", "a")))),
                BiasUnit(natural_from_zero=True), _cost_without_sample),
        example=r"\delta_j = h'(a_j) \sum_k w_{kj} \delta_k"),
    Convention(
        "goodfellow", "Goodfellow, Bengio, Courville, Deep Learning, 6.5 (algorithm 6.4)",
        "input = layer 0: h^{(0)} = x; layers k = 1..l",
        "W^{(k)} maps layer k-1 into k", "columns",
        "\\nabla_{a^{(k)}} J is the gradient at the pre-activation (our delta^{(k)} / m)",
        "a^{(k)} the pre-activation, h^{(k)} = f(a^{(k)}) the activation, \\hat{y} = h^{(l)}; J = L + lambda Omega",
        {},
        signals=((r"h\^\{\(k", "h^{(k)}"), (r"\\nabla_\{a\^\{\(k", r"\nabla_{a^{(k)}}"),
                 (r"\\nabla_\{h\^", r"\nabla_{h^{(k)}}")),
        passes=(LetterLayer("k"), KindRename(((("a", "a"), ("z", "z")), (("yhat", "h"), ("a", "a"))))),
        example=r"\nabla_{W^{(k)}} J = \nabla_{a^{(k)}} J \, h^{(k-1)T}"),
    Convention(
        "cs231n", "Stanford CS231n notes (neural networks, backprop)",
        "input = layer 0; X holds one example per row", "W maps layer l-1 into l: scores = X W + b",
        "rows (a sample is a row)", "dW = dL/dW of the mean loss plus the regulariser",
        "L_i the loss of example i, L the mean plus 1/2 lambda sum W^2; ReLU hidden, softmax output",
        {"layout": "rows", "hidden": "relu", "output": "softmax", "loss": "ce"},
        signals=((r"dscores|\\text\{scores\}", "scores"),),
        weak_signals=((r"L_i\b|L_\{i\}", "L_i"),),
        example=r"\frac{\partial L}{\partial W^{(2)}} = (A^{(1)})^T \frac{\partial L}{\partial Z^{(2)}}"),
    Convention(
        "d2l", "Zhang et al., Dive into Deep Learning, 5.3 (forward/backward propagation)",
        "one hidden layer, named intermediates: z = W^{(1)} x, h = \\phi(z), o = W^{(2)} h",
        "W^{(1)} maps the input into the hidden layer, W^{(2)} the hidden layer into the output",
        "columns (one example x in R^d)", "dJ/do, dJ/dh, dJ/dz: gradients of J = L + s, s = lambda/2 (|W1|^2 + |W2|^2)",
        "no bias terms; o the output (linear), L = l(o, y), s the regulariser",
        {"depth": 2, "output": "identity", "loss": "mse", "reg": "l2", "bias": False},
        signals=((r"\\mathbf\{o\}|\\partial\s*o\b", r"\mathbf{o}"), (r"\\textrm\{prod\}|\\text\{prod\}", "prod")),
        weak_signals=((r"\\mathbf\{h\}", r"\mathbf{h}"),),
        readings={"o": "z^{(2)}", "h": "a^{(1)}", "z": "z^{(1)}", "s": r"J_{\text{reg}}"},
        passes=(NamedDerivatives((("o", "z^{(2)}"),)),),
        example=r"\frac{\partial J}{\partial \mathbf{W}^{(2)}} = \frac{\partial J}{\partial \mathbf{o}} "
                r"\mathbf{h}^\top + \lambda \mathbf{W}^{(2)}"),
]}


def names() -> list:
    return list(CONVENTIONS)


def detect(latex: str) -> tuple:
    """(convention, the signals that chose it): the convention whose tokens the formula uses most."""
    best, best_score, best_hits = CONVENTIONS["default"], 1, []     # a score of 2 is needed to leave the default
    for conv in CONVENTIONS.values():
        score, hits = conv.score(latex) if isinstance(latex, str) else (0, [])
        if score > best_score:
            best, best_score, best_hits = conv, score, hits
    return best, best_hits


def resolve(latex: str, name: str | None = "auto") -> Convention:
    """The convention named (``auto``: the one the formula's signals pick; none: the default)."""
    if name in (None, "auto"):
        return detect(latex)[0]
    if isinstance(name, Convention):
        return name
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise ModelError(f"unknown convention {name!r}; known: auto, {', '.join(CONVENTIONS)}") from None


def model_line(flags: NetFlags) -> str:
    """The model a verdict assumed, in one line."""
    act = lambda a: a if isinstance(a, str) else a.name     # noqa: E731
    loss = flags.loss_obj.name
    return (f"depth {flags.depth}, hidden {act(flags.hidden)}, output {act(flags.output)}, loss {loss}, "
            f"regulariser {flags.reg}, {'batch mean over m samples' if flags.batch else 'one sample'}, "
            f"{flags.layout} layout, {'with' if getattr(flags, 'bias', True) else 'no'} bias")


def readings_for(conv: Convention, user=None) -> Readings:
    """The convention's readings, with the user's (or a note's) own taking precedence."""
    return conv.tree_readings().merged(as_readings(user))


__all__ = ["Convention", "CONVENTIONS", "detect", "resolve", "model_line", "readings_for", "names",
           "NotationError"]
