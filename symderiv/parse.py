"""LaTeX claim -> claim tree: a recursive-descent engine over notation tokens.

The grammar's levels live here; what each token *means* lives in the
construct registry (constructs.py), which this engine dispatches through.
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

from dataclasses import dataclass, replace

from .constructs import (APPLIED_KINDS, CONSTRUCTS, FUNCTION_NAMES, INDEX_LETTERS, INFIX, PRIMARY_STARTS,
                         PURE_VARIABLES, QUANTITY_NAMES, SPECIAL_STARTS, TRANSPOSE_SUPERSCRIPTS, render,
                         render_qty)
from .notation import ACTIVATION_NAMES, FREE_SYMBOLS, NotationError, Token, prepare
from .tree import (Call, Deriv, LayerRef, Node, Num, Op, Partial, Qty, Sum, children, quantities,
                   rewrite, transposed, walk)

MAX_NODES = 2000
# Spellings that start with a plain letter and claim it only in context (the d of dW^{[l]}):
# letter -> parse function, which returns None, consuming nothing, when the letter is not its spelling.
LETTER_STARTS: dict = {}
# Layer letters besides l: their symbolic layer (k as in Goodfellow's ^{(k)}).
LAYER_LETTERS = {"l": "l", "L": "L", "k": "l"}
LAYOUT_ENVS = {"aligned", "align", "align*", "split", "gathered", "equation", "equation*"}


@dataclass
class Claim:
    text: str                  # as the user wrote it
    sides: list                # chain of Nodes, readings applied
    symbolic_layer: bool = False
    pure: bool = False


class ParseError(NotationError):
    pass


# ---------------------------------------------------------------- parser
class Parser:
    """The grammar engine. Construct rows call its small API: peek, at, take, expect, fail, node,
    group_tokens, peek_group, sub, expr, expr_all, product, postfix, primary, quantity, sum_bound."""

    STOP = {")", "]", "}", "=", "+", "-", ",", "|", ":", "<", ">", None}

    def __init__(self, text: str, tokens: list[Token]):
        self.text, self.toks, self.k, self.count = text, tokens, 0, 0
        self.samples: dict = {}        # sample superscripts dropped: letter -> position

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
        p.count, p.samples = self.count, self.samples
        return p

    # -- grammar
    def chain(self) -> list[Node]:
        sides = [self.expr()]
        while self.at("="):
            self.take()
            sides.append(self.expr())
        if self.peek() is not None:
            t = self.peek()
            if t.text in (":", "<", ">"):
                self.fail("only equalities can be checked (no :=, <, >)")
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

    def product(self) -> Node:
        left = self.unary()
        while True:
            t = self.peek()
            if t is None or t.text in self.STOP:
                return left
            row, style = INFIX["product"].get(t.text), t.text
            nxt = self.peek(1)
            pair = INFIX["product"].get(t.text + nxt.text) if nxt is not None else None
            if pair is not None:                    # two-token operators: Octave's .* and .\ast
                row, style = pair, t.text + nxt.text
                self.take()
            if row is not None:
                self.take()
                if self.peek() is None or self.peek().text in self.STOP:
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
            else:
                return base

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
            if self.at("_") and isinstance(inner, Qty) and not inner.idx:     # (h_\Theta(x))_k: unit k
                self.take()
                inner = replace(inner, idx=self._indices(self.group_tokens(), inner.kind))
            return inner
        if t.text == "e" and self.peek(1) is not None and self.peek(1).text == "^":
            return SPECIAL_STARTS["e"](self, t)
        if t.kind == "letter" and t.text in LETTER_STARTS:
            claimed = LETTER_STARTS[t.text](self, t)
            if claimed is not None:
                return claimed
        row = PRIMARY_STARTS.get(t.text)
        if row is not None and (t.kind in ("cmd", "word") or t.text in ACTIVATION_NAMES):
            return row.parse(self, t)
        if t.kind in ("letter", "name") or (t.kind == "cmd" and (t.text in QUANTITY_NAMES or t.text in FREE_SYMBOLS)):
            return self.quantity()
        if t.kind == "word":
            self.fail(f"unknown function {t.text!r}; known: {', '.join(sorted(FUNCTION_WORDS))}")
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
        layer, idx, args, tmark, prime = None, (), (), "", False
        applied = kind in APPLIED_KINDS or (kind == "var" and t.kind != "letter")
        if kind == "yhat" and spelling == "h" and self.at("_") and self._subscript_is_theta():
            self.take()
            self.group_tokens()                 # h_\theta(x): the subscript names the parameters
        while True:
            if self.at("_") and not idx and not spelling.endswith("}"):
                self.take()
                group = self.group_tokens()
                if len(group) > 1 and group[0].text in (r"\rm", r"\mathrm"):
                    group = [Token("word", "".join(x.text for x in group[1:]), group[0].pos)]
                if len(group) == 1 and group[0].kind in ("word", "prose"):
                    spelling = f"{spelling}_{{\\text{{{group[0].text}}}}}"    # J_{\text{reg}}: a name, not an index
                    kind = "var"
                else:
                    idx = self._indices(group, kind)
            elif self.at("^") and layer is None and self._is_layer_sup():
                self.take()
                sup = self.group_tokens()
                # a^{(2)'} and W^{(l)T}: a transpose written inside the layer superscript
                if len(sup) > 1 and sup[-1].text in ("'", "T", r"\top") and sup[-2].text in (")", "]"):
                    tmark, sup = ("'" if sup[-1].text == "'" else "^" + sup[-1].text), sup[:-1]
                layer = self._layer(sup, t.pos)
            elif applied and not args and self.at("'") and self.peek(1) is not None and self.peek(1).text == "(":
                self.take()
                prime = True
            elif applied and not args and self.at("("):
                args = self._arguments()
            else:
                break
        q = self.node(Qty(kind, spelling, layer, idx, args, prime, pos=t.pos))
        return self.node(Op("T", (q,), style=tmark, pos=t.pos)) if tmark else q

    def _subscript_is_theta(self) -> bool:
        return [x.text for x in self.peek_group(1)] in ([r"\theta"], [r"\Theta"], [r"\boldsymbol"], ["W"])

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

    SAMPLE_LETTERS = ("i", "t", "n")

    def _sample_superscript(self, texts: list) -> list:
        """[2](i): a layer and a sample superscript (deeplearning.ai); the sample part is dropped.

        A claim about one sample i holds for every sample, which is what the checker tests (every
        sample of the batch); a sum over samples is another construct.
        """
        if len(texts) >= 3 and texts[-3] == "(" and texts[-1] == ")" and texts[-2] in self.SAMPLE_LETTERS \
                and (len(texts) == 3 or texts[-4] in ("]", ")")):
            self.samples.setdefault(texts[-2], self.peek(-1).pos if self.k else 0)
            return texts[:-3]
        return texts

    def _layer(self, toks: list[Token], pos: int) -> LayerRef | None:
        texts = self._sample_superscript([x.text for x in toks])
        if not texts:
            return None                          # y^{(i)}: a sample superscript only
        if texts and texts[0] in ("(", "[") and texts[-1] in (")", "]"):
            texts = texts[1:-1]
        bad = NotationError(f"layer superscript ({''.join(texts)}) not understood: use l, l+1, l-1, L, "
                            "L-1, k, n_l or a number", self.text, pos)
        if texts[:3] in (["n", "_", "l"], ["n", "_", "L"]):     # UFLDL's n_l: the output layer
            texts = ["L"] + texts[3:]
        if len(texts) == 1 and texts[0].isdigit():
            return LayerRef(None, int(texts[0]))
        if not texts or texts[0] not in LAYER_LETTERS:
            raise bad
        base = LAYER_LETTERS[texts[0]]
        if len(texts) == 1:
            return LayerRef(base, 0)
        if len(texts) == 3 and texts[1] in "+-" and texts[2].isdigit():
            return LayerRef(base, int(texts[2]) * (1 if texts[1] == "+" else -1))
        raise bad

    def _indices(self, toks: list[Token], kind: str) -> tuple:
        out = []
        for x in toks:
            if x.text == ",":
                continue
            if x.kind == "num":
                digits = x.text
                # W_{21}: one digit per index; b_{12} on a vector: the number 12
                out.extend(int(d) for d in digits) if kind == "W" and len(digits) == 2 else out.append(int(digits))
            elif x.kind == "letter" and (x.text in INDEX_LETTERS or (kind == "J" and x.text == "x")):
                out.append(x.text)        # C_x: the cost of example x (a convention reads it)
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
        if texts and texts[0] in ("n", "s", "S"):
            rest = toks[1:]
            if rest and rest[0].text in ("_", "^"):
                inner = self.sub(rest[1:])
                layer_toks = inner.group_tokens()
                lt = [x.text for x in layer_toks]
                if lt and lt[0] in ("(", "{"):
                    lt = lt[1:-1] if lt[-1] in (")", "}") else lt
                return ("width", self._layer([Token("letter", s, pos) for s in lt], pos))
        raise ParseError(f"upper limit {''.join(texts)!r} not understood: use a number, m, N, K or n_{{l}}",
                         self.text, pos)


FUNCTION_WORDS = {k for k in FUNCTION_NAMES if not k.startswith("\\")}


# ---------------------------------------------------------------- entry point
def layout_free(tokens: list[Token], text: str) -> list[Token]:
    """The tokens of one claim: alignment, row breaks, layout environments and surrounding prose dropped.

    Other environments (cases, matrices) stay, for the rows that read them; none does yet, so the parser
    names them.
    """
    out = [t for t in tokens if t.kind not in ("align", "break") and
           not (t.kind == "env" and t.text.split(":", 1)[1] in LAYOUT_ENVS)]
    while out and out[0].kind == "prose":
        out.pop(0)
    while out and out[-1].kind == "prose":
        out.pop()
    for t in out:
        if t.kind == "env":
            raise ParseError(f"environment {t.text.split(':', 1)[1]!r} is not supported yet", text, t.pos)
    return out


def parse(latex: str, readings=None) -> Claim:
    """Parse a claim (or chain) into a Claim; NotationError/ParseError on bad input.

    ``readings`` (readings.Readings or a dict of LaTeX -> LaTeX) say how to read the claim's own
    symbols; they are applied to the tree, before the symbols are checked against the model.
    """
    from .readings import as_readings
    text, tokens = prepare(latex)
    tokens = layout_free(tokens, text)
    if not tokens:
        raise NotationError("empty claim")
    p = Parser(text, tokens)
    sides = [_sample_sums(side, p.samples, text) for side in p.chain()]
    if len(sides) < 2:
        raise ParseError("a claim needs '=': LHS = RHS", text, len(text) - 1)
    sides = as_readings(readings).apply(sides, text)
    claim = Claim(text, sides)
    _classify(claim)
    return claim


def _sample_sums(node: Node, samples: dict, text: str) -> Node:
    """\\sum_{i=1}^{m} over a sample superscript ^{(i)}: a sum over the training examples, each evaluated
    alone (the registry's sum row, index conventions.SAMPLE_INDEX)."""
    from .conventions import SAMPLE_INDEX

    def fn(n):
        if isinstance(n, Sum) and n.index in samples:
            if n.hi != ("m",) or n.lo != 1 or any(n.index in q.idx for q in quantities(n.body)):
                raise ParseError(f"a sum over the samples ^{{({n.index})}} must run from 1 to m, with "
                                 f"{n.index} used only as the sample superscript", text, n.pos)
            return replace(n, index=SAMPLE_INDEX, body=rewrite(n.body, fn))
        return None
    return rewrite(node, fn) if samples else node


def parse_fragment(latex: str) -> Node:
    """One expression (no '='), no readings, no model checks: the two sides of a reading."""
    text, tokens = prepare(latex)
    p = Parser(text, layout_free(tokens, text))
    return p.expr_all(0)


NETWORK_KINDS = {"W", "b", "delta", "yhat", "J", "m", "lam", "ones"}


def _classify(claim: Claim) -> None:
    """Pure calculus (scalar variables only) or a network claim; symbolic layer or not."""
    qtys = [n for side in claim.sides for n in walk(side) if isinstance(n, Qty)]
    network = any(q.layer is not None or q.kind in NETWORK_KINDS for q in qtys) or \
        any(isinstance(n, Partial) for side in claim.sides for n in walk(side))
    claim.pure = not network
    claim.symbolic_layer = any(q.layer is not None and q.layer.base == "l" for q in qtys) or any(
        isinstance(n, Sum) and n.hi and n.hi[0] == "width" and n.hi[1].base == "l"
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
                raise NotationError(f"unknown symbol {q.spelling}; known: {known_names()}", claim.text, q.pos)
            if q.kind in ("W", "b", "z", "a", "delta") and q.layer is None:
                raise NotationError(f"{q.spelling} needs a layer superscript, e.g. {q.spelling}^{{(l)}}",
                                    claim.text, q.pos)
            if q.kind in ("x", "y", "yhat", "J", "m", "lam", "alpha", "ones") and q.layer is not None:
                raise NotationError(f"{q.spelling} takes no layer superscript", claim.text, q.pos)


def known_names() -> str:
    return ", ".join(sorted(set(QUANTITY_NAMES) | ACTIVATION_NAMES))


from . import conventions  # noqa: E402,F401  (registers the conventions' rows and spellings)


__all__ = ["parse", "parse_fragment", "render", "render_qty", "Claim", "Node", "Num", "Qty", "Partial", "Op",
           "Call", "Sum", "Deriv", "LayerRef", "ParseError", "walk", "children", "quantities", "transposed"]
