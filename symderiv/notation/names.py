"""The name tables of the notation: which spelling names which quantity kind, which letters are
indices, which names are activations or elementary functions, which kinds are losses, counts or
applied to arguments. The parser, the tokenizer, the readings and the rows read them here."""
from __future__ import annotations


# Spelling -> quantity kind. Layer superscripts and index subscripts are read by the parser.
QUANTITY_NAMES: dict[str, str] = {
    "W": "W", "w": "W", r"\Theta": "W", r"\theta": "W",
    "b": "b", "B": "b",
    "z": "z", "Z": "z",
    "a": "a", "A": "a",
    r"\delta": "delta", r"\Delta": "delta",
    "x": "x", "X": "x",
    "y": "y", "Y": "y",
    r"\hat{y}": "yhat", r"\hat{Y}": "yhat", "h": "yhat",
    "J": "J", "C": "J", "E": "J", "L": "J", r"\mathcal{L}": "J", r"\ell": "J",
    "m": "m", "N": "m", "n": "width",
    r"\lambda": "lam",
    r"\alpha": "alpha", r"\eta": "alpha",
    r"\mathbf{1}": "ones",
}


# A count with a name subscript: N_{out}, n_{\text{out}} the output units (n_L), N_{in}, n_{in} the inputs (n_0);
# (base of the layer, offset) as LayerRef takes them. "hidden" is not here: which hidden layer is not said.
COUNT_LABELS = {"out": ("L", 0), "output": ("L", 0), "outputs": ("L", 0),
                "in": (None, 0), "input": (None, 0), "inputs": (None, 0)}


COUNT_KINDS = frozenset({"m", "width"})      # N and n: a count, whose name subscript says which


# A quantity with a name subscript: J_{\text{data}} is the data term of J, J_{\text{reg}} its regulariser.
LABELLED_KINDS = {("J", "data"): "Jdata", ("J", "reg"): "Jreg", ("J", "Data"): "Jdata", ("J", "Reg"): "Jreg"}


# Scalar losses a partial derivative can be taken of (J and its two terms).
LOSS_KINDS = frozenset({"J", "Jdata", "Jreg"})


# Quantities written as applied to arguments: h_\theta(x), J(W, b); the arguments are kept as notation.
APPLIED_KINDS = {"yhat", "J", "Jdata", "Jreg"}


# Letters that are free scalar variables in a pure-calculus claim (no network quantity).
PURE_VARIABLES = frozenset("zxatuvwpsyr")


# The layer's activation, as a function symbol (DESIGN: sigma, f, g and their primes).
ACTIVATION_NAMES = {r"\sigma", "f", "g", r"\phi", r"\varphi"}


# Named elementary functions -> evaluator name (a key of ELEMENTARY).
FUNCTION_NAMES: dict[str, str] = {
    r"\tanh": "tanh", r"\exp": "exp", r"\log": "log", r"\ln": "log",
    r"\sinh": "sinh", r"\cosh": "cosh",
    "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "ReLU": "relu", "softmax": "softmax",
    "exp": "exp", "log": "log", "ln": "log",
}


INDEX_LETTERS = set("ijklpqrstuvcnh")
# Kinds that make a claim one about the network (never pure calculus).
NETWORK_KINDS = {"W", "b", "delta", "yhat", "J", "Jdata", "Jreg", "m", "lam", "ones", "width"}
# Kinds that take no layer superscript (a number in one is a sample: x^{(1)}).
NO_LAYER = {"x", "y", "yhat", "J", "Jdata", "Jreg", "m", "lam", "alpha", "ones"}
