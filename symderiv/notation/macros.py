"""A document's own macros, expanded before its maths is parsed.

People write ``\\newcommand{\\pd}[2]{\\frac{\\partial #1}{\\partial #2}}`` once and ``\\pd{L}{W}`` on
every line. This module reads the definitions a file makes (``\\newcommand``, ``\\renewcommand``,
``\\providecommand``, ``\\def``, ``\\gdef``, ``\\edef``, ``\\xdef``, ``\\let``,
``\\DeclareMathOperator``) and those of a front matter's ``macros: \\pd -> \\frac{\\partial #1}{\\partial
#2}`` lines (KaTeX's and MathJax's ``macros`` option: the number of arguments is the highest ``#n`` in
the body), and expands them in a line of maths as TeX does: a macro's arguments are brace groups or
single tokens, ``#1`` .. ``#9`` are replaced, and the result is read again.

Expansion is text to text and bounded: at most MAX_STEPS macro calls and MAX_CHARS characters per
line, so a macro that calls itself (``\\def\\a{\\a}``) or doubles at each step (``\\def\\a{\\a\\a}``) is a
``MacroError`` (one line), never a hang. Nothing is evaluated: TeX primitives other than the
definitions above are left to the parser, which knows its own whitelist. A ``\\def`` with delimited
parameters (``\\def\\a#1.{..}``) is not read (kept as written; the parser then names it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .tokens import NotationError, brace_group_end

MAX_STEPS = 2000            # macro calls in one line
MAX_CHARS = 20000           # characters of one line after expansion
MAX_MACROS = 500            # definitions in one document
MAX_BODY = 4000             # characters of one definition's body


class MacroError(NotationError):
    """A macro that cannot be expanded within the limits (or misses an argument)."""


@dataclass(frozen=True)
class Macro:
    args: int = 0
    body: str = ""
    default: str | None = None      # \newcommand{\a}[2][x]{..}: the first argument is optional, x by default


_CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)", re.S)
_DEFINER = re.compile(r"\\(?P<kind>(?:re)?newcommand|providecommand|DeclareMathOperator|[gex]?def|let)(?![A-Za-z])"
                      r"(?P<star>\*?)")
_PARAMS = re.compile(r"(?:#[1-9])*")


def _group(text: str, pos: int) -> tuple[str, int] | None:
    """The brace group at ``pos`` (after spaces): (its content, the position after it), or None."""
    pos = _skip_spaces(text, pos)
    if pos >= len(text) or text[pos] != "{":
        return None
    end = brace_group_end(text, pos)
    return None if end is None else (text[pos + 1:end - 1], end)


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    return pos


def _name(text: str, pos: int) -> tuple[str, int] | None:
    """A macro's name at ``pos``: ``\\pd`` or ``{\\pd}``."""
    pos = _skip_spaces(text, pos)
    braced = _group(text, pos)
    if braced is not None:
        inner = braced[0].strip()
        return (inner, braced[1]) if _CONTROL.fullmatch(inner) else None
    found = _CONTROL.match(text, pos)
    return (found.group(0), found.end()) if found else None


def _bracket(text: str, pos: int) -> tuple[str, int] | None:
    """An optional ``[..]`` argument at ``pos`` (after spaces)."""
    at = _skip_spaces(text, pos)
    if at < len(text) and text[at] == "[":
        end = text.find("]", at)
        if end > 0:
            return text[at + 1:end], end + 1
    return None


def _definition(text: str, found: re.Match, table: dict) -> tuple[str, Macro, int] | None:
    """(name, macro, end) of the definition starting at ``found``; None when it is not one we read."""
    kind, pos = found.group("kind"), found.end()
    named = _name(text, pos)
    if named is None:
        return None
    name, pos = named
    if kind == "let":
        pos = _skip_spaces(text, pos)
        pos = _skip_spaces(text, pos + 1) if text.startswith("=", pos) else pos
        other = _CONTROL.match(text, pos)
        if other is None:
            if pos >= len(text):
                return None
            return name, Macro(0, text[pos]), pos + 1
        return name, table.get(other.group(0), Macro(0, other.group(0))), other.end()
    if kind == "DeclareMathOperator":
        body = _group(text, pos)
        if body is None:
            return None
        return name, Macro(0, rf"\operatorname{{{body[0]}}}"), body[1]
    if kind.endswith("def"):
        params = _PARAMS.match(text, pos)
        body = _group(text, params.end())
        if body is None or text[params.end():].lstrip()[:1] != "{":
            return None
        return name, Macro(len(params.group(0)) // 2, body[0]), body[1]
    args, default = 0, None
    count = _bracket(text, pos)
    if count is not None:
        if not count[0].strip().isdigit() or not 0 <= int(count[0]) <= 9:
            return None
        args, pos = int(count[0]), count[1]
        optional = _bracket(text, pos)
        if optional is not None:
            default, pos = optional
    body = _group(text, pos)
    if body is None:
        return None
    return name, Macro(args, body[0], default), body[1]


def definitions(text: str, table: dict | None = None) -> tuple[dict, list]:
    """The macros ``text`` defines (over ``table``), and the (start, end) spans of their definitions."""
    table, spans = dict(table or {}), []
    for found in _DEFINER.finditer(text):
        if spans and found.start() < spans[-1][1]:
            continue                         # inside the body of a definition already read
        read = _definition(text, found, table)
        if read is None:
            continue
        name, macro, end = read
        if len(macro.body) > MAX_BODY:
            raise MacroError(f"the definition of {name} is longer than {MAX_BODY} characters")
        if found.group("kind") == "providecommand" and name in table:
            spans.append((found.start(), end))
            continue
        table[name] = macro
        spans.append((found.start(), end))
        if len(table) > MAX_MACROS:
            raise MacroError(f"more than {MAX_MACROS} macros defined")
    return table, spans


def front_matter_macro(value: str) -> tuple[str, Macro]:
    """``\\pd -> \\frac{\\partial #1}{\\partial #2}`` (a ``macros:`` setting) as (name, macro)."""
    parts = value.split("->", 1)
    name = parts[0].strip()
    if len(parts) != 2 or not re.fullmatch(r"\\[A-Za-z]+", name):
        raise MacroError(f"a macro is 'macros: \\name -> its LaTeX', got {value[:60]!r}")
    body = parts[1].strip()
    if len(body) > MAX_BODY:
        raise MacroError(f"the definition of {name} is longer than {MAX_BODY} characters")
    uses = [int(n) for n in re.findall(r"(?<!#)#([1-9])", body)]
    return name, Macro(max(uses, default=0), body)


def without_definitions(latex: str) -> str:
    """The line with the definitions it makes removed (they are read by ``definitions``)."""
    _, spans = definitions(latex)
    for start, end in reversed(spans):
        latex = latex[:start] + latex[end:]
    return latex


def _argument(text: str, pos: int, name: str) -> tuple[str, int]:
    group = _group(text, pos)
    if group is not None:
        return group
    pos = _skip_spaces(text, pos)
    token = _CONTROL.match(text, pos)
    if token is not None:
        return token.group(0), token.end()
    if pos < len(text) and text[pos] != "}":
        return text[pos], pos + 1
    raise MacroError(f"{name} is missing an argument", text, min(pos, len(text) - 1) if text else 0)


def _substituted(body: str, args: list) -> str:
    return re.sub(r"##|#([1-9])", lambda m: "#" if m.group(0) == "##" else
                  (args[int(m.group(1)) - 1] if int(m.group(1)) <= len(args) else m.group(0)), body)


def expand(latex: str, table: dict) -> str:
    """``latex`` with every macro of ``table`` expanded (and its own definitions removed); a
    ``MacroError`` when the limits are reached."""
    if not table:
        return latex
    text, pos, steps = without_definitions(latex), 0, 0
    while True:
        found = _CONTROL.search(text, pos)
        if found is None:
            return text
        macro = table.get(found.group(0))
        if macro is None:
            pos = found.end()
            continue
        steps += 1
        if steps > MAX_STEPS:
            raise MacroError(f"macro {found.group(0)} expands more than {MAX_STEPS} times "
                             "(does it call itself?)")
        args, end = [], found.end()
        if macro.default is not None:
            optional = _bracket(text, end)
            args.append(optional[0] if optional else macro.default)
            end = optional[1] if optional else end
        while len(args) < macro.args:
            arg, end = _argument(text, end, found.group(0))
            args.append(arg)
        body = _substituted(macro.body, args)
        if re.match(r"[A-Za-z]", text[end:end + 1]) and re.search(r"\\[A-Za-z]+$", body):
            body += " "                      # \let\a\b then \a x: \b x, not \bx
        text = text[:found.start()] + body + text[end:]
        if len(text) > MAX_CHARS:
            raise MacroError(f"macro {found.group(0)} expands to more than {MAX_CHARS} characters")
        pos = found.start()
