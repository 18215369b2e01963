"""The core rows of the construct registry: one ``Construct`` row per construct (rows.py says what a
row holds), in the order the registry and docs/constructs.md list them. Each row names the functions
of its family: arithmetic.py, derivatives.py, functions.py, sums.py, conditions.py, matrices.py,
quantities.py; its repairs are edits.py's; the names it reads are names.py's. registry.py merges
these rows with the textbook rows (textbook.py) once.
"""
from __future__ import annotations

import numpy as np

from .arithmetic import (binary, frobenius, num_value, parse_cancel, parse_norm, parse_num, parse_prod, parse_sqrt,
                         render_add, render_num, render_T, struck_or)
from .conditions import (COMPARISONS, evaluate_cases, evaluate_cond, evaluate_indicator, parse_cases,
                         parse_indicator, render_cases)
from .derivatives import parse_frac, parse_partial_sub
from .edits import div_edits, num_edits, partial_edits, product_edits, qty_edits, sub_edits, term_edits, transpose_edits
from .functions import parse_activation, parse_exp_e, parse_function, render_call
from .matrices import ELLIPSES, MATRIX_ENVIRONMENTS, evaluate_matrix, parse_matrix, render_matrix
from .names import ACTIVATION_NAMES, FUNCTION_NAMES
from .operators import add as _add, divide as _div, power as _pow, product, rearranged_product
from .quantities import parse_quantity, qty_prec, render_qty
from .rows import Construct, Prec
from .sums import evaluate_total, parse_sum, parse_total_call, render_sum, render_total


CORE_ROWS = [
    Construct(name="num", doc="a number (integer or decimal); fractions are div of two numbers",
              spellings=("2", "0.5"), precedence=Prec.ATOM, evaluate=lambda ev, n: num_value(n),
              render=render_num, edits=num_edits, parse=parse_num),
    Construct(name="qty",
              doc="a named network quantity or free symbol, with layer superscript and index subscripts",
              spellings=("W^{(l)}", "a^{(l-1)}_j", "\\delta^{(L)}", "y", "J", "m", "\\lambda", "\\mathbf{1}"),
              precedence=qty_prec, evaluate=lambda ev, q: ev.quantity(q), render=lambda q, r: render_qty(q),
              edits=qty_edits, parse=parse_quantity),
    Construct(name="partial",
              doc="a partial derivative of one quantity by another (matrix, or one entry with indices)",
              spellings=(r"\frac{\partial J}{\partial W^{(l)}}", r"\frac{\partial}{\partial W^{(l)}} J",
               r"\frac{\partial z_j}{\partial a_i}"),
              precedence=Prec.SCRIPTED, evaluate=lambda ev, d: ev.partial(d),
              render=lambda n, r: f"\\frac{{\\partial {render_qty(n.num)}}}{{\\partial {render_qty(n.den)}}}",
              edits=partial_edits),
    Construct(name="derivof",
              doc="the partial derivative of an expression by a quantity (by central differences on the "
              "network: a scalar by a matrix, or anything by one entry)",
              spellings=(r"\frac{\partial}{\partial W^{(2)}} \left(\lambda \|W^{(2)}\|^2\right)",
               r"\frac{\partial (W a + b)}{\partial z_i}"),
              precedence=Prec.SCRIPTED, evaluate=lambda ev, d: ev.derivative_of(d),
              render=lambda n, r: f"\\frac{{\\partial}}{{\\partial {render_qty(n.den)}}} {r(n.body, Prec.ATOM)}"),
    Construct(name="deriv",
              doc="an ordinary derivative of a scalar expression (pure calculus); an operator written in "
                  "front (d/dz, \\partial/\\partial x, \\partial_x, \\nabla_x) takes the whole term after it, up to "
                  "the next +, -, = or closing bracket",
              spellings=(r"\frac{d}{dz} \sigma(z)", r"\frac{d}{dz} 3 z^2", r"\partial_z \tfrac{1}{2} z^2"),
              precedence=Prec.ATOM, evaluate=lambda ev, d: ev.derivative(d),
              render=lambda n, r: f"\\frac{{d}}{{d{n.var}}} {r(n.body, Prec.POWER)}", starts=(r"\partial",),
              parse=parse_partial_sub),
    Construct(name="add", doc="sum of two terms (a bias column broadcasts over the batch)", spellings=("+",),
              precedence=Prec.SUM, evaluate=binary(_add), render=render_add, edits=term_edits, infix=("+",),
              level="sum"),
    Construct(name="sub", doc="difference of two terms", spellings=("-",), precedence=Prec.SUM,
              evaluate=binary(lambda x, y: _add(x, -y)),
              render=lambda n, r: f"{r(n.args[0], Prec.SUM)} - {r(n.args[1], Prec.PREFIX)}", edits=sub_edits,
              infix=("-",), level="sum"),
    Construct(name="neg", doc="leading minus", spellings=("-x",), precedence=Prec.PREFIX,
              evaluate=lambda ev, n: -ev(n.args[0]), render=lambda n, r: f"-{r(n.args[0], Prec.PRODUCT)}"),
    Construct(name="mm", doc="matrix product (or scalar times anything): juxtaposition, \\cdot, \\times",
              spellings=("A B", r"A \cdot B", r"A \times B"), precedence=Prec.PRODUCT, evaluate=struck_or(product("mm")),
              render=lambda n, r: f"{r(n.args[0], Prec.PRODUCT)}{f' {n.style} ' if n.style else ' '}{r(n.args[1], Prec.FACTOR)}",
              edits=product_edits, infix=(r"\cdot", r"\times"), level="product"),
    Construct(name="had", doc="element-wise (Hadamard) product", spellings=(r"\odot", r"\circ", "*", r"\ast"),
              precedence=Prec.PRODUCT, evaluate=struck_or(product("had")),
              render=lambda n, r: f"{r(n.args[0], Prec.PRODUCT)} {n.style or chr(92) + 'odot'} {r(n.args[1], Prec.FACTOR)}",
              edits=product_edits, infix=(r"\odot", r"\circ", "*", r"\ast"), level="product"),
    Construct(name="div", doc="division (element-wise between equal shapes)", spellings=(r"\frac{a}{b}", "a / b"),
              precedence=Prec.PRODUCT, evaluate=binary(_div),
              render=lambda n, r: f"\\frac{{{r(n.args[0], Prec.LOWEST)}}}{{{r(n.args[1], Prec.LOWEST)}}}",
              edits=div_edits, starts=(r"\frac", r"\dfrac", r"\tfrac"), parse=parse_frac, infix=("/",),
              level="product"),
    Construct(name="pow", doc="power (element-wise on a matrix); \\sqrt is the power 1/2",
              spellings=("x^{2}", r"\sqrt{x}"), precedence=Prec.POWER, evaluate=binary(_pow),
              render=lambda n, r: f"{r(n.args[0], Prec.BASE)}^{{{r(n.args[1], Prec.LOWEST)}}}", starts=(r"\sqrt",),
              parse=parse_sqrt),
    Construct(name="T", doc="transpose of a matrix",
              spellings=("A^T", r"A^\top", r"A^\intercal", "A'", r"A^{\prime}"), precedence=Prec.POWER,
              evaluate=lambda ev, n: (lambda v: v.T if isinstance(v, np.ndarray) else v)(ev(n.args[0])),
              render=render_T, edits=transpose_edits, postfix=("T", r"\top", r"\intercal", r"\prime", "'")),
    Construct(name="act", doc="the layer's activation function, read from its argument's layer",
              spellings=(r"\sigma(z^{(l)})", "f(z)", "g(z)", r"\phi(z)"), precedence=Prec.ATOM,
              evaluate=lambda ev, c: ev.activation(c, derivative=False), render=render_call,
              starts=tuple(sorted(ACTIVATION_NAMES)), parse=parse_activation),
    Construct(name="dact", doc="the derivative of the layer's activation, element-wise",
              spellings=(r"\sigma'(z^{(l)})", "f'(z)", r"g^{\prime}(z)", r"g\prime(z)"), precedence=Prec.ATOM,
              evaluate=lambda ev, c: ev.activation(c, derivative=True), render=render_call),
    Construct(name="function",
              doc="an elementary function applied element-wise: tanh, exp, log, sigmoid, relu, softmax; primed, "
                  "its derivative (tanh, exp, sigmoid, relu)",
              spellings=(r"\tanh(z)", r"\log a", r"\exp(z)", "e^{z}", r"\text{softmax}(z)", r"\text{ReLU}'(z)"),
              precedence=Prec.ATOM,
              evaluate=lambda ev, c: ev.elementary(c), render=render_call,
              starts=tuple(sorted(FUNCTION_NAMES)) + ("e",), parse=parse_function),
    Construct(name="norm",
              doc="the Frobenius norm (the 2-norm of a vector); \\|W\\|_2^2 in weight decay is the sum of squares",
              spellings=(r"\|W\|", r"\|W\|_2^2", r"\|W\|_F^2", r"\left\|y - a\right\|^{2}", "||x||^2_2"), precedence=Prec.ATOM,
              evaluate=lambda ev, n: frobenius(ev(n.arg)),
              render=lambda n, r: f"\\left\\|{r(n.arg, Prec.LOWEST)}\\right\\|" + (f"_{{{n.kind}}}" if n.kind else ""),
              starts=(r"\|",), parse=parse_norm, closer=r"\|"),
    Construct(name="cases", doc="a value by cases (ReLU masks): the first row whose condition holds, element-wise",
              spellings=(r"\begin{cases} 1 & \text{if } z > 0 \\ 0 & \text{otherwise} \end{cases}",),
              precedence=Prec.ATOM, evaluate=evaluate_cases, render=render_cases, starts=("begin:cases",),
              parse=parse_cases),
    Construct(name="cond",
              doc="a comparison in a case or after a claim (\\text{if } j = y_i): true or false, element-wise",
              spellings=("z^{(2)} > 0", r"z \leq 0", r"j \neq k"), precedence=Prec.COMPARISON,
              evaluate=evaluate_cond, render=lambda n, r: f"{r(n.left, Prec.SUM)} {n.op} {r(n.right, Prec.SUM)}",
              infix=tuple(COMPARISONS), level="comparison"),
    Construct(name="index", doc="the value of an index in a condition (j), or the class of sample i (y_i)",
              spellings=("j = y_i",), precedence=Prec.ATOM, evaluate=lambda ev, n: float(ev.index_value(n.name)),
              render=lambda n, r: f"y_{{{n.name[1]}}}" if isinstance(n.name, tuple) else str(n.name)),
    Construct(name="indicator", doc="1 where its condition holds, else 0 (element-wise)",
              spellings=(r"\mathbb{1}(y_i = k)", r"\mathbb{1}\{y = k\}"), precedence=Prec.ATOM,
              evaluate=evaluate_indicator,
              render=lambda n, r: f"\\mathbb{{1}}\\left({r(n.cond, Prec.LOWEST)}\\right)", starts=(r"\mathbb{1}",),
              parse=parse_indicator, infix=(r"\{", r"\}"), level="delimiter"),
    Construct(name="matrix",
              doc="a matrix written out; with ellipses, its general entry is read from its first cells",
              spellings=(r"\begin{bmatrix} x_1^{(1)} & \dots & x_n^{(1)} \\ \vdots & \ddots & \vdots \end{bmatrix}",),
              precedence=Prec.ATOM, evaluate=evaluate_matrix, render=render_matrix,
              starts=tuple(f"begin:{e}" for e in MATRIX_ENVIRONMENTS), parse=parse_matrix, infix=tuple(ELLIPSES),
              level="ellipsis"),
    Construct(name="cancel", doc="a term the author struck out (\\cancel): 0, and a product holding it is 0",
              spellings=(r"\cancel{x}",), precedence=Prec.ATOM, evaluate=lambda ev, n: 0.0,
              render=lambda n, r: f"\\cancel{{{r(n.arg, Prec.LOWEST)}}}", starts=(r"\cancel",), parse=parse_cancel),
    Construct(name="prod", doc="d2l's prod(A, B): the product of A and B after the transposing or swapping their "
                               "shapes need; two different fits are unverifiable",
              spellings=(r"\text{prod}(A, B)",), precedence=Prec.ATOM,
              evaluate=lambda ev, n: rearranged_product(n, ev(n.args[0]), ev(n.args[1])),
              render=lambda n, r: f"\\text{{prod}}\\left({r(n.args[0], Prec.LOWEST)}, {r(n.args[1], Prec.LOWEST)}\\right)",
              starts=("prod",), parse=parse_prod),
    Construct(name="total", doc="a sum without an index (\\sum dZ, sum(dZ)): over the examples of a batch, "
                                "over the entries of one example's vector",
              spellings=(r"\sum dZ", "sum(dZ)", r"\text{sum}(dZ)"), precedence=Prec.PREFIX, evaluate=evaluate_total,
              render=render_total, starts=("sum",), parse=parse_total_call),
    Construct(name="sum", doc="a sum over an index, with explicit or natural range",
              spellings=(r"\sum_{j=1}^{n_{l+1}}", r"\sum_k", r"\sum_{i=1}^{m}"), precedence=Prec.PREFIX,
              evaluate=lambda ev, s: ev.summation(s), render=render_sum, starts=(r"\sum",), parse=parse_sum),
]


# Syntax that produces another construct's node (listed so the tokenizer accepts it).
SPECIAL_STARTS = {"e": parse_exp_e}
