"""The verdict object: what ``verify`` returns and the CLI prints (DESIGN.md's JSON fields)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field


class Unverifiable(Exception):
    """The claim parsed but cannot be checked (unsupported construct, missing layer...)."""


@dataclass
class Verdict:
    verdict: str                       # correct | incorrect | unverifiable
    claim: str
    expected: str | None = None        # the true right-hand side, in the claim's notation
    diagnosis: list = field(default_factory=list)
    counterexample: dict | None = None
    reason: str = ""
    corrected_latex: str | None = None  # the whole corrected claim "LHS = expected"
    evidence: dict = field(default_factory=dict)
    seconds: float = 0.0
    convention: str = "default"        # the notation convention the claim was read in
    model: str = ""                    # the network setting assumed, one line

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "claim": self.claim, "expected": self.expected,
                "diagnosis": list(self.diagnosis), "counterexample": self.counterexample,
                "reason": self.reason, "convention": self.convention, "model": self.model}

    @property
    def exit_code(self) -> int:
        return {"correct": 0, "incorrect": 1}.get(self.verdict, 2)

    def text(self) -> str:
        lines = [f"{self.verdict.upper()}: {self.claim}",
                 f"  convention: {self.convention}" + (f"; model: {self.model}" if self.model else "")]
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        for d in self.diagnosis:
            lines.append(f"  diagnosis: {d}")
        if self.expected and self.verdict == "incorrect":
            lines.append(f"  expected: {self.expected}")
        if self.corrected_latex and self.verdict == "incorrect":
            lines.append(f"  corrected: {self.corrected_latex}")
        if self.counterexample:
            lines.append("  counterexample: " + json.dumps(self.counterexample))
        return "\n".join(lines)
