"""A document to check line by line: its entries, its model and its readings.

A ``Document`` is one file read by ``documents.reader`` (a user's .md/.tex, or
one of the five notes, whose verbatim text has a sidecar of the same
``key: value`` settings a user's front matter holds). An ``Entry`` is one
displayed equation of it, verbatim, with how to *read* it: readings of its
symbols (notation/readings.py) and, where a section of the document changes
it, the model it is about. Nothing here states a verdict: check.py computes
them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.network import NetFlags
from .samples import Samples


@dataclass(frozen=True)
class Entry:
    """One displayed equation of a document, verbatim, and how its symbols are read."""

    id: str
    source_latex: str                       # exactly as in the file
    readings: dict = field(default_factory=dict)
    read_as: str | None = None              # None: equations; "shapes": a product of matrix shapes;
                                            # "unread": a delimiter never closed (reported, not checked)
    why: str = ""                           # the reader's note on the line, printed beside the verdict
    comment: str = ""                       # what the document means by its symbols, for the report
    lhs: str = ""                           # a line that starts with "=" continues this left side
    flags: NetFlags | None = None           # the model where it differs from the document's (a later section)
    result_latex: str = ""                  # for "shapes": the shape the document says the product has
    split_before: tuple = ()                # two equations run together on one line: a new one starts here
    line: int = 0                           # the 1-based line of the file it starts on (0: not from a file)
    offset: int = -1                        # where ``source_latex`` starts in the file's text (-1: unknown)
    cell: int = 0                           # a notebook's cell (from 1) that ``line`` counts in; 0: not a notebook
    inline: bool = False                    # an equation in a sentence ($..$, \(..\)), not a display
    condition: str = ""                     # "If $i = k$," before it: each equation holds where i = k
    said: str = ""                          # the lead-in before it that gave ``flags`` ("For MSE loss ...:")


@dataclass(frozen=True)
class Question:
    """A reader's question written in a document (a note's red ink), and its answer for the report."""

    question: str
    answer: str


@dataclass
class Document:
    """A file read as a document: its model, its readings and its entries, in file order."""

    id: str                                 # a note's id ("001") or the file's stem
    title: str
    model: str                              # the model in words (the front matter's, else made from flags)
    flags: NetFlags
    readings: dict
    entries: list
    source: str                             # the file's name
    text: str = ""                          # the whole file as written
    questions: tuple = ()
    convention: str = "default"             # the textbook convention its symbols are read in
    macros: dict = field(default_factory=dict)   # name -> notation.macros.Macro: the file's and its front matter's
    stated: bool = True                     # settings state its model (front matter, sidecar, flags); False: none
    samples: Samples = Samples()            # its cost a mean over m examples; the loss of one example (samples.py)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry named ``entry_id``, or the entry of a link id (``9.21.2``: link 2 of entry 9.21)."""
        for candidate in (entry_id, entry_id.rsplit(".", 1)[0] if "." in entry_id else None):
            found = next((e for e in self.entries if e.id == candidate), None)
            if found is not None:
                return found
        return None
