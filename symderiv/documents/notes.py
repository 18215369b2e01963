"""The five study notes, read as documents: verbatim text plus a sidecar of settings.

``derivations/notes/`` holds each note exactly as it was given (``NNN_<hash>.txt``,
Markdown with ``$$..$$`` displays) and beside it ``NNN_<hash>.symderiv``: the
same ``key: value`` settings a user's front matter holds (settings.py), saying
what the note leaves unsaid: its model, how to read its symbols, and, in
``[L41]`` sections, what one line needs (an id, a reader's note, a reading of
that line's symbols, the model of a later section). The notes take the same
path as a user's file (reader.py); no verdict is stored anywhere.

>>> load_note("1").id
'001'
"""
from __future__ import annotations

import pathlib

import derivations

from .model import Document
from .reader import load_document
from .settings import DocumentError

NOTES_DIR = pathlib.Path(derivations.__file__).resolve().parent / "notes"


def note_files() -> dict[str, pathlib.Path]:
    """Note id ("000") -> its verbatim text file, for every note that has a sidecar."""
    if not NOTES_DIR.is_dir():
        return {}
    return {side.stem.split("_", 1)[0]: side.with_suffix(".txt") for side in sorted(NOTES_DIR.glob("*.symderiv"))
            if side.with_suffix(".txt").is_file()}


def note_ids() -> list[str]:
    return list(note_files())


def is_note(name: str) -> bool:
    """Does ``name`` name a note ("001", "1", or its file's name)?"""
    return _note_id(name) is not None


def _note_id(name: str) -> str | None:
    key = pathlib.Path(str(name).strip()).name
    for nid, path in note_files().items():
        if key in (nid, path.name, path.stem) or (key.isdigit() and len(key) <= 6 and int(key) == int(nid)):
            return nid
    return None


def load_note(name: str) -> Document:
    """The note named ``name`` (an id such as "002" or "2", or its file's name), read with its sidecar."""
    nid = _note_id(name)
    if nid is None:
        shown = repr(str(name) if len(str(name)) <= 40 else str(name)[:40] + "...")
        raise DocumentError(f"unknown note {shown}; known: {', '.join(note_ids())} (or a .md/.tex file)")
    text = note_files()[nid]
    return load_document(text, sidecar=text.with_suffix(".symderiv"), kind="markdown")


def all_notes() -> list[Document]:
    return [load_note(nid) for nid in note_ids()]
