"""report.py: LaTeX + Markdown per note and a corrected copy; the LaTeX compiles; a student can act on it."""
import pathlib
import re
import shutil
import subprocess

import pytest

from symderiv.documents import notes
from sampling import EXHAUSTIVE
from symderiv.report import latexdiff
from symderiv.documents.check import check_note
from symderiv.documents.reader import load_document
from symderiv.report.explain import counterexample_rows, plain_reason, short_reason
from symderiv.verify.diagnostics import diagnostic
from symderiv.report.lines import correction, entry_results
from symderiv.report.report import write_report

STUDENT = pathlib.Path(__file__).parent / "data" / "student.md"
NOTES = notes.note_ids() + ["student"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory, checked_notes):
    out = tmp_path_factory.mktemp("reports")
    for note in notes.all_notes():
        write_report(note, out, results=checked_notes[note.id])
    write_report(load_document(STUDENT), out)
    return out


@pytest.mark.parametrize("nid", notes.note_ids())
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
@pytest.mark.parametrize("stem", [
    pytest.param(f"note{n}{kind}", marks=() if n in ("001", "student") else EXHAUSTIVE)
    for n in NOTES for kind in ("", "-corrected")])   # one note and the student's by default, all in CI
def test_report_compiles_with_pdflatex_without_overfull_boxes(reports, stem):
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{stem}.tex"],
                         cwd=reports, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (reports / f"{stem}.pdf").stat().st_size > 10_000
    assert "Overfull" not in (reports / f"{stem}.log").read_text(errors="replace")


# ---- a report a student can act on (issue 11, items 3 and 4) ---------------------------------------------

SECTION = re.compile(r"^### (\S+): (correct|INCORRECT|unverifiable)$", re.M)
SUMMARY_ROW = re.compile(r"^\| `([^`]+)` \| (correct|INCORRECT|unverifiable) \| (.*) \|$", re.M)


@pytest.mark.parametrize("nid", NOTES)
def test_the_summary_table_comes_first_and_lists_every_line(reports, nid):
    md = (reports / f"note{nid}.md").read_text(encoding="utf-8")
    assert md.index("## Summary") < md.index("## Line by line") < md.index("## Backpropagation for the")
    rows = SUMMARY_ROW.findall(md[:md.index("## Line by line")])
    assert [(i, v) for i, v, _ in rows] == SECTION.findall(md)      # one row per checked line, same verdict
    assert all(len(why) <= 90 and "column" not in why for _, _, why in rows)   # one line, plain words


@pytest.mark.parametrize("nid", NOTES)
def test_counterexamples_are_tables_and_reasons_plain_words(reports, nid):
    md = (reports / f"note{nid}.md").read_text(encoding="utf-8")
    tex = (reports / f"note{nid}.tex").read_text(encoding="utf-8")
    for text in (md, tex):
        assert '"sizes"' not in text and "'sizes'" not in text and '"truth"' not in text and "at column" not in text
    if "INCORRECT" in md and nid != "000":   # 000's errata include a shape sketch, which has no values
        assert "| true value |" in md and "| this line gives |" in md
        assert r"true value & " in tex


def test_the_students_erratum_is_beside_its_correction_with_the_changes_highlighted(reports):
    md = (reports / "notestudent.md").read_text(encoding="utf-8")
    tex = (reports / "notestudent.tex").read_text(encoding="utf-8")
    section = md[md.index("### L41: INCORRECT"):]
    section = section[:section.index("\n### ")]
    assert r"\boldsymbol{(} V \delta ^{(2)} \boldsymbol{)}" in section          # the note's line, changes in bold
    assert r"V ^{\boldsymbol{T}} \delta ^{(2)}" in section                       # the correction under it
    assert "Changed: `(` removed; `^{T}` inserted; `)` removed." in section
    assert "the sizes do not fit: the right side multiplies element by element a 1×6 and a 6×1 matrix" in section
    assert "| layer widths (input first) | 4-6-1 |" in section
    assert r"\removed{(} V \delta ^{(2)} \removed{)}" in tex and r"V ^{\added{T}} \delta ^{(2)}" in tex
    assert r"\newcommand{\added}[1]{\textcolor{fixed}{#1}}" in tex


@pytest.mark.parametrize("nid", NOTES)
def test_the_corrected_copy_replaces_every_erratum_that_has_a_correction(reports, nid, checked_notes):
    note = load_document(STUDENT) if nid == "student" else notes.load_note(nid)
    results = check_note(note) if nid == "student" else checked_notes[nid]
    fixed = [r for r in results if correction(r)]
    md = (reports / f"note{nid}-corrected.md").read_text(encoding="utf-8")
    tex = (reports / f"note{nid}-corrected.tex").read_text(encoding="utf-8")
    assert md.count("> **corrected** (`") == len(fixed)
    marks = re.findall(r"\\marginpar\{.*?\{(corrected|incorrect: no correction found|not checked)\}", tex)
    assert len(marks) == tex.count(r"\marginpar{")
    assert marks.count("corrected") == sum(any(correction(r) for r in rs) for _, rs in entry_results(note, results))
    assert marks.count("incorrect: no correction found") == sum(
        any(r.verdict == "incorrect" for r in rs) and not any(correction(r) for r in rs)
        for _, rs in entry_results(note, results))
    for r in fixed:   # each correction is there, its changed parts in blue
        side = latexdiff.diff(r.link, correction(r))[1]
        assert latexdiff.marked(side.units, side.changed, lambda u: r"\added{" + u + "}") in tex


def test_the_students_corrected_copy_is_their_derivation_with_the_one_line_fixed(reports):
    md = (reports / "notestudent-corrected.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^\$\$\n(.*?)\n\$\$$", md, re.M)
    doc = load_document(STUDENT)
    expected = [e.source_latex for e in doc.entries]
    assert len(blocks) == len(expected) == 10
    assert blocks[:7] == expected[:7] and blocks[8:] == expected[8:]
    assert blocks[7].replace(r"\boldsymbol{T}", "T") == latexdiff.plain(
        r"\delta^{(1)} = V^T \delta^{(2)} \odot h \odot \left(1 - h\right)")


@pytest.mark.parametrize("cause, plain", [
    (diagnostic("holds", n=54), "both sides agree in all 54 random checks"),
    (diagnostic("proved"), "proved symbolically"),
    (diagnostic("shape", expected="5×1", given="scalar"), "wrong size: scalar where the true value is 5×1"),
    (diagnostic("index-conflict", index="j", sizes="4, 9"), "index j runs over dimensions of sizes 4, 9: "
                                                            "two indices are swapped"),
    (diagnostic("scale", factor="1/2"), "off by a constant factor: this line is 1/2 times the true value"),
    (diagnostic("dropped-factor", z="z^{(2)}"), "a factor is missing: \u27e6f'(z^{(2)})\u27e7"),
    (diagnostic("index-swap.letters", first="i", second="j"), "the indices \u27e6i\u27e7 and \u27e6j\u27e7 are swapped"),
    (diagnostic("shape.error", side="right", what="mm", shapes=("7×6", "7×1")),
     "the sizes do not fit: the right side multiplies a 7×6 matrix by a 7×1 matrix"),
    (diagnostic("update-step", gradient="G", inner=diagnostic("scale", factor="2")),
     "a gradient-descent update: its step must be the gradient \u27e6G\u27e7; off by a constant "
     "factor: this line is 2 times the true value"),
    (None, "something new"),
])
def test_reasons_in_plain_words(cause, plain):
    assert plain_reason(cause, "something new").startswith(plain)
    assert len(short_reason(cause, "something new", 40)) <= 40


def test_a_verdicts_cause_is_worded_from_its_code_not_its_message():
    from symderiv import mlp
    from symderiv.verify import verify
    v = verify(r"\frac{\partial J}{\partial W^{(2)}} = 2 \delta^{(2)} \left(a^{(1)}\right)^T", mlp([2, 3, 1]))
    assert v.cause.code == "scale" and v.cause.args["factor"] == "2"
    assert plain_reason(v.cause, v.reason) == "off by a constant factor: this line is 2 times the true value"
    v.reason = "anything"              # the words come from the code and its arguments, not the reason
    assert plain_reason(v.cause, v.reason) == "off by a constant factor: this line is 2 times the true value"


def test_maths_in_a_reason_is_typeset_when_safe_and_escaped_when_not():
    from symderiv.report.lines import reason_latex, reason_markdown
    text = plain_reason(diagnostic("extra-factor.part", was="\\sum_{j} a_{j}"))
    assert reason_latex(text) == "one factor too many: $\\sum_{j} a_{j}$"
    assert reason_markdown(text) == "one factor too many: $\\sum_{j} a_{j}$"
    hostile = plain_reason(diagnostic("extra-factor.part", was="\\input{/etc/hostname}"))
    assert r"\input" not in reason_latex(hostile) and r"\textbackslash{}input" in reason_latex(hostile)


def test_counterexample_rows_name_sizes_indices_truth_and_claim():
    rows = dict(counterexample_rows({"sizes": [9, 6, 4, 5], "m": 1, "l": 1, "indices": {"j": 1, "i": 2},
                                     "truth": -0.041993, "claim": {"shape": [6, 1], "top_left": [[0.0715], [0.0]]}}))
    assert rows == {"layer widths (input first)": "9-6-4-5", "samples m": "1", "layer l": "1",
                    "indices": "j = 1, i = 2", "true value": "-0.04199",
                    "this line gives": "6×1 matrix, first entries: 0.0715, 0"}
    assert counterexample_rows(None) == []


def test_markdown_report_shows_html_in_the_model_and_title_as_text_not_markup():
    from symderiv.documents.reader import read_document
    from symderiv.report.report import note_markdown
    text = "---\nmodel: <script>alert(1)</script>\n---\n$$ \\delta^{(2)} = a^{(2)} - y $$\n"
    md = note_markdown(read_document(text, "markdown", path="<img src=x>.md"), [])
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md


@pytest.mark.parametrize("value, shown", [(-0.0, "0"), (0.0, "0"), (-1.5, "-1.5"), (1e-20, "1e-20")])
def test_counterexample_numbers_never_show_minus_zero(value, shown):
    from symderiv.report.explain import _number
    assert _number(value) == shown
