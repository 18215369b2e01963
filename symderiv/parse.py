"""LaTeX claim -> claim tree: a recursive-descent parser over notation tokens.

Owns the grammar and the tree (``Node`` subclasses) and its rendering back to
LaTeX. Precedence, loosest first:

    chain    a = b = c
    sum      + and -
    product  juxtaposition, \\cdot, \\times (matrix/scalar product), \\odot, \\circ, *
             (Hadamard) and / — all one level, left-associative, as in
             ``W^T \\delta \\odot f'(z)`` = ``(W^T \\delta) \\odot f'(z)``
    unary    leading - or +
    postfix  ^T, ^\\top, ' (transpose on a matrix), ^{k} (power, elementwise)
    primary  numbers, quantities with layer superscripts ^{(l)} and index
             subscripts _{ij}, (...), [...], {...}, \\frac, \\sqrt, \\sum,
             function calls, \\frac{\\partial J}{\\partial W^{(l)}}, \\frac{d}{dz}

Why not latex2sympy2_extended: it flattens ``A \\cdot H \\cdot (B C)`` into one
product (so a Hadamard marker cannot keep ``A \\odot (B C)`` apart from
``(A \\odot B) C``), reads ``\\log`` as base 10 and rejects ``\\operatorname``.
A tree of our own keeps every prime, transpose, layer and Hadamard product
explicit, and nothing from the user's text ever becomes a SymPy symbol.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from .notation import (ACTIVATION_NAMES, FUNCTION_NAMES, INDEX_LETTERS, QUANTITY_NAMES,
                       NotationError, Token, prepare)

MAX_NODES = 2000


# ---------------------------------------------------------------- tree
@dataclass(frozen=True)
class LayerRef:
    """A layer superscript: base None (absolute), "l" (symbolic) or "L" (output), plus offset."""
    base: str | None
    offset: int

    def resolve(self, l: int | None, L: int) -> int:
        if self.base is None:
            return self.offset
        return (l if self.base == "l" else L) + self.offset

    def latex(self) -> str:
        if self.base is None:
            return str(self.offset)
        if self.offset == 0:
            return self.base
        return f"{self.base}{'+' if self.offset > 0 else '-'}{abs(self.offset)}"


class Node:
    pos: int = 0


@dataclass(frozen=True)
class Num(Node):
    value: Fraction
    pos: int = 0


@dataclass(frozen=True)
class Qty(Node):
    """A named quantity: W, b, z, a, delta, x, y, yhat, J, m, lam, alpha, ones, or a pure variable."""
    kind: str
    spelling: str
    layer: LayerRef | None = None
    idx: tuple = ()            # index names (str) or 1-based numbers (int)
    pos: int = 0


@dataclass(frozen=True)
class Partial(Node):
    """d num / d den, both quantities (num usually J)."""
    num: Qty
    den: Qty
    pos: int = 0


@dataclass(frozen=True)
class Op(Node):
    """op in add, sub, neg, mm (product), had (Hadamard), div, pow, T (transpose)."""
    op: str
    args: tuple
    style: str = ""            # how the user wrote it: "^T", "^\\top", "'" ; "\\odot" ; "\\cdot"
    pos: int = 0


@dataclass(frozen=True)
class Call(Node):
    """fn in act, dact (the layer's activation and its derivative) or an elementary function."""
    fn: str
    arg: Node
    spelling: str = ""
    power: Node | None = None
    pos: int = 0


@dataclass(frozen=True)
class Sum(Node):
    index: str
    lo: int
    hi: tuple | None           # ("num", n) | ("m",) | ("width", LayerRef) | ("K",) | None: natural range
    body: Node
    hi_latex: str = ""
    pos: int = 0


@dataclass(frozen=True)
class Deriv(Node):
    """d/dvar body, for pure-calculus claims."""
    var: str
    body: Node
    pos: int = 0


@dataclass
class Claim:
    text: str                  # after bindings
    sides: list                # chain of Nodes
    symbolic_layer: bool = False
    pure: bool = False
    meta: dict = field(default_factory=dict)


class ParseError(NotationError):
    pass


# ---------------------------------------------------------------- parser
class Parser:
    def __init__(self, text: str, tokens: list[Token]):
        self.text, self.toks, self.k, self.count = text, tokens, 0, 0

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

    def sub(self, tokens: list[Token]) -> "Parser":
        p = Parser(self.text, tokens)
        p.count = self.count
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
        while self.at("+", "-"):
            t = self.take()
            right = self.product()
            left = self.node(Op("add" if t.text == "+" else "sub", (left, right), pos=t.pos))
        return left

    PRODUCT_OPS = {r"\cdot": "mm", r"\times": "mm", r"\odot": "had", r"\circ": "had", "*": "had",
                   r"\ast": "had", "/": "div"}
    STOP = {")", "]", "}", "=", "+", "-", ",", "|", ":", "<", ">", None}

    def product(self) -> Node:
        left = self.unary()
        while True:
            t = self.peek()
            if t is None or t.text in self.STOP:
                return left
            if t.text in self.PRODUCT_OPS:
                self.take()
                if self.peek() is None or self.peek().text in self.STOP:
                    self.fail(f"{t.text} needs a right operand")
                right = self.unary()
                left = self.node(Op(self.PRODUCT_OPS[t.text], (left, right), style=t.text, pos=t.pos))
            else:
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
                if texts in (["T"], [r"\top"], [r"\intercal"], ["t"]) and texts != ["t"]:
                    base = self.node(Op("T", (base,), style="^" + ("T" if texts == ["T"] else texts[0] + " "),
                                        pos=t.pos))
                elif texts in ([r"\prime"], ["'"]):
                    base = self.node(Op("T", (base,), style="'", pos=t.pos))
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
            self.take()
            return self.node(Num(Fraction(t.text), pos=t.pos))
        if t.text in ("(", "[", "{"):
            self.take()
            closer = {"(": ")", "[": "]", "{": "}"}[t.text]
            inner = self.expr()
            self.expect(closer)
            return inner
        if t.text in (r"\frac", r"\dfrac", r"\tfrac"):
            return self.fraction()
        if t.text == r"\sqrt":
            self.take()
            arg = self.sub(self.group_tokens()).expr_all(t.pos)
            return self.node(Op("pow", (arg, Num(Fraction(1, 2))), pos=t.pos))
        if t.text == r"\sum":
            return self.summation()
        if t.text in ACTIVATION_NAMES:
            return self.activation_call()
        if t.text in FUNCTION_NAMES and (t.kind == "cmd" or t.kind == "word"):
            return self.function_call()
        if t.text == "e" and self.peek(1) is not None and self.peek(1).text == "^":
            self.take()
            self.take()
            arg = self.sub(self.group_tokens()).expr_all(t.pos)
            return self.node(Call("exp", arg, "e", pos=t.pos))
        if t.kind in ("letter", "name") or (t.kind == "cmd" and t.text in QUANTITY_NAMES):
            return self.quantity()
        if t.kind == "word":
            self.fail(f"unknown function {t.text!r}; known: {', '.join(sorted(set(FUNCTION_NAMES)))}")
        if t.text == r"\partial":
            self.fail(r"\partial outside a \frac{\partial ...}{\partial ...}")
        self.fail(f"unexpected {t.text!r}")

    # -- quantities
    def quantity(self) -> Qty:
        t = self.take()
        spelling = t.text
        kind = QUANTITY_NAMES.get(spelling)
        if kind is None:
            if t.kind == "letter":
                kind = "var"           # resolved later: a pure-calculus variable or an unknown symbol
            else:
                self.fail(f"unknown symbol {spelling}", t.pos)
        layer, idx, tmark = None, (), ""
        if kind == "yhat" and spelling == "h":
            self._skip_hypothesis_decorations()
            return self.node(Qty("yhat", "h", None, self._indices_if_any(), pos=t.pos))
        if kind == "J" and self.at("("):          # J(W, b), J(\theta): arguments name no layer
            self._skip_balanced()
        while True:
            if self.at("_") and not idx:
                self.take()
                idx = self._indices(self.group_tokens(), kind)
            elif self.at("^") and layer is None and self._is_layer_sup():
                self.take()
                sup = self.group_tokens()
                # a^{(2)'} and W^{(l)T}: a transpose written inside the layer superscript
                if len(sup) > 1 and sup[-1].text in ("'", "T", r"\top") and sup[-2].text in (")", "]"):
                    tmark, sup = ("'" if sup[-1].text == "'" else "^" + sup[-1].text), sup[:-1]
                layer = self._layer(sup, t.pos)
            else:
                break
        q = self.node(Qty(kind, spelling, layer, idx, pos=t.pos))
        return self.node(Op("T", (q,), style=tmark, pos=t.pos)) if tmark else q

    def _skip_hypothesis_decorations(self):
        # h_\theta(x), h(x), h_{\theta}(x^{(i)}): all mean the output a^{(L)} for the sample x
        if self.at("_"):
            self.take()
            self.group_tokens()
        if self.at("("):
            self._skip_balanced()

    def _indices_if_any(self):
        if self.at("_"):
            self.take()
            return self._indices(self.group_tokens(), "yhat")
        return ()

    def _skip_balanced(self):
        depth = 0
        while True:
            u = self.take()
            depth += {"(": 1, ")": -1}.get(u.text, 0)
            if depth == 0:
                return

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

    def _layer(self, toks: list[Token], pos: int) -> LayerRef:
        texts = [x.text for x in toks]
        if texts and texts[0] in ("(", "[") and texts[-1] in (")", "]"):
            texts = texts[1:-1]
        bad = NotationError(f"layer superscript ({''.join(texts)}) not understood: use l, l+1, l-1, L, "
                            "L-1 or a number", self.text, pos)
        if len(texts) == 1 and texts[0].isdigit():
            return LayerRef(None, int(texts[0]))
        if not texts or texts[0] not in ("l", "L"):
            raise bad
        if len(texts) == 1:
            return LayerRef(texts[0], 0)
        if len(texts) == 3 and texts[1] in "+-" and texts[2].isdigit():
            return LayerRef(texts[0], int(texts[2]) * (1 if texts[1] == "+" else -1))
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
            elif x.kind == "letter" and x.text in INDEX_LETTERS:
                out.append(x.text)
            else:
                self.fail(f"index {x.text!r} not understood: indices are letters like i, j, k or numbers",
                          x.pos)
        if len(out) > 2:
            self.fail("more than two indices", toks[0].pos)
        return tuple(out)

    # -- functions
    def activation_call(self) -> Call:
        t = self.take()
        prime = False
        while True:
            if self.at("'"):
                self.take()
                prime = True
            elif self.at("^") and self.peek(1) is not None and self.peek(1).text in (r"\prime", "{"):
                sup = [x.text for x in (self._peek_group(1))]
                if sup in ([r"\prime"], ["'"]):
                    self.take()
                    self.group_tokens()
                    prime = True
                else:
                    break
            elif self.at("_"):          # f_l, \sigma_1: which layer is read from the argument
                self.take()
                self.group_tokens()
            else:
                break
        if not self.at("("):
            self.fail(f"{t.text}{chr(39) if prime else ''} needs an argument in parentheses")
        self.take()
        arg = self.expr()
        self.expect(")")
        return self.node(Call("dact" if prime else "act", arg, t.text, pos=t.pos))

    def _peek_group(self, ahead):
        t = self.peek(ahead)
        if t is None or t.text != "{":
            return [t] if t else []
        out, j = [], self.k + ahead + 1
        while j < len(self.toks) and self.toks[j].text != "}":
            out.append(self.toks[j])
            j += 1
        return out

    def function_call(self) -> Call:
        t = self.take()
        fn = FUNCTION_NAMES[t.text]
        power = None
        if self.at("^"):                         # \tanh^2(z)
            self.take()
            power = self.sub(self.group_tokens()).expr_all(t.pos)
        if self.at("("):
            self.take()
            arg = self.expr()
            self.expect(")")
        else:                                    # \ln a^{(L)}
            if self.peek() is None or self.peek().text in self.STOP:
                self.fail(f"{t.text} needs an argument")
            arg = self.postfix(self.primary())
        call = self.node(Call(fn, arg, t.text, pos=t.pos))
        return self.node(Op("pow", (call, power), pos=t.pos)) if power is not None else call

    # -- \frac: fraction, partial derivative, d/dz
    def fraction(self) -> Node:
        t = self.take()
        num_toks = self.group_tokens()
        den_toks = self.group_tokens()
        nt = [x.text for x in num_toks]
        if nt and nt[0] in (r"\partial", "d") and den_toks and den_toks[0].text in (r"\partial", "d") \
                and (nt[0] == r"\partial" or len(nt) == 1 or (len(nt) > 1 and nt[1] != "{")):
            return self.derivative(t, num_toks, den_toks)
        num = self.sub(num_toks).expr_all(t.pos)
        den = self.sub(den_toks).expr_all(t.pos)
        return self.node(Op("div", (num, den), pos=t.pos))

    def derivative(self, t: Token, num_toks, den_toks) -> Node:
        den_p = self.sub(den_toks[1:])
        if den_p.at("("):
            den_p.take()
            den = den_p.quantity()
            den_p.expect(")")
        else:
            den = den_p.quantity()
        if den_p.peek() is not None:
            den_p.fail(f"unexpected {den_p.peek().text!r} in the denominator of a derivative")
        if len(num_toks) == 1:                   # \frac{\partial}{\partial W} J
            operand = self.postfix(self.primary())
        else:
            num_p = self.sub(num_toks[1:])
            operand = num_p.expr_all(t.pos)
        if den.kind == "var" or (den.kind in ("z", "x", "a", "y") and den.layer is None and not den.idx
                                 and not isinstance(operand, Qty)):
            return self.node(Deriv(den.spelling, operand, pos=t.pos))
        if not isinstance(operand, Qty):
            self.fail("a partial derivative's numerator must be one quantity (J, z, a, ...)", t.pos)
        return self.node(Partial(operand, den, pos=t.pos))

    # -- \sum_{i=1}^{n}
    def summation(self) -> Sum:
        t = self.take()
        if not self.at("_"):
            self.fail(r"\sum needs an index: \sum_{j=1}^{n}")
        self.take()
        lower = [x.text for x in self.group_tokens()]
        if not lower or lower[0] not in INDEX_LETTERS:
            self.fail(r"\sum needs an index letter (i, j, k, ...)", t.pos)
        index, lo = lower[0], 1
        if len(lower) > 1:
            if len(lower) != 3 or lower[1] != "=" or not lower[2].isdigit():
                self.fail(r"\sum lower limit must read index=number", t.pos)
            lo = int(lower[2])
        hi, hi_latex = None, ""
        if self.at("^"):
            self.take()
            toks = self.group_tokens()
            hi_latex = "".join(x.text for x in toks)
            hi = self._bound(toks, t.pos)
        body = self.product()
        return self.node(Sum(index, lo, hi, body, hi_latex, pos=t.pos))

    def _bound(self, toks, pos):
        texts = [x.text for x in toks]
        if len(texts) == 1 and texts[0].isdigit():
            return ("num", int(texts[0]))
        if texts in (["m"], ["N"]):
            return ("m",)
        if texts in (["K"],):
            return ("K",)
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


# ---------------------------------------------------------------- entry point
def parse(latex: str, bindings: dict[str, str] | None = None) -> Claim:
    """Parse a claim (or chain) into a Claim; NotationError/ParseError on bad input."""
    text, tokens = prepare(latex, bindings)
    if not tokens:
        raise NotationError("empty claim")
    p = Parser(text, tokens)
    sides = p.chain()
    if len(sides) < 2:
        raise ParseError("a claim needs '=': LHS = RHS", text, len(text) - 1)
    claim = Claim(text, sides)
    _classify(claim)
    return claim


def walk(n: Node):
    yield n
    for child in children(n):
        yield from walk(child)


def children(n: Node) -> tuple:
    if isinstance(n, Op):
        return n.args
    if isinstance(n, Call):
        return (n.arg,) + ((n.power,) if n.power is not None else ())
    if isinstance(n, (Sum, Deriv)):
        return (n.body,)
    if isinstance(n, Partial):
        return (n.num, n.den)
    return ()


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
    if claim.pure:
        for q in qtys:
            if q.kind == "alpha" or (q.kind in ("var", "z", "x", "a", "y") and q.spelling in "zxatuvwpsyr"):
                continue
            raise NotationError(f"unknown symbol {q.spelling}", claim.text, q.pos)
    else:
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


# ---------------------------------------------------------------- rendering
def render(n: Node, parent_prec: int = 0) -> str:
    """LaTeX of a tree, in the claim's own spelling."""
    prec = _prec(n)
    s = _render(n)
    return f"\\left({s}\\right)" if prec < parent_prec else s


def _prec(n):
    if isinstance(n, (Qty, Partial)) and (n.idx if isinstance(n, Qty) else True) or \
            isinstance(n, Qty) and n.layer is not None:
        return 5.5     # W^{(l)} under ^T or a power needs parentheses: (W^{(l)})^T
    if isinstance(n, Op):
        return {"add": 1, "sub": 1, "neg": 2, "mm": 3, "had": 3, "div": 3, "pow": 5, "T": 5}[n.op]
    if isinstance(n, Sum):
        return 2
    return 9


def render_qty(q: Qty) -> str:
    s = q.spelling
    if q.idx:
        s += "_{" + "".join(str(i) for i in q.idx) + "}"
    if q.layer is not None:
        s += "^{(" + q.layer.latex() + ")}"
    return s


def _render(n: Node) -> str:
    if isinstance(n, Num):
        v = n.value
        return str(v.numerator) if v.denominator == 1 else f"\\frac{{{v.numerator}}}{{{v.denominator}}}"
    if isinstance(n, Qty):
        return render_qty(n)
    if isinstance(n, Partial):
        return f"\\frac{{\\partial {render_qty(n.num)}}}{{\\partial {render_qty(n.den)}}}"
    if isinstance(n, Call):
        name = n.spelling or n.fn
        if n.fn == "dact":
            name = name + "'"
        elif n.spelling == "e":
            return f"e^{{{render(n.arg)}}}"
        return f"{name}\\left({render(n.arg)}\\right)"
    if isinstance(n, Sum):
        hi = f"^{{{n.hi_latex}}}" if n.hi_latex else ""
        return f"\\sum_{{{n.index}={n.lo}}}{hi} {render(n.body, 3)}"
    if isinstance(n, Deriv):
        return f"\\frac{{d}}{{d{n.var}}} {render(n.body, 5)}"
    op, args = n.op, n.args
    if op == "add" and isinstance(args[1], Op) and args[1].op == "neg":
        return f"{render(args[0], 1)} - {render(args[1].args[0], 2)}"
    if op == "add":
        return f"{render(args[0], 1)} + {render(args[1], 2)}"
    if op == "sub":
        return f"{render(args[0], 1)} - {render(args[1], 2)}"
    if op == "neg":
        return f"-{render(args[0], 3)}"
    if op == "mm":
        sep = f" {n.style} " if n.style else " "
        return f"{render(args[0], 3)}{sep}{render(args[1], 4)}"
    if op == "had":
        return f"{render(args[0], 3)} {n.style or chr(92) + 'odot'} {render(args[1], 4)}"
    if op == "div":
        return f"\\frac{{{render(args[0])}}}{{{render(args[1])}}}"
    if op == "pow":
        return f"{render(args[0], 6)}^{{{render(args[1])}}}"
    if op == "T":
        style = n.style or "^T"
        return f"{render(args[0], 6)}{style.strip()}" if style != "'" else f"{render(args[0], 6)}'"
    raise AssertionError(op)


def transposed(n: Node, style: str = "^T") -> Node:
    """n with its transpose toggled (used by diagnosis to build corrected formulas)."""
    if isinstance(n, Op) and n.op == "T":
        return n.args[0]
    return Op("T", (n,), style=style)


__all__ = ["parse", "render", "Claim", "Node", "Num", "Qty", "Partial", "Op", "Call", "Sum", "Deriv",
           "LayerRef", "ParseError", "walk", "children", "transposed", "replace"]
