"""The corpus of real derivations (tests/corpus/, issue 20 item 7): its keys are well formed (fast), and the
measure on it (exhaustive: every document checked twice) ends in no internal error and, once documents are
read as their own models, shows no false accept.

The other figures of issue 20's "Must show" are asserted too, each marked xfail with today's figure until the
document reader of issue 20 reaches them; a run that reaches one reports XPASS."""
import importlib.util
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
_spec = importlib.util.spec_from_file_location("corpus_measure", CORPUS / "measure.py")
measure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measure)

VERDICTS = {"correct", "incorrect", "not-a-claim"}


def test_every_document_has_a_source_a_key_and_well_formed_lines():
    docs = measure.documents()
    assert len([d for d, _ in docs if not d.startswith("p")]) >= 10
    for doc, path in docs:
        head = path.read_text(encoding="utf-8")[:600]
        if not doc.startswith("p"):
            assert "Source:" in head and "Licence:" in head, f"{path.name}: no source/licence header"
        lines = measure.load_key(doc)
        assert lines, doc
        for line in lines:
            assert line["verdict"] in VERDICTS, (doc, line)
            assert line["text"].strip(), (doc, line)
            if line["verdict"] == "incorrect":
                assert line.get("why"), (doc, line)


def test_planted_copies_hold_two_planted_lines_each():
    text_of = {doc: path.read_text(encoding="utf-8") for doc, path in measure.documents()}
    copies = [d for d in text_of if d.startswith("p")]
    for copy in copies:
        planted = [line for line in measure.load_key(copy) if line["planted"]]
        assert len(planted) == 2, copy
        for line in planted:
            assert line["text"] in text_of[copy], (copy, line["text"])


@pytest.fixture(scope="module")
def tables():
    return measure.main(["--jobs", "2"])


@pytest.mark.exhaustive
@pytest.mark.parametrize("mode", measure.MODES)
def test_no_document_ends_in_an_internal_error(tables, mode):
    assert tables["ALL"][mode]["internal_errors"] == 0


@pytest.mark.exhaustive
@pytest.mark.xfail(reason="issue 20 open: the checker does not yet read a document's own definitions and accepts "
                          "lines that are wrong under them (measured on main a36da6c: p001, the 1/m of J = mean of L "
                          "dropped; p020, the factor 2 of a cost written without 1/2 dropped)", strict=False)
@pytest.mark.parametrize("mode", measure.MODES)
def test_no_false_accept(tables, mode):
    assert tables["ALL"][mode]["false_accepts"] == 0


# Issue 20's targets. Today's main is far from them (tests/corpus/README.md has the last measured table).
TARGETS = [
    ("coverage", lambda t, mode: t["computed"] >= (0.90 if mode == "none" else 0.95) * t["checkable"]),
    ("false rejects", lambda t, mode: t["false_rejects"] <= 0.02 * t["correct_computed"]),
    ("authors' errors flagged", lambda t, mode: t["authors_flagged"] >= 0.90 * t["authors_errors"]),
    ("planted errors found", lambda t, mode: t["planted_found"] == t["planted"]),
]


@pytest.mark.exhaustive
@pytest.mark.xfail(reason="issue 20 open (measured on main a36da6c, 30 documents: 29%/33% of key-checkable "
                          "lines get a verdict, a third of the computed correct lines are rejected, 30% of the authors' "
                          "errors and 40-45% of the planted ones are flagged)", strict=False)
@pytest.mark.parametrize("mode", measure.MODES)
@pytest.mark.parametrize("target", [name for name, _ in TARGETS])
def test_issue_20_targets(tables, mode, target):
    check = dict(TARGETS)[target]
    assert check(tables["ALL"][mode], mode), tables["ALL"][mode]
