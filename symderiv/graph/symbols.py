"""A document's model as data: its symbols (each with a role and a shape) and the ``Graph`` holding them.

A symbol is a parameter when the document uses it and never defines it, unless its name says otherwise:
``x``/``X`` are the data, ``y``/``Y``/``t`` the targets, ``\\lambda``, ``m``... scalars; ``f``, ``g``,
``\\phi`` are generic activations (a random smooth function at each draw).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..verify.verdict import Unverifiable
from .lines import DATA_IN, DATA_OUT, latex_of
SCALARS = {r"\lambda", r"\alpha", r"\eta", r"\epsilon", r"\gamma", "m", "N", "n", r"\mu"}
GENERIC = {"f", "g", r"\phi", r"\varphi", r"\psi"}        # activations named, not given
COST_NAMES = {"J", "L", "C", "E", r"\mathcal{L}", r"\ell", r"\mathcal{J}", r"\mathcal{E}"}


class TypeCheck(Unverifiable):
    """A product or sum whose shapes do not fit: on a claim's side, the line is wrong."""


class GraphError(Exception):
    """The document's lines do not make a model (a definition that cannot be read, shapes that do not fit)."""


@dataclass
class Symbol:
    key: tuple
    role: str                  # parameter | data | scalar | defined | upstream
    shape: tuple = (0, 0)      # two dimension ids while reading; sizes once built
    line: str | None = None    # the id of the line that defines it

    @property
    def latex(self) -> str:
        return latex_of(self.key)

    def to_json(self) -> dict:
        return {"name": self.latex, "role": self.role, "shape": list(self.shape),
                "line": self.line.split("#")[0] if self.line else None}


def role_of(key: tuple) -> str:
    base = key[0]
    if base in DATA_IN or base in DATA_OUT or (key[1] == "0" and base in ("a", "h", "A", "H")):
        return "data"                    # a^{(0)}: the input, where the document numbers it as a layer
    if base in SCALARS:
        return "scalar"
    return "parameter"


@dataclass
class Graph:
    lines: list
    symbols: dict = field(default_factory=dict)      # key -> Symbol
    definitions: dict = field(default_factory=dict)  # key -> (Line, expression)
    order: list = field(default_factory=list)        # defined keys, each after what it uses
    cost: tuple | None = None
    batch_rows: bool = False
    assumptions: list = field(default_factory=list)

    draws: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)      # l -> L where the document writes L = l(o, y)
    depth: int = 0                                   # the layers a line in symbolic l is read at: 1..depth
    unread: set = field(default_factory=set)         # names of lines that define something and were not read
    numbers: bool = False                            # the document writes no vector: its quantities are numbers
    point: dict | None = None                        # a worked example's values of the leaves (worked.py)

    def model_json(self) -> list:
        return [s.to_json() for s in self.symbols.values()]

    def describe(self) -> str:
        return "; ".join(f"{s.latex}: {s.role} {s.shape[0]}×{s.shape[1]}" for s in self.symbols.values())
