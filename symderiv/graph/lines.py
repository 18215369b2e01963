"""A document's lines read in its own names: definitions of its forward pass, and claims about it.

The project's parser (notation/parse.py) gives each line's tree; this module
reads the tree the way a derivation's author wrote it, never the string:

* names as people write them: ``W_1``, ``W^{(1)}``, ``W^{[1]}`` and ``W1`` are
  the symbol W tagged 1 (a digit written straight after a letter is a suffix);
  ``dW2`` and ``dz1`` (``d`` written straight before a name) are the derivative
  of the cost by that symbol; ``\\delta_1`` is the derivative by ``z_1``;
* a *definition* is ``name = expression`` whose name nothing earlier defined and
  whose right side differentiates nothing; every other equation is a claim.

``read_lines`` turns (id, LaTeX) pairs into ``Line`` objects; graph.py builds
the model from the definitions and checks the claims.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..notation.grammar import Parser
from ..notation.layout import layout_free
from ..notation.tokens import NotationError, Token, prepare
from ..notation.tree import Call, DerivOf, LayerRef, Node, Num, Op, Partial, Qty, rewrite, walk

COST = "\\mathcal{C}"          # the spelling of "the cost" in dW2 and delta_1 (build.py names the real one)
COST_SUMMED = "\\mathcal{C}_{m}"     # deeplearning.ai's dZ, dA: m times the derivative of the mean cost
DELTA = {r"\delta", r"\Delta"}
DATA_IN = {"x", "X"}           # the data and the targets: what a sample superscript (x^{(i)}) is written on
DATA_OUT = {"y", "Y", "t"}
DEFINES = (r"\equiv", r"\coloneqq", r"\triangleq", r"\stackrel{\text{def}}{=}", r"\overset{\text{def}}{=}")


@dataclass(frozen=True)
class Line:
    """One equation of a document: a definition (``defines`` is the key it defines) or a claim."""
    id: str
    text: str
    sides: tuple
    defines: tuple | None = None
    implicit: str = ""              # a node the document uses without writing it: "pre-activation", "activation"
    free: tuple = ()                # p_i = ...: the definition of one entry, for every i
    names: bool = False             # delta_j \\equiv dC/dz_j: says what a symbol means, checks nothing
    error: str = ""                 # why the line could not be read (tolerant reading)
    head: str = ""                  # an unread line's left side, when it is one name: what it may define
    layered: bool = False           # one layer's instance of a line written for a symbolic layer l
    condition: object = None        # a claim that holds where this Cond does (``\text{if } i = k``)
    rounded: tuple = ()             # the links written with \approx (k: between sides k and k+1)

    def from_side(self, k: int) -> "Line":
        """The line's chain from side k on (its links renumbered)."""
        return replace(self, sides=self.sides[k:], rounded=tuple(j - k for j in self.rounded if j >= k))


def key_of(q: Qty) -> tuple:
    """(base, tag): the symbol a quantity names, its entry indices aside (``W_1`` and ``W^{(1)}``: ("W", "1"))."""
    tag = None
    if q.layer is not None:
        tag = q.layer.latex()
    elif len(q.idx) == 1 and isinstance(q.idx[0], int):
        tag = str(q.idx[0])
    return (q.spelling, tag)


def entry_of(q: Qty) -> tuple:
    """The entry indices written on a quantity (letters or 1-based numbers), its tag aside."""
    if q.layer is None and len(q.idx) == 1 and isinstance(q.idx[0], int):
        return ()
    return q.idx


def latex_of(key: tuple) -> str:
    base, tag = key
    return base if tag is None else f"{base}_{{{tag}}}" if tag.isdigit() else f"{base}^{{({tag})}}"


# ---------------------------------------------------------------- names as written
def _factors(n: Node) -> list:
    """The factors of a juxtaposition chain, left to right."""
    if isinstance(n, Op) and n.op == "mm" and n.style == "":
        return _factors(n.args[0]) + _factors(n.args[1])
    return [n]


def _end(q: Node) -> int:
    return q.pos + len(q.spelling) if isinstance(q, Qty) else -1


def _suffixed(q: Qty, num: Num) -> Qty | None:
    """W2: the digit straight after a bare name is its tag."""
    if q.layer is None and not q.idx and num.value.denominator == 1 and num.pos == _end(q) and q.spelling.isalpha():
        return replace(q, idx=(int(num.value),))
    return None


def _fused(parts: list) -> list:
    """A chain's factors with digit suffixes and d-prefixes joined to the names they belong to."""
    out = []
    for f in parts:
        prev = out[-1] if out else None
        inner = f.args[0] if isinstance(f, Op) and f.op == "T" else f
        if isinstance(prev, Qty) and isinstance(inner, Num):
            joined = _suffixed(prev, inner)
            if joined is not None:
                out[-1] = joined if inner is f else replace(f, args=(joined,))
                continue
        if isinstance(prev, Qty) and prev.spelling == "d" and not prev.idx and prev.layer is None and \
                isinstance(inner, Qty) and inner.pos == prev.pos + 1:
            deriv = Partial(Qty("J", COST, pos=prev.pos), inner, pos=prev.pos)
            out[-1] = deriv if inner is f else replace(f, args=(deriv,))
            continue
        if isinstance(prev, Partial) and prev.num.spelling == COST and isinstance(inner, Num):
            joined = _suffixed(prev.den, inner)        # dW2: the suffix belongs to W
            if joined is not None:
                out[-1] = replace(prev, den=joined)
                continue
        out.append(f)
    return out


def _d_prefixed(den: Qty, pos: int, meaning: str = "") -> Partial:
    """d followed by a name: the derivative of the cost (of the summed loss, PER_SAMPLE) by it."""
    return Partial(Qty("J", COST_SUMMED if meaning == PER_SAMPLE else COST, pos=pos), den, pos=pos)


def _join(parts: list, like: Op) -> Node:
    node = parts[0]
    for p in parts[1:]:
        node = Op("mm", (node, p), style="", pos=like.pos)
    return node


PER_SAMPLE = "per-sample"      # dZ^{[l]}, dA^{[l]}: deeplearning.ai's derivatives of the summed loss


def names_as_written(n: Node, text: str = "") -> Node:
    """The tree with ``W2``, ``dW2``, ``dz1 a1^T`` read as names, ``\\delta_1`` as the derivative by z_1;
    deeplearning.ai's ``dW^{[l]}`` (read by the convention's row) is the derivative of the document's cost,
    its ``dZ^{[l]}``, ``dA^{[l]}`` that of the loss summed over the samples (marked PER_SAMPLE)."""
    def fn(x):
        if isinstance(x, Op) and x.op == "mm" and x.style == "":
            if isinstance(x.args[0], Qty) and x.args[0].kind == "m" and isinstance(x.args[1], Partial) and \
                    text[x.args[1].pos:x.args[1].pos + 1] == "d":           # the convention's dA = m dJ/dA
                return _d_prefixed(x.args[1].den, x.args[1].pos, PER_SAMPLE)
            parts = _fused([names_as_written(f, text) for f in _factors(x)])
            return _join(parts, x)
        if isinstance(x, Partial) and text[x.pos:x.pos + 1] == "d" and x.num.spelling == "J":
            return _d_prefixed(x.den, x.pos)
        if isinstance(x, Qty) and x.kind == "delta" and x.spelling.startswith("d") and len(x.spelling) == 2:
            return _d_prefixed(replace(x, kind="z", spelling=x.spelling[1]), x.pos, PER_SAMPLE)
        if isinstance(x, Qty) and x.spelling in DELTA:
            return Partial(Qty("J", COST, pos=x.pos), replace(x, spelling="z", kind="z"), pos=x.pos)
        if isinstance(x, Qty) and isinstance(x.sample, int) and x.spelling not in DATA_IN | DATA_OUT:
            # h^{(1)}, L^{(2)}: a numbered superscript on a quantity of the model is its layer, as on a^{(1)}
            # (the parser takes it for an example's number on the names the menu model has no layers of)
            return replace(x, layer=LayerRef(None, x.sample), sample=None)
        return None
    return rewrite(n, fn)


# ---------------------------------------------------------------- \\partial_{x} y
def _group_end(tokens: list, k: int) -> int:
    """The index after the braced group (or single token) starting at k."""
    if k >= len(tokens):
        return k
    if tokens[k].text != "{":
        return k + 1
    depth = 0
    for j in range(k, len(tokens)):
        depth += {"{": 1, "}": -1}.get(tokens[j].text, 0)
        if depth == 0:
            return j + 1
    return len(tokens)


def _name_end(tokens: list, k: int) -> int:
    """The index after a name with its sub- and superscripts and its parenthesised arguments."""
    k += 1
    while k < len(tokens) and tokens[k].text in ("_", "^"):
        k = _group_end(tokens, k + 1)
    if k < len(tokens) and tokens[k].text == "(":
        depth = 0
        for j in range(k, len(tokens)):
            depth += {"(": 1, ")": -1}.get(tokens[j].text, 0)
            if depth == 0:
                return j + 1
    return k


def partial_subscripts(tokens: list) -> list:
    """``\\partial_{o_j} l`` as the tokens of ``\\frac{\\partial l}{\\partial o_j}`` (same positions)."""
    out, k = [], 0
    while k < len(tokens):
        t = tokens[k]
        if t.text == r"\partial" and k + 2 < len(tokens) and tokens[k + 1].text == "_":
            sub_end = _group_end(tokens, k + 2)
            sub = tokens[k + 2:sub_end]
            sub = sub[1:-1] if sub and sub[0].text == "{" else sub
            if sub_end < len(tokens) and tokens[sub_end].kind in ("letter", "name", "cmd"):
                num_end = _name_end(tokens, sub_end)
                mk = lambda text: Token("sym" if text in "{}" else "cmd", text, t.pos)   # noqa: E731
                out += [mk(r"\frac"), mk("{"), mk(r"\partial"), *tokens[sub_end:num_end], mk("}"), mk("{"),
                        mk(r"\partial"), *sub, mk("}")]
                k = num_end
                continue
        out.append(t)
        k += 1
    return out


# ---------------------------------------------------------------- lines
def parse_line(text: str) -> list:
    """The sides of one equation, names read as written (NotationError when it does not parse, or when it
    holds only under a condition)."""
    sides, condition, _ = parse_conditioned(text)
    if condition is not None:
        raise NotationError("a condition after the equation")
    return sides


def parse_conditioned(text: str) -> tuple:
    """(the sides, the condition written after them: ``.. \\quad \\text{if } i = k``, or None, and the links
    written with \\approx: a rounded value, checked at a worked example's values only, worked.py)."""
    for sign in DEFINES:           # h \\equiv ...: a definition written as one (same width: columns stay)
        text = text.replace(sign, "=" + " " * (len(sign) - 1))
    text, tokens = prepare(text)
    tokens = partial_subscripts(layout_free(tokens, text))
    if not tokens:
        raise NotationError("empty line")
    p = Parser(text, tokens)
    p.approx_links = True
    sides = p.chain()
    return [names_as_written(s, text) for s in sides], p.condition, tuple(p.rounded)


def differentiates(n: Node) -> bool:
    """Does the expression take a derivative (a partial, d/dx, a primed function)?"""
    return any(isinstance(x, (Partial, DerivOf)) or (isinstance(x, Call) and x.fn == "dact") or
               (isinstance(x, Qty) and x.prime) for x in walk(n))


def read_lines(equations, tolerant: bool = False) -> list[Line]:
    """(id, LaTeX) pairs -> Lines; an equation that does not parse raises NotationError.

    ``\\delta_j \\equiv \\frac{\\partial C}{\\partial z_j}`` says what the document's delta is: the line is a
    definition (``Line.names``) and every later delta is read as it says."""
    lines, defined, deltas = [], set(), {}
    parsed = []
    for line_id, text in equations:
        try:
            parsed.append((line_id, text, parse_conditioned(text)))
        except NotationError as exc:
            parsed.append((line_id, text, exc))
    signals = error_signals([found[0] for _, _, found in parsed if not isinstance(found, NotationError)])
    for line_id, text, found in parsed:
        try:
            if isinstance(found, NotationError):
                raise found
            sides, condition, rounded = found
            sides = tuple(_as_defined(_signals_read(s, signals), deltas) for s in sides)
            if len(sides) < 2:
                raise NotationError("a line needs '='")
        except NotationError as exc:
            if not tolerant:
                raise
            lines.append(Line(line_id, text, (), error=str(exc), head=_head(text)))   # unread; the others are
            continue
        head = sides[0]
        if condition is not None:       # holds where the condition does (i = k): a claim, never a definition
            lines.append(Line(line_id, text, sides, condition=condition, rounded=rounded))
            continue
        if _names_delta(text, sides):
            deltas[key_of(head.den)] = sides[1]
            lines.append(Line(line_id, text, sides, names=True))
            continue
        key = None
        free = entry_of(head) if isinstance(head, Qty) else ()
        by_entry = all(isinstance(i, str) for i in free) and len(set(free)) == len(free)
        if isinstance(head, Qty) and by_entry and not head.args and not head.prime and not differentiates(sides[1]) \
                and 0 not in rounded:       # h \approx ...: a rounded value, never a definition
            key = key_of(head)          # h = x W = [...]: a definition, and the links after it are claims
            if key in defined or key in {key_of(q) for q in walk(sides[1]) if isinstance(q, Qty)}:
                key = None
        if key is not None:
            defined.add(key)
        lines.append(Line(line_id, text, sides, key, free=free if key is not None else (), rounded=rounded))
    return lines


# ---------------------------------------------------------------- error signals: \bar{v} = dL/dv
BAR = "\\bar{"


def _bar_of(q) -> str | None:
    """v, when q is written \\bar{v}."""
    if isinstance(q, Qty) and q.spelling.startswith(BAR) and q.spelling.endswith("}"):
        return q.spelling[len(BAR):-1]
    return None


def error_signals(parsed: list) -> dict:
    """\\bar{v} read as the derivative of the cost by v (Grosse's error signals: \\bar{y} = y - t,
    \\bar{z} = \\bar{y} \\sigma'(z)) where v is a quantity of the document and no forward-pass line uses
    \\bar{v} (a mean \\bar{x} inside z = w (x - \\bar{x}) stays a name): v -> a quantity spelled v."""
    plain, forward = {}, set()
    for sides in parsed:
        for side in sides:
            for q in walk(side):
                if isinstance(q, Qty) and _bar_of(q) is None:
                    plain.setdefault(q.spelling, q)
        if len(sides) >= 2 and _bar_of(sides[0]) is None and not differentiates(sides[0]):
            forward |= {_bar_of(q) for side in sides[1:] for q in walk(side)} - {None}
    barred = {_bar_of(q) for sides in parsed for side in sides for q in walk(side)} - {None}
    return {v: plain[v] for v in barred if v in plain and v not in forward}


def _signals_read(n: Node, signals: dict) -> Node:
    if not signals:
        return n

    def fn(x):
        v = _bar_of(x)
        if v in signals:
            den = replace(signals[v], layer=x.layer, idx=x.idx, sample=x.sample, pos=x.pos)
            return Partial(Qty("J", COST, pos=x.pos), den, pos=x.pos)
        return None
    return rewrite(n, fn)


def _head(text: str) -> str:
    """The name an unread line starts with (``C=\\sum{...}`` -> ``C``), else ''."""
    try:
        _, tokens = prepare(text)
    except NotationError:
        return ""
    left = []
    for t in tokens:
        if t.text == "=":
            break
        left.append(t)
    names = [t for t in left if t.kind in ("letter", "name", "cmd")]
    return names[0].text if names and left and left[0] is names[0] and \
        all(t.text in ("_", "^", "{", "}", "(", ")", ",") or t is names[0] or t.kind in ("letter", "num")
            for t in left) else ""


def _names_delta(text: str, sides) -> bool:
    """Is this line ``\\delta ... = \\frac{\\partial C}{\\partial v}``, saying what delta is?"""
    head = sides[0]
    return len(sides) == 2 and isinstance(head, Partial) and head.num.spelling == COST and \
        text.lstrip().startswith(tuple(DELTA)) and isinstance(sides[1], Partial) and \
        sides[1].num.spelling != COST


def _as_defined(n: Node, deltas: dict) -> Node:
    """Each delta read as the document said it is."""
    if not deltas:
        return n

    def fn(x):
        if isinstance(x, Partial) and x.num.spelling == COST and key_of(x.den) in deltas:
            said = deltas[key_of(x.den)]
            # \delta^l_i \equiv dC/dz^l_i says what every entry is: \delta^l is then the vector dC/dz^l
            den = replace(said.den, idx=entry_of(x.den)) if entry_of(said.den) or entry_of(x.den) else said.den
            return replace(said, den=den, pos=x.pos)
        return None
    return rewrite(n, fn)


__all__ = ["Line", "read_lines", "parse_line", "key_of", "entry_of", "latex_of", "COST", "LayerRef"]
