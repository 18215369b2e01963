"""A claim as parsed (``Claim``: its text, sides, condition, and where in the text each side lies),
the text spans of its parts (``balanced``), and the errors of reading one (``ParseError``,
``UnknownSymbol``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import NotationError
from .tree import Node


@dataclass
class Claim:
    text: str                  # as the user wrote it
    sides: list                # chain of Nodes, readings applied
    symbolic_layer: bool = False
    pure: bool = False
    condition: Node | None = None   # "if z^{(2)} > 0": the claim is checked only where this holds
    cuts: tuple = ()           # where in ``text`` each side ends (its "=" or the end of the chain)

    def with_sides(self, sides: list) -> "Claim":
        """This claim (its text, layer, purity and condition) about other sides: one link, or a variant."""
        return Claim(self.text, sides, self.symbolic_layer, self.pure, self.condition)

    def all_trees(self) -> list:
        """Both sides and the condition, where there is one."""
        return list(self.sides) + ([self.condition] if self.condition is not None else [])

    def side_text(self, k: int) -> str:
        """Side k as the user wrote it, or "" when not known."""
        if len(self.cuts) != len(self.sides):
            return ""
        start = self.cuts[k - 1] + 1 if k > 0 else 0
        return _trimmed(self.text[start:self.cuts[k]])

    def link_text(self, k: int) -> str:
        """Sides k and k+1 as the user wrote them (a link of a chain), or "" when not known."""
        if len(self.cuts) != len(self.sides):
            return ""
        return f"{self.side_text(k)} = {self.side_text(k + 1)}"


# alignment marks, commas, spacing; and the halves of ":=" (a side ends at its ":", the next starts at "=")
_LAYOUT_AT_ENDS = re.compile(r"^(?:\s|&|,|=|\\quad\b|\\\\)+|(?:\s|&|,|:|\\quad\b|\\\\)+$")


_OPENS, _CLOSES = "([{", ")]}"


def balanced(text: str, start: int, end: int) -> tuple:
    """[start, end) widened until its brackets pair up: ``(W^{(2)})^T`` starts at its "(", not its W,
    and a ``\\left`` before an opening bracket is kept with it."""
    depth = 0
    for ch in text[start:end]:
        if ch in _OPENS:
            depth += 1
        elif ch in _CLOSES:
            depth -= 1
            if depth < 0:                      # a closer whose opener lies before start
                start, depth = _opener_before(text, start), 0
    while depth > 0 and end < len(text):       # an opener whose closer lies after end
        depth += (text[end] in _OPENS) - (text[end] in _CLOSES)
        end += 1
    if text[:start].endswith("\\left"):
        start -= len("\\left")
    return start, end


def _opener_before(text: str, start: int) -> int:
    depth = 0
    for k in range(start - 1, -1, -1):
        depth += (text[k] in _CLOSES) - (text[k] in _OPENS)
        if depth < 0:
            return k
    return start


def _trimmed(text: str) -> str:
    """A side's text without the alignment marks, commas and spacing around it."""
    return " ".join(_LAYOUT_AT_ENDS.sub("", text).split())


class ParseError(NotationError):
    pass


class UnknownSymbol(NotationError):
    """A symbol neither the model nor a reading names (``symbol``: its spelling)."""

    def __init__(self, message, text=None, pos=None, *, symbol=""):
        super().__init__(message, text, pos)
        self.symbol = symbol
