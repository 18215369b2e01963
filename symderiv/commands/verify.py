"""``symderiv verify``: one formula against the derived truth; the verdict (or one JSON object) on
stdout, exit 0 correct / 1 incorrect / 2 cannot check, and an unverifiable claim's reason as one
line on stderr."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from . import PROG, one_line
from .net import add_net_flags, net_flags
from ..errors import UsageError
from ..notation.conventions import CONVENTIONS, resolve


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_net_flags(p)
    p.add_argument("--convention", default="auto",
                   help="notation convention: auto (default: the formula's signals pick), or one of "
                        + ", ".join(CONVENTIONS))
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--note", help="check under an encoded note's model and readings (000..004) "
                                  "(default: none, the default notation)")
    p.add_argument("--entry", help="with --note: the line whose model and readings apply, e.g. 9.19 "
                                   "(default: the note's own)")
    p.add_argument("--define", action="append", default=[], metavar="'LHS = RHS'",
                   help="a forward-pass line stating the model for this formula, read as a document's "
                        "(repeatable; default: none, the NET FLAGS' network)")
    p.add_argument("claim", help='the formula in LaTeX, quoted as one argument, e.g. "\\delta^{(L)} = a^{(L)} - y"')


def verdict_of(args):
    """The Verdict of ``args.claim`` under the model the flags choose."""
    from ..verify import verify
    if args.define:    # the formula's own model: its forward pass, read as a document's
        from ..graph.document import verify_defined
        return verify_defined(args.claim, args.define)
    if args.note:      # the note's readings say how to read its symbols: its own model, the default notation
        flags, readings = _note_setting(args)
        return verify(args.claim, flags, readings=readings, batch=flags.batch, convention=args.convention,
                      bias=args.bias)
    conv = resolve(args.claim, args.convention)   # the convention's model is the base; a preset and flags override it
    flags = net_flags(args) if args.preset else dataclasses.replace(conv.model(args.claim), **{
        k: v for k, v in vars(net_flags(args)).items() if getattr(args, k, None) is not None})
    return verify(args.claim, flags, batch=flags.batch, convention=conv.name, bias=args.bias,
                  fit_depth=args.depth is None)


def _note_setting(args):
    """The model and readings of a note (and of one of its lines, with --entry): verify a fix of a line
    exactly as the checker read the line."""
    from .check import load_note_or_document
    note = load_note_or_document(args.note)
    entry = None
    if args.entry is not None:
        entry = note.entry(args.entry)          # an entry's id, or one of its links' (9.21.2)
        if entry is None:
            ids = ", ".join(e.id for e in note.entries)
            raise UsageError(f"note {note.id} has no line {args.entry!r}; its lines: {ids}")
    flags = (entry.flags if entry is not None and entry.flags else None) or note.flags
    readings = {**note.readings, **(entry.readings if entry is not None else {})}
    return flags, readings


def run(args) -> int:
    v = verdict_of(args)
    print(json.dumps(v.to_json(), ensure_ascii=False) if args.json else v.text())
    if v.verdict == "unverifiable":
        print(f"{PROG}: cannot check: {one_line(v.reason)}", file=sys.stderr)
    return v.exit_code
