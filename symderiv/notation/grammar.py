"""The grammar engine: a recursive-descent parser over notation tokens.

The grammar's levels live here; what each token *means* lives in the
construct registry (constructs.py, registry.py), which this engine dispatches through.
Precedence, loosest first:

    chain    a = b = c
    sum      the registry's "sum"-level infix rows (+, -)
    product  juxtaposition and the "product"-level infix rows (\\cdot, \\odot, /, ...),
             one level, left-associative: ``W^T \\delta \\odot f'(z)`` = ``(W^T \\delta) \\odot f'(z)``
    unary    leading - or +
    postfix  transposes (the T row's superscripts), ^{k} (power)
    primary  the rows' ``starts`` tokens, quantities (scripts.py), (...), [...], {...}

parse.py runs it; after parsing, a note's or user's readings (readings.py) are applied to the
tree, and only then are symbols checked against the model: error positions
always point into the text as the user wrote it.

Why not latex2sympy2_extended: it flattens ``A \\cdot H \\cdot (B C)`` into one
product (so a Hadamard marker cannot keep ``A \\odot (B C)`` apart from
``(A \\odot B) C``), reads ``\\log`` as base 10 and rejects ``\\operatorname``.
"""
from __future__ import annotations

from dataclasses import replace

from .claim import ParseError, balanced
from .conditions import COMPARISONS, CONDITION_WORDS, parse_condition
from .names import ACTIVATION_NAMES
from .registry import CONSTRUCTS, INFIX, LETTER_STARTS, PRIMARY_STARTS, QUANTITY_NAMES, SPECIAL_STARTS, TRANSPOSE_SUPERSCRIPTS
from .scripts import QuantityReader, layer_letters
from .tokens import FREE_SYMBOLS, Token
from .tree import Node, Op, Qty, children


MAX_NODES = 2000


class Parser(QuantityReader):
    """The grammar engine. Construct rows call its small API: peek, at, take, expect, fail, node,
    group_tokens, peek_group, sub, expr, expr_all, product, postfix, primary, and (QuantityReader,
    scripts.py) quantity, sum_bound."""

    STOP = {")", "]", "}", "=", "+", "-", ",", "|", ":", "<", ">", r"\approx", None}

    def __init__(self, text: str, tokens: list[Token]):
        self.text, self.toks, self.k, self.count = text, tokens, 0, 0
        self.closing: list[str] = []     # closers of the constructs being parsed (the \\| of an open norm)
        self.condition = None            # a claim's "if ..." qualifier
        self.cuts: list[int] = []       # where each side of a chain ends
        self.layer_letters = layer_letters(tokens)   # a note's own layer letter: (j) beside (j-1)
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
