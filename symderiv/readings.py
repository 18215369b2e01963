"""Readings: how to read a note's (or a user's) own symbols, applied to the parsed tree.

A reading is a pair ``pattern -> meaning``, both written in LaTeX and both
parsed by the same parser (``parse_fragment``): ``h(x) -> a^{(2)}_{2}``,
``z^{(3)} -> z^{(2)}``, ``\\Delta -> y``, ``\\psi(z^{(3)}) -> a^{(2)}``. The
meaning may also be a function's name (``h -> \\sigma``): the symbol is then
read as that function applied to its arguments (``h(z)`` is ``\\sigma(z)``).

Readings rewrite the tree top-down, all at once (``z^{(3)} -> z^{(2)}`` and
``z^{(2)} -> z^{(1)}`` do not chain), most specific pattern first. A pattern
without indices matches the symbol with any indices, which the meaning keeps
(``z^{(3)} -> z^{(2)}`` reads ``z^{(3)}_{ij}`` as ``z^{(2)}_{ij}``). A reading
never says whether a line is right: it only says what its symbols mean.

>>> from symderiv.parse import parse
>>> parse(r"\\Delta = y", {r"\\Delta": "a^{(2)}"}).sides[0].kind
'a'
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace

from .constructs import ACTIVATION_NAMES, FUNCTION_NAMES
from .notation import NotationError
from .tree import Call, Node, Partial, Qty, Sum, rewrite, walk


@dataclass(frozen=True)
class Reading:
    source: str                    # the pattern as written
    meaning: str
    pattern: Node
    replacement: Node | None       # None: read the symbol as the function ``meaning``

    @property
    def specificity(self) -> tuple:
        p = self.pattern
        if isinstance(p, Qty):
            return (1, len(p.args), len(p.idx), p.layer is not None, len(self.source))
        return (2, 0, 0, 0, len(self.source))


_CURRENT: ContextVar = ContextVar("readings", default=())   # the readings being applied (for sum bodies)


class Readings:
    """An ordered set of readings; ``apply`` rewrites the sides of a claim."""

    def __init__(self, readings: list[Reading] = ()):
        self.readings = sorted(readings, key=lambda r: r.specificity, reverse=True)

    def __bool__(self):
        return bool(self.readings)

    def merged(self, more: "Readings") -> "Readings":
        """These readings, with ``more`` taking precedence where both read the same pattern."""
        sources = {r.source for r in more.readings}
        return Readings([r for r in self.readings if r.source not in sources] + list(more.readings))

    def inverse(self, text: str = "") -> "Readings":
        """Meaning -> pattern: to write a tree in default notation back in the reader's symbols.

        Where two readings give the same meaning, the one whose pattern the reader wrote in ``text`` wins.
        """
        back = []
        for r in self.readings:
            if r.replacement is None or isinstance(r.pattern, Sum) or not isinstance(r.replacement, (Qty, Partial)):
                continue
            if isinstance(r.replacement, Qty) and r.replacement.idx and not (isinstance(r.pattern, Qty)
                                                                                and r.pattern.idx):
                continue            # the reading picked one entry: its inverse would claim every entry
            back.append(Reading(r.meaning, r.source, r.replacement, r.pattern))
        inverse = Readings(back)
        inverse.readings.sort(key=lambda r: (r.specificity, r.meaning in text), reverse=True)
        return inverse

    def apply(self, sides: list, text: str) -> list:
        return [self.apply_to(side, text) for side in sides]

    def apply_to(self, node: Node, text: str) -> Node:
        if not self.readings:
            return node

        def read(n):
            for r in self.readings:
                new = _read(r, n, text)
                if new is not None:
                    return new
            return None
        token = _CURRENT.set(self.readings)
        try:
            out = rewrite(node, read)
        finally:
            _CURRENT.reset(token)
        check_partials(out, text)
        return out


def _read(r: Reading, n: Node, text: str) -> Node | None:
    p = r.pattern
    if isinstance(p, Qty) and isinstance(n, Qty):
        if (p.spelling, p.layer, p.sample) != (n.spelling, n.layer, n.sample) or (p.idx and p.idx != n.idx) or \
                (p.args and p.args != n.args):
            return None
        if r.replacement is None:
            return _as_function(r, n, text)
        return _placed(r.replacement, n, keep_indices=not p.idx)
    if isinstance(p, Sum) and isinstance(n, Sum):
        if (p.index, p.lo, p.hi) != (n.index, n.lo, n.hi):
            return None
        q = r.replacement
        return replace(n, index=q.index, lo=q.lo, hi=q.hi, hi_latex=q.hi_latex,
                       body=Readings([x for x in _CURRENT.get() if x is not r]).apply_to(n.body, text))
    if isinstance(p, Call) and isinstance(n, Call) and r.replacement is None:
        return _call(r.meaning, n.arg, n.pos) if (p.fn, p.spelling) == (n.fn, n.spelling) else None
    if p == n:
        return _placed(r.replacement, n)
    return None


def _placed(replacement: Node, n: Node, keep_indices: bool = False) -> Node:
    """The meaning at the matched symbol's position, keeping indices the pattern left open."""
    if keep_indices and isinstance(replacement, Qty) and isinstance(n, Qty) and n.idx and not replacement.idx:
        return replace(replacement, idx=n.idx, pos=n.pos)
    if hasattr(replacement, "pos"):
        return replace(replacement, pos=getattr(n, "pos", 0))
    return replacement


def _as_function(r: Reading, n: Qty, text: str) -> Node:
    if len(n.args) != 1:
        raise NotationError(f"{r.source} is read as {r.meaning}, which takes one argument in parentheses",
                            text, n.pos)
    if n.prime and r.meaning not in ACTIVATION_NAMES:
        raise NotationError(f"{r.source}' is read as the derivative of {r.meaning}, which is not supported; "
                            "read it as an activation (\\sigma, f, g)", text, n.pos)
    return _call(r.meaning, n.args[0], n.pos, derivative=n.prime)


def _call(name: str, arg: Node, pos: int, derivative: bool = False) -> Call:
    if name in ACTIVATION_NAMES:
        return Call("dact" if derivative else "act", arg, name, pos=pos)
    return Call(FUNCTION_NAMES[name], arg, name, pos=pos)


def compile_readings(bindings: dict[str, str] | None) -> Readings:
    """Readings from a mapping of the note's LaTeX to symderiv's (both parsed, never evaluated)."""
    from .parse import parse_fragment
    if not bindings:
        return Readings()
    out = []
    for key, value in bindings.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key.strip():
            raise NotationError("readings must map non-empty LaTeX strings to LaTeX strings")
        pattern = _pattern(key, value)
        meaning = value.strip()
        if meaning in ACTIVATION_NAMES or meaning in FUNCTION_NAMES:
            if not isinstance(pattern, (Qty, Call)):
                raise NotationError(f"reading {key!r} -> {value!r}: only a symbol can be read as a function")
            out.append(Reading(key, meaning, pattern, None))
            continue
        if isinstance(pattern, Sum):
            replacement = parse_fragment(meaning + " z")
            if not isinstance(replacement, Sum):
                raise NotationError(f"reading {key!r} -> {value!r}: a sum's range is read as a sum's range")
            out.append(Reading(key, meaning, pattern, replacement))
            continue
        try:
            replacement = parse_fragment(meaning)
        except NotationError as exc:
            raise NotationError(f"reading {key!r} -> {value!r}: the meaning does not parse ({exc.message})") \
                from None
        if isinstance(pattern, Partial) is not isinstance(replacement, Partial) and isinstance(pattern, Partial):
            raise NotationError(f"reading {key!r} -> {value!r}: a derivative must be read as a derivative")
        out.append(Reading(key, meaning, pattern, replacement))
    return Readings(out)


def _pattern(key: str, value: str) -> Node:
    """The parsed pattern; a bare function name (``\\text{sigmoid}``) is read as a function of anything,
    a bare ``\\sum_{i=1}^{m}`` as the range of any sum written so."""
    from .parse import parse_fragment
    if key.lstrip().startswith(r"\sum"):
        return parse_fragment(key + " z")
    try:
        return parse_fragment(key)
    except NotationError as exc:
        try:
            call = parse_fragment(key + "(z)")
        except NotationError:
            call = None
        if isinstance(call, Call):
            return call
        raise NotationError(f"reading {key!r} -> {value!r}: the pattern does not parse ({exc.message})") from None


def as_readings(readings) -> Readings:
    if readings is None:
        return Readings()
    if isinstance(readings, Readings):
        return readings
    return compile_readings(readings)


def check_partials(node: Node, text: str) -> None:
    """A partial's numerator and denominator must still be quantities after reading."""
    for n in walk(node):
        if isinstance(n, Partial) and not (isinstance(n.num, Qty) and isinstance(n.den, Qty)):
            raise NotationError("a derivative's numerator and denominator must be quantities after reading",
                                text, n.pos)

