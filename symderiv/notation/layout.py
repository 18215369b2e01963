"""Which tokens of a written line are the claim: alignment marks, row breaks, layout environments,
surrounding prose, a trailing index range (, i = 1, \\dots, n) and type annotations (\\in \\mathbb{R}^m)
dropped before the grammar reads it."""
from __future__ import annotations

from .claim import ParseError
from .registry import ENVIRONMENTS
from .tokens import Token


# LETTER_STARTS (registry.py): spellings that start with a plain letter and claim it only in context (the d
# of dW^{[l]}): letter -> parse function, which returns None, consuming nothing, when the letter is not its spelling.
LAYOUT_ENVS = {"aligned", "align", "align*", "split", "gathered", "equation", "equation*"}


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
