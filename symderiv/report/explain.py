"""A verdict in plain words, for a student reading a report.

The checker states why a verdict is what it is as data: a ``Diagnostic``
(verify/diagnostics.py) with a stable code and its arguments. ``plain_reason``
writes it through one table, a sentence per code, into words a reader can act
on; ``short_reason`` cuts that to one line for the summary table.
``counterexample_rows`` turns the counterexample dict into (what, value) rows
for a small table. Nothing here decides a verdict or reads the checker's prose:
a reason without a cause is shown as it is.

>>> from symderiv.verify.diagnostics import diagnostic
>>> plain_reason(diagnostic("shape.error", side="right", what="mm", shapes=("7×6", "7×1")))
'the sizes do not fit: the right side multiplies a 7×6 matrix by a 7×1 matrix'
>>> plain_reason(None, "unexpected '_', in `x_` (column 2)")
"unexpected '_', in `x_` (column 2)"
"""
from __future__ import annotations

import re


# Maths inside a plain reason is marked ⟦...⟧ (characters no checker reason holds): the report typesets it
# as inline maths where the allow list lets it (report.py), else shows it as text.
OPEN, CLOSE = "\u27e6", "\u27e7"
_MATHS_CHARS = re.compile(r"[\\^_{}]|^[A-Za-z]$")


def maths(text: str) -> str:
    """``text`` marked as maths when it looks like maths (a command, a script, a single letter)."""
    text = str(text).strip()
    return f"{OPEN}{text}{CLOSE}" if _MATHS_CHARS.search(text) else text


# code: the sentence. Arguments whose name is in MATHS are marked as maths; {inner} is the plain sentence
# of a wrapped cause; {message} the checker's own message (a code without a sentence of its own).
PLAIN = {
    "holds": "both sides agree in all {n} random checks (random network sizes, weights and inputs)",
    "holds.points": "both sides agree at {n} random points",
    "proved": "proved symbolically: the difference of the two sides simplifies to 0",
    "chain-holds": "all {n} steps of the chain hold",
    "update-step": "a gradient-descent update: its step must be the gradient {gradient}; {inner}",
    "first-side": "{inner} (compared with the first side of the chain, as the step before it cannot be computed)",
    "shape": "wrong size: {given} where the true value is {expected}",
    "index-conflict": "index {index} runs over dimensions of sizes {sizes}: two indices are swapped or belong to "
                      "different layers",
    "value": "different values, not explained by one small change (sign, scale, transpose, index, layer or one "
             "factor)",
    "scale": "off by a constant factor: this line is {factor} times the true value",
    "scale.extra-1/m": "off by a constant factor: this line is 1/m times the true value (a factor 1/m too many)",
    "scale.per-m": "off by a constant factor: this line is ({factor}/m) times the true value",
    "scale.missing-1/m": "off by a constant factor: this line is m times the true value (the factor 1/m is "
                         "missing)",
    "scale.times-m": "off by a constant factor: this line is {factor}·m times the true value ({written} written "
                     "where 1/m belongs?)",
    "scale.times-m-only": "off by a constant factor: this line is {factor}·m times the true value",
    "extra-factor.derivative": "one factor too many: {derivative}",
    "extra-factor.part": "one factor too many: {was}",
    "dropped-factor": "a factor is missing: {derivative}",
    "dropped-factor.elementwise": "a factor is missing: {derivative}",
    "index-swap.letters": "the indices {first} and {second} are swapped",
    "layer-shift": "layer shift: {was} should be {should}",
    "index-swap": "index order: {was} should be {should}",
    "transpose": "transpose: {was} should be transposed",
    "transpose.drop": "transpose: {was} should not be transposed",
    "scale.replace": "scale: {was} should be {should}",
    "scale.term-doubled": "scale: {was} should be doubled",
    "scale.term-halved": "scale: {was} should be halved",
    "sign.swap": "sign: {was} should be {should}",
    "factor-order": "factor order: {was} should be {should}",
    "product-type": "product type: {was} should be a {product} product",
    "sign": "wrong sign: this line is minus the true value",
    "sign.side": "wrong sign: {message}",
    "sign.update": "wrong sign: {message}",
    "sign.term": "wrong sign: {message}",
    "transpose.whole": "a transpose is wrong: {message}",
    "transpose.product": "a transpose is wrong: {message}",
    "dropped-sum": "the sum over the samples is missing: {message}",
    "dropped-regulariser": "the regularisation term is missing: {message_m}",
    "activation-derivative": "the derivative of the wrong activation: {message}",
    "softmax-elementwise": "the softmax is treated element by element: {message}",
    "index": "the wrong index: {message}",
    "unknown-symbol": "symderiv does not know the symbol {symbol}: a reading (read: ... -> ...) can say what it "
                      "stands for",
    "bias-unit": "index 0 of {quantity} is the bias unit{tail}",
    "same-expression": "not checked: both sides are the same expression",
    "timeout": "not checked: the check took longer than {seconds} s",
    "internal-error": "not checked: symderiv failed on this line (a bug of ours)",
}
MATHS = {"gradient", "factor", "was", "should", "first", "second", "quantity"}
DERIVATIVE = "f'({z})"          # {derivative}: the activation's derivative at the argument z

# shape errors by the operation that failed (ShapeError.what)
SHAPE_ERRORS = {
    "mm": "the sizes do not fit: the {side} side multiplies a {a} matrix by a {b} matrix",
    "had": "the sizes do not fit: the {side} side multiplies element by element a {a} and a {b} matrix",
    "add": "the sizes do not fit: the {side} side adds a {a} matrix and a {b} matrix",
    "div": "the sizes do not fit: the {side} side divides a {a} matrix by a {b} matrix",
    "index": "an index runs past the end of {a} (a {b} matrix) on the {side} side: two indices are swapped, "
             "or it is the wrong layer's matrix",
    "": "the sizes do not fit: {error}",
}


def plain_reason(cause, reason: str = "") -> str:
    """The verdict's cause (a Diagnostic) as a sentence for a reader; without one, ``reason`` as it is."""
    if cause is None:
        return " ".join(str(reason).split())
    if cause.code == "shape.error":
        a, b = (tuple(cause.args.get("shapes") or ()) + ("", ""))[:2]
        template = SHAPE_ERRORS.get(cause.args.get("what", ""), SHAPE_ERRORS[""])
        return template.format(side=cause.args.get("side", ""), a=a, b=b, error=cause.args.get("error", ""))
    template = PLAIN.get(cause.code)
    if template is None:                   # no sentence of its own: the checker's reason as it is
        return " ".join(str(reason or cause.text).split())
    args = {k: (maths(v) if k in MATHS else v) for k, v in cause.args.items()}
    inner = cause.args.get("inner")
    message = " ".join(cause.message.split())
    if "z" in cause.args:
        args["derivative"] = maths(DERIVATIVE.format(z=cause.args["z"]))
    return template.format(**{**args, "message": message, "message_m": maths(message),
                              "inner": plain_reason(inner, "") if inner is not None else ""})


def without_marks(text: str) -> str:
    """The reason with its maths marks removed (for a terminal)."""
    return text.replace(OPEN, "").replace(CLOSE, "")


def short_reason(cause, reason: str = "", limit: int = 55) -> str:
    """One line of the plain reason, for the summary table: all of it when it fits, else its first clause
    (up to the first ': ' or ' ('), else cut at a word."""
    text = plain_reason(cause, reason)
    if len(text) <= limit:
        return text
    for stop in (": ", " ("):
        at = text.find(stop)
        if 0 < at <= limit and text[:at].count(OPEN) == text[:at].count(CLOSE):
            return text[:at]
    cut = text.rfind(" ", 0, limit - 1)
    text = text[:cut if cut > limit // 2 else limit - 1]
    if text.count(OPEN) > text.count(CLOSE):       # never cut a formula in two
        text = text[:text.rfind(OPEN)]
    return text.rstrip(",;: ") + "…"


# ---------------------------------------------------------------- counterexamples
def value_text(value, cause=None) -> str:
    """A value of the counterexample dict in words: a number, or a matrix by its size and first entries;
    a value that could not be computed is described by the verdict's cause when that is its error."""
    if value is None:
        return "cannot be computed"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        while cause is not None and cause.code != "shape.error":      # a cause wrapped by a reading, a depth
            cause = cause.args.get("inner")
        same = cause is not None and cause.args.get("error") == value
        return "cannot be computed: " + (plain_reason(cause) if same else " ".join(value.split()))
    if isinstance(value, dict) and "shape" in value:
        shape = "×".join(map(str, value["shape"]))
        if "values" in value:
            return f"{shape} matrix: " + ", ".join(map(_number, _flat(value["values"])))
        if "top_left" in value:
            return f"{shape} matrix, first entries: " + ", ".join(map(_number, _flat(value["top_left"])[:4]))
        return f"{shape} array (a derivative of a matrix by a matrix)"
    return str(value)


def _number(x: float) -> str:
    """Four significant digits; -0.0 + 0.0 is 0.0, so a table never shows "-0"."""
    return f"{x + 0.0:.4g}"


def _flat(rows) -> list:
    return [x for row in rows for x in (row if isinstance(row, list) else [row])]


def _index_name(name: str) -> str:
    """An index letter as text; one written as LaTeX (\\tilde{k}) marked as maths for the report."""
    return f"{OPEN}{name}{CLOSE}" if name.startswith("\\") else name


def counterexample_rows(cx: dict | None, cause=None) -> list[tuple[str, str]]:
    """(what, value) rows where the two sides disagree: the network, the indices, the truth and the claim."""
    if not cx:
        return []
    rows = []
    if "sizes" in cx:
        rows.append(("layer widths (input first)", "-".join(map(str, cx["sizes"]))))
    if "m" in cx:
        rows.append(("samples m", str(cx["m"])))
    if "l" in cx:
        rows.append(("layer l", str(cx["l"])))
    if cx.get("indices"):
        rows.append(("indices", ", ".join(f"{_index_name(k)} = {v}" for k, v in cx["indices"].items())))
    if "sample" in cx:
        rows.append(("sample", str(cx["sample"])))
    if cx.get("point"):
        rows.append(("at", ", ".join(f"{k} = {_number(v)}" for k, v in cx["point"].items())))
    rows.append(("true value", value_text(cx.get("truth"), cause)))
    rows.append(("this line gives", value_text(cx.get("claim"), cause)))
    return rows
