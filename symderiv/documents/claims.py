"""A document's entry as claims: its chain split into links (``claims_of``), and the ``Result`` of checking one.

Layout (``\\\\``, ``\\quad``, ``aligned``) and conditions (``\\text{if } ...``) are taken apart here, so that
each link can be checked on its own; nothing here states a verdict.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..verify.diagnostics import Diagnostic, Fix
from ..verify.verdict import internal_cause, internal_reason
from .model import Entry


@dataclass
class Result:
    """The checker's verdict on one link of one entry."""

    id: str
    source_latex: str
    link: str
    verdict: str
    reason: str
    corrected_latex: str | None = None
    diagnosis: list = field(default_factory=list)
    counterexample: dict | None = None
    why: str = ""                      # the reader's note on the line (from the note module), not a verdict
    assumptions: list = field(default_factory=list)   # what reading the line took for granted
    diagnostics: list = field(default_factory=list)   # the verdict's Diagnostic objects (verify/diagnostics.py)
    cause: Diagnostic | None = None    # the reason as data, for reports
    fix: Fix | None = None
    offset: int = -1                   # where ``checked`` starts in the document's text (-1: not verbatim there)
    checked: str = ""                  # the equation the diagnostics' spans index into

    def to_json(self) -> dict:
        return {"id": self.id, "source_latex": self.source_latex, "verdict": self.verdict,
                "reason": self.reason, "corrected_latex": self.corrected_latex, "link": self.link,
                "note": self.why or None, "assumptions": list(self.assumptions),
                "checked": self.checked or self.link, "offset": self.offset,
                "diagnostics": [d.to_json() for d in self.diagnostics],
                "fix": self.fix.to_json() if self.fix is not None else None}


def offset_of(entry: Entry, claim: str) -> int:
    """Where the checked equation starts in the document's text: the entry's offset plus its place in
    the entry, when the entry holds it verbatim (-1 when its layout was removed or it is not known)."""
    at = entry.source_latex.find(claim)
    return entry.offset + at if at >= 0 and entry.offset >= 0 else -1


_LAYOUT = [
    (re.compile(r"\\tag\{[^}]*\}"), ""),                       # equation numbers
    (re.compile(r"\\(begin|end)\{(aligned|align\*?|split|gathered)\}"), ""),
    (re.compile(r"^\s*&"), ""),                                  # a row's leading alignment mark
    (re.compile(r"\\leftarrow"), ""),
    (re.compile(r"\\quad\s*$"), ""),
]
# "(\text{when } z^{(2)} > 0)" or "\text{if } j = y_i" after an equation: where it holds.
_CONDITION = re.compile(r"^\(?\s*\\text\{\s*(?:when|if)\s*\}\s*(?P<cond>.*?)\s*\)?\s*$")


def claim_text(source: str) -> str:
    """The note's maths with its layout removed (equation tags, alignment, line breaks)."""
    text = source
    for pattern, replacement in _LAYOUT:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def claims_of(entry: Entry, previous_lhs: str = "") -> list[str]:
    """The separate equations of an entry.

    A line break, \\quad or \\Rightarrow starts a new equation unless what follows
    begins with "=" (the next link of the same chain); a line that starts with "="
    continues the left side of the equation before it (the entry's ``lhs``, else the
    previous display's).
    """
    equations: list[list[str]] = []          # [equation, condition]
    for piece in _split_before(split_top_level(entry.source_latex), entry.split_before):
        text = claim_text(piece)
        if not text:
            continue
        condition = _CONDITION.match(text)
        if condition and equations:
            equations[-1][1] = condition.group("cond")
        elif text.startswith("=") and equations:
            equations[-1][0] += " " + text
        elif text.startswith("=") and (entry.lhs or previous_lhs):
            equations.append([(entry.lhs or previous_lhs) + " " + text, ""])
        else:
            equations.append([text, ""])
    out = [eq + (f" \\quad \\text{{if }} {cond or entry.condition}" if cond or entry.condition else "")
           for eq, cond in equations if "=" in eq]
    return out or [claim_text(entry.source_latex)]


def _split_before(pieces: list[str], markers: tuple) -> list[str]:
    """Pieces cut again where the entry says a second equation starts (OCR ran two together)."""
    out = []
    for piece in pieces:
        for marker in markers:
            at = piece.find(marker)
            if at > 0:
                out.append(piece[:at])
                piece = piece[at:]
        out.append(piece)
    return out


def left_side(equation: str) -> str:
    """The text before the first top-level '=' (what a continuation line continues)."""
    depth = 0
    for pos, ch in enumerate(equation):
        depth += {"{": 1, "}": -1, "(": 1, ")": -1}.get(ch, 0)
        if ch == "=" and depth == 0 and (pos == 0 or equation[pos - 1] not in ":<>!\\"):
            return equation[:pos].strip()
    return ""


_BREAK = re.compile(r"\\\\|\\quad(?![a-zA-Z])|\\Rightarrow|\\implies|\\therefore|;"
                    r"|\\text\{\s*(?:or|and|but|then|so)\s*\}")


_ENV = re.compile(r"\\(begin|end)\{(\w+\*?)\}")
_LAYOUT_ENVS = ("aligned", "align", "align*", "split", "gathered")


def split_top_level(latex: str) -> list[str]:
    """Split at line breaks and \\quad outside braces and outside matrices and cases (their rows stay
    together); the rows of an aligned environment are split."""
    pieces, depth, start, pos = [], 0, 0, 0
    while pos < len(latex):
        ch = latex[pos]
        env = _ENV.match(latex, pos)
        if env and env.group(2) not in _LAYOUT_ENVS:
            depth += 1 if env.group(1) == "begin" else -1
            pos = env.end()
            continue
        if ch in "\\;" and depth == 0:
            match = _BREAK.match(latex, pos)
            if match:
                pieces.append(latex[start:pos])
                start = pos = match.end()
                continue
            pos += 2  # an escaped character or a command's backslash
            continue
        if ch == "\\":
            pos += 2
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        pos += 1
    pieces.append(latex[start:])
    return pieces


def failed_result(entry: Entry, exc: BaseException) -> Result:
    """The line whose check failed inside symderiv: unverifiable, with the failure in one line."""
    return Result(entry.id, entry.source_latex, claim_text(entry.source_latex), "unverifiable",
                  internal_reason(exc), why=entry.why, cause=internal_cause(exc))
