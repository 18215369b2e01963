"""The verdict object: what ``verify`` returns and the CLI prints (DESIGN.md's JSON fields)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Fix, Status


class Unverifiable(Exception):
    """The claim parsed but cannot be checked (unsupported construct, missing layer...); ``cause``: the
    reason as a Diagnostic where a report words it differently."""

    def __init__(self, message: str = "", cause=None):
        super().__init__(message)
        self.cause = cause


MESSAGE_CHARS = 160


def internal_reason(exc: BaseException) -> str:
    """The one-line reason of a line whose check failed inside symderiv (a bug of ours): never a verdict
    either way, and never the end of the other lines' checks."""
    text = " ".join(str(exc).split()) or "no message"
    if len(text) > MESSAGE_CHARS:
        text = text[:MESSAGE_CHARS - 3] + "..."
    return f"internal error ({type(exc).__name__}): {text}"


def internal_cause(exc: BaseException) -> Diagnostic:
    """The cause of a line whose check failed inside symderiv (its reason: ``internal_reason``)."""
    return Diagnostic("internal-error", {"kind": type(exc).__name__})


@dataclass
class Verdict:
    verdict: str                       # correct | incorrect | unverifiable
    claim: str
    expected: str | None = None        # the true right-hand side, in the claim's notation
    diagnostics: list = field(default_factory=list)   # Diagnostic objects (diagnostics.py), first = main one
    counterexample: dict | None = None
    reason: str = ""
    corrected_latex: str | None = None  # the whole corrected claim "LHS = expected"
    evidence: dict = field(default_factory=dict)
    seconds: float = 0.0
    repair: tuple | None = field(default=None, repr=False)   # (reference side, corrected side, swapped): trees
    convention: str = "default"        # the notation convention the claim was read in
    model: str = ""                    # the network setting assumed, one line
    cause: Diagnostic | None = field(default=None, repr=False)   # the reason as data (for reports)
    fix: Fix | None = None             # the corrected line and the edits of the claim's text that make it
    edit: Diagnostic | None = field(default=None, repr=False)   # the single edit behind ``repair``, if one

    @property
    def diagnosis(self) -> list:
        """The diagnostics as "kind: text" strings (the JSON's ``diagnosis`` field; derived, never parsed)."""
        return [d.text for d in self.diagnostics]

    @property
    def status(self) -> Status:
        return Status(self.verdict)

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "claim": self.claim, "expected": self.expected,
                "diagnosis": list(self.diagnosis), "counterexample": self.counterexample,
                "reason": self.reason, "convention": self.convention, "model": self.model,
                "diagnostics": [d.to_json() for d in self.diagnostics],
                "fix": self.fix.to_json() if self.fix is not None and self.verdict == "incorrect" else None}

    # a notebook shows a verdict as the web page does (web/html.py: label and icon, marks, counterexample)
    def _repr_html_(self) -> str:
        from ..web.html import verdict_html
        return verdict_html(self.to_json(), self.corrected_latex)

    def _repr_markdown_(self) -> str:
        from ..web.html import verdict_markdown
        return verdict_markdown(self.to_json(), self.corrected_latex)

    def _repr_latex_(self) -> str:
        from ..web.html import verdict_latex
        return verdict_latex(self.to_json(), self.corrected_latex)

    @property
    def exit_code(self) -> int:
        return {"correct": 0, "incorrect": 1}.get(self.verdict, 2)

    def text(self) -> str:
        """The verdict for people: each fact once, real characters (×, δ), not JSON escapes."""
        lines = [f"{self.verdict.upper()}: {self.claim}",
                 f"  convention: {self.convention}" + (f"; model: {self.model}" if self.model else "")]
        said = set()

        def add(label, text):
            key = " ".join(str(text).split())
            if key not in said:
                said.add(key)
                lines.append(f"  {label}: {text}")

        if self.reason:
            add("reason", self.reason)
        for d in self.diagnosis:
            add("diagnosis", d)
        if self.verdict == "incorrect":
            if self.expected:
                add("expected", self.expected)
            if self.corrected_latex:
                add("corrected", self.corrected_latex)
        if self.counterexample:
            add("counterexample", json.dumps(self.counterexample, ensure_ascii=False))
        caret = (self.evidence or {}).get("caret")
        if caret and self.verdict == "unverifiable":
            lines.append(caret)    # under the verdict, on stdout: stderr stays one line
        return "\n".join(lines)
