import pytest
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # tests/oracles.py


@pytest.fixture(scope="session")
def checked_notes():
    """Every note checked once per test session (check, report and derivations tests share it)."""
    from symderiv.documents import notes
    from symderiv.documents.check import check_note
    return {nid: check_note(notes.load_note(nid)) for nid in notes.note_ids()}
