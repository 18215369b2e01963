"""A document to check line by line: its entries, its model and its readings.

An ``Entry`` is one displayed equation of a note (or of a user's document),
verbatim, with how to *read* it: readings of its symbols (readings.py) and,
where a section of the document changes it, the model it is about. A note
module in ``derivations/`` is a document: ``NOTE_ID``, ``TITLE``, ``MODEL``
(prose), ``FLAGS`` (the model), ``READINGS`` and ``ENTRIES``, plus optional
``QUESTIONS`` (a reader's questions and their answers, for the report).
Nothing here states a verdict: check.py computes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.network import NetFlags


@dataclass(frozen=True)
class Entry:
    """One displayed equation of a note, verbatim, and how its symbols are read."""

    id: str
    source_latex: str                       # exactly as in the note file
    readings: dict = field(default_factory=dict)
    read_as: str | None = None              # None: equations; "shapes": a product of matrix shapes
    why: str = ""                           # the reader's note on the line, printed beside the verdict
    comment: str = ""                       # what the note means by its symbols, for the report
    lhs: str = ""                           # a line that starts with "=" continues this left side
    flags: NetFlags | None = None           # the model where it differs from the note's (a later section)
    result_latex: str = ""                  # for "shapes": the shape the note says the product has
    split_before: tuple = ()                # two equations run together on one line: a new one starts here
