"""The notation layer: from the LaTeX people write to a clean token stream.

This module owns *what the symbols mean* and *what input is acceptable*:

* guards (length, NUL and control characters, brace balance, nesting depth,
  commands outside a whitelist) that turn hostile input into one-line errors
  with a caret, before any parsing happens;
* ``bindings``: a note's own symbols (``h(x)``, ``\\psi(z^{(3)})``) rewritten to
  default notation, longest first, as whole tokens;
* unicode twins of LaTeX commands (``δ`` -> ``\\delta``, ``⊙`` -> ``\\odot``);
* cosmetics that carry no meaning (``\\left``, ``\\boldsymbol``, ``\\,``, ``\\tag``)
  removed, and style wrappers that do carry meaning (``\\mathbf{1}``, ``\\hat{y}``,
  ``\\mathcal{L}``, ``\\text{sigmoid}``) folded into single tokens;
* the tables of names: which spelling is which network quantity.

Nothing here evaluates or compiles user text; parse.py builds a tree from the
tokens and verify.py evaluates that tree with NumPy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 4000          # a claim is one formula; a book chapter is not
MAX_DEPTH = 40            # braces + parentheses nested deeper than this are refused


class NotationError(ValueError):
    """Unusable input: one line naming the problem, with the position when known."""

    def __init__(self, message: str, text: str | None = None, pos: int | None = None):
        self.message, self.text, self.pos = message, text, pos
        super().__init__(self.one_line())

    def one_line(self) -> str:
        if self.text is None or self.pos is None:
            return self.message
        return f"{self.message} at column {self.pos + 1}"

    def caret(self) -> str:
        """Two lines: the (clipped) input and a caret under the problem."""
        if self.text is None or self.pos is None:
            return ""
        start = max(0, self.pos - 40)
        snippet = self.text[start:self.pos + 40].replace("\n", " ")
        return snippet + "\n" + " " * (self.pos - start) + "^"


# ---------------------------------------------------------------- name tables
# Spelling -> quantity kind. Layer superscripts and index subscripts are read by parse.py.
QUANTITY_NAMES: dict[str, str] = {
    "W": "W", "w": "W", r"\Theta": "W", r"\theta": "W",
    "b": "b",
    "z": "z", "Z": "z",
    "a": "a", "A": "a",
    r"\delta": "delta", r"\Delta": "delta",
    "x": "x", "X": "x",
    "y": "y", "Y": "y",
    r"\hat{y}": "yhat", r"\hat{Y}": "yhat", "h": "yhat",
    "J": "J", "C": "J", "E": "J", "L": "J", r"\mathcal{L}": "J", r"\ell": "J",
    "m": "m", "N": "m",
    r"\lambda": "lam",
    r"\alpha": "alpha", r"\eta": "alpha",
    r"\mathbf{1}": "ones",
}
# Letters that are free scalar variables in a pure-calculus claim (no network quantity).
PURE_VARIABLES = set("zxatuvwpsyr")
# The layer's activation, as a function symbol (DESIGN: sigma, f, g and their primes).
ACTIVATION_NAMES = {r"\sigma", "f", "g", r"\phi", r"\varphi"}
# Named elementary functions -> evaluator name.
FUNCTION_NAMES: dict[str, str] = {
    r"\tanh": "tanh", r"\exp": "exp", r"\log": "log", r"\ln": "log",
    r"\sinh": "sinh", r"\cosh": "cosh",
    "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "ReLU": "relu", "softmax": "softmax",
    "exp": "exp", "log": "log", "ln": "log",
}
INDEX_LETTERS = set("ijkpqrstuvcn")

# ---------------------------------------------------------------- token rules
UNICODE: dict[str, str] = {
    "δ": r"\delta ", "Δ": r"\Delta ", "σ": r"\sigma ", "λ": r"\lambda ", "α": r"\alpha ",
    "η": r"\eta ", "θ": r"\theta ", "Θ": r"\Theta ", "φ": r"\varphi ", "ϕ": r"\phi ",
    "∂": r"\partial ", "⊙": r"\odot ", "∘": r"\circ ", "·": r"\cdot ", "×": r"\times ",
    "−": "-", "′": "'", "ᵀ": "^T", "∑": r"\sum ", "ℓ": r"\ell ", "\u00a0": " ", "\t": " ",
    "\n": " ", "\r": " ",
}
# Commands that carry no meaning for the checker.
IGNORED = {r"\left", r"\right", r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\bigr",
           r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\displaystyle", r"\,", r"\;", r"\!",
           r"\:", r"\quad", r"\qquad", "\\ ", r"\\", r"\limits", r"\nolimits"}
# Style wrappers whose argument is kept as is.
UNWRAPPED = {r"\boldsymbol", r"\mathbf", r"\bm", r"\vec", r"\mathit", r"\mathbb", r"\pmb"}
# Wrappers whose argument is a word: \text{sigmoid}, \operatorname{relu}, \mathrm{d}.
WORDS = {r"\text", r"\mathrm", r"\operatorname", r"\textrm", r"\mathcal"}
# Decorations that form one name with their argument.
DECORATED = {r"\hat", r"\mathcal", r"\tilde", r"\bar"}
# Commands dropped together with their braced argument (equation numbers).
DROPPED_WITH_ARG = {r"\tag"}
# Every other command the parser understands; anything else is refused by name.
KNOWN_COMMANDS = ({r"\frac", r"\dfrac", r"\tfrac", r"\partial", r"\sum", r"\odot", r"\circ",
                   r"\cdot", r"\times", r"\ast", r"\top", r"\intercal", r"\prime", r"\sqrt",
                   r"\mathbf1", r"\ones", r"\hatname", r"\word"}
                  | {k for k in QUANTITY_NAMES if k.startswith("\\") and "{" not in k}
                  | ACTIVATION_NAMES | {k for k in FUNCTION_NAMES if k.startswith("\\")}
                  | IGNORED | UNWRAPPED | WORDS | DECORATED | DROPPED_WITH_ARG)

TOKEN_RE = re.compile(r"\\[A-Za-z]+|\\.|[0-9]+(?:\.[0-9]+)?|[A-Za-z]|[+\-*/=()\[\]{}^_',.|<>!:;&]|\S")


@dataclass(frozen=True)
class Token:
    kind: str      # "cmd", "num", "letter", "sym", "name" (folded), "word"
    text: str
    pos: int       # column in the (bound) input, for carets

    def is_(self, *texts) -> bool:
        return self.text in texts


# ---------------------------------------------------------------- guards
def check_text(text: str) -> None:
    """Refuse input that no claim can be: too long, control characters, bad nesting."""
    if not isinstance(text, str):
        raise NotationError("the claim must be a string")
    if len(text) > MAX_CHARS:
        raise NotationError(f"claim too long ({len(text)} characters; the limit is {MAX_CHARS})")
    if not text.strip():
        raise NotationError("empty claim")
    for pos, ch in enumerate(text):
        if ch in UNICODE:
            continue
        if ord(ch) < 32 or ord(ch) == 127:
            raise NotationError(f"control character {ch!r} (code {ord(ch)})", text, pos)
        if ord(ch) > 126:
            raise NotationError(f"unsupported character {ch!r}", text, pos)
    _check_nesting(text)


PAIRS = {"{": "}", "(": ")", "[": "]"}


def _check_nesting(text: str) -> None:
    stack: list[tuple[str, int]] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":          # \{ \} \left( are not structural braces
            pos += 2
            continue
        if ch in PAIRS:
            stack.append((ch, pos))
            if len(stack) > MAX_DEPTH:
                raise NotationError(f"nested more than {MAX_DEPTH} levels deep", text, pos)
        elif ch in PAIRS.values():
            if not stack:
                raise NotationError(f"unbalanced {ch!r}: nothing to close", text, pos)
            opener, at = stack.pop()
            if PAIRS[opener] != ch:
                if opener == "{" or ch == "}":
                    raise NotationError(f"{ch!r} does not match {opener!r} opened at column {at + 1}",
                                        text, pos)
                # (a, b] style half-open intervals do not occur in claims; refuse them too
                raise NotationError(f"{ch!r} does not match {opener!r} opened at column {at + 1}",
                                    text, pos)
        pos += 1
    if stack:
        opener, at = stack[-1]
        raise NotationError(f"unbalanced {opener!r}: never closed", text, at)


# ---------------------------------------------------------------- bindings
def apply_bindings(text: str, bindings: dict[str, str] | None) -> str:
    """Replace a note's own symbols by default notation: longest first, whole tokens, one pass."""
    if not bindings:
        return text
    for key, value in bindings.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key:
            raise NotationError("bindings must map non-empty strings to strings")
    keys = sorted(bindings, key=len, reverse=True)
    parts = []
    for key in keys:
        pat = re.escape(key)
        if key[0].isalpha():
            pat = r"(?<![A-Za-z\\])" + pat        # 'h' must not match inside '\hat' or 'th'
        if key[-1].isalpha():
            pat = pat + r"(?![A-Za-z])"           # '\Delta' must not match '\Deltax'
        parts.append(f"(?:{pat})")
    lookup = bindings
    return re.sub("|".join(parts), lambda mo: " " + lookup[mo.group(0)] + " ", text)


# ---------------------------------------------------------------- tokens
def tokenize(text: str) -> list[Token]:
    """Tokens of a checked string, cosmetics removed and wrappers folded."""
    raw = [Token(_kind(mo.group(0)), mo.group(0), mo.start()) for mo in TOKEN_RE.finditer(text)]
    for t in raw:
        if t.kind == "cmd" and t.text not in KNOWN_COMMANDS:
            raise NotationError(f"unsupported construct {t.text}", text, t.pos)
        if t.kind == "other":
            raise NotationError(f"unexpected character {t.text!r}", text, t.pos)
    return _fold(raw, text)


def _kind(s: str) -> str:
    if s.startswith("\\"):
        return "cmd"
    if s[0].isdigit():
        return "num"
    if s.isalpha():
        return "letter"
    if s in "+-*/=()[]{}^_',.|<>!:;&":
        return "sym"
    return "other"


def _group(tokens: list[Token], start: int, text: str) -> tuple[list[Token], int]:
    """The tokens inside the braced group (or the single token) at ``start``; and the index after it."""
    if start >= len(tokens):
        raise NotationError("missing argument at the end", text, len(text) - 1)
    if not tokens[start].is_("{"):
        return [tokens[start]], start + 1
    depth = 0
    for k in range(start, len(tokens)):
        if tokens[k].is_("{"):
            depth += 1
        elif tokens[k].is_("}"):
            depth -= 1
            if depth == 0:
                return tokens[start + 1:k], k + 1
    raise NotationError("unbalanced '{'", text, tokens[start].pos)


def _fold(raw: list[Token], text: str) -> list[Token]:
    """One pass of the rewrite table: drop, unwrap or fold each command."""
    out: list[Token] = []
    k = 0
    while k < len(raw):
        t = raw[k]
        if t.kind == "sym" and t.text == "&":
            k += 1
            continue
        if t.kind != "cmd":
            out.append(t)
            k += 1
            continue
        name = t.text
        if name in IGNORED:
            k += 1
        elif name in DROPPED_WITH_ARG:
            _, k = _group(raw, k + 1, text)
        elif name in UNWRAPPED:
            inner, k2 = _group(raw, k + 1, text)
            if len(inner) == 1 and inner[0].text == "1":
                out.append(Token("name", r"\mathbf{1}", t.pos))
            else:
                out.extend(_fold(inner, text) if len(inner) == 1 else
                           [Token("sym", "{", t.pos)] + _fold(inner, text) + [Token("sym", "}", t.pos)])
            k = k2
        elif name in DECORATED and name != r"\mathcal":
            inner, k = _group(raw, k + 1, text)
            spelled = name + "{" + "".join(x.text for x in inner) + "}"
            if spelled not in QUANTITY_NAMES:
                raise NotationError(f"unknown symbol {spelled}", text, t.pos)
            out.append(Token("name", spelled, t.pos))
        elif name in WORDS:
            inner, k = _group(raw, k + 1, text)
            word = "".join(x.text for x in inner)
            if name == r"\mathcal":
                spelled = r"\mathcal{" + word + "}"
                if spelled not in QUANTITY_NAMES:
                    raise NotationError(f"unknown symbol {spelled}", text, t.pos)
                out.append(Token("name", spelled, t.pos))
            elif len(word) == 1 and word.isalpha():
                out.append(Token("letter", word, t.pos))       # \mathrm{d}, \mathrm{W}
            elif word.isalpha():
                out.append(Token("word", word, t.pos))         # \text{sigmoid}
            else:
                raise NotationError(f"unsupported text {name}{{{word}}}", text, t.pos)
        else:
            out.append(t)
            k += 1
    return out


def prepare(latex: str, bindings: dict[str, str] | None = None) -> tuple[str, list[Token]]:
    """Guards, bindings, unicode, tokens: the whole notation layer in one call."""
    check_text(latex)
    bound = apply_bindings(latex, bindings)
    if bound != latex:
        check_text(bound)
    bound = "".join(UNICODE.get(ch, ch) for ch in bound)
    return bound, tokenize(bound)
