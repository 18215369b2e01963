"""One submission graded: every line's verdict, each required result found or not, the score.

``grade_text`` reads a student's document under the assignment's model (the
student's front matter says how to read their symbols, never which model
they are graded under), checks every line with the same checker as
``symderiv check``, and finds each required result on the last line whose
left side is that quantity (quantity.py). A required result earns its points
only when every link of its line is correct; a wrong line costs the
assignment's ``penalty`` unless it is a required result (which already
earns nothing). The record is plain JSON: the runner stores it, the
outputs render it.
"""
from __future__ import annotations

import pathlib
from dataclasses import replace

from ..documents.check import check_note
from ..documents.claims import claims_of, left_side
from ..documents import reader as reader_module
from ..documents.reader import SUFFIXES, describe, latex_front_matter, markdown_front_matter, read_document
from ..documents.settings import DocumentError
from ..notation.readings import compile_readings
from ..notation.tokens import NotationError
from .assignment import Assignment
from .quantity import canonical, reader_for, sides_of

FRONT_MATTER = {"markdown": markdown_front_matter, "latex": latex_front_matter,
                "notebook": lambda text, name: reader_module._notebook(text, name)}   # (settings, ...) each


def student_of(text: str, kind: str, name: str) -> str:
    """The student id: the front matter's ``student:``, else the file's stem (its settings are read leniently:
    a broken front matter is the worker's to report)."""
    try:
        settings = FRONT_MATTER[kind](text, name)[0]
    except (DocumentError, KeyError):
        settings = []
    given = [s.value.strip() for s in settings if s.key == "student" and not s.section]
    return given[0] if given and given[0] else pathlib.Path(name).stem


def kind_of(name: str) -> str | None:
    return SUFFIXES.get(pathlib.Path(name).suffix.lower())


def codes_of(result) -> list:
    """The stable diagnostic codes of a result (verify/diagnostics.py), each once; an incorrect line
    that no diagnostic explains is 'unexplained'."""
    codes = []
    for d in getattr(result, "diagnostics", None) or []:
        code = d.get("code") if isinstance(d, dict) else d.code
        if code and code not in codes:
            codes.append(code)
    return codes or (["unexplained"] if getattr(result, "verdict", "") == "incorrect" else [])


def grade_text(assignment: Assignment, text: str, name: str) -> dict:
    """The record of one submission (file ``name`` with contents ``text``)."""
    kind = kind_of(name)
    record = {"student": student_of(text, kind or "markdown", name), "file": name, "status": "graded",
              "message": "", "notes": []}
    try:
        if kind is None:
            raise DocumentError(f"{name}: a submission must end in {', '.join(SUFFIXES)}")
        doc = read_document(text, kind, name)
    except DocumentError as exc:
        return _unusable(assignment, record, " ".join(str(exc).split()))
    if describe(doc.flags) != describe(assignment.flags):    # their settings say how to read, not what is graded
        record["notes"].append(f"the submission's model ({describe(doc.flags)}) is not the assignment's: "
                               "graded under the assignment's")
    doc.flags, doc.model = assignment.flags, describe(assignment.flags)
    if any(e.flags is not None for e in doc.entries):   # a [L..] section may not change what is graded
        record["notes"].append("a line's own model keys are ignored: every line is graded under the assignment's model")
        doc.entries = [replace(e, flags=None) for e in doc.entries]
    results = check_note(doc, own_model=False)     # the assignment's model, whatever forward pass they write
    lines = _lines(doc, results)
    return _scored(assignment, record, doc, lines)


def _unusable(assignment: Assignment, record: dict, message: str) -> dict:
    record.update(status="unusable", message=message, lines=[], wrong_lines=0, penalty=0.0,
                  required=[_required(e, None) for e in assignment.expects])
    record.update(score=0.0, max=assignment.max_points)
    return record


def _lines(doc, results) -> list[dict]:
    """One dict per checked line (link), each with the canonical left side of the equation it belongs to."""
    out, pos, lhs, group_no = [], 0, "", 0
    document_readings = compile_readings(doc.readings)
    for entry in doc.entries:
        mine = []
        while pos < len(results) and results[pos].source_latex == entry.source_latex and \
                (results[pos].id == entry.id or results[pos].id.startswith(entry.id + ".")):
            mine.append(results[pos])
            pos += 1
        claims = claims_of(_expanded(entry, doc), lhs) if entry.read_as is None else []
        if entry.read_as is None:
            lhs = left_side(claims[0]) or lhs       # as check_note continues a display's main equation
        reader = reader_for(document_readings.merged(compile_readings(entry.readings)), doc.convention)
        for claim, group in _claim_groups(claims, mine, reader):
            key = _left_key(claim, reader, doc.flags.depth) if claim else None
            group_no += 1
            out += [_line(r, key, group_no) for r in group]
    # never lose a verdict, even one not matched to its entry
    out += [_line(r, None, group_no + 1 + k) for k, r in enumerate(results[pos:])]
    return out


def _line(result, key, group: int) -> dict:
    """A line's record; ``_key`` (its equation's canonical left side) and ``_group`` (which equation) are
    the scorer's and removed before the record is stored."""
    return {"id": result.id, "source_latex": result.source_latex, "link": result.link, "verdict": result.verdict,
            "reason": result.reason, "codes": codes_of(result) if result.verdict == "incorrect" else [],
            "corrected_latex": result.corrected_latex, "_key": key, "_group": group}


def _expanded(entry, doc):
    """The entry with the document's macros expanded (as the checker reads it), or as written when that fails."""
    if not getattr(doc, "macros", None):
        return entry
    from ..notation.macros import expand
    try:
        return replace(entry, source_latex=expand(entry.source_latex, doc.macros))
    except (NotationError, RecursionError):
        return entry


def _claim_groups(claims: list, results: list, reader) -> list:
    """(equation, its links' results) for each equation of an entry: check_entry lists the links of every
    equation in order, one per pair of differing sides (one verdict when none differ or it does not parse)."""
    if len(claims) <= 1:
        return [(claims[0] if claims else "", results)]
    counts = []
    for claim in claims:
        sides = sides_of(claim, reader)
        counts.append(max(1, sum(sides[k] != sides[k + 1] for k in range(len(sides) - 1))) if sides else 1)
    if sum(counts) != len(results):         # cannot tell them apart: each equation answers for them all
        return [(claim, results) for claim in claims]
    groups, at = [], 0
    for claim, n in zip(claims, counts):
        groups.append((claim, results[at:at + n]))
        at += n
    return groups


def _left_key(claim: str, reader, depth: int):
    """The canonical left side of an equation, read from its left side alone (whatever the right side is)."""
    text = left_side(claim)
    if not text:
        return None
    sides = sides_of(f"{text} = 0", reader)
    return canonical(sides[0], depth) if sides else None


def _line_status(group: list[dict]) -> str:
    verdicts = [line["verdict"] for line in group]
    if "incorrect" in verdicts:
        return "wrong"
    return "correct" if verdicts and all(v == "correct" for v in verdicts) else "unverifiable"


def _required(expected, group) -> dict:
    if not group:
        return {"expected": expected.latex, "points": expected.points, "awarded": 0.0, "status": "missing",
                "line": None, "source_latex": None, "codes": [], "reason": "", "correction": None}
    status = _line_status(group)
    wrong = next((line for line in group if line["verdict"] == "incorrect"), None)
    shown = wrong or next((line for line in group if line["verdict"] != "correct"), group[-1])
    return {"expected": expected.latex, "points": expected.points,
            "awarded": expected.points if status == "correct" else 0.0, "status": status,
            "line": group[0]["id"].split(".")[0] if len(group) > 1 else group[0]["id"],
            "source_latex": group[0]["source_latex"], "codes": wrong["codes"] if wrong else [],
            "reason": shown["reason"] if status != "correct" else "",
            "correction": wrong["corrected_latex"] if wrong else None}


def _scored(assignment: Assignment, record: dict, doc, lines: list[dict]) -> dict:
    # the last equation about each required quantity is the student's answer (an earlier attempt is a line)
    answer = {line["_key"]: line["_group"] for line in lines if line["_key"] is not None}
    required, used = [], set()
    for e in assignment.expects:
        group = [line for line in lines if e.key in answer and line["_group"] == answer[e.key]]
        used.update(id(line) for line in group)
        required.append(_required(e, group))
        for line in group:
            line["required"] = e.latex
    wrong_lines = sum(1 for line in lines if id(line) not in used and line["verdict"] == "incorrect")
    penalty = assignment.penalty * wrong_lines
    earned = sum(r["awarded"] for r in required)
    for line in lines:
        line.setdefault("required", None)
        del line["_key"], line["_group"]
    record.update(lines=lines, required=required, wrong_lines=wrong_lines, penalty=penalty,
                  score=round(max(0.0, earned - penalty), 6), max=assignment.max_points,
                  convention=doc.convention, model=doc.model)
    return record
