"""derivations/: every displayed equation of every note, verbatim, and no verdict anywhere."""
import pathlib
import re

import pytest

import derivations

NOTES_DIR = pathlib.Path(derivations.__file__).resolve().parent / "notes"
SHARED = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "notes"

EXPECTED_DISPLAYS = {"000": 9, "001": 13, "002": 25, "003": 24, "004": 35}


def note_text(note):
    return (NOTES_DIR / note.SOURCE).read_text(encoding="utf-8")


@pytest.mark.parametrize("nid", sorted(derivations.MODULES))
def test_every_displayed_equation_has_an_entry_copied_verbatim(nid):
    note = derivations.load(nid)
    text = note_text(note)
    displays = re.findall(r"\$\$(.*?)\$\$", text, flags=re.S)
    assert len(displays) == EXPECTED_DISPLAYS[nid] == len(note.ENTRIES)
    for entry, display in zip(note.ENTRIES, displays):
        assert entry.source_latex == display          # in the note's order, exactly
        assert entry.source_latex in text             # findable by substring
    assert len({e.id for e in note.ENTRIES}) == len(note.ENTRIES)


@pytest.mark.parametrize("nid", sorted(derivations.MODULES))
def test_note_modules_state_no_verdict(nid):
    source = pathlib.Path(derivations.load(nid).__file__).read_text(encoding="utf-8")
    assert "verdict=" not in source and "verdict:" not in source
    assert not re.search(r"""['"](correct|incorrect|unverifiable)['"]""", source)


def test_the_notes_in_the_repository_are_verbatim_copies():
    for note in derivations.all_notes():
        ours = (NOTES_DIR / note.SOURCE).read_bytes()
        assert ours.strip()
        if SHARED.exists():           # beside the shared folder, the copy must not drift
            assert ours == (SHARED / note.SOURCE).read_bytes()


def test_no_field_of_an_entry_can_keep_it_from_the_checker():
    """Every entry reaches the verifier (or the shape checker): a label never replaces a verdict."""
    from dataclasses import fields

    from symderiv.documents.model import Entry
    assert {f.name for f in fields(Entry)} == {"id", "source_latex", "readings", "read_as", "why", "comment",
                                                "lhs", "flags", "result_latex", "split_before"}
    for note in derivations.all_notes():
        for entry in note.ENTRIES:
            assert entry.read_as in (None, "shapes"), (note.NOTE_ID, entry.id)


def test_every_entry_reaches_the_checker(monkeypatch):
    import sys
    verify_pkg = sys.modules["symderiv.verify"]
    from symderiv.documents import check
    seen = []
    real = verify_pkg.verify_chain

    def spy(latex, *args, **kw):
        seen.append(latex)
        return real(latex, *args, **kw)
    monkeypatch.setattr(verify_pkg, "verify_chain", spy)
    note = derivations.load("000")
    results = check.check_note(note)
    entries = [e for e in note.ENTRIES if e.read_as is None]
    assert len(seen) >= len(entries)
    assert {r.id.split(".")[0] for r in results} >= {e.id.split(".")[0] for e in entries}


def test_load_accepts_ids_names_and_paths_and_rejects_others():
    assert derivations.load("2").NOTE_ID == "002"
    assert derivations.load("derivations/n003_linear_logistic_regression_backprop.py").NOTE_ID == "003"
    with pytest.raises(ValueError, match="unknown note"):
        derivations.load("007")
