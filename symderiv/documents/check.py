"""Checking a document line by line: ``symderiv check NOTE``.

A document (model.py; a user's file or a note, reader.py) lists its
displayed equations verbatim, each with its model and readings. This module
turns each entry into verdicts by calling the verifier on every link of its
chain; nothing here or in a document's settings states a verdict. Lines that are
not claims (OCR garble, definitions, update rules, shape sketches) are
reported as unverifiable with the reason the note module gives for not
checking them.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from .claims import Result, offset_of, claim_text, claims_of, failed_result, left_side
from .agreement import Agreement
from .forward_model import check_document, document_model
from .model import Entry
from .samples import Samples, about_one_sample
from ..engine.network import NetFlags
from ..notation.readings import Readings, compile_readings
from ..verify.diagnostics import diagnostic


_SHAPE = re.compile(r"_\{\s*(\d+)\s*\\times\s*(\d+)\s*\}")
_JOINS = re.compile(r"^\s*(\\times|\\cdot|\\odot|\\circ)?\s*")
MAX_SHAPE_FACTORS = 6       # factors beyond this are not reordered when looking for a correction


@dataclass(frozen=True)
class Factor:
    """One factor of a shape sketch: its LaTeX (without the shape), its shape, how it joins the left."""
    body: str
    shape: tuple
    join: str                  # "times" (matrix product, or a 1 x 1 scalar) or "odot" (element-wise)
    opens: bool = False        # "\\left(" before it: a group evaluated first
    closes: bool = False


def shape_factors(source: str) -> tuple[str, list]:
    """The text before the first factor (``dL/dTheta =``) and the factors of a sketch, in order."""
    prefix, factors, start = "", [], 0
    for match in _SHAPE.finditer(source):
        piece = source[start:match.start()]
        if not factors and "=" in piece:
            head, piece = piece.rsplit("=", 1)
            prefix = head + "= "
        piece = piece.strip()
        if factors and piece.startswith("\\right)"):          # the group closed after the previous factor
            factors[-1] = replace(factors[-1], closes=True)
            piece = piece[len("\\right)"):]
        join = _JOINS.match(piece)
        kind = "odot" if join.group(1) in ("\\odot", "\\circ") else "times"
        body = piece[join.end():].strip()
        opens = body.startswith("\\left(")
        body = body[len("\\left("):].strip() if opens else body
        factors.append(Factor(body, (int(match.group(1)), int(match.group(2))), kind, opens))
        start = match.end()
    if factors and source[start:].strip().startswith("\\right)"):
        factors[-1] = replace(factors[-1], closes=True)
    return prefix, factors


def _groups_first(factors: list) -> list | None:
    """The factors with each parenthesised element-wise group replaced by one factor of its shape."""
    out, k = [], 0
    while k < len(factors):
        f = factors[k]
        if not f.opens:
            out.append(f)
            k += 1
            continue
        end = next((e for e in range(k, len(factors)) if factors[e].closes), None)
        if end is None:
            return None
        shape, _ = shape_product([replace(g, opens=False, closes=False) for g in factors[k:end + 1]])
        if shape is None:
            return None
        out.append(Factor(f.body, shape, f.join))
        k = end + 1
    return out


def shape_product(factors: list) -> tuple[tuple | None, str]:
    """The shape of the product, left to right after any parenthesised group (None and the reason when two
    factors do not fit)."""
    if any(f.opens for f in factors):
        factors = _groups_first(factors)
        if factors is None:
            return None, "a parenthesised group does not close or does not fit"
    rows, cols = factors[0].shape
    for n, f in enumerate(factors[1:], 2):
        r, c = f.shape
        if f.join == "odot":
            if (r, c) != (rows, cols):
                return None, f"factor {n} is {r}×{c} but the element-wise product so far is " \
                             f"{rows}×{cols}"
        elif (rows, cols) == (1, 1):
            rows, cols = r, c                   # a 1 x 1 factor is a scalar
        elif (r, c) != (1, 1):
            if r != cols:
                return None, f"factor {n} is {r}×{c} but the product so far is {rows}×{cols}"
            cols = c
    return (rows, cols), ""


def check_shapes(entry: Entry) -> list[Result]:
    """A chain of matrix shapes multiplied left to right, against the shape the note states."""
    _, factors = shape_factors(entry.source_latex)
    claimed = [(int(r), int(c)) for r, c in _SHAPE.findall(entry.result_latex)]
    shape, why = shape_product(factors)
    if shape is not None and claimed and claimed[-1] != shape:
        why = f"the factors multiply to {shape[0]}×{shape[1]}, the note says {claimed[-1][0]}×{claimed[-1][1]}"
    if why:
        found = diagnostic("shape.error", error=why)
        return [Result(entry.id, entry.source_latex, entry.source_latex, "incorrect", found.text,
                       shape_correction(entry, factors, claimed[-1] if claimed else factors[0].shape),
                       [found.text], diagnostics=[found], cause=found)]
    return [Result(entry.id, entry.source_latex, entry.source_latex, "correct",
                   f"the factors multiply to {shape[0]}×{shape[1]}")]


def shape_correction(entry: Entry, factors: list, target: tuple) -> str | None:
    """The sketch with the fewest changes (factors moved, transposed, or joined element-wise) whose product
    has the stated shape (the first factor's when none is stated), checked again; None when none fits."""
    n = len(factors)
    orders = itertools.permutations(range(n)) if n <= MAX_SHAPE_FACTORS else [tuple(range(n))]
    best = None
    for order in orders:
        moved = sum(k != p for k, p in enumerate(order))
        for flips in itertools.product((False, True), repeat=n):
            for joins in itertools.product(("times", "odot"), repeat=n - 1):
                # column vectors of one shape side by side are read element-wise before anything is
                # transposed: a transpose counts twice, and breaks ties
                cost = (moved + 2 * sum(flips) + sum(j != factors[order[k + 1]].join for k, j in enumerate(joins)),
                        sum(flips))
                if best is not None and cost >= best[0]:
                    continue
                new = [Factor(factors[p].body, factors[p].shape[::-1] if flip else factors[p].shape, join)
                       for p, flip, join in zip(order, flips, ("times",) + joins)]
                for grouped in (_grouped(new), new):
                    if grouped is not None and shape_product(grouped)[0] == target:
                        best = (cost, grouped, flips)
                        break
    if best is None:
        return None
    prefix, _ = shape_factors(entry.source_latex)
    text = prefix + " ".join(
        ("" if k == 0 else ("\\odot " if f.join == "odot" else "\\times ")) + ("\\left(" if f.opens else "") +
        _transposed_body(f.body, flip) + f"_{{{f.shape[0]} \\times {f.shape[1]}}}" + ("\\right)" if f.closes else "")
        for k, (f, flip) in enumerate(zip(best[1], best[2])))
    again = check_shapes(replace(entry, source_latex=text))
    return text if again[0].verdict == "correct" else None


def _grouped(factors: list) -> list | None:
    """Each run of element-wise factors put in parentheses (evaluated first); None when that changes
    nothing (no run, or one run that is the whole product)."""
    out, k, found = list(factors), 1, False
    while k < len(out):
        if out[k].join != "odot":
            k += 1
            continue
        start, end = k - 1, k
        while end + 1 < len(out) and out[end + 1].join == "odot":
            end += 1
        if (start, end) != (0, len(out) - 1):
            out[start], out[end] = replace(out[start], opens=True), replace(out[end], closes=True)
            found = True
        k = end + 1
    return out if found else None


def _transposed_body(body: str, flip: bool) -> str:
    if not flip:
        return body
    if body.startswith("\\underbrace{") and body.endswith("}"):
        return body[:-1] + "^{T}}"
    return body + "^{T}"


def check_entry(entry: Entry, flags: NetFlags, readings: Readings | None = None,
                previous_lhs: str = "", document_text: str = "", convention: str = "default",
                samples: Samples = Samples()) -> list[Result]:
    """The verdicts of every link of one entry, its symbols read in ``convention`` and ``readings``;
    ``document_text`` (all the document's maths) tells which symbols a correction may use; an equation
    that differentiates only the loss of one example (``samples``) is checked on one sample."""
    if entry.read_as == "shapes":
        return [replace(r, why=entry.why) for r in check_shapes(entry)]
    if entry.read_as == "unread":        # a delimiter never closed: the spot is reported, the rest is read
        return [Result(entry.id, entry.source_latex, entry.source_latex, "unverifiable", entry.why,
                       offset=entry.offset, checked=entry.source_latex)]
    from ..verify import verify_chain
    from ..notation.conventions import model_line
    flags = entry.flags or flags
    read = (readings or Readings()).merged(compile_readings(entry.readings))
    checked = [(claim, v) for claim in claims_of(entry, previous_lhs)
               for v in verify_chain(claim, flags, readings=read, convention=convention,
                                     batch=flags.batch and not about_one_sample(claim, samples),
                                     document_text=document_text or entry.source_latex)]
    verdicts = [v for _, v in checked]
    results = []
    said = (f"read: under the model the sentence before it states ('{entry.said}': "
            f"{model_line(flags)}); ") if entry.said else ""
    for n, (claim, v) in enumerate(checked, 1):
        link_id = entry.id if len(verdicts) == 1 else f"{entry.id}.{n}"
        results.append(Result(link_id, entry.source_latex, v.claim, v.verdict, said + v.reason,
                              v.corrected_latex if v.verdict == "incorrect" else None,
                              list(v.diagnosis), v.counterexample, entry.why, diagnostics=list(v.diagnostics),
                              cause=v.cause, fix=v.fix if v.verdict == "incorrect" else None,
                              offset=offset_of(entry, claim), checked=claim))
    return results


class Checked(list):
    """``check_note``'s results: a list of Result that a notebook shows as the web page does (web/html.py)."""

    def __init__(self, results=(), note: str = ""):
        super().__init__(results)
        self.note = note

    def _repr_html_(self) -> str:
        from ..web.html import results_html
        return results_html(self.note, [r.to_json() for r in self])

    def _repr_markdown_(self) -> str:
        from ..web.html import results_markdown
        return results_markdown(self.note, [r.to_json() for r in self])


def check_note(note, convention: str | None = None, own_model: bool = True) -> list[Result]:
    """Every entry of a document (a note or a user's file), checked now, in its own convention unless
    ``convention`` names another. Without ``own_model`` its forward pass is never its model: every line is
    checked against ``note.flags`` (a class graded under the assignment's model)."""
    if note.macros:
        return _expanded(note, convention, own_model)
    # a document that defines its forward pass is its own model (unless the caller states the model)
    own = _own_model(check_document, _readable(note)) if own_model else None
    convention = convention if convention not in (None, "auto") else note.convention
    readings = compile_readings(note.readings)
    text = "\n".join(entry.source_latex for entry in note.entries)
    results, lhs = [], ""
    agreement = Agreement(note, own, check_entry, readings, text, convention) if own is not None else None
    for entry in note.entries:
        try:
            settled = own is not None and entry.id in own and not own[entry.id][1]
            if settled and not note.readings:
                results += own[entry.id][0]
            else:                        # no forward pass, or a line it leaves open: the settings' network
                menu = check_entry(entry, note.flags, readings, lhs, text, convention, note.samples)
                if agreement is not None and entry.id in own and not settled and not own[entry.id][2] and \
                        (entry.said or not note.stated):
                    # a line the document's model leaves open, on a network no settings state (the menu's
                    # defaults, or a lead-in sentence's): that network is its model only where they agree
                    menu = agreement.judged(entry, entry.flags or note.flags, menu, own[entry.id][0])
                # read: lines map the document onto the menu network, which decides the lines it reads; a
                # line it cannot read is checked on the document's own forward pass where that settles it
                left_open = all(r.verdict == "unverifiable" for r in menu)
                results += own[entry.id][0] if settled and left_open else menu
            if entry.read_as is None:
                equations = claims_of(entry, lhs)
                lhs = left_side(equations[0]) or lhs     # a continuation continues the display's main equation
        except Exception as exc:       # one line's failure (a bug of ours) never loses the other lines
            results.append(failed_result(entry, exc))
    return Checked(results, str(note.id))


def _expanded(note, convention, own_model: bool = True) -> list[Result]:
    """The document's verdicts with its macros expanded in every line before reading (the results keep
    each line as written); a line whose expansion fails (a macro calling itself) is unverifiable."""
    from ..notation.macros import expand
    from ..notation.tokens import NotationError
    entries, failed = [], {}
    for entry in note.entries:
        if entry.read_as == "unread":
            entries.append(entry)
            continue
        try:
            entries.append(replace(entry, source_latex=expand(entry.source_latex, note.macros)))
        except NotationError as exc:
            failed[entry.id] = Result(entry.id, entry.source_latex, claim_text(entry.source_latex), "unverifiable",
                                      f"macro: {exc.message}", why=entry.why)
    inner = iter(check_note(replace(note, entries=entries, macros={}), convention, own_model))
    out, pending = [], next(inner, None)
    for entry, shown in zip(note.entries, _expanded_sources(note.entries, entries, failed)):
        if entry.id in failed:
            out.append(failed[entry.id])
            continue
        while pending is not None and pending.source_latex == shown:
            out.append(replace(pending, source_latex=entry.source_latex))
            pending = next(inner, None)
    return out


def _expanded_sources(originals, expanded, failed):
    """Each original entry's expanded text (None for one whose expansion failed)."""
    it = iter(expanded)
    return [None if e.id in failed else next(it).source_latex for e in originals]


def _readable(note):
    """The document without its unread spots (a delimiter never closed), for reading its own model."""
    if all(entry.read_as != "unread" for entry in note.entries):
        return note
    return replace(note, entries=[entry for entry in note.entries if entry.read_as != "unread"])


def _own_model(read, note):
    """``read(note)`` (the document's own model, or its verdicts on it); None when reading the model failed
    inside symderiv: its lines are then checked one by one on the menu network, each on its own."""
    try:
        return read(note)
    except Exception:
        return None


def own_model(note):
    """The document's own model read from its forward pass (symderiv/graph), None when it states none or
    reading it failed inside symderiv (its lines are then checked on the menu network)."""
    return _own_model(document_model, _readable(note))


def exit_code(results: list[Result]) -> int:
    """1 when any checked line is incorrect, else 0 (unusable input never gets this far: exit 2)."""
    return 1 if any(r.verdict == "incorrect" for r in results) else 0
