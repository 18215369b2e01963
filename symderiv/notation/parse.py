"""LaTeX claim -> claim tree: a recursive-descent engine over notation tokens.

The grammar's levels live here; what each token *means* lives in the
construct registry (constructs.py, registry.py), which this engine dispatches through.
Precedence, loosest first:

    chain    a = b = c
    sum      the registry's "sum"-level infix rows (+, -)
    product  juxtaposition and the "product"-level infix rows (\\cdot, \\odot, /, ...),
             one level, left-associative: ``W^T \\delta \\odot f'(z)`` = ``(W^T \\delta) \\odot f'(z)``
    unary    leading - or +
    postfix  transposes (the T row's superscripts), ^{k} (power)
    primary  the rows' ``starts`` tokens, quantities, (...), [...], {...}

After parsing, a note's or user's readings (readings.py) are applied to the
tree, and only then are symbols checked against the model: error positions
always point into the text as the user wrote it.

Why not latex2sympy2_extended: it flattens ``A \\cdot H \\cdot (B C)`` into one
product (so a Hadamard marker cannot keep ``A \\odot (B C)`` apart from
``(A \\odot B) C``), reads ``\\log`` as base 10 and rejects ``\\operatorname``.
"""
from __future__ import annotations

from functools import lru_cache

import re

from dataclasses import dataclass, replace

from .conditions import COMPARISONS, CONDITION_WORDS, parse_condition
from .names import (ACTIVATION_NAMES, APPLIED_KINDS, COUNT_KINDS, COUNT_LABELS, INDEX_LETTERS, LABELLED_KINDS,
                    PURE_VARIABLES)
from .quantities import render_qty
from .registry import (CONSTRUCTS, ENVIRONMENTS, INFIX, LETTER_STARTS, PRIMARY_STARTS, QUANTITY_NAMES, SPECIAL_STARTS,
                       TRANSPOSE_SUPERSCRIPTS, render)
from .tokens import FREE_SYMBOLS, NotationError, Token, prepare
from .tree import (Call, Cond, Deriv, DerivOf, Index, LayerRef, Matrix, Node, Num, Op, Partial, Qty, Sum, children,
                   free_indices, quantities, rename_indices, rewrite, transposed, walk)

MAX_NODES = 2000
# LETTER_STARTS (registry.py): spellings that start with a plain letter and claim it only in context (the d
# of dW^{[l]}): letter -> parse function, which returns None, consuming nothing, when the letter is not its spelling.
LAYOUT_ENVS = {"aligned", "align", "align*", "split", "gathered", "equation", "equation*"}


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


# ---------------------------------------------------------------- parser
class Parser:
    """The grammar engine. Construct rows call its small API: peek, at, take, expect, fail, node,
    group_tokens, peek_group, sub, expr, expr_all, product, postfix, primary, quantity, sum_bound."""

    STOP = {")", "]", "}", "=", "+", "-", ",", "|", ":", "<", ">", r"\approx", None}

    def __init__(self, text: str, tokens: list[Token]):
        self.text, self.toks, self.k, self.count = text, tokens, 0, 0
        self.closing: list[str] = []     # closers of the constructs being parsed (the \\| of an open norm)
        self.condition = None            # a claim's "if ..." qualifier
        self.cuts: list[int] = []       # where each side of a chain ends
        self.layer_letters = _layer_letters(tokens)   # a note's own layer letter: (j) beside (j-1)
        self.summed: tuple = ()          # the indices the sums being parsed bind (their bodies are inside)
        self.approx_links = False        # a worked example's reader takes "a \\approx b" as a (rounded) link
        self.rounded: list[int] = []     # the links so taken: k, between sides k and k+1

    def stops(self, t: Token | None) -> bool:
        """Does an operand end before t?"""
        return t is None or t.text in self.STOP or t.text in COMPARISONS or t.kind in ("align", "break") or \
            (t.kind == "env" and t.text.startswith("end:")) or t.kind == "prose" or \
            (bool(self.closing) and t.text == self.closing[-1])

    def until(self, closer: str):
        """Parse an expression that ends at ``closer`` (which is then taken)."""
        self.closing.append(closer)
        try:
            inner = self.expr()
        finally:
            self.closing.pop()
        self.expect(closer)
        return inner

    # -- token helpers
    def peek(self, ahead: int = 0) -> Token | None:
        j = self.k + ahead
        return self.toks[j] if j < len(self.toks) else None

    def at(self, *texts) -> bool:
        t = self.peek()
        return t is not None and t.text in texts

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            self.fail("unexpected end of the claim", len(self.text) - 1)
        self.k += 1
        return t

    def expect(self, text: str) -> Token:
        t = self.peek()
        if t is None or t.text != text:
            self.fail(f"expected {text!r}", t.pos if t else len(self.text) - 1)
        return self.take()

    def fail(self, message: str, pos: int | None = None):
        if pos is None:
            t = self.peek()
            pos = t.pos if t else max(len(self.text) - 1, 0)
        raise ParseError(message, self.text, pos)

    def node(self, n: Node) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(f"claim too large (more than {MAX_NODES} terms)")
        if getattr(n, "span", 0) is None and self.k > 0:
            # from its first written part (its own token or an operand's) to the last token taken
            starts = [n.pos] + [c.span[0] for c in children(n) if getattr(c, "span", None)]
            n = replace(n, span=balanced(self.text, min(starts), self.toks[self.k - 1].stop))
        return n

    def group_tokens(self) -> list[Token]:
        """The tokens of the next braced group (or single token), consumed."""
        t = self.take()
        if t.text != "{":
            return [t]
        depth, start = 1, self.k
        while depth:
            u = self.take()
            depth += {"{": 1, "}": -1}.get(u.text, 0)
        return self.toks[start:self.k - 1]

    def peek_group(self, ahead: int) -> list[Token]:
        """The tokens of the group ``ahead`` tokens on, not consumed."""
        t = self.peek(ahead)
        if t is None or t.text != "{":
            return [t] if t else []
        out, j = [], self.k + ahead + 1
        while j < len(self.toks) and self.toks[j].text != "}":
            out.append(self.toks[j])
            j += 1
        return out

    def sub(self, tokens: list[Token]) -> "Parser":
        p = Parser(self.text, tokens)
        p.count, p.layer_letters, p.summed = self.count, self.layer_letters, self.summed
        return p

    # -- grammar
    def chain(self) -> list[Node]:
        sides = [self.expr()]
        while self.at("=") or (self.at(":") and self.peek(1) is not None and self.peek(1).text == "=") or \
                (self.approx_links and self.at(r"\approx")):
            self.cuts.append(self.peek().pos)
            t = self.take()
            if t.text == ":":                # := in an update rule is an assignment written as an equation
                self.take()
            if t.text == r"\approx":
                self.rounded.append(len(sides) - 1)
            sides.append(self.expr())
        t = self.peek()
        self.cuts.append(t.pos if t is not None else len(self.text))
        if t is not None and t.kind in ("prose", "word") and t.text.strip() in CONDITION_WORDS:
            self.take()                          # "... \\quad \\text{if } j = y_i": where the claim holds
            self.condition = parse_condition(self, t.pos)
        if self.peek() is not None:
            t = self.peek()
            if t.text in (":", "<", ">"):
                self.fail("only equalities can be checked (no :=, <, >)")
            if t.text == r"\approx":
                self.fail(r"\approx (a rounded value) is not checked: only '=' links are")
            self.fail(f"unexpected {t.text!r}")
        return sides

    def expr(self) -> Node:
        if self.at("-", "+"):
            t = self.take()
            left = self.product()
            if t.text == "-":
                left = self.node(Op("neg", (left,), pos=t.pos))
        else:
            left = self.product()
        while self.peek() is not None and self.peek().text in INFIX["sum"]:
            t = self.take()
            right = self.product()
            left = self.node(Op(INFIX["sum"][t.text].name, (left, right), pos=t.pos))
        return left

    def product(self, left: Node | None = None) -> Node:
        """A term: factors joined by product operators or juxtaposition (``left``: its first factor, already read)."""
        left = self.unary() if left is None else left
        while True:
            t = self.peek()
            if self.stops(t):
                return left
            row, style = INFIX["product"].get(t.text), t.text
            nxt = self.peek(1)
            pair = INFIX["product"].get(t.text + nxt.text) if nxt is not None else None
            if pair is not None:                    # two-token operators: Octave's .* and .\ast
                row, style = pair, t.text + nxt.text
                self.take()
            if row is not None:
                self.take()
                if self.stops(self.peek()):
                    self.fail(f"{style} needs a right operand")
                right = self.unary()
                left = self.node(Op(row.name, (left, right), style=style, pos=t.pos))
            else:                                   # juxtaposition: a matrix (or scalar) product
                right = self.unary()
                left = self.node(Op("mm", (left, right), style="", pos=t.pos))

    def unary(self) -> Node:
        if self.at("-"):
            t = self.take()
            return self.node(Op("neg", (self.unary(),), pos=t.pos))
        return self.postfix(self.primary())

    def postfix(self, base: Node) -> Node:
        while True:
            if self.at("'"):
                t = self.take()
                base = self.node(Op("T", (base,), style="'", pos=t.pos))
            elif self.at("^"):
                t = self.take()
                sup = self.group_tokens()
                texts = [x.text for x in sup]
                if len(texts) == 1 and texts[0] in TRANSPOSE_SUPERSCRIPTS:
                    style = "'" if texts[0] in ("'", r"\prime") else "^" + ("T" if texts == ["T"] else texts[0] + " ")
                    base = self.node(Op("T", (base,), style=style, pos=t.pos))
                else:
                    if sup and sup[0].text in ("(", "["):
                        self.fail("a layer superscript must follow a quantity's name", sup[0].pos)
                    exponent = self.sub(sup).expr_all(t.pos)
                    base = self.node(Op("pow", (base, exponent), pos=t.pos))
                    self.no_second_exponent()
            else:
                return base

    def no_second_exponent(self) -> None:
        """An exponent directly followed by another (z^2^3, e^z^2) is a double superscript: TeX refuses it and
        a reader may mean z^{2^3} or (z^2)^3, so it is not guessed (a transpose after it, ^T, is kept)."""
        if not self.at("^"):
            return
        group = [x.text for x in self.peek_group(1)]
        if len(group) == 1 and group[0] in TRANSPOSE_SUPERSCRIPTS:
            return
        self.fail("double superscript: it can be read two ways; write the exponent in braces (e^{z^2}) or "
                  "parenthesise the power ((e^z)^2)")

    def expr_all(self, pos) -> Node:
        if not self.toks:
            self.fail("empty group", pos)
        e = self.expr()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek().text!r}")
        return e

    def primary(self) -> Node:
        t = self.peek()
        if t is None:
            self.fail("unexpected end of the claim")
        if t.kind == "num":
            return CONSTRUCTS["num"].parse(self, t)   # numbers start with any digit
        if t.text in ("(", "[", "{"):
            self.take()
            closer = {"(": ")", "[": "]", "{": "}"}[t.text]
            inner = self.expr()
            self.expect(closer)
            if self.at("_") and isinstance(inner, Qty) and not inner.idx:
                self.take()                      # (h_theta(x^{(i)}))_k: unit k of the parenthesised output
                inner = replace(inner, idx=self._indices(self.group_tokens(), inner.kind))
            return inner
        if t.text == "e" and self.peek(1) is not None and self.peek(1).text == "^":
            return SPECIAL_STARTS["e"](self, t)
        if t.kind == "letter" and t.text in LETTER_STARTS:
            claimed = LETTER_STARTS[t.text](self, t)
            if claimed is not None:
                return claimed
        row = PRIMARY_STARTS.get(t.text)
        if row is not None and (t.kind in ("cmd", "word", "env", "name") or t.text in ACTIVATION_NAMES):
            return row.parse(self, t)
        if t.kind in ("letter", "name") or (t.kind == "cmd" and (t.text in QUANTITY_NAMES or t.text in FREE_SYMBOLS)):
            return self.quantity()
        if t.kind == "word":                 # \\text{theta}: a word standing for a symbol a reading may bind
            self.take()
            return self.node(Qty("var", r"\text{" + t.text + "}", pos=t.pos))
        if t.kind == "prose":
            self.fail(f"text {t.text!r} inside the formula: leave words outside the maths")
        if t.kind in ("align", "break", "env"):
            self.fail("one equation per claim: split rows and environments first")
        if t.text == r"\partial":
            self.fail(r"\partial outside a \frac{\partial ...}{\partial ...}")
        self.fail(f"unexpected {t.text!r}")

    # -- quantities: the one primary every row of names shares
    def quantity(self) -> Qty:
        """A symbol with its layer superscript, index subscripts and (for applied symbols) arguments."""
        t = self.take()
        spelling = t.text
        kind = QUANTITY_NAMES.get(spelling)
        if kind is None:
            if t.kind in ("letter", "name") or spelling in FREE_SYMBOLS:
                kind = "var"       # a free symbol: a reading binds it, or the checker names it as unknown
            else:
                self.fail(f"unknown symbol {spelling}", t.pos)
        layer, idx, args, tmark, prime, sample, labelled = None, (), (), "", False, None, False
        applied = kind in APPLIED_KINDS or (kind == "var" and t.kind != "letter")
        if kind == "yhat" and spelling == "h" and self.at("_") and self._subscript_is_theta():
            self.take()
            self.group_tokens()                 # h_\theta(x): the subscript names the parameters
        while True:
            if self.at("_") and not idx and not labelled:
                self.take()
                group = self.group_tokens()
                label = _label(group)
                if kind == "width" and len(group) == 1 and group[0].kind == "num":
                    layer = LayerRef(None, int(group[0].text))      # n_0: the width of layer 0
                elif kind in COUNT_KINDS and _count_label(group):
                    labelled, kind = True, "width"           # N_{out}: the number of output units
                    spelling = f"{spelling}_{{\\text{{{_count_label(group)}}}}}"
                    layer = LayerRef(*COUNT_LABELS[_count_label(group)])
                elif label:                       # J_{\text{reg}}, J_{reg}, a_{\rm in}: a name, not an index
                    labelled = True
                    spelling = f"{spelling}_{{\\text{{{label}}}}}"
                    kind = LABELLED_KINDS.get((kind, label), "var")
                else:
                    idx = self._indices(group, kind)
            elif self.at("^") and layer is None and sample is None and self._is_example_layer_sup():
                self.take()
                sup = self.group_tokens()          # ^{x,L-1}: example x (Nielsen's \sum_x) at layer L-1
                sample, layer = sup[0].text, self._layer(sup[2:], t.pos)
            elif self.at("^") and self._is_label_sup():
                self.take()
                spelling += "^{" + "".join(x.text for x in self.group_tokens()) + "}"   # theta_j^{i,j}
                kind = "var"
            elif self.at("^") and layer is None and self._is_layer_sup():
                self.take()
                sup = self.group_tokens()
                # a^{(2)'} and W^{(l)T}: a transpose written inside the layer superscript
                if len(sup) > 1 and sup[-1].text in ("'", "T", r"\top") and sup[-2].text in (")", "]"):
                    tmark, sup = ("'" if sup[-1].text == "'" else "^" + sup[-1].text), sup[:-1]
                layer, sample = self._layer_and_sample(sup, t.pos, kind)
            elif applied and not args and self.at("'") and self.peek(1) is not None and self.peek(1).text == "(":
                self.take()
                prime = True
            elif not args and self.at("(") and (applied or (kind == "var" and self._comma_inside())):
                args = self._arguments()          # l_k(y_hat, y): a comma means arguments, not a product
            else:
                break
        if kind == "yhat" and sample is None and len(args) == 1 and isinstance(args[0], Qty) and \
                args[0].kind == "x" and args[0].sample is not None:
            sample = args[0].sample                # h_theta(x^{(i)}): the output for sample i
        if kind == "J" and any(isinstance(x, Qty) and x.kind == "y" for x in args):
            # L(\hat y, y), \ell(a^{(L)(i)}, y^{(i)}): a loss of a prediction against its target is the data
            # term (of that sample), never the regularised cost J(W, b)
            kind = "Jdata"
            sample = sample if sample is not None else next(
                (x.sample for x in args if isinstance(x, Qty) and x.sample is not None), None)
        if kind == "J" and sample is not None:
            kind = "Jdata"      # L^{(i)}, \mathcal{L}^{(i)}: the loss of sample i, never the regularised cost
        q = self.node(Qty(kind, spelling, layer, idx, args, prime, sample, pos=t.pos))
        return self.node(Op("T", (q,), style=tmark, pos=t.pos)) if tmark else q

    def _subscript_is_theta(self) -> bool:  # noqa: D401
        return [x.text for x in self.peek_group(1)] in ([r"\theta"], [r"\Theta"], [r"\boldsymbol"], ["W"])

    def _comma_inside(self) -> bool:
        depth = 0
        for j in range(self.k, len(self.toks)):
            text = self.toks[j].text
            depth += {"(": 1, ")": -1, "{": 1, "}": -1, "[": 1, "]": -1}.get(text, 0)
            if depth == 0:
                return False
            if depth == 1 and text == ",":
                return True
        return False

    def _arguments(self) -> tuple:
        """(x), (W, b), (z^{(3)}): parsed when they parse, kept as notation either way."""
        start = self.k
        depth = 0
        while True:
            u = self.take()
            depth += {"(": 1, ")": -1}.get(u.text, 0)
            if depth == 0:
                break
        inner = self.toks[start + 1:self.k - 1]
        pieces, cur, level = [], [], 0
        for tok in inner:
            level += {"(": 1, ")": -1, "{": 1, "}": -1}.get(tok.text, 0)
            if tok.text == "," and level == 0:
                pieces.append(cur)
                cur = []
            else:
                cur.append(tok)
        pieces.append(cur)
        out = []
        for piece in pieces:
            try:
                out.append(self.sub(piece).expr_all(self.toks[start].pos))
            except NotationError:
                return ()
        return tuple(out)

    def _is_label_sup(self) -> bool:
        """^{i,j}: indices written as a superscript (a name for a reading to bind), never a power."""
        group = self.peek_group(1)
        return self.peek(1) is not None and self.peek(1).text == "{" and any(x.text == "," for x in group) and \
            all(x.text == "," or x.kind == "letter" for x in group)

    def _is_example_layer_sup(self) -> bool:
        """^{x,L}, ^{x,l-1}: a training example x and a layer written in one superscript."""
        group = self.peek_group(1)
        return self.peek(1) is not None and self.peek(1).text == "{" and len(group) >= 3 and \
            group[0].text == EXAMPLE_LETTER and group[1].text == "," and group[2].text in ("l", "L")

    def _is_layer_sup(self) -> bool:
        nxt = self.peek(1)
        if nxt is None:
            return False
        if nxt.text in ("l", "L"):
            return True
        if nxt.text == "{":
            inner = self.peek(2)
            return inner is not None and inner.text in ("(", "[", "l", "L")
        return False

    def _layer_and_sample(self, toks: list[Token], pos: int, kind: str = "") -> tuple:
        """^{(l)} a layer, ^{(i)} a sample (a lone index letter), ^{(2)(i)} or ^{[2](i)} both."""
        groups, cur = [], []
        for tok in toks:
            cur.append(tok)
            if tok.text in (")", "]"):
                groups.append(cur)
                cur = []
        if cur or not groups or len(groups) > 2:
            return self._layer(toks, pos), None
        layer, sample = None, None
        for g in groups:
            inner = [x.text for x in g[1:-1]]
            numeric_sample = len(inner) == 1 and inner[0].isdigit() and (layer is not None or kind in NO_LAYER)
            if len(inner) == 1 and inner[0] in self.layer_letters and layer is None:
                layer = LayerRef(inner[0], 0)      # (j) where the claim also writes (j-1): a layer
                continue
            if numeric_sample and sample is None:
                sample = int(inner[0])          # x^{(1)}: the first sample; a^{(2)(1)}: layer 2, sample 1
            elif len(inner) == 1 and inner[0] in INDEX_LETTERS and inner[0] not in ("l", "L") and sample is None:
                sample = inner[0]
            elif layer is None:
                layer = self._layer(g, pos)
            else:
                self.fail("a quantity takes one layer superscript", pos)
        return layer, sample

    def _layer(self, toks: list[Token], pos: int) -> LayerRef:
        texts = [x.text for x in toks]
        if texts and texts[0] in ("(", "[") and texts[-1] in (")", "]"):
            texts = texts[1:-1]
        bad = NotationError(f"layer superscript ({''.join(texts)}) not understood: use l, l+1, l-1, L, "
                            "L-1, n_l or a number", self.text, pos)
        if texts[:3] in (["n", "_", "l"], ["n", "_", "L"]):     # UFLDL's n_l: the output layer
            texts = ["L"] + texts[3:]
        if len(texts) == 1 and texts[0].isdigit():
            return LayerRef(None, int(texts[0]))
        if not texts or texts[0] not in ("l", "L") + self.layer_letters:
            raise bad
        if len(texts) == 1:
            return LayerRef(texts[0], 0)
        if len(texts) == 3 and texts[1] in "+-" and texts[2].isdigit():
            return LayerRef(texts[0], int(texts[2]) * (1 if texts[1] == "+" else -1))
        raise bad

    def _indices(self, toks: list[Token], kind: str) -> tuple:
        out, toks = [], _labels_folded(toks)
        for x in toks:
            if x.text == ",":
                continue
            if x.kind == "label":
                out.append(("label", x.text))    # y_i: the class of sample i (psi_{i y_i})
                continue
            if x.kind == "num":
                digits = x.text
                if not digits.isdigit():
                    self.fail(f"index {digits} must be a whole number (a unit or sample)", x.pos)
                # W_{21}: one digit per index; b_{12} on a vector: the number 12
                out.extend(int(d) for d in digits) if kind == "W" and len(digits) == 2 else out.append(int(digits))
            elif x.kind == "letter" and (x.text in INDEX_LETTERS or (kind == "J" and x.text == "x")):
                out.append(x.text)        # C_x: the cost of example x (a convention reads it)
            elif x.text == TARGET_CLASS:
                out.append(TARGET_CLASS)          # k-tilde: the true class of the sample (one-hot y)
            else:
                self.fail(f"index {x.text!r} not understood: indices are letters like i, j, k or numbers",
                          x.pos)
        if len(out) > 2:
            self.fail("more than two indices", toks[0].pos)
        return tuple(out)

    def sum_bound(self, toks, pos):
        """The upper limit of a sum: a number, m / N (samples), K (outputs), n_l / s_{l+1} / S_L (widths)."""
        texts = [x.text for x in toks]
        if len(texts) == 1 and texts[0].isdigit():
            return ("num", int(texts[0]))
        if texts in (["m"], ["N"]):
            return ("m",)
        if texts in (["K"],):
            return ("K",)
        if texts == ["n"]:
            return None                         # "n units": the index's natural range
        if len(toks) > 2 and texts[0] in ("n", "N") and texts[1] == "_":
            label = _count_label(self.sub(toks[2:]).group_tokens())
            if label:
                return ("width", LayerRef(*COUNT_LABELS[label]))     # N_{out}: the output units
        if texts and texts[0] in ("n", "s", "S"):
            rest = toks[1:]
            if rest and rest[0].text in ("_", "^"):
                inner = self.sub(rest[1:])
                layer_toks = inner.group_tokens()
                lt = [x.text for x in layer_toks]
                if lt and lt[0] in ("(", "{"):
                    lt = lt[1:-1] if lt[-1] in (")", "}") else lt
                return ("width", self._layer([Token("letter", s, pos) for s in lt], pos))
        if texts and all(x.isalnum() or x in "_{}()+-" for x in texts):
            return ("symbol", "".join(texts))   # a range only a reading can say (g hidden units, r_k)
        raise ParseError(f"upper limit {''.join(texts)!r} not understood: use a number, m, N, K or n_{{l}}",
                         self.text, pos)


TARGET_CLASS = r"\tilde{k}"


def _layer_letters(tokens: list[Token]) -> tuple:
    """Letters written with an offset inside a parenthesised superscript or subscript, (j-1) or (k+1):
    in that claim they name layers, as l does."""
    out = []
    if any(a.text in ("(", "[") and b.text == "l" for a, b in zip(tokens, tokens[1:])):
        return ()                  # the claim uses l for its layer: another letter is not a second one
    for k in range(len(tokens) - 3):
        a, b, c, d = tokens[k:k + 4]
        if a.text in ("(", "[", "{") and b.kind == "letter" and b.text not in ("l", "L") and c.text in "+-" and \
                d.kind == "num" and b.text not in out:
            out.append(b.text)
    return tuple(out)


def _labels_folded(toks: list[Token]) -> list[Token]:
    """y _ i inside a subscript: one token, the class label of sample i."""
    out, k = [], 0
    while k < len(toks):
        if toks[k].text == "y" and k + 2 < len(toks) and toks[k + 1].text == "_" and toks[k + 2].kind == "letter":
            out.append(Token("label", toks[k + 2].text, toks[k].pos))
            k += 3
        else:
            out.append(toks[k])
            k += 1
    return out


def _count_label(group: list[Token]) -> str:
    """The word of a count's subscript that says what it counts (N_{out}, n_{\\rm in}: a COUNT_LABELS key), else ''."""
    word = _label(group) or ("".join(t.text for t in group) if group and all(t.kind == "letter" for t in group) else "")
    return word if word in COUNT_LABELS else ""


def _label(group: list[Token]) -> str:
    """The word of a name subscript (\\text{reg}, \\rm in, or three or more letters), else ''."""
    if len(group) == 1 and group[0].kind in ("word", "prose"):
        return group[0].text.strip()
    if len(group) >= 2 and group[0].text == r"\rm" and all(t.kind == "letter" for t in group[1:]):
        return "".join(t.text for t in group[1:])     # {\rm in}: the old-style roman switch (Nielsen)
    if len(group) >= 3 and all(t.kind == "letter" for t in group):
        return "".join(t.text for t in group)
    return ""


# ---------------------------------------------------------------- entry point
def layout_free(tokens: list[Token], text: str) -> list[Token]:
    """The tokens of one claim: alignment, row breaks, layout environments and surrounding prose dropped.

    Other environments (cases, matrices) stay, for the rows that read them; none does yet, so the parser
    names them.
    """
    out, inside = [], 0          # & and \\\\ stay inside an environment a row reads (cases)
    for t in tokens:
        env = t.text.split(":", 1)[1] if t.kind == "env" else None
        if env in LAYOUT_ENVS:
            continue
        if env in ENVIRONMENTS:
            inside += 1 if t.text.startswith("begin:") else -1
        elif t.kind in ("align", "break") and not inside:
            continue
        out.append(t)
    out = _without_annotations(out)
    out = _without_index_ranges(out)
    while out and (out[0].kind == "prose" or out[0].text in (",", ";")):
        out.pop(0)
    if len(out) > 2 and out[0].text == "(" and out[-1].text == ")" and _closes_at_end(out):
        out = out[1:-1]                  # "(dJ_reg/da = 0)": an equation in parentheses
        while out and out[-1].kind == "prose":
            out.pop()
    while out and (out[-1].kind == "prose" or out[-1].text in (",", ";", ".")):
        out.pop()
    for t in out:
        if t.kind == "env" and t.text.split(":", 1)[1] not in ENVIRONMENTS:
            raise ParseError(f"environment {t.text.split(':', 1)[1]!r} is not supported yet", text, t.pos)
    return out


def _closes_at_end(tokens: list[Token]) -> bool:
    depth = 0
    for k, t in enumerate(tokens):
        depth += {"(": 1, ")": -1}.get(t.text, 0)
        if depth == 0 and k < len(tokens) - 1:
            return False
    return True


RANGE_DOTS = {r"\cdots", r"\ldots", r"\dots", r"\dotsc", "..."}
RANGE_JOINS = {":", ";", ","}


def _range_spec(tokens: list[Token], k: int) -> int | None:
    """Where the index range at ``k`` ends (``i = 1, \\cdots, n``; ``j, k = 1, \\dots, n_{1}``), else None."""
    while k + 1 < len(tokens) and tokens[k].kind == "letter" and tokens[k + 1].text == ",":
        k += 2                                   # j, k = ...: several indices over one range
    texts = [t.text for t in tokens[k:k + 6]]
    if len(texts) < 6 or tokens[k].kind != "letter" or texts[1] != "=" or tokens[k + 2].kind != "num" or \
            texts[3] != "," or texts[4] not in RANGE_DOTS or texts[5] != ",":
        return None
    k += 6
    if k >= len(tokens) or tokens[k].kind not in ("letter", "num"):
        return None
    k += 1
    if k + 1 < len(tokens) and tokens[k].text == "_":      # n_{1}, n_l: the bound's own subscript
        if tokens[k + 1].text != "{":
            return k + 2
        depth = 0
        for j in range(k + 1, len(tokens)):
            depth += {"{": 1, "}": -1}.get(tokens[j].text, 0)
            if depth == 0:
                return j + 1
        return None
    return k


def _without_index_ranges(tokens: list[Token]) -> list[Token]:
    """Drop a trailing statement of where the claim holds, after a comma: ``, i = 1, \\cdots, n : j = 1,
    \\cdots, c``. The claim is checked at every value of its free indices, so a range it states (which can
    only narrow them) never makes a wrong claim pass."""
    depth = 0
    for k, t in enumerate(tokens):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(t.text, 0)
        if depth or t.text != ",":
            continue
        j = _range_spec(tokens, k + 1)
        while j is not None and j < len(tokens) and tokens[j].text in RANGE_JOINS:
            j = _range_spec(tokens, j + 1)
        if j == len(tokens):
            return tokens[:k]
    return tokens


def _without_annotations(tokens: list[Token]) -> list[Token]:
    """Drop a trailing set membership (``\\in \\mathbb{R}^m``: a type, not maths to check) and a leading
    map arrow (``\\mathbb{R}^m \\rightarrow``)."""
    depth, cut = 0, None
    for k, t in enumerate(tokens):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(t.text, 0)
        if depth == 0 and t.text == r"\in":
            cut = k
            break
    if cut is not None:
        tokens = tokens[:cut]
        depth, comma = 0, None          # "..., x_i \\in R^m": the annotated symbol goes with it
        for k, t in enumerate(tokens):
            depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(t.text, 0)
            if depth == 0 and t.text == ",":
                comma = k
        if comma is not None:
            tokens = tokens[:comma]
    while tokens and tokens[-1].text in ("*", "="):     # "= *": an OCR mark after the last side
        tokens = tokens[:-1]
    arrows = [k for k, t in enumerate(tokens) if t.text in (r"\rightarrow", r"\to", r"\mapsto")]
    first_eq = next((k for k, t in enumerate(tokens) if t.text == "="), len(tokens))
    if arrows and arrows[0] < first_eq:
        tokens = tokens[arrows[0] + 1:]
    return tokens


def parse(latex: str, readings=None) -> Claim:
    """Parse a claim (or chain) into a Claim; NotationError/ParseError on bad input.

    ``readings`` (readings.Readings or a dict of LaTeX -> LaTeX) say how to read the claim's own
    symbols; they are applied to the tree, before the symbols are checked against the model.
    """
    from .readings import as_readings
    text, sides, condition, cuts = _read(latex)
    sides = list(sides)
    read = as_readings(readings)
    sides = read.apply(sides, text)
    condition = read.apply_to(condition, text) if condition is not None else None
    claim = Claim(text, sides, condition=condition, cuts=cuts)
    _classify(claim)
    return claim


@lru_cache(maxsize=256)
def _read(latex: str) -> tuple:
    """The claim's trees before any readings: (text, sides, condition, cuts). Kept for the latest claims
    (the trees are immutable): a claim is read again under each convention's readings (verify/api.py
    asks where else it would be right), and a document's corrections are checked in its readings."""
    text, tokens = prepare(latex)
    tokens = layout_free(tokens, text)
    if not tokens:
        raise NotationError("empty claim")
    p = Parser(text, tokens)
    sides = p.chain()
    if len(sides) < 2:
        raise ParseError("a claim needs '=': LHS = RHS", text, len(text) - 1)
    sides, condition = _index_fixed_by(sides, p.condition)
    return text, tuple(sides), condition, tuple(p.cuts)


def _index_fixed_by(sides: list, condition: Node | None) -> tuple:
    """A condition that sets a free index to a number (Ng's "D_{ij} = \\frac{1}{m} \\Delta_{ij} if j = 0") is
    that index's value: the sides are read with the number in its place, before the readings, so that
    unit 0 is the bias unit where the convention has one (a letter index counts from 1 and never meets 0)."""
    if not (isinstance(condition, Cond) and condition.op == "=" and isinstance(condition.left, Index)
            and isinstance(condition.left.name, str) and isinstance(condition.right, Num)
            and condition.right.value.denominator == 1 and condition.right.value >= 0
            and condition.left.name in free_indices(sides)):
        return sides, condition
    value = {condition.left.name: int(condition.right.value)}
    return [rename_indices(side, value) for side in sides], None


def parse_fragment(latex: str) -> Node:
    """One expression (no '='), no readings, no model checks: the two sides of a reading."""
    text, tokens = prepare(latex)
    p = Parser(text, layout_free(tokens, text))
    return p.expr_all(0)


NETWORK_KINDS = {"W", "b", "delta", "yhat", "J", "Jdata", "Jreg", "m", "lam", "ones", "width"}
EXAMPLE_LETTER = "x"        # Nielsen's training example: C_x, \sum_x, \delta^{x,L}
NO_LAYER = {"x", "y", "yhat", "J", "Jdata", "Jreg", "m", "lam", "alpha", "ones"}


def _bare_w_as_variable(claim: Claim) -> None:
    """In a claim with no network quantity, a bare w (no layer, no index) is a scalar variable."""
    qtys = [n for side in claim.sides for n in walk(side) if isinstance(n, Qty)]
    bare = [q for q in qtys if q.spelling == "w" and q.layer is None and not q.idx]
    if not bare or any(isinstance(n, Partial) for side in claim.sides for n in walk(side)):
        return
    if all(q in bare or q.kind in ("var", "z", "x", "a", "y", "alpha") and q.layer is None for q in qtys):
        claim.sides = [rewrite(side, lambda n: replace(n, kind="var") if isinstance(n, Qty) and n.spelling == "w"
                               else None) for side in claim.sides]


def _pure_derivatives(claim: Claim) -> None:
    """Derivatives by a free symbol, in a claim with no network quantity, are ordinary derivatives."""
    def by_free_symbol(n):
        return isinstance(n, (Partial, DerivOf)) and n.den.kind == "var" and n.den.layer is None and not n.den.idx
    nodes = [n for side in claim.sides for n in walk(side)]
    dens = {id(n.den) for n in nodes if by_free_symbol(n)}
    others = [n for n in nodes if isinstance(n, Qty) and id(n) not in dens]
    if not any(by_free_symbol(n) for n in nodes) or any(q.layer is not None or q.kind in NETWORK_KINDS for q in others) \
            or any(isinstance(n, (Partial, DerivOf)) and not by_free_symbol(n) for n in nodes):
        return

    def ordinary(n):
        if by_free_symbol(n):
            body = n.num if isinstance(n, Partial) else n.body
            return Deriv(n.den.spelling, rewrite(body, ordinary), pos=n.pos)
        return None
    claim.sides = [rewrite(side, ordinary) for side in claim.sides]


def _sums_units(s: Sum) -> bool:
    """A sum over the units or samples of a vector (\\sum_k y_k, \\sum_{k=1}^{K}): y_k is then the target
    vector's entry, not a scalar variable, so the claim is about the network."""
    return (s.hi is not None and s.hi[0] in ("K", "m", "width")) or \
        any(isinstance(q, Qty) and s.index in q.idx for q in walk(s.body))


def _classify(claim: Claim) -> None:
    """Pure calculus (scalar variables only) or a network claim; symbolic layer or not."""
    _bare_w_as_variable(claim)
    _pure_derivatives(claim)
    qtys = [n for side in claim.sides for n in walk(side) if isinstance(n, Qty)]
    network = any(q.layer is not None or q.sample is not None or q.kind in NETWORK_KINDS for q in qtys) or \
        any(isinstance(n, (Partial, Matrix)) for side in claim.sides for n in walk(side)) or \
        any(isinstance(n, Sum) and _sums_units(n) for side in claim.sides for n in walk(side))
    claim.pure = not network
    claim.symbolic_layer = any(q.layer is not None and q.layer.symbolic for q in qtys) or any(
        isinstance(n, Sum) and n.hi and n.hi[0] == "width" and n.hi[1].symbolic
        for side in claim.sides for n in walk(side))
    for q in qtys:
        if q.prime:
            raise NotationError(f"{q.spelling}' is a derivative of a symbol: read {q.spelling} as a function "
                                "(for example h -> \\sigma) or write \\sigma'(z)", claim.text, q.pos)
    if claim.pure:
        for q in qtys:
            if q.kind == "alpha" or (q.kind in ("var", "z", "x", "a", "y") and q.spelling in PURE_VARIABLES):
                continue
            raise NotationError(f"unknown symbol {q.spelling}", claim.text, q.pos)
    if not claim.pure:
        for q in qtys:
            if q.kind == "var":
                raise UnknownSymbol(f"unknown symbol {q.spelling}; known: {known_names()}", claim.text, q.pos,
                                    symbol=q.spelling)
            if q.kind in ("W", "b", "z", "a", "delta") and q.layer is None:
                raise NotationError(f"{q.spelling} needs a layer superscript, e.g. {q.spelling}^{{(l)}}",
                                    claim.text, q.pos)
            if q.kind == "width" and q.layer is None:
                raise NotationError("n needs the layer it counts, e.g. n_0 (inputs) or n_1", claim.text, q.pos)
            if q.kind in NO_LAYER and q.layer is not None:
                raise NotationError(f"{q.spelling} takes no layer superscript", claim.text, q.pos)


def known_names() -> str:
    return ", ".join(sorted(set(QUANTITY_NAMES) | ACTIVATION_NAMES))


__all__ = ["parse", "parse_fragment", "render", "render_qty", "Claim", "Node", "Num", "Qty", "Partial", "Op",
           "Call", "Sum", "Deriv", "LayerRef", "ParseError", "walk", "children", "quantities", "transposed"]
