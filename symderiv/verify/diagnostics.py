"""Diagnostics as data: what is wrong with a claim (a stable code and its arguments), where it is
(a span into the text as the user wrote it) and how to fix it (edits of that text).

Every diagnosis the checker states is a ``Diagnostic``: one row of ``CODES`` gives its kind (the
family a grader or a report groups by) and the one template its message comes from. Arguments that
are trees (``was``, ``should``, a factor) stay trees until the verdict is written, so they are
rendered in the claim's own notation (its convention's layer numbering), never in symderiv's
internal one. Nothing reads a message back: consumers read ``code`` and ``args``.

>>> d = Diagnostic("layer-shift", {"was": "\\\\delta^{(1)}", "should": "\\\\delta^{(2)}"}, (3, 15))
>>> d.text
'layer shift: \\\\delta^{(1)} should be \\\\delta^{(2)}'
>>> d.to_json()["span"]
[3, 15]
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Status(str, Enum):
    """A verdict's status (the JSON ``verdict`` field's values)."""
    CORRECT = "correct"
    INCORRECT = "incorrect"
    UNVERIFIABLE = "unverifiable"


# code: (kind, template). The kind is the family (the text before ":" in the legacy ``diagnosis``
# strings; None: the message stands alone). A code's message comes from its template only.
CODES = {
    # the whole side
    "sign": ("sign", "claim = -1 × truth"),
    "sign.side": ("sign", "the right side has the wrong sign"),
    "sign.update": ("sign", "gradient descent subtracts the step (+ alpha G climbs the loss)"),
    "scale": ("scale", "claim = {factor} × truth"),
    "scale.extra-1/m": ("scale", "claim = 1/m × truth (a factor 1/m too many)"),
    "scale.per-m": ("scale", "claim = ({factor}/m) × truth"),
    "scale.missing-1/m": ("scale", "claim = m × truth (the factor 1/m is missing)"),
    "scale.times-m": ("scale", "claim = {factor}·m × truth ({written} written where 1/m belongs?)"),
    "scale.times-m-only": ("scale", "claim = {factor}·m × truth"),
    "scale.side-missing-1/m": ("scale", "a factor 1/m is missing"),
    "scale.side-extra-1/m": ("scale", "a factor 1/m too many"),
    "zero": ("value", "the claim is 0 where the truth is not"),
    "value": ("value", "the two sides differ (no single sign, scale, transpose, index, layer or factor change "
                       "explains it)"),
    "value.exact": ("value", "{why}"),
    "value.constant": ("value", "the two sides differ by a non-zero constant (found symbolically)"),
    "shape": ("shape mismatch", "expected {expected}, claim gives {given}"),
    "shape.error": ("shape mismatch", "{error}"),
    "tensor-shorthand": (None, "a derivative of a matrix by a matrix is a 4-index tensor (dz_i/dW_pq = [i = p] a_q): "
                               "written as a matrix it is only a shorthand inside the chain rule"),
    "transpose.whole": ("transpose", "the claim is the transpose of the truth"),
    "dropped-sum": ("dropped sum over the batch", "the claim keeps one {unit} per sample"),
    "dropped-sum.side": (None, "dropped sum over the batch"),
    "dropped-sum.side-1/m": (None, "dropped sum over the batch (and 1/m)"),
    "dropped-factor": ("dropped factor", "f'({z}) is missing"),
    "dropped-factor.elementwise": ("dropped factor", "f'({z}) (elementwise) is missing"),
    "extra-factor.derivative": ("extra factor", "f'({z}) should not be there"),
    "activation-derivative": ("wrong activation derivative",
                              "the claim uses {used}' where layer {layer} is {actual}"),
    "softmax-elementwise": ("softmax treated element-wise",
                            "f'(z) of a softmax is its Jacobian diag(a) - a a^T (read here as its diagonal "
                            "a(1 - a)), so the element-wise chain rule does not apply"),
    "dropped-regulariser": ("dropped regulariser term", "+ {term}"),
    "regularised-bias": ("regularised bias", "{term} should not be there: the regulariser penalises the "
                                             "weights, not the biases"),
    "activation-derivative.output": ("wrong activation derivative",
                                     "{written} is the {used} derivative written in its output; {a} is "
                                     "{actual}(z), whose derivative is {right}"),
    "index-conflict": ("index order", "{index} indexes dimensions of different sizes ({sizes})"),
    "index-input": ("index order", "{name}_{index} names the input layer ({index}), which has no {name}"),
    "index-swap.letters": ("index order", "{first} and {second} are swapped"),
    "convention": ("convention", "this is right in the {name} convention ({source}: {layers}){others}; "
                                 "select it with {flag}"),
    "update-rule": ("update rule", "the step is not -alpha times a gradient"),
    # one part of the claim (span: that part)
    "layer-shift": ("layer shift", "{was} should be {should}"),
    "index-swap": ("index order", "{was} should be {should}"),
    "index": ("index", "{was} should be {should}"),
    "transpose": ("transpose", "{was} should be transposed"),
    "transpose.drop": ("transpose", "{was} should not be transposed"),
    "transpose.product": ("transpose", "(AB)^T is B^T A^T: {should}"),
    "scale.replace": ("scale", "{was} should be {should}"),
    "scale.term-missing-1/m": ("scale", "{was} lacks a factor 1/m"),
    "scale.term-extra-1/m": ("scale", "{was} has an extra factor 1/m"),
    "scale.term-doubled": ("scale", "{was} should be doubled"),
    "scale.term-halved": ("scale", "{was} should be halved"),
    "sign.term": ("sign", "{was} has the wrong sign"),
    "sign.swap": ("sign", "{was} should be {should}"),
    "extra-factor.part": ("extra factor", "{was}"),
    "product-type": ("product type", "{was} should be a {product} product"),
    "factor-order": ("factor order", "{was} should be {should}"),
}

# Causes: why a verdict is what it is when no diagnosis says it (its ``reason``'s structure, for reports).
CAUSES = {
    "holds": "holds in all {n} contexts",
    "holds.points": "holds at {n} random points",
    "proved": "proved symbolically",
    "chain-holds": "all {n} links hold",
    "update-step": "an update rule: its step is checked as the gradient {gradient}",
    "accumulation-step": "an accumulator update: its term is checked as one example's share of {name}",
    "first-side": "compared with the chain's first side",
    "read": "read: {readings}",
    "depths": "{text}",            # checked at another depth too (depths.py): said as the checker says it
    "unreadable": "{problem}",
    "unknown-symbol": "unknown symbol {symbol}",
    "bias-unit": "{quantity}: index 0 is the bias unit",
    "same-expression": "both sides are the same expression",
    "timeout": "check did not finish within {seconds} s",
    "unverifiable": "{problem}",
    "internal-error": "internal error ({kind})",
}


@dataclass
class Diagnostic:
    """One finding: ``code`` (a key of CODES or CAUSES), ``args`` (strings and numbers once resolved;
    trees before), ``span`` [start, end) into the claim's text as written (None: the whole claim or
    not known). ``at`` is the tree node the finding is about (its span is taken when resolved)."""
    code: str
    args: dict = field(default_factory=dict)
    span: tuple | None = None
    at: object = field(default=None, repr=False, compare=False)
    replacing: tuple | None = field(default=None, repr=False, compare=False)   # (node, its replacement): a repair

    @property
    def kind(self) -> str:
        """The family: the part of the code before its first "." (``scale.per-m`` is a ``scale``)."""
        return self.code.split(".", 1)[0]

    @property
    def label(self) -> str | None:
        """The legacy kind label ("layer shift", "shape mismatch"), None for a message that stands alone."""
        return CODES[self.code][0] if self.code in CODES else None

    @property
    def message(self) -> str:
        template = CODES[self.code][1] if self.code in CODES else CAUSES[self.code]
        return template.format(**{k: v for k, v in self.args.items()})

    @property
    def text(self) -> str:
        """"kind: message", the ``diagnosis`` strings of the JSON (kept for existing consumers)."""
        label = self.label
        return f"{label}: {self.message}" if label else self.message

    def resolved(self, show) -> "Diagnostic":
        """Tree arguments written with ``show`` (the claim's notation); the span of ``at`` taken."""
        args = {k: (show(v) if _is_tree(v) else v) for k, v in self.args.items()}
        span = self.span if self.span is not None else span_of(self.at)
        return replace(self, args=args, span=span)

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.text, "span": list(self.span) if self.span else None}


def diagnostic(code: str, at=None, **args) -> Diagnostic:
    """A Diagnostic of ``code`` about the tree node ``at`` (its span is taken when resolved)."""
    if code not in CODES and code not in CAUSES:
        raise KeyError(f"unknown diagnostic code {code!r}")
    return Diagnostic(code, args, None, at)


def _is_tree(v) -> bool:
    from ..notation.tree import Node
    return isinstance(v, Node)


def span_of(node) -> tuple | None:
    """A tree node's [start, end) in the text it was parsed from (None: made by symderiv, not written)."""
    span = getattr(node, "span", None)
    return tuple(span) if span else None


@dataclass(frozen=True)
class Edit:
    """Replace ``span`` [start, end) of the claim's text with ``latex``."""
    span: tuple
    latex: str

    def to_json(self) -> dict:
        return {"span": list(self.span), "latex": self.latex}


@dataclass(frozen=True)
class Fix:
    """The corrected line, the edits of the user's text that make it (applied right to left), and whether
    the checker found the corrected line correct."""
    latex: str
    edits: tuple = ()
    checked: bool = False

    def to_json(self) -> dict:
        return {"latex": self.latex, "edits": [e.to_json() for e in self.edits], "checked": self.checked}


def apply_edits(text: str, edits) -> str:
    """``text`` with every edit applied (spans index into ``text`` as given; edits must not overlap)."""
    out = text
    for e in sorted(edits, key=lambda e: e.span[0], reverse=True):
        out = out[:e.span[0]] + e.latex + out[e.span[1]:]
    return out


def text_edits(old: str, new: str) -> tuple:
    """Edits of ``old`` that give ``new``: the changed stretch between their common prefix and suffix
    (one edit; empty when equal)."""
    if old == new:
        return ()
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    return (Edit((start, end_old), new[start:end_new]),)


def fix_of(edit: Diagnostic | None, corrected: str | None, latex: str, show, holds) -> Fix | None:
    """The corrected line as edits of ``latex`` (the text as written): the line with only the repaired
    part rewritten (``edit.replacing``) first, then ``corrected`` (a whole corrected line, or None), each
    offered as checked only when ``holds(line)``; else the last candidate, unchecked."""
    candidates = []
    if edit is not None and edit.replacing is not None:
        node, new = edit.replacing         # a node and its new tree, or a span and its new text
        span = node if isinstance(node, tuple) else span_of(node)
        if span is not None:
            one = Edit(span, new if isinstance(new, str) else show(new))
            candidates.append((apply_edits(latex, [one]), (one,)))
    if corrected:
        candidates.append((corrected, text_edits(latex, corrected)))
    for line, edits in candidates:
        if holds(line):
            return Fix(line, edits, True)
    return Fix(*candidates[-1], False) if candidates else None
