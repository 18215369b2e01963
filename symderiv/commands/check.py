"""``symderiv check``: every line of a note or of a user's .md/.tex file; the verdicts (or one JSON
object) on stdout, exit 0 all correct / 1 any incorrect / 2 unusable."""
from __future__ import annotations

import argparse
import json
import os

from .net import add_net_flags, check_depth, given_flags
from ..errors import UsageError
from ..notation.conventions import CONVENTIONS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("note", help="a note id (000..004) or a FILE.md / FILE.tex (see docs/documents.md)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--front", metavar="FILE", help="a sidecar file of settings (the front matter's key: value "
                                                   "lines) for a document that has none (default: none)")
    add_net_flags(p)
    p.add_argument("--convention", default="auto", choices=["auto", *CONVENTIONS],
                   help="the textbook convention the document's symbols are read in (default: auto, the "
                        "document's own: its front matter's convention, else the default notation)")


def load_note_or_document(name: str, args=None):
    """An encoded note by id, or a user's .md/.tex file with the NET FLAGS given on the command line
    over its front matter."""
    from ..documents.notes import is_note, load_note
    from ..documents.reader import is_document, load_document
    given = given_flags(args)
    sidecar = getattr(args, "front", None)
    preset = getattr(args, "preset", None)
    check_depth(given)
    if not is_note(name):          # a file, or refused in one line (no such file, not a document)
        if not is_document(name) and not os.path.exists(name) and os.sep not in name and "." not in name:
            return load_note(name)         # "007": unknown note, and the known ones
        return load_document(name, preset=preset, overrides=given, sidecar=sidecar)
    if given or preset or sidecar:
        raise UsageError(f"NET FLAGS and --front apply to a .md/.tex document; note {name} states its own model")
    return load_note(name)


def run(args) -> int:
    from ..documents.check import check_note, exit_code, own_model
    note = load_note_or_document(args.note, args)
    results = check_note(note, args.convention)
    own = own_model(note)
    primary = own if not note.readings else None      # read: lines put the settings' network first
    if args.json:
        print(json.dumps({"note": note.id, "entries": [r.to_json() for r in results],
                          "model": primary[0].model_json() if primary else None}, ensure_ascii=False))
        return exit_code(results)
    print(f"note {note.id}: {note.title}")
    print("model (the document's own forward pass): " + primary[0].describe() if primary else f"model: {note.model}")
    if own and not primary:
        print("lines that network cannot read: the document's own forward pass: " + own[0].describe())
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
        print(f"\n[{r.id}] {r.verdict.upper()}\n  line:      {r.link}\n  reason:    {r.reason}")
        if r.corrected_latex:
            print(f"  corrected: {r.corrected_latex}")
        if r.why:
            print(f"  note:      {r.why}")
        for a in r.assumptions:
            print(f"  assumed:   {a}")
    print("\n" + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    return exit_code(results)
