"""The notation layer: from the LaTeX people write to a clean token stream.

This module owns *what input is acceptable* and *what a token is*:

* guards (length, NUL and control characters, brace balance, nesting depth,
  commands outside a whitelist) that turn hostile input into one-line errors
  with a caret, before any parsing happens;
* layout kept as structure tokens (``&``, ``\\\\``, ``\\begin{env}``), so
  environments can be read by the parser rather than deleted from the string;
* unicode twins of LaTeX commands (``δ`` -> ``\\delta``, ``⊙`` -> ``\\odot``);
* cosmetics that carry no meaning (``\\left``, ``\\boldsymbol``, ``\\,``, ``\\tag``)
  removed, and style wrappers that do carry meaning (``\\mathbf{1}``, ``\\hat{y}``,
  ``\\mathcal{L}``, ``\\text{sigmoid}``) folded into single tokens;
* ``\\text{...}`` read as a function name, a letter, or prose around the maths.

What each spelling *means* is in constructs.py (one row per construct); a
note's or user's own symbols are read by readings.py on the parsed tree.
Nothing here evaluates or compiles user text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..errors import NotationError  # noqa: F401 (re-exported)

MAX_CHARS = 4000          # a claim is one formula; a book chapter is not
MAX_DEPTH = 40            # braces + parentheses nested deeper than this are refused


# ---------------------------------------------------------------- name tables
# The names live in names.py and registry.py (the textbooks' names merged in).
from .names import ACTIVATION_NAMES, FUNCTION_NAMES  # noqa: E402
from .registry import QUANTITY_NAMES, command_tokens  # noqa: E402

# Greek letters and decorated names that are symbols without a fixed meaning: a reading
# may bind them (\psi -> softmax output); unread, the checker names them as unknown.
FREE_SYMBOLS = {r"\psi", r"\Psi", r"\mu", r"\nu", r"\rho", r"\tau", r"\omega", r"\Omega",
                r"\beta", r"\gamma", r"\epsilon", r"\varepsilon", r"\xi", r"\zeta", r"\kappa",
                r"\pi", r"\chi", r"\Phi", r"\Gamma"}

# ---------------------------------------------------------------- token rules
UNICODE: dict[str, str] = {
    "δ": r"\delta ", "Δ": r"\Delta ", "σ": r"\sigma ", "λ": r"\lambda ", "α": r"\alpha ",
    "η": r"\eta ", "θ": r"\theta ", "Θ": r"\Theta ", "φ": r"\varphi ", "ϕ": r"\phi ",
    "∂": r"\partial ", "⊙": r"\odot ", "∘": r"\circ ", "·": r"\cdot ", "×": r"\times ",
    "−": "-", "′": "'", "ᵀ": "^T", "∑": r"\sum ", "ℓ": r"\ell ", "\u00a0": " ", "\t": " ",
    "\n": " ", "\r": " ", "…": r"\dots ", "⋯": r"\cdots ", "∇": r"\nabla ", "⊤": r"\top ",
    "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "–": "-",
}
# Commands that carry no meaning for the checker.
IGNORED = {r"\left", r"\right", r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\bigr",
           r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\displaystyle", r"\,", r"\;", r"\!",
           r"\:", r"\quad", r"\qquad", "\\ ", r"\limits", r"\nolimits",
           r"\checkmark",     # the author's tick: a mark, not maths
           # spacing, sizes and styles that change how the maths looks, never what it means
           r"\space", r"\enspace", r"\thinspace", r"\medspace", r"\thickspace", r"\negthinspace",
           r"\negmedspace", r"\negthickspace", r"\mathstrut", r"\strut", r"\middle",
           r"\textstyle", r"\scriptstyle", r"\scriptscriptstyle", r"\tiny", r"\scriptsize",
           r"\footnotesize", r"\small", r"\normalsize", r"\large", r"\Large", r"\LARGE", r"\huge",
           r"\Huge", r"\nonumber", r"\notag", r"\bigm", r"\Bigm", r"\biggm", r"\Biggm",
           r"\Biggl", r"\Biggr"}
# Braces over or under a term: the term is kept, the annotation (a _{...} or ^{...} after it) is prose.
ANNOTATED = {r"\underbrace", r"\overbrace"}
# Style wrappers whose argument is kept as is.
UNWRAPPED = {r"\boldsymbol", r"\mathbf", r"\bm", r"\vec", r"\mathit", r"\mathbb", r"\pmb", r"\mathsf",
             r"\mathtt", r"\mathnormal", r"\textbf", r"\textit", r"\textsf", r"\texttt", r"\underline",
             r"\mathbfit", r"\symbf", r"\boxed"}
# Font switches written inside a group ({\rm softmax}, {\bf W}): read as the wrapper they switch to.
SWITCHES = {r"\rm": r"\mathrm", r"\bf": r"\mathbf", r"\it": r"\mathit", r"\sf": r"\mathsf",
            r"\tt": r"\mathtt", r"\cal": r"\mathcal", r"\mathversion": r"\mathbf"}
# Wrappers whose argument is a word: \text{sigmoid}, \operatorname{relu}, \mathrm{d}.
WORDS = {r"\text", r"\mathrm", r"\operatorname", r"\textrm", r"\mathcal", r"\mbox"}
# Decorations that form one name with their argument.
DECORATED = {r"\hat", r"\mathcal", r"\tilde", r"\bar"}
# Commands dropped together with their braced argument (equation numbers).
DROPPED_WITH_ARG = {r"\tag", r"\substack",   # equation numbers; stacked annotations under a brace
                    r"\label", r"\color", r"\textcolor", r"\colorbox", r"\hspace", r"\vspace",
                    r"\phantom", r"\hphantom", r"\vphantom"}
# (\textcolor{red}{a}: the colour is dropped and {a} stays a group; \color{red} a: the colour is dropped)
# Every other command the parser understands; anything else is refused by name.
# Layout that the parser keeps as structure: & (alignment), \\ (row break), \begin/\end{env}.
STRUCTURE = {r"\\", r"\begin", r"\end"}
# Annotations around the maths the parser drops: a trailing \in R^m (a type), a leading map arrow.
ANNOTATION_TOKENS = {r"\in", r"\rightarrow", r"\to", r"\mapsto"}
# Relations read as '=': an identity (\equiv) is an equality, checked as strictly as one. (\approx is
# known so that the parser can say why it is not checked: a rounded value is not an equality.)
EQUALITIES = {r"\equiv"}
RELATIONS = EQUALITIES | {r"\approx"}
KNOWN_COMMANDS = ({r"\partial"} | command_tokens() | STRUCTURE | FREE_SYMBOLS | ANNOTATION_TOKENS
                  | {k for k in QUANTITY_NAMES if k.startswith("\\") and "{" not in k}
                  | ACTIVATION_NAMES | {k for k in FUNCTION_NAMES if k.startswith("\\")}
                  | IGNORED | UNWRAPPED | WORDS | DECORATED | DROPPED_WITH_ARG | ANNOTATED | set(SWITCHES)
                  | RELATIONS)

TOKEN_RE = re.compile(r"\\[A-Za-z]+|\\.|[0-9]+(?:\.[0-9]+)?|[A-Za-z]|[+\-*/=()\[\]{}^_',.|<>!:;&\"]|\S")


@dataclass(frozen=True)
class Token:
    kind: str      # "cmd", "num", "letter", "sym", "name" (folded), "word"
    text: str
    pos: int       # column in the (bound) input, for carets
    end: int = field(default=-1, compare=False)   # where its text as written ends (-1: pos + len(text))

    @property
    def stop(self) -> int:
        """The end of the token in the text as the user wrote it."""
        return self.end if self.end >= 0 else self.pos + len(self.text)

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


# ---------------------------------------------------------------- tokens
def brace_group_end(text: str, pos: int) -> int | None:
    """The position just after the balanced ``{...}`` group that opens at ``pos`` (an escaped brace
    ``\\{`` does not count), or None when it never closes.

    >>> brace_group_end(r"{a{b}\\}c}d", 0)
    9
    """
    depth = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        pos += 1
        if depth == 0:
            return pos
    return None


def tokenize(text: str) -> list[Token]:
    """Tokens of a checked string, cosmetics removed and wrappers folded."""
    raw = []
    for mo in TOKEN_RE.finditer(text):
        twin = UNICODE.get(mo.group(0))
        if twin is None:
            raw.append(Token(_kind(mo.group(0)), mo.group(0), mo.start(), mo.end()))
        else:       # δ is \delta: its tokens point at the δ the user wrote
            raw.extend(Token(_kind(m2.group(0)), m2.group(0), mo.start(), mo.end()) for m2 in TOKEN_RE.finditer(twin))
    for t in raw:
        if t.kind == "cmd" and t.text not in KNOWN_COMMANDS:
            raise NotationError(f"unsupported construct {t.text}", text, t.pos)
        if t.kind == "other":
            raise NotationError(f"unexpected character {t.text!r}", text, t.pos)
    return _fold(_one_digit_arguments(raw, text), text)


FRACTIONS = {r"\frac", r"\dfrac", r"\tfrac"}


def _one_digit_arguments(raw: list[Token], text: str) -> list[Token]:
    """A fraction's unbraced argument is one token, and for TeX a digit is one token: \\frac12 is
    \\frac{1}{2} and \\frac123 is \\frac{1}{2} 3, so a number written right after \\frac (or after its
    braced first argument) gives the fraction its first digit only."""
    raw, out = list(raw), []
    k = 0
    while k < len(raw):
        out.append(raw[k])
        if raw[k].kind == "cmd" and raw[k].text in FRACTIONS:
            k += 1
            for _argument in range(2):
                if k >= len(raw):
                    break
                t = raw[k]
                if t.kind == "num" and len(t.text) > 1 and t.text.isdigit():
                    out.append(Token("num", t.text[0], t.pos, t.pos + 1))
                    raw[k] = Token("num", t.text[1:], t.pos + 1, t.stop)
                    continue        # the rest of the number may be the second argument
                if t.is_("{"):
                    end = _group(raw, k, text)[1]
                    out.extend(raw[k:end])
                    k = end
                    continue
                out.append(t)
                k += 1
            continue
        k += 1
    return out


PLAIN_FUNCTION_WORDS = frozenset(w for w in list(FUNCTION_NAMES) + ["sum"] if w.isalpha() and len(w) > 1)


def _plain_function_word(raw: list[Token], k: int) -> str:
    """The function name spelled by the adjacent letters at ``k`` when a parenthesis follows at once
    (relu(z), sum(dZ)), else ''. Written apart (r e l u) or without the parenthesis, they stay letters."""
    letters = []
    while k + len(letters) < len(raw) and raw[k + len(letters)].kind == "letter" and \
            raw[k + len(letters)].pos == raw[k].pos + len(letters):
        letters.append(raw[k + len(letters)].text)
    word = "".join(letters)
    after = k + len(letters)
    if word in PLAIN_FUNCTION_WORDS and after < len(raw) and raw[after].is_("(") and \
            raw[after].pos == raw[k].pos + len(word):
        return word
    return ""


def _kind(s: str) -> str:
    if s.startswith("\\"):
        return "cmd"
    if s[0].isdigit():
        return "num"
    if s.isalpha():
        return "letter"
    if s in "+-*/=()[]{}^_',.|<>!:;&\"":
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
    """One pass of the rewrite table: drop, unwrap or fold each command; keep layout as structure."""
    out: list[Token] = []
    k = 0
    while k < len(raw):
        t = raw[k]
        if t.kind == "sym" and t.text == "&":
            out.append(Token("align", "&", t.pos))
            k += 1
            continue
        if t.is_("|") and k + 1 < len(raw) and raw[k + 1].is_("|") and raw[k + 1].pos == t.pos + 1:
            out.append(Token("cmd", r"\|", t.pos, t.pos + 2))      # ||x||: the norm written with two bars
            k += 2
            continue
        if t.text in EQUALITIES:
            out.append(Token("sym", "=", t.pos, t.stop))
            k += 1
            continue
        if t.is_("{") and k + 1 < len(raw) and raw[k + 1].text in SWITCHES and not (k and raw[k - 1].text in "_^"):
            # (a_{\rm in} stays: the parser reads a subscript's roman switch as the name's label)
            # {\rm softmax} is \mathrm{softmax}: the switch's wrapper over the rest of the group
            inner, k2 = _group(raw, k, text)
            switch = raw[k + 1]
            raw = raw[:k] + [Token("cmd", SWITCHES[switch.text], switch.pos), Token("sym", "{", t.pos)] + \
                inner[1:] + [Token("sym", "}", t.pos)] + raw[k2:]
            continue
        if t.text in SWITCHES and not (out and out[-1].is_("{") and k >= 2 and raw[k - 2].text in "_^"):
            # a switch outside a group styles the rest: read through
            k += 1
            continue
        if t.is_("^") and _layer_transposed(raw, k + 1):
            # W^{[l]^T}, a^{(1)^T}: the layer, then its transpose
            inner, k2 = _group(raw, k + 1, text)
            mark = inner[-2:]
            raw = raw[:k] + [t, Token("sym", "{", t.pos)] + inner[:-2] + [Token("sym", "}", t.pos)] + mark + raw[k2:]
            out.append(t)
            k += 1
            continue
        word = _plain_function_word(raw, k)
        if word:                        # sum(dZ), relu(z): a function's name in plain letters, then its argument
            out.append(Token("word", word, t.pos, t.pos + len(word)))
            k += len(word)
            continue
        if t.kind != "cmd":
            out.append(t)
            k += 1
            continue
        name = t.text
        if name == r"\\":
            out.append(Token("break", name, t.pos))
            k += 1
        elif name in (r"\begin", r"\end"):
            inner, k = _group(raw, k + 1, text)
            env = "".join(x.text for x in inner)
            out.append(Token("env", f"{name[1:]}:{env}", t.pos, raw[k - 1].stop))
        elif name in IGNORED:
            k += 1
        elif name in ANNOTATED:
            inner, k = _group(raw, k + 1, text)
            out += [Token("sym", "{", t.pos)] + _fold(inner, text) + [Token("sym", "}", t.pos)]
            if k < len(raw) and raw[k].text in ("_", "^"):
                note, k = _group(raw, k + 1, text)
                if len(note) == 1 and note[0].kind == "cmd" and note[0].text in WORDS | UNWRAPPED | DECORATED \
                        and k < len(raw) and raw[k].is_("{"):
                    _, k = _group(raw, k, text)      # _\textrm{trick!}: the command's argument is the note too
        elif name in DROPPED_WITH_ARG:
            _, k = _group(raw, k + 1, text)
        elif name in UNWRAPPED:
            inner, k2 = _group(raw, k + 1, text)
            if len(inner) == 1 and inner[0].text == "1":     # \mathbb{1}(...) is an indicator, \mathbf{1} ones
                out.append(Token("name", r"\mathbb{1}" if name == r"\mathbb" else r"\mathbf{1}", t.pos,
                                 raw[k2 - 1].stop))
            else:
                out.extend(_fold(inner, text) if len(inner) == 1 else
                           [Token("sym", "{", t.pos)] + _fold(inner, text) + [Token("sym", "}", t.pos)])
            k = k2
        elif name in DECORATED:
            # \hat{y} is a known name; \tilde{J}, \mathcal{J} are symbols a reading may bind
            inner, k = _group(raw, k + 1, text)
            script = next((n for n, x in enumerate(inner) if x.text in ("_", "^")), None)
            if script:                      # \hat{y_k} is \hat{y}_k: the decoration is on the letter
                raw = raw[:k] + inner[script:] + raw[k:]
                inner = inner[:script]
            out.append(Token("name", name + "{" + "".join(x.text for x in inner) + "}", t.pos, raw[k - 1].stop))
        elif name in WORDS:
            inner, k = _group(raw, k + 1, text)
            out.append(replace(_word_token(name, inner, text, t.pos), end=raw[k - 1].stop))
        else:
            out.append(t)
            k += 1
    return out


def _layer_transposed(raw: list[Token], start: int) -> bool:
    """Is the group at ``start`` a layer with a transpose inside it: {(1)^T}, {[l]^\\top}?"""
    if start >= len(raw) or not raw[start].is_("{"):
        return False
    depth, end = 0, None
    for k in range(start, min(len(raw), start + 12)):
        depth += {"{": 1, "}": -1}.get(raw[k].text, 0) if raw[k].kind == "sym" else 0
        if depth == 0:
            end = k
            break
    if end is None or end - start < 5:
        return False
    inner = raw[start + 1:end]
    return inner[0].text in ("(", "[") and inner[-3].text in (")", "]") and inner[-2].is_("^") and \
        inner[-1].text in ("T", r"\top", r"\intercal")


def _word_token(command: str, inner: list[Token], text: str, pos: int) -> Token:
    """\\text{sigmoid} is a function name, \\mathrm{d} a letter, \\text{so } prose around the maths."""
    start, end = (inner[0].pos, inner[-1].pos + len(inner[-1].text)) if inner else (pos, pos)
    raw_word = text[start:end] if inner else ""
    word = "".join(x.text for x in inner)
    if len(word) == 1 and word.isalpha():
        return Token("letter", word, pos)
    after_switch = re.search(r"\\(?:rm|bf|it|sf|tt|cal)\s+$", text[:start]) is not None     # {\rm softmax}
    if word.isalpha() and raw_word == word and _has_no_space_after(text, end) and \
            (text[start - 1] != " " or after_switch):
        return Token("word", word, pos)
    return Token("prose", raw_word, pos)


def _has_no_space_after(text: str, end: int) -> bool:
    return end >= len(text) or text[end] != " "


def prepare(latex: str) -> tuple[str, list[Token]]:
    """Guards, unicode, tokens: the whole notation layer in one call.

    Positions of the tokens point into ``latex`` as the user wrote it (unicode
    twins are expanded token by token, never by rewriting the string).
    """
    check_text(latex)
    return latex, tokenize(latex)
