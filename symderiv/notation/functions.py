"""The function rows' functions: the layer's activation (\\sigma, f, g and their primes) and the
elementary functions (\\tanh, \\exp, \\log, softmax, ReLU, e^{z}), their numeric table (ELEMENTARY),
parsing and rendering."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..engine import activations as acts
from .names import FUNCTION_NAMES
from .rows import Prec
from .tree import Call, Op


# Elementary functions by evaluator name: the table people's \tanh, \exp, \log... resolve to.
ELEMENTARY: dict[str, Callable] = {
    "tanh": np.tanh, "exp": np.exp, "log": np.log, "sinh": np.sinh, "cosh": np.cosh,
    "sigmoid": acts.numpy_function(acts.ACTIVATIONS["sigmoid"]),
    "relu": acts.numpy_function(acts.ACTIVATIONS["relu"]),
    "softmax": lambda v: acts.np_softmax(v) if isinstance(v, np.ndarray) else 1.0,
    # primed (\text{ReLU}'(z), \tanh'(z)): the derivative of the named function, element-wise
    "tanh'": lambda v: 1 - np.tanh(v) ** 2, "exp'": np.exp,
    "sigmoid'": lambda v: ELEMENTARY["sigmoid"](v) * (1 - ELEMENTARY["sigmoid"](v)),
    "relu'": lambda v: np.heaviside(v, 0.0),
}


def render_call(n, r):
    name = n.spelling or n.fn
    if n.fn == "dact" or (n.fn.endswith("'") and not name.endswith("'")):
        name += "'"
    elif n.spelling == "e":
        return f"e^{{{r(n.arg, Prec.LOWEST)}}}"
    return f"{name}\\left({r(n.arg, Prec.LOWEST)}\\right)"


def parse_exp_e(p, t):
    p.take()
    p.take()           # ^
    arg = p.sub(p.group_tokens()).expr_all(t.pos)
    p.no_second_exponent()
    return p.node(Call("exp", arg, "e", pos=t.pos))


def primed(p) -> bool:
    """Takes a prime after a function's name: ', ^{\\prime}, ^\\prime or \\prime written alone."""
    if p.at("'", r"\prime"):
        p.take()
        return True
    if p.at("^") and [x.text for x in p.peek_group(1)] in ([r"\prime"], ["'"]):
        p.take()
        p.group_tokens()
        return True
    return False


def parse_activation(p, t):
    """\\sigma(z), f'(z), g^{\\prime}(z), g\\prime(z), \\sigma_1(...): the layer's activation or its derivative."""
    p.take()
    prime = False
    while True:
        if primed(p):
            prime = True
        elif p.at("_"):          # f_l, \sigma_1: which layer is read from the argument
            p.take()
            p.group_tokens()
        else:
            break
    return activation_applied(p, t, prime)


def activation_applied(p, t, prime: bool) -> Call:
    """The activation (or, primed, its derivative) applied to the parenthesised argument that follows."""
    if not p.at("("):
        p.fail(f"{t.text}{chr(39) if prime else ''} needs an argument in parentheses")
    p.take()
    arg = p.expr()
    p.expect(")")
    return p.node(Call("dact" if prime else "act", arg, t.text, pos=t.pos))


def parse_function(p, t):
    """\\tanh(z), \\log a, \\tanh^2(z), \\text{softmax}(z); primed (\\text{ReLU}'(z)), its derivative."""
    p.take()
    fn = FUNCTION_NAMES[t.text]
    if primed(p):
        fn += "'"
        if fn not in ELEMENTARY:
            p.fail(f"the derivative of {t.text} is not known: write it out", t.pos)
    power = None
    if p.at("^"):
        p.take()
        power = p.sub(p.group_tokens()).expr_all(t.pos)
    if p.at("("):
        p.take()
        arg = p.expr()
        p.expect(")")
    else:                                    # \ln a^{(L)}
        if p.stops(p.peek()):
            p.fail(f"{t.text} needs an argument")
        arg = p.postfix(p.primary())
    call = p.node(Call(fn, arg, t.text, pos=t.pos))
    return p.node(Op("pow", (call, power), pos=t.pos)) if power is not None else call
