"""report.py: LaTeX + Markdown per note; the LaTeX compiles."""
import shutil
import subprocess

import pytest

import derivations
from symderiv.report import write_report


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    for note in derivations.all_notes():
        write_report(note, out)
    return out


@pytest.mark.parametrize("nid", sorted(derivations.MODULES))
def test_report_has_model_lines_and_derivation(reports, nid):
    tex = (reports / f"note{nid}.tex").read_text(encoding="utf-8")
    md = (reports / f"note{nid}.md").read_text(encoding="utf-8")
    for part in ("The note's model", "Line by line", "Backpropagation for the"):
        assert part in tex and part in md
    assert md.count("$$") % 2 == 0 and "$$" in md


def test_note_001_report_answers_the_readers_questions(reports):
    md = (reports / "note001.md").read_text(encoding="utf-8")
    assert "What is the residual delta?" in md and "The detailed steps of 9.26?" in md
    assert "sum_k y_k = 1" in md  # the softmax derivation is in the report


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("nid", sorted(derivations.MODULES))
def test_report_compiles_with_pdflatex_without_overfull_boxes(reports, nid):
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"note{nid}.tex"],
                         cwd=reports, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (reports / f"note{nid}.pdf").stat().st_size > 10_000
    assert "Overfull" not in (reports / f"note{nid}.log").read_text(errors="replace")
