"""What a construct row is: one row per construct of the notation, and the precedence levels.

A row says everything about one construct, in one place:

* ``spellings``: how people write it (documentation, and the tokens the
  tokenizer must accept; ``starts`` are the tokens that open it in a primary
  position, ``infix``/``postfix`` the operator tokens);
* ``parse``: for primaries, ``parse(parser, token) -> Node`` using the
  parser's small public API (take, at, group_tokens, sub, expr, ...);
* ``precedence``: how tightly it binds when rendered (parentheses);
* ``evaluate(ev, node)``: its numeric meaning, with NumPy, given an evaluator
  ``ev`` that evaluates children (``ev(child)``) and knows the model
  (``ev.quantity``, ``ev.partial``, ``ev.activation``, ``ev.derivative``,
  ``ev.sum_range``, ``ev.bound``);
* ``render(node, r) -> str``: LaTeX in the claim's own spelling, where
  ``r(child, prec)`` renders a child, parenthesised if it binds looser;
* ``edits(node) -> iter[(label, node)]``: the single-edit repairs that apply
  to it (a shifted layer, a dropped transpose, ``1/m`` for ``1/2``...).

Adding a construct is adding a row (the lesson of autograd's ``defvjp``
table and SymPy's ``_print_<Class>``): the parser, the evaluator, the
renderer and the repair search all dispatch through ``registry.CONSTRUCTS``,
built once from the core rows (constructs.py) and the textbook rows (textbook.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from .tree import Node


def no_edits(_n):
    return iter(())


class Prec(float, Enum):
    """How tightly a construct binds when rendered: a child is parenthesised when its level is below
    the level its parent asks for (``r(child, Prec.FACTOR)``). Floats, so a level can sit between two."""
    LOWEST = 0          # a whole group or argument: never parenthesised
    COMPARISON = 0.5    # z > 0
    SUM = 1             # a + b, a - b
    PREFIX = 2          # -x, \sum_j x (and the right operand of a sum)
    PRODUCT = 3         # A B, A \odot B, a / b
    FACTOR = 4          # the right operand of a product
    POWER = 5           # x^2, A^T
    SCRIPTED = 5.5      # a quantity with scripts, a partial: parenthesised as the base of ^T or a power
    BASE = 6            # the base of a power or a transpose
    ATOM = 9            # numbers, names, functions applied, norms, matrices


@dataclass(frozen=True)
class Construct:
    """One construct of the notation (module docstring); rows are written with keyword arguments."""
    name: str
    doc: str
    spellings: tuple
    precedence: Callable | Prec
    evaluate: Callable
    render: Callable
    edits: Callable = no_edits
    starts: tuple = ()          # tokens opening it as a primary
    parse: Callable | None = None
    infix: tuple = ()           # operator tokens at the sum or product level
    level: str = ""             # "sum" | "product" for infix operators
    postfix: tuple = ()         # superscript spellings that mean it (^T, ^\top, ')
    closer: str = ""            # the token that ends it (\| of a norm): an expression stops there

    def prec(self, n: Node) -> float:
        return self.precedence(n) if callable(self.precedence) else self.precedence


def render(n: Node, parent_prec: float = Prec.LOWEST) -> str:
    """LaTeX of a tree: the registry's renderer (registry.py), for the rows' own edit labels."""
    from .registry import render as render_by_registry   # the registry is built from these rows, so it comes later
    return render_by_registry(n, parent_prec)
