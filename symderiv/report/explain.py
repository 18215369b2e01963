"""A verdict in plain words, for a student reading a report.

The checker's reasons are written for the command line and for tests
("shape mismatch: right side: matrix product of 7×6 and 7×1", "unexpected
'_' at column 82"). ``plain_reason`` rewrites them through one table of
patterns into a sentence a reader can act on, and ``short_reason`` cuts that
to one line for the summary table. ``counterexample_rows`` turns the
counterexample dict into (what, value) rows for a small table. Nothing here
decides a verdict; every text is derived from the checker's own.

>>> plain_reason("shape mismatch: right side: matrix product of 7×6 and 7×1")
'the sizes do not fit: the right side multiplies a 7×6 matrix by a 7×1 matrix'
>>> plain_reason("unexpected '_' at column 82")
"symderiv could not read this line: unexpected '_' (character 82 of the line)"
"""
from __future__ import annotations

import re

# Maths inside a plain reason is marked ⟦...⟧ (characters no checker reason holds): the report typesets it
# as inline maths where the allow list lets it (report.py), else shows it as text.
OPEN, CLOSE = "\u27e6", "\u27e7"
_MATHS_CHARS = re.compile(r"[\\^_{}]|^[A-Za-z]$")


def maths(text: str) -> str:
    """``text`` marked as maths when it looks like maths (a command, a script, a single letter)."""
    text = text.strip()
    return f"{OPEN}{text}{CLOSE}" if _MATHS_CHARS.search(text) else text

A = r"(?P<a>\d+(?:×\d+)*|scalar)"
B = r"(?P<b>\d+(?:×\d+)*|scalar)"

# (pattern of the checker's reason, the sentence; groups by name). First match wins; the rest of the
# reason after the match (its details) is kept where the sentence ends in {rest}.
PLAIN = [
    (r"holds in all (?P<n>\d+) contexts.*", "both sides agree in all {n} random checks "
                                            "(random network sizes, weights and inputs)"),
    (r"holds at (?P<n>\d+) random points.*", "both sides agree at {n} random points"),
    (r"proved symbolically.*", "proved symbolically: the difference of the two sides simplifies to 0"),
    (r"all (?P<n>\d+) links hold.*", "all {n} steps of the chain hold"),
    (r"an update rule: its step is checked as the gradient (?P<g_m>.*?); (?P<rest>.*)",
     "a gradient-descent update: its step must be the gradient {g_m}; {rest}"),
    (r"compared with the chain's first side \(the link before it: .*?\); (?P<rest>.*)",
     "{rest} (compared with the first side of the chain, as the step before it cannot be computed)"),
    (rf"shape mismatch: (?P<side>left|right) side: matrix product of {A} and {B}",
     "the sizes do not fit: the {side} side multiplies a {a} matrix by a {b} matrix"),
    (rf"shape mismatch: (?P<side>left|right) side: Hadamard product of {A} and {B}",
     "the sizes do not fit: the {side} side multiplies element by element a {a} and a {b} matrix"),
    (rf"shape mismatch: (?P<side>left|right) side: adding {A} and {B}",
     "the sizes do not fit: the {side} side adds a {a} matrix and a {b} matrix"),
    (rf"shape mismatch: (?P<side>left|right) side: elementwise division of {A} by {B}",
     "the sizes do not fit: the {side} side divides a {a} matrix by a {b} matrix"),
    (r"shape mismatch: (?P<side>left|right) side: index out of range in (?P<q>.*?) \(shape (?P<s>[\d×]+)\)",
     "an index runs past the end of {q} (a {s} matrix) on the {side} side: two indices are swapped, "
     "or it is the wrong layer's matrix"),
    (rf"shape mismatch: expected {A}, claim gives {B}",
     "wrong size: {b} where the true value is {a}"),
    (r"shape mismatch: (?P<rest>.*)", "the sizes do not fit: {rest}"),
    (r"index order: (?P<i>\S+) indexes dimensions of different sizes \((?P<sizes>[^)]*)\)",
     "index {i} runs over dimensions of sizes {sizes}: two indices are swapped or belong to different "
     "layers"),
    (r"value: the two sides differ.*", "different values, not explained by one small change (sign, scale, "
                                       "transpose, index, layer or one factor)"),
    (r"scale: claim = (?P<k>.*?) × truth(?P<detail>.*)", "off by a constant factor: this line is {k} times "
                                                         "the true value{detail}"),
    (r"extra factor: (?P<f_m>.*?)(?: should not be there)?$", "one factor too many: {f_m}"),
    (r"dropped factor: (?P<f_m>.*?) (?:\(elementwise\) )?is missing", "a factor is missing: {f_m}"),
    (r"dropped factor: (?P<rest>.*)", "a factor is missing: {rest}"),
    (r"index order: (?P<x_m>\S+) and (?P<y_m>\S+) are swapped", "the indices {x_m} and {y_m} are swapped"),
    (r"(?P<what>layer shift|index order|transpose|scale|sign|factor order|product type): (?P<x_m>.+?) "
     r"should (?P<neg>not )?be (?P<y_m>.+)", "{what}: {x_m} should {neg}be {y_m}"),
    (r"sign: claim = -1 × truth", "wrong sign: this line is minus the true value"),
    (r"sign: (?P<rest>.*)", "wrong sign: {rest}"),
    (r"transpose: (?P<rest>.*)", "a transpose is wrong: {rest}"),
    (r"dropped sum over the batch: (?P<rest>.*)", "the sum over the samples is missing: {rest}"),
    (r"dropped regulariser term: (?P<t_m>.*)", "the regularisation term is missing: {t_m}"),
    (r"wrong activation derivative: (?P<rest>.*)", "the derivative of the wrong activation: {rest}"),
    (r"softmax treated element-wise: (?P<rest>.*)", "the softmax is treated element by element: {rest}"),
    (r"layer: (?P<rest>.*)", "the wrong layer: {rest}"),
    (r"index: (?P<rest>.*)", "the wrong index: {rest}"),
    (r"(?P<what>unexpected .*?|unbalanced .*?|unsupported construct .*?|a claim needs '='.*?|"
     r"layer superscript .*?|.*? needs an argument in parentheses) at column (?P<col>\d+)",
     "symderiv could not read this line: {what} (character {col} of the line)"),
    (r"unknown symbol (?P<s>\S+?);.*", "symderiv does not know the symbol {s}: a reading "
                                       "(read: ... -> ...) can say what it stands for"),
    (r"(?P<q_m>\S+): index 0 is the bias unit(?P<tail>.*)", "index 0 of {q_m} is the bias unit{tail}"),
    (r"both sides are the same expression.*", "not checked: both sides are the same expression"),
    (r"check did not finish within (?P<s>\S+) s", "not checked: the check took longer than {s} s"),
    (r"internal error.*", "not checked: symderiv failed on this line (a bug of ours)"),
]
_PLAIN = [(re.compile(p), template) for p, template in PLAIN]


def plain_reason(reason: str) -> str:
    """The checker's reason as a sentence for a reader (unchanged when no pattern knows it)."""
    text = " ".join(str(reason).split())
    for pattern, template in _PLAIN:
        found = pattern.match(text)
        if found:
            groups = {k: _group(k, v) for k, v in found.groupdict().items()}
            return template.format(**groups)
    return text


def _group(name: str, value: str | None) -> str:
    if value is None:
        return ""
    if name == "rest":
        return plain_reason(value)
    return maths(value) if name.endswith("_m") else value


def without_marks(text: str) -> str:
    """The reason with its maths marks removed (for a terminal)."""
    return text.replace(OPEN, "").replace(CLOSE, "")


def short_reason(reason: str, limit: int = 55) -> str:
    """One line of the plain reason, for the summary table: all of it when it fits, else its first clause
    (up to the first ': ' or ' ('), else cut at a word."""
    text = plain_reason(reason)
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
def value_text(value) -> str:
    """A value of the counterexample dict in words: a number, or a matrix by its size and first entries."""
    if value is None:
        return "cannot be computed"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return "cannot be computed: " + plain_reason(value if value.startswith("shape") else
                                                     "shape mismatch: " + value)
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


def counterexample_rows(cx: dict | None) -> list[tuple[str, str]]:
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
    rows.append(("true value", value_text(cx.get("truth"))))
    rows.append(("this line gives", value_text(cx.get("claim"))))
    return rows
