"""What a correction changed: a token-level diff of two LaTeX formulas, for highlighting.

A formula is cut into *units* that can each be wrapped in a colour or bold
command and still typeset: a symbol, a number, a command with its braced
arguments (``\\frac{a}{b}``, ``\\hat{y}``), a braced group, a whole
environment, and a superscript or subscript with its argument (``^{T}``,
highlighted inside the script: ``^{\\mark{T}}``). ``\\left(`` and ``\\right)``
are read as plain ``(`` and ``)`` so that sizing does not count as a change
(and so that a highlight never separates a ``\\left`` from its ``\\right``).

``diff(old, new)`` aligns the units with difflib; ``marked(units, changed,
wrap)`` writes a formula back with the changed units wrapped. Nothing is
evaluated: the text is only cut and re-joined.

>>> old, new = diff(r"\\delta = (V e) \\odot h", r"\\delta = V^T e \\odot h")
>>> marked(old.units, old.changed, lambda u: "[" + u + "]")
'\\\\delta = [(] V e [)] \\\\odot h'
>>> marked(new.units, new.changed, lambda u: "[" + u + "]")
'\\\\delta = V ^{[T]} e \\\\odot h'
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..notation.tokens import brace_group_end

# Commands followed by braced arguments that belong to them (a changed argument marks the whole command).
ARGUMENTS = {"frac": 2, "dfrac": 2, "tfrac": 2, "cfrac": 2, "binom": 2, "overset": 2, "underset": 2,
             "stackrel": 2, "sqrt": 1, "hat": 1, "widehat": 1, "tilde": 1, "widetilde": 1, "bar": 1,
             "overline": 1, "underline": 1, "vec": 1, "dot": 1, "ddot": 1, "check": 1, "breve": 1,
             "acute": 1, "grave": 1, "mathbf": 1, "mathrm": 1, "mathcal": 1, "mathbb": 1, "mathit": 1,
             "mathsf": 1, "mathtt": 1, "mathfrak": 1, "boldsymbol": 1, "bm": 1, "operatorname": 1, "text": 1,
             "textrm": 1, "textbf": 1, "textit": 1, "textsf": 1, "texttt": 1, "mbox": 1, "cancel": 1,
             "underbrace": 1, "overbrace": 1, "substack": 1}
_DELIMITER = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr)\s*"
                        r"(\\[{}|]|\\[A-Za-z]+|[()\[\]|./])")


_SAME = {"\\top": "T", "\\intercal": "T", "{T}": "T"}


@dataclass(frozen=True)
class Unit:
    text: str                  # as compared and as written when marked (\left( read as "(")
    script: str = ""           # "^" or "_" for a superscript or subscript: ``text`` is then its argument
    raw: str = field(default="", compare=False)   # \left( as written, kept where no pair is split

    @property
    def key(self) -> str:
        """What the diff compares: the text without spacing, with the spellings of one thing made one
        (f' and f^{\\prime}; ^T, ^\\top and ^\\intercal)."""
        if self.text == "'" and not self.script:
            return "^\\prime"
        text = re.sub(r"\s+", "", self.text)
        return self.script + (_SAME.get(text, text) if self.script else text)

    def latex(self, wrap=None) -> str:
        body = wrap(self.text) if wrap else self.text
        return f"{self.script}{{{body}}}" if self.script else body


@dataclass(frozen=True)
class Side:
    units: tuple
    changed: frozenset         # indices of the units the other side does not have


def _group(text: str, pos: int) -> int:
    """The end of the balanced {...} group starting at pos (the end of the text when unbalanced)."""
    end = brace_group_end(text, pos)
    return len(text) if end is None else end


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _environment(text: str, pos: int, name: str) -> int:
    """The end of \\begin{name} ... \\end{name} starting at pos (nested ones of the same name counted)."""
    pattern = re.compile(r"\\(begin|end)\s*\{" + re.escape(name) + r"\}")
    depth = 0
    for m in pattern.finditer(text, pos):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return m.end()
    return len(text)


def _command(text: str, pos: int) -> int:
    """The end of the command at pos with the braced arguments it takes."""
    name = re.match(r"\\([A-Za-z]+|.?)", text[pos:]).group(1)
    end = pos + 1 + len(name)
    if name == "begin":
        env = re.match(r"\s*\{([^{}]*)\}", text[end:])
        return _environment(text, pos, env.group(1)) if env else end
    wanted = ARGUMENTS.get(name, 0)
    if name == "sqrt":
        option = re.match(r"\s*\[[^\]]*\]", text[end:])
        end += option.end() if option else 0
    for _ in range(wanted):
        at = _skip_space(text, end)
        if at >= len(text) or text[at] != "{":
            break
        end = _group(text, at)
    return end


def units(latex: str) -> list[Unit]:
    """The formula cut into units (see the module docstring)."""
    out, pos = [], 0
    while pos < len(latex):
        ch = latex[pos]
        if ch.isspace():
            pos += 1
            continue
        delimiter = _DELIMITER.match(latex, pos)
        if delimiter:
            if delimiter.group(1) != ".":          # \left. is no delimiter at all
                out.append(Unit(delimiter.group(1), raw=delimiter.group(0)))
            pos = delimiter.end()
        elif ch in "^_":
            at = _skip_space(latex, pos + 1)
            end = _argument_end(latex, at)
            arg = latex[at:end]
            out.append(Unit(arg[1:-1] if arg.startswith("{") and arg.endswith("}") else arg, script=ch))
            pos = end
        else:
            end = _argument_end(latex, pos)
            out.append(Unit(latex[pos:end]))
            pos = end
    return out


def _argument_end(latex: str, pos: int) -> int:
    """The end of one unit's text starting at pos: a group, a command, a number or one character."""
    if pos >= len(latex):
        return pos
    ch = latex[pos]
    if ch == "{":
        return _group(latex, pos)
    if ch == "\\":
        return _command(latex, pos)
    if ch in "0123456789":
        return re.match(r"[0-9]+(?:\.[0-9]+)?", latex[pos:]).end() + pos
    return pos + 1


def diff(old: str, new: str) -> tuple[Side, Side]:
    """Both formulas as units, each with the indices of its units the other does not share.

    Two formulas of the same length are also compared position by position, and that reading wins
    when it marks no more units: a swap of two indices is two changed subscripts, not a unit
    moved from one place to another."""
    a, b = units(old), units(new)
    gone, added = set(), set()
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        if op != "equal":
            gone.update(range(i1, i2))
            added.update(range(j1, j2))
    return Side(tuple(a), frozenset(gone)), Side(tuple(b), frozenset(added))


def _opcodes(a: list, b: list) -> list:
    ka, kb = [u.key for u in a], [u.key for u in b]
    found = difflib.SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes()
    if len(ka) != len(kb):
        return found
    moved = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in found if op != "equal")
    positional = [("equal" if x == y else "replace", k, k + 1, k, k + 1) for k, (x, y) in enumerate(zip(ka, kb))]
    return positional if sum(op != "equal" for op, *_ in positional) <= moved else found


def marked(us, changed, wrap) -> str:
    """The formula written back from its units, the changed ones passed through ``wrap``. Sized
    delimiters (\\left( ... \\right)) keep their size unless one of them is marked or a \\left. was
    dropped (a pair must stay whole)."""
    sized = [u for u in us if u.raw]
    keep = not any(us[k].raw for k in changed) and \
        sum(u.raw.startswith("\\left") for u in sized) == sum(u.raw.startswith("\\right") for u in sized)
    return " ".join(u.raw if keep and u.raw and k not in changed else u.latex(wrap if k in changed else None)
                    for k, u in enumerate(us))


def plain(latex: str) -> str:
    """The formula as the units write it back, nothing marked (\\left( read as "(")."""
    return marked(units(latex), frozenset(), None)


def _merged(opcodes: list) -> list:
    """Adjacent changes joined into one run (position-by-position opcodes come one unit at a time)."""
    out = []
    for op, i1, i2, j1, j2 in opcodes:
        if out and op != "equal" and out[-1][0] != "equal" and out[-1][2] == i1 and out[-1][4] == j1:
            out[-1] = ("replace", out[-1][1], i2, out[-1][3], j2)
        else:
            out.append((op, i1, i2, j1, j2))
    return out


def changes(old: Side, new: Side) -> list[tuple[str, str]]:
    """(removed, inserted) LaTeX for each run of changes, in order: for a one-line diff marker."""
    out = []
    for op, i1, i2, j1, j2 in _merged(_opcodes(list(old.units), list(new.units))):
        if op != "equal":
            out.append((" ".join(u.latex() for u in old.units[i1:i2]),
                        " ".join(u.latex() for u in new.units[j1:j2])))
    return out
