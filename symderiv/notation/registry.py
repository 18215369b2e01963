"""The construct registry, built once: the core rows (constructs.py) with the textbook rows
(textbook.py) merged in, and every lookup the parser, tokenizer, evaluator, renderer and repair
search dispatch through.

Nothing registers itself by being imported: this module is the one place the rows meet, so what
the parser accepts does not depend on which modules happen to have been imported. Adding a
construct is adding a row to ``constructs.CORE_ROWS`` (or an ``Extension`` to
``textbook.EXTENSIONS``); the tables below follow.
"""
from __future__ import annotations

from . import constructs as C
from . import textbook
from .names import QUANTITY_NAMES as CORE_NAMES
from .rows import Construct, Prec
from .tree import Node


def _merged(core: list[Construct], extensions) -> list[Construct]:
    """The core rows in their order, each with its textbook extensions applied."""
    by_name = {row.name: row for row in core}
    for ext in extensions:
        by_name[ext.name] = ext.apply(by_name[ext.name])     # an extension of an unknown row is a KeyError: a bug
    return [by_name[row.name] for row in core]


ROWS: tuple[Construct, ...] = tuple(_merged(C.CORE_ROWS, textbook.EXTENSIONS)) + textbook.ROWS
CONSTRUCTS: dict[str, Construct] = {c.name: c for c in ROWS}

# Spelling -> quantity kind: the core names and the textbooks'.
QUANTITY_NAMES: dict[str, str] = {**CORE_NAMES, **textbook.NAMES}

# Token -> (row) lookups the parser uses.
PRIMARY_STARTS: dict[str, Construct] = {tok: c for c in ROWS for tok in c.starts if c.parse}
SPECIAL_STARTS = C.SPECIAL_STARTS
LETTER_STARTS = textbook.LETTER_STARTS
ENVIRONMENTS = {tok.split(":", 1)[1] for tok in PRIMARY_STARTS if tok.startswith("begin:")}
INFIX: dict[str, dict[str, Construct]] = {
    level: {tok: c for c in ROWS if c.level == level for tok in c.infix} for level in ("sum", "product")}
TRANSPOSE_SUPERSCRIPTS = frozenset(tok for c in ROWS for tok in c.postfix)


def construct_of(n: Node) -> Construct:
    return CONSTRUCTS[n.construct]


# ---------------------------------------------------------------- the generic passes
def render(n: Node, parent_prec: float = Prec.LOWEST) -> str:
    """LaTeX of a tree, in the claim's own spelling."""
    c = construct_of(n)
    s = c.render(n, render)
    return f"\\left({s}\\right)" if c.prec(n) < parent_prec else s


def edits(n: Node):
    """The single-edit repairs of node n itself (not of its children)."""
    return construct_of(n).edits(n)


def command_tokens() -> set:
    """Every backslash command a construct row spells itself with, and the textbooks' extra commands
    (for the tokenizer's whitelist)."""
    out = set(textbook.COMMANDS)
    for c in ROWS:
        for tok in c.starts + c.infix + c.postfix + ((c.closer,) if c.closer else ()):
            if tok.startswith("\\"):
                out.add(tok)
    return out


def markdown_table() -> str:
    """The registry as the Markdown table docs/constructs.md shows (a test keeps the two equal)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")
    rows = ["| construct | what it means | written as |", "|---|---|---|"]
    for c in ROWS:
        spelled = ", ".join(f"`{cell(s)}`" for s in c.spellings)
        rows.append(f"| {c.name} | {cell(c.doc)} | {spelled} |")
    return "\n".join(rows) + "\n"
