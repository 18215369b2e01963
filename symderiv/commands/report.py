"""``symderiv report``: LaTeX and Markdown reports of notes or users' files, one line per note written."""
from __future__ import annotations

import argparse

from .check import load_note_or_document
from ..errors import UsageError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("notes", nargs="*", help="note ids (000..004) or FILE.md / FILE.tex")
    p.add_argument("--all", action="store_true", help="every encoded note")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (required)")
    p.add_argument("--pdf", action="store_true", help="also compile PDFs (needs pdflatex)")
    p.add_argument("--force", action="store_true", help="write into a folder that holds other files")


def run(args) -> int:
    from ..documents.notes import all_notes
    from ..report.report import write_reports
    if args.all and args.notes:
        raise UsageError("give note ids or --all, not both")
    notes = all_notes() if args.all or not args.notes else [load_note_or_document(n) for n in args.notes]
    ids = [str(note.id) for note in notes]
    twice = next((i for i in ids if ids.count(i) > 1), None)
    if twice is not None:
        raise UsageError(f"two of the given files would both write the report note{twice}.*; "
                         "report them into different folders")
    for note, written in write_reports(notes, args.out, args.pdf, args.force):
        print(f"note {note.id}: " + ", ".join(str(f) for f in written))
    return 0
