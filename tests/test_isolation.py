"""One line's failure never loses another line's verdict (issue 21, item 7).

A failure is injected into one line of a document at each stage of its check (reading the line,
evaluating a link, building the correction, writing the report); that line becomes unverifiable with
"internal error (Type): message" and every other line keeps the verdict it has without the failure.
"""
import json
import pathlib

import pytest

from symderiv.cli import main
from symderiv.documents import check as check_module
from symderiv.documents.check import check_note
from symderiv.documents.reader import load_document
from symderiv.report import report as report_module
from symderiv.verify import api, correct as correct_module

DOC = """---
depth: 2
hidden: sigmoid
output: sigmoid
loss: bce
---

$$ \\delta^{(2)} = a^{(2)} - y $$

$$ \\frac{\\partial J}{\\partial W^{(2)}} = \\delta^{(2)} (a^{(1)})^T $$

$$ \\delta^{(1)} = (W^{(2)} \\delta^{(2)}) \\odot a^{(1)} \\odot (1 - a^{(1)}) $$

$$ \\frac{\\partial J}{\\partial b^{(1)}} = \\delta^{(1)} $$
"""
BROKEN = "L10"           # the line the failure is injected into
WRONG = "L12"            # W^(2) for its transpose: incorrect, with a correction


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    path = tmp_path_factory.mktemp("iso") / "doc.md"
    path.write_text(DOC)
    return path


@pytest.fixture(scope="module")
def clean(document):
    return {r.id: r.verdict for r in check_note(load_document(document))}


def test_the_document_without_a_failure(clean):
    # the mathematics the other tests rely on: three right lines and one transposed weight
    assert clean == {"L8": "correct", "L10": "correct", "L12": "incorrect", "L14": "correct"}


def _verdicts(document):
    return {r.id: (r.verdict, r.reason) for r in check_note(load_document(document))}


def _assert_isolated(got, clean, kind, broken=BROKEN):
    assert got[broken][0] == "unverifiable"
    assert got[broken][1].startswith(f"internal error ({kind}): "), got[broken][1]
    assert {k: v for k, (v, _) in got.items() if k != broken} == {k: v for k, v in clean.items() if k != broken}


def test_a_failure_while_reading_one_line(document, clean, monkeypatch):
    real = check_module.claims_of

    def claims_of(entry, previous_lhs=""):
        if entry.id == BROKEN:
            raise KeyError("injected")
        return real(entry, previous_lhs)
    monkeypatch.setattr(check_module, "claims_of", claims_of)
    _assert_isolated(_verdicts(document), clean, "KeyError")


def test_a_failure_while_evaluating_one_link(document, clean, monkeypatch):
    real = api.check_link

    def check_link(claim, latex, *args, **kw):
        if "W^{(2)}}" in latex and "partial" in latex:
            raise AttributeError("injected")
        return real(claim, latex, *args, **kw)
    monkeypatch.setattr(api, "check_link", check_link)
    _assert_isolated(_verdicts(document), clean, "AttributeError")


def test_a_failure_while_correcting_one_line(document, clean, monkeypatch):
    def correct(*args, **kw):
        raise TypeError("unsupported operand type(s) for +: 'NoneType' and 'int'")
    monkeypatch.setattr(api, "correct", correct)
    _assert_isolated(_verdicts(document), clean, "TypeError", broken=WRONG)


def test_a_symbolic_layer_in_a_correction_is_no_failure():
    # verify/correct.py asked a symbolic layer l for its number (resolve(None, ...)) before asking
    # whether it was symbolic: the renaming of a^{(L)} as y-hat now passes over a^{(l)}
    from symderiv.engine.network import NetFlags
    from symderiv.notation.readings import Readings
    from symderiv.notation.tree import LayerRef, Qty
    renamed = correct_module._as_the_document_writes(Qty("a", "a", LayerRef("l", 0)), NetFlags(),
                                                     r"\hat{y} = a^{(l)}", Readings())
    assert renamed == Qty("a", "a", LayerRef("l", 0))


def test_a_failure_in_check_ends_with_the_other_verdicts_never_exit_3(document, clean, monkeypatch, capsys):
    real = check_module.check_entry

    def check_entry(entry, *args, **kw):
        if entry.id == BROKEN:
            raise RuntimeError("injected")
        return real(entry, *args, **kw)
    monkeypatch.setattr(check_module, "check_entry", check_entry)
    code = main(["check", str(document), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1                       # L14 is still incorrect
    got = {e["id"]: e["verdict"] for e in out["entries"]}
    assert got == {**clean, BROKEN: "unverifiable"}


def test_a_failure_while_writing_one_lines_report(document, monkeypatch, tmp_path):
    real = report_module.counterexample_latex

    def counterexample_latex(r):
        if r.id == WRONG and r.verdict == "incorrect":
            raise ValueError("injected")
        return real(r)
    monkeypatch.setattr(report_module, "counterexample_latex", counterexample_latex)
    assert main(["report", str(document), "--out", str(tmp_path)]) == 0
    tex = "".join(p.read_text() for p in pathlib.Path(tmp_path).glob("*.tex"))
    assert "symderiv failed on this line" in tex
    assert all(f"subsection*{{{k}: " in tex for k in ("L8", "L10", "L12", "L14"))   # every line is reported


FORWARD = r"""$$ h = \sigma(W_1 x + b_1) $$

$$ o = W_2 h $$

$$ J = \frac{1}{2} \|o - y\|^2 $$

$$ \frac{\partial J}{\partial o} = o - y $$

$$ \frac{\partial J}{\partial W_2} = (o - y) h^T $$

$$ \frac{\partial J}{\partial h} = W_2 (o - y) $$
"""


def test_a_failure_in_one_line_of_a_document_read_as_its_own_model(tmp_path, monkeypatch):
    from symderiv.graph import document as graph
    f = tmp_path / "forward.md"
    f.write_text(FORWARD)
    clean = {r.id: r.verdict for r in check_note(load_document(f))}
    assert clean["L7"] == "correct" and clean["L9"] == "correct" and clean["L11"] == "incorrect"   # W_2^T
    real = graph.check_line

    def check_line(g, line):
        if line.id.startswith("L9#"):
            raise IndexError("injected")
        return real(g, line)
    monkeypatch.setattr(graph, "check_line", check_line)
    got = {r.id: (r.verdict, r.reason) for r in check_note(load_document(f))}
    _assert_isolated(got, clean, "IndexError", broken="L9")
