"""documents/notes.py and derivations/notes/: the notes are documents (verbatim text + a sidecar), no verdict
anywhere, every displayed equation checked."""
import pathlib
import re
from dataclasses import fields

import pytest

from symderiv.documents import notes
from symderiv.documents.model import Entry
from symderiv.documents.reader import find_displays
from symderiv.documents.settings import DocumentError

NOTES_DIR = notes.NOTES_DIR
SHARED = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "notes"

# $$..$$ displays in each note file; an equation written beside another after \quad is its own entry
DISPLAYS = {"000": 9, "001": 13, "002": 25, "003": 24, "004": 35}
EXTRA_SIDE_BY_SIDE = {"000": 1, "002": 2, "004": 1}


def note_text(note):
    return (NOTES_DIR / note.source).read_text(encoding="utf-8")


def test_the_five_notes_are_found_by_their_sidecars():
    assert notes.note_ids() == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("nid", notes.note_ids())
def test_every_displayed_equation_of_a_note_is_an_entry_found_in_its_file(nid):
    note = notes.load_note(nid)
    text = note_text(note)
    assert len(re.findall(r"\$\$(.*?)\$\$", text, flags=re.S)) == DISPLAYS[nid]
    displayed = [e for e in note.entries if not e.inline]       # inline equations are read beside them
    assert len(displayed) == DISPLAYS[nid] + EXTRA_SIDE_BY_SIDE.get(nid, 0)
    assert all(f"${e.source_latex}$" in text or f"$ {e.source_latex}" in text for e in note.entries if e.inline)
    for entry in note.entries:
        assert text[entry.offset:entry.offset + len(entry.source_latex)] == entry.source_latex   # verbatim, in place
        assert text.count("\n", 0, entry.offset) + 1 == entry.line
    assert len({e.id for e in note.entries}) == len(note.entries)


@pytest.mark.parametrize("nid", notes.note_ids())
def test_sidecars_state_no_verdict(nid):
    side = (NOTES_DIR / notes.note_files()[nid].name).with_suffix(".symderiv").read_text(encoding="utf-8")
    assert not re.search(r"(?i)\b(verdict|correct|incorrect|unverifiable|garbled|definition)\s*:", side)
    keys = {m.group(1) for m in re.finditer(r"(?m)^([a-z_-]+)\s*:", side)}
    assert keys <= {"id", "title", "model", "depth", "hidden", "output", "loss", "reg", "batch", "layout", "outputs",
                    "bias", "read", "question", "answer", "why", "comment", "lhs", "split", "shapes", "convention"}


def test_the_notes_in_the_repository_are_verbatim_copies():
    for note in notes.all_notes():
        ours = (NOTES_DIR / note.source).read_bytes()
        assert ours.strip()
        if SHARED.exists():           # beside the shared folder, the copy must not drift
            assert ours == (SHARED / note.source).read_bytes()


def test_no_field_of_an_entry_can_keep_it_from_the_checker():
    """Every entry reaches the verifier (or the shape checker): a label never replaces a verdict."""
    assert {f.name for f in fields(Entry)} == {"id", "source_latex", "readings", "read_as", "why", "comment",
                                                "lhs", "flags", "result_latex", "split_before", "line", "offset", "cell",
                                                "inline", "condition", "said"}     # condition: "If $i = k$," before
    # it, checked under it (documents/conditions.py); said: "For MSE loss:" before it, checked under that model
    # (documents/lead_ins.py); never a verdict
    for note in notes.all_notes():
        for entry in note.entries:
            assert entry.read_as in (None, "shapes"), (note.id, entry.id)


def test_every_entry_reaches_the_checker(monkeypatch):
    import importlib
    verify_pkg = importlib.import_module("symderiv.verify")   # the package (its name is shadowed by a function)
    from symderiv.documents import check
    seen = []
    real = verify_pkg.verify_chain

    def spy(latex, *args, **kw):
        seen.append(latex)
        return real(latex, *args, **kw)
    monkeypatch.setattr(verify_pkg, "verify_chain", spy)
    note = notes.load_note("000")
    results = check.check_note(note)
    entries = [e for e in note.entries if e.read_as is None]
    assert len(seen) >= len(entries)
    ids = {r.id for r in results}
    assert all(e.id in ids or any(i.startswith(e.id + ".") for i in ids) for e in entries)


def test_load_accepts_ids_and_file_names_and_rejects_others():
    assert notes.load_note("2").id == "002"
    assert notes.load_note("003_2f6e570e1a479a42.txt").id == "003"
    with pytest.raises(DocumentError, match="unknown note"):
        notes.load_note("007")


def test_a_notes_display_split_by_quad_keeps_the_ids_of_its_links():
    note = notes.load_note("000")
    assert [e.id for e in note.entries if e.id.startswith("sigmoid")] == ["sigmoid.1", "sigmoid.2"]
    text = note_text(note)
    assert [d.line for d in find_displays(text, "markdown", "000")][:2] == [4, 10]
