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

>>> from symderiv.notation.parse import parse
>>> parse(r"\\Delta = y", {r"\\Delta": "a^{(2)}"}).sides[0].kind
'a'
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace
from fractions import Fraction

from .names import ACTIVATION_NAMES, FUNCTION_NAMES
from .tokens import NotationError
from .tree import (Call, Deriv, LayerRef, Node, Num, Op, Partial, Qty, Sum, children, rename_indices, rewrite, walk,
                   with_children)


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
    """An ordered set of readings; ``apply`` rewrites the sides of a claim.

    ``passes`` are whole-tree readings of a convention (a layer shift per quantity kind, unit-index
    letters as layers, ...), applied in order after the symbol readings.
    """

    def __init__(self, readings: list[Reading] = (), passes=()):
        self.readings = sorted(readings, key=lambda r: r.specificity, reverse=True)
        self.passes = tuple(passes)

    def __bool__(self):
        return bool(self.readings or self.passes)

    def merged(self, more: "Readings") -> "Readings":
        """These readings, with ``more`` taking precedence where both read the same pattern."""
        sources = {r.source for r in more.readings}
        return Readings([r for r in self.readings if r.source not in sources] + list(more.readings),
                        self.passes + more.passes)

    def inverse(self, text: str = "") -> "Readings":
        """Meaning -> pattern: to write a tree in default notation back in the reader's symbols.

        Where two readings give the same meaning, the one whose pattern the reader wrote in ``text`` wins.
        """
        back = []
        for r in self.readings:
            if r.replacement is None or isinstance(r.pattern, Sum) or not isinstance(r.replacement, (Qty, Partial)):
                continue
            if isinstance(r.replacement, Qty) and r.replacement.idx and not (isinstance(r.pattern, Qty)
                                                                                and r.pattern.idx) \
                    and not all(isinstance(i, int) for i in r.replacement.idx):
                continue            # the reading picked an entry by letter: its inverse would rename that letter
            back.append(Reading(r.meaning, r.source, r.replacement, r.pattern))
        inverse = Readings(back)
        inverse.readings.sort(key=lambda r: (r.specificity, r.meaning in text), reverse=True)
        return inverse

    def apply(self, sides: list, text: str) -> list:
        return [self.apply_to(side, text) for side in sides]

    def apply_to(self, node: Node, text: str) -> Node:
        if not self:
            return node

        def read(n):
            for r in self.readings:
                new = _read(r, n, text)
                if new is not None:
                    return new
            return None
        token = _CURRENT.set(self.readings)
        try:
            out = rewrite(node, read) if self.readings else node
        finally:
            _CURRENT.reset(token)
        for tree_pass in self.passes:
            out = tree_pass(out, text)
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
        return replace(replacement, idx=n.idx, pos=n.pos, span=n.span)
    if hasattr(replacement, "pos"):
        return replace(replacement, pos=getattr(n, "pos", 0), span=getattr(n, "span", None))
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



# ---------------------------------------------------------------- whole-tree reading kinds (conventions)
def map_tree(n: Node, fn) -> Node:
    """Bottom-up: children first, then ``fn(node)`` (a node, or None to keep it)."""
    kids = children(n)
    if kids:
        new_kids = tuple(map_tree(k, fn) for k in kids)
        if any(a is not b for a, b in zip(new_kids, kids)):
            n = with_children(n, new_kids)
    new = fn(n)
    return n if new is None else new


LAYERED = ("W", "b", "z", "a", "delta")


@dataclass(frozen=True)
class LayerShift:
    """Their layer numbers to ours, per quantity kind.

    ``shift[kind]`` is added to a layer written as a number or relative to l; ``output_shift[kind]`` to a
    layer written relative to the output (L, n_l). Nielsen (input = layer 1): every kind -1, output 0.
    UFLDL and Ng (input = layer 1, W^{(l)} maps layer l to l+1): a, z, delta -1; W, b 0; and relative
    to the output W, b +1 (their W^{(n_l-1)} is our W^{(L)}). ``width_shift`` reads s_{l+1} and n_l in
    sum bounds (widths of layers, numbered like the nodes).
    """
    shift: tuple                 # ((kind, d), ...)
    output_shift: tuple = ()
    width_shift: int = 0

    def _moved(self, ref: LayerRef, kind: str) -> LayerRef:
        table = dict(self.output_shift if ref.base == "L" else self.shift)
        return ref.shifted(table.get(kind, 0))

    def undo(self, node: Node) -> Node:
        """Our layer numbers back to theirs (to write a correction in the claim's own numbering)."""
        neg = lambda pairs: tuple((k, -d) for k, d in pairs)      # noqa: E731
        return LayerShift(neg(self.shift), neg(self.output_shift), -self.width_shift)(node, "")

    def __call__(self, node: Node, text: str) -> Node:
        def fn(n):
            if isinstance(n, Qty) and n.layer is not None and n.kind in LAYERED:
                return replace(n, layer=self._moved(n.layer, n.kind))
            if isinstance(n, Sum) and n.hi and n.hi[0] == "width":
                ref = n.hi[1]
                d = 0 if ref.base == "L" else self.width_shift
                return replace(n, hi=("width", ref.shifted(d)))
            return None
        return map_tree(node, fn)


@dataclass(frozen=True)
class LetterLayer:
    """A lone ^{(k)} names a layer, not a sample (Goodfellow writes every layer as k): the parser reads a
    lone index letter as a sample superscript, this reading makes it the symbolic layer again."""
    letter: str

    def __call__(self, node: Node, text: str) -> Node:
        return map_tree(node, lambda n: replace(n, layer=LayerRef(self.letter, 0), sample=None)
                        if isinstance(n, Qty) and n.sample == self.letter and n.layer is None else None)

    def undo(self, node: Node) -> Node:
        return node                   # LayerRef("k") renders as (k) already


@dataclass(frozen=True)
class KindRename:
    """Simultaneous renaming of quantity kinds: Bishop's a (pre-activation) is our z, his z our a;
    Goodfellow's h^{(k)} is our a^{(k)} and his a^{(k)} our z^{(k)}. Only layered uses are renamed."""
    pairs: tuple                  # ((their kind, their spelling), (our kind, our spelling))

    def undo(self, node: Node) -> Node:
        return KindRename(tuple((ours, theirs) for theirs, ours in self.pairs))(node, "")

    def __call__(self, node: Node, text: str) -> Node:
        table = dict(self.pairs)

        def fn(n):
            if isinstance(n, Qty) and n.layer is not None and (n.kind, n.spelling) in table:
                kind, spelling = table[(n.kind, n.spelling)]
                return replace(n, kind=kind, spelling=spelling)
            return None
        return map_tree(node, fn)


class IllTyped(NotationError):
    """The claim uses a quantity where its convention says it cannot exist (Bishop's delta_i): an error
    of the claim, reported as incorrect, not as unusable input. ``name``/``index``: the quantity's
    spelling and its index letter; ``span``: where the quantity is written."""

    def __init__(self, message, text=None, pos=None, *, name="", index="", span=None):
        super().__init__(message, text, pos)
        self.name, self.index, self.span = name, index, span


@dataclass(frozen=True)
class UnitLetters:
    """Bishop's notation: no layer superscripts; the unit letter names the layer (i input, j hidden,
    k output). A weight w_{kj} takes the layer of its first letter. ``not_at_input`` are the kinds
    the input layer does not have (delta_i, w_{ij}): using one is an index slip of the claim."""
    letters: tuple                # ((letter, LayerRef), ...)
    not_at_input: tuple = ()

    def undo(self, node: Node) -> Node:
        """Layers named by their unit letter again: our z^{(1)}_j is Bishop's a_j."""
        table = dict(self.letters)
        return map_tree(node, lambda n: replace(n, layer=None) if isinstance(n, Qty) and n.kind in LAYERED
                        and n.idx and table.get(n.idx[0]) == n.layer else None)

    def __call__(self, node: Node, text: str) -> Node:
        table = dict(self.letters)

        def fn(n):
            if isinstance(n, Qty) and n.layer is None and n.kind in LAYERED and n.idx and n.idx[0] in table:
                layer = table[n.idx[0]]
                if layer == LayerRef(None, 0) and n.kind in self.not_at_input:
                    raise IllTyped(f"index order: {n.spelling}_{n.idx[0]} names the input layer "
                                   f"({n.idx[0]}), which has no {n.spelling}", text, n.pos,
                                   name=n.spelling, index=n.idx[0], span=n.span)
                return replace(n, layer=layer)
            return None
        return map_tree(node, fn)


@dataclass(frozen=True)
class NamedDerivatives:
    """d2l's named intermediates in a derivative: dJ/do with o read as z^{(2)} is the partial dJ/dz^{(2)}
    (the parser saw a plain variable o and made an ordinary derivative of it)."""
    names: tuple                  # ((variable, LaTeX meaning), ...)

    def __call__(self, node: Node, text: str) -> Node:
        from .parse import parse_fragment
        table = dict(self.names)

        def fn(n):
            if isinstance(n, Deriv) and n.var in table and isinstance(n.body, Qty) and n.body.kind == "J":
                den = parse_fragment(table[n.var])
                return Partial(n.body, den, pos=n.pos, span=n.span)
            return None
        return map_tree(node, fn)


@dataclass(frozen=True)
class CourseNames:
    """A course's own names (textbook.CourseName rows: Ng's D^{(l)} and \\Delta^{(l)}), each read as the
    tree it stands for. Listed before the layer shift, so the meaning's layers are renumbered with the
    rest; the name itself is rendered as written."""
    rows: tuple

    def __call__(self, node: Node, text: str) -> Node:
        table = {(r.spelling, r.kind): r for r in self.rows}

        def fn(n):
            row = table.get((n.spelling, n.kind)) if isinstance(n, Qty) else None
            return row.read(n) if row is not None else None
        return map_tree(node, fn)


@dataclass(frozen=True)
class BiasUnit:
    """The bias as unit 0 (Ng, Bishop): a_0 = x_0 = 1, w_{j0} is the bias b_j, sums over a weight's
    source index start at 0 (explicitly, or always when ``natural_from_zero``), a derivative by w_{j0} is
    the derivative by b_j, and (with ``matrix_product``) a weight matrix times the previous layer's
    activation holds the bias column."""
    natural_from_zero: bool = False
    matrix_product: bool = False

    def __call__(self, node: Node, text: str) -> Node:
        def fn(n):
            if isinstance(n, Sum) and (n.lo == 0 or (self.natural_from_zero and n.hi is None and n.lo == 1)) \
                    and _is_source_index(n.body, n.index):
                unit0 = map_tree(rename_indices(n.body, {n.index: 0}), _unit_zero)
                return Op("add", (unit0, replace(n, lo=1)), pos=n.pos, span=n.span)
            if isinstance(n, Partial) and n.den.kind == "W" and _unit_zero(n.den) is not None:
                return replace(n, den=_unit_zero(n.den))
            if self.matrix_product and isinstance(n, Op) and n.op == "mm":
                w, a = n.args
                if isinstance(w, Qty) and w.kind == "W" and w.layer is not None and not w.idx and \
                        isinstance(a, Qty) and a.kind in ("a", "x") and not a.idx and \
                        (a.kind == "x" or a.layer == w.layer.shifted(-1)):
                    return Op("add", (n, replace(w, kind="b", spelling="b")), pos=n.pos, span=n.span)
            return None
        return map_tree(node, fn)


def _is_source_index(body: Node, index: str) -> bool:
    """The sum runs over a weight's source units, and only weights and activations use its index (so unit
    0, the bias unit, belongs to the range): w_{ji} z_i, not w_{kj} delta_k."""
    users = [q for q in walk(body) if isinstance(q, Qty) and index in q.idx]
    return any(q.kind == "W" and len(q.idx) == 2 and q.idx[1] == index for q in users) and all(
        (q.kind == "W" and q.idx[1:] == (index,)) or q.kind in ("a", "x") for q in users)


def _unit_zero(n: Node):
    if isinstance(n, Qty) and n.kind == "W" and len(n.idx) == 2 and n.idx[1] == 0:
        return replace(n, kind="b", spelling="b", idx=(n.idx[0],))
    if isinstance(n, Qty) and n.kind in ("a", "x", "z") and n.idx == (0,):
        return Num(Fraction(1), pos=n.pos, span=n.span)
    return None
