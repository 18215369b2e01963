"""derivations/: every displayed equation of every note, verbatim, and no verdict anywhere."""
import pathlib
import re

import pytest

import derivations

NOTES_DIR = pathlib.Path(__file__).resolve().parents[2] / "shared" / "notes"
if not NOTES_DIR.exists():
    NOTES_DIR = pathlib.Path(__file__).resolve().parents[1] / ".." / "shared" / "notes"

EXPECTED_DISPLAYS = {"000": 9, "001": 13, "002": 25, "003": 24, "004": 35}


def note_text(note):
    path = NOTES_DIR / note.SOURCE
    if not path.exists():
        pytest.skip("the notes (../shared/notes) are not beside this checkout")
    return path.read_text(encoding="utf-8")


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


def test_every_not_a_claim_entry_says_why():
    from symderiv.check import NOT_A_CLAIM
    for note in derivations.all_notes():
        for entry in note.ENTRIES:
            if entry.kind not in (None, "shapes"):
                assert entry.kind in NOT_A_CLAIM and entry.why, (note.NOTE_ID, entry.id)


def test_load_accepts_ids_names_and_paths_and_rejects_others():
    assert derivations.load("2").NOTE_ID == "002"
    assert derivations.load("derivations/n003_linear_logistic_regression_backprop.py").NOTE_ID == "003"
    with pytest.raises(ValueError, match="unknown note"):
        derivations.load("007")
