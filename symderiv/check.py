"""Checking a document line by line: ``symderiv check NOTE``.

A document (document.py; the encoded notes in ``derivations/``) lists its
displayed equations verbatim, each with its model and readings. This module
turns each entry into verdicts by calling the verifier on every link of its
chain; nothing here or in ``derivations/`` states a verdict. Lines that are
not claims (OCR garble, definitions, update rules, shape sketches) are
reported as unverifiable with the reason the note module gives for not
checking them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from .document import Entry
from .network import NetFlags
from .readings import Readings, compile_readings



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

    def to_json(self) -> dict:
        return {"id": self.id, "source_latex": self.source_latex, "verdict": self.verdict,
                "reason": self.reason, "corrected_latex": self.corrected_latex, "link": self.link,
                "note": self.why or None}


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
    out = [eq + (f" \\quad \\text{{if }} {cond}" if cond else "") for eq, cond in equations if "=" in eq]
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


_SHAPE = re.compile(r"_\{\s*(\d+)\s*\\times\s*(\d+)\s*\}")


def check_shapes(entry: Entry) -> list[Result]:
    """A chain of matrix shapes multiplied left to right, against the shape the note states."""
    shapes = [(int(r), int(c)) for r, c in _SHAPE.findall(entry.source_latex)]
    claimed = [(int(r), int(c)) for r, c in _SHAPE.findall(entry.result_latex)]
    rows, cols = shapes[0]
    for n, (r, c) in enumerate(shapes[1:], 2):
        if r != cols:
            return [Result(entry.id, entry.source_latex, entry.source_latex, "incorrect",
                           f"shape mismatch: factor {n} is {r}×{c} but the product so far is {rows}×{cols}")]
        cols = c
    product = f"{rows}×{cols}"
    if claimed and claimed[-1] != (rows, cols):
        r, c = claimed[-1]
        return [Result(entry.id, entry.source_latex, entry.source_latex, "incorrect",
                       f"shape mismatch: the factors multiply to {product}, the note says {r}×{c}")]
    return [Result(entry.id, entry.source_latex, entry.source_latex, "correct",
                   f"the factors multiply to {product}")]


def check_entry(entry: Entry, flags: NetFlags, readings: Readings | None = None,
                previous_lhs: str = "") -> list[Result]:
    if entry.read_as == "shapes":
        return [replace(r, why=entry.why) for r in check_shapes(entry)]
    from .verify import verify_chain
    flags = entry.flags or flags
    read = (readings or Readings()).merged(compile_readings(entry.readings))
    verdicts = [v for claim in claims_of(entry, previous_lhs)
                for v in verify_chain(claim, flags, readings=read, batch=flags.batch)]
    results = []
    for n, v in enumerate(verdicts, 1):
        link_id = entry.id if len(verdicts) == 1 else f"{entry.id}.{n}"
        results.append(Result(link_id, entry.source_latex, v.claim, v.verdict, v.reason,
                              v.corrected_latex if v.verdict == "incorrect" else None,
                              list(v.diagnosis), v.counterexample, entry.why))
    return results


def check_note(note) -> list[Result]:
    """Every entry of a note module, checked now."""
    readings = compile_readings(getattr(note, "READINGS", {}))
    results, lhs = [], ""
    for entry in note.ENTRIES:
        results += check_entry(entry, note.FLAGS, readings, lhs)
        if entry.read_as is None:
            equations = claims_of(entry, lhs)
            lhs = left_side(equations[0]) or lhs     # a continuation continues the display's main equation
    return results


def cli_check(args, note) -> int:
    """Print every entry's verdicts (or one JSON object) for a loaded note."""
    results = check_note(note)
    if args.json:
        print(json.dumps({"note": note.NOTE_ID, "entries": [r.to_json() for r in results]},
                         ensure_ascii=False))
        return exit_code(results)
    print(f"note {note.NOTE_ID}: {note.TITLE}")
    print(f"model: {note.MODEL}")
    counts = {}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
        print(f"\n[{r.id}] {r.verdict.upper()}\n  line:      {r.link}\n  reason:    {r.reason}")
        if r.corrected_latex:
            print(f"  corrected: {r.corrected_latex}")
        if r.why:
            print(f"  note:      {r.why}")
    print("\n" + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    return exit_code(results)


def exit_code(results: list[Result]) -> int:
    """1 when any checked line is incorrect, else 0 (unusable input never gets this far: exit 2)."""
    return 1 if any(r.verdict == "incorrect" for r in results) else 0
