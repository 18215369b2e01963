"""TeX safety (tex.py, report.py): nothing from a note or the output folder reaches pdflatex as code.

Three layers, each tested on its own: the maths allow list and prose escaping
(no command from note text survives), the audit of the finished document, and
the pdflatex sandbox (private folder, no shell escape, paranoid file access,
a time limit).
"""
import os
import pathlib
import shutil
import subprocess
import sys
import types

import pytest

from symderiv.report import tex
from symderiv.documents.claims import Entry, claim_text
from symderiv.documents.model import Document
from symderiv.engine.network import NetFlags
from symderiv.report.report import note_latex, write_report

INJECTION = r"\input{/etc/hostname}\immediate\write18{touch pwned}"
needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")


def hostile_note(nid="990"):
    """A note module built through the API, with the injection in every text field."""
    return Document(
        id=nid, title="t " + INJECTION, model="model " + INJECTION + r" a_{\input{/etc/hostname}}",
        flags=NetFlags(), readings={}, source="t.md", entries=[Entry("e1" + INJECTION, INJECTION, why=INJECTION),
                                                               Entry("e2", r"\delta^{(L)} = a^{(L)} - y " + INJECTION)])


def hostname() -> str:
    return pathlib.Path("/etc/hostname").read_text().strip()


# ---- layer 1: maths allow list and prose escaping --------------------------------

@pytest.mark.parametrize("latex", [
    INJECTION, r"a_{\input{x}}", r"\include{x}", r"\openin5=x", r"\read5 to\x", r"\catcode`\^=7",
    r"\def\x{1}", r"\edef\x{1}", r"\gdef\x{1}", r"\let\x=\y", r"\csname input\endcsname{x}",
    r"\newcommand{\x}{1}", r"\renewcommand{\x}{1}", r"\usepackage{x}", r"\special{x}", r"\directlua{x}",
    r"x^^5cinput{/etc/hostname}", r"\expandafter\x", r"\scantokens{x}", r"\begin{filecontents}{x}",
    r"\foo", r"a % comment", r"\frac{a}{b", r"#1", r"\text{$\input{x}$}", "a\x00b",
])
def test_unsafe_maths_is_refused_and_shown_as_escaped_source(latex):
    assert not tex.safe_math(latex)
    shown = tex.display(latex)
    assert shown.startswith(r"{\small\texttt{")
    tex.audit_document(r"\begin{document}" + shown)  # the escaped form holds no command


@pytest.mark.parametrize("latex", [
    r"\delta^{(L)} = a^{(L)} - y", r"\frac{\partial J}{\partial W^{(l)}_{ij}} = a^{(l-1)}_j \delta^{(l)}_i",
    r"\delta^{(l)} = \left((W^{(l+1)})^T \delta^{(l+1)}\right) \odot \sigma'(z^{(l)})",
    r"\sum_{k} y_k \log a_k + \lambda \|W\|^2", r"\begin{pmatrix} a \\ b \end{pmatrix}", r"50\% \text{ or } x",
])
def test_notation_of_the_notes_is_typeset_as_maths(latex):
    assert tex.safe_math(latex)


def test_every_balanced_line_of_the_five_notes_passes_the_allow_list():
    from symderiv.documents import notes
    lines = [claim_text(e.source_latex) for note in notes.all_notes() for e in note.entries]
    balanced = [ln for ln in lines if tex._balanced(ln) and r"\begin{cases}" not in ln]
    refused = [ln for ln in balanced if not tex.safe_math(ln.replace("&", ""))]
    assert len(balanced) > 50 and refused == []


def test_escape_text_leaves_no_special_character_active():
    text = "\\ { } $ & # ^ _ ~ % \x00 \x1b \u2202 é"
    escaped = tex.escape_text(text)
    # after removing the escapes, no TeX special character is left
    rest = escaped
    for esc in tex._TEXT_SPECIALS.values():
        rest = rest.replace(esc, "")
    assert not set(rest) & set("\\{}$&#^_~%") and "\x00" not in rest and "\x1b" not in rest
    assert "[U+0000]" in escaped and "[U+2202]" in escaped and "é" in escaped


def test_hostile_note_text_reaches_the_tex_only_escaped():
    note = hostile_note()
    from symderiv.documents.check import check_note
    latex = note_latex(note, check_note(note))
    body = latex[latex.index(r"\begin{document}"):]
    for command in (r"\input{", r"\immediate", r"\write18"):
        assert command not in body
    assert r"\textbackslash{}input\{/etc/hostname\}" in body
    tex.audit_document(latex)


def test_audit_refuses_a_forbidden_command_in_the_body():
    with pytest.raises(tex.UnsafeTeX, match=r"\\immediate"):
        tex.audit_document("\\documentclass{article}\\begin{document}\\immediate\\write18{x}\\end{document}")
    with pytest.raises(tex.UnsafeTeX, match=r"\^\^"):
        tex.audit_document("\\begin{document}^^5cinput{x}\\end{document}")


# ---- layer 2: the sandbox --------------------------------------------------------

@needs_pdflatex
def test_injection_through_the_api_runs_nothing_and_reads_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    written = write_report(hostile_note(), out, pdf=True)
    assert sorted(p.name for p in written) == ["note990-corrected.md", "note990-corrected.pdf",
                                               "note990-corrected.tex", "note990.md", "note990.pdf", "note990.tex"]
    text = subprocess.run(["pdftotext", str(out / "note990.pdf"), "-"], capture_output=True, text=True).stdout
    assert "input{/etc/hostname}" in text.replace("\\", "")  # shown, as text
    assert hostname() not in text
    assert not list(tmp_path.rglob("pwned"))
    assert sorted(p.name for p in out.iterdir()) == [".symderiv-report", "note990-corrected.md",
                                                     "note990-corrected.pdf", "note990-corrected.tex",
                                                     "note990.md", "note990.pdf", "note990.tex"]  # no .aux, no .log


@needs_pdflatex
def test_planted_packages_in_the_output_folder_are_never_loaded(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    marker = tmp_path / "loaded"
    (out / "geometry.sty").write_text(
        "\\immediate\\openout5=%s\\immediate\\write5{x}\\immediate\\closeout5\n" % marker
        + "\\newread\\hf\\openin\\hf=/etc/hostname\\read\\hf to\\hn\\typeout{HOST=\\hn}\n")
    (out / "amsmath.sty").write_text("\\def\\spin{\\spin}\\spin\n")  # would hang pdflatex
    written = write_report(hostile_note("991"), out, pdf=True, force=True)
    pdf = written[-1].read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]
    assert not marker.exists()


@needs_pdflatex
def test_sandbox_refuses_absolute_reads_and_writes_and_runs_no_shell(tmp_path):
    doc = "\\documentclass{article}\n%s\n\\begin{document}\nok\n\\end{document}\n"
    with pytest.raises(tex.TeXError, match="can't write on file"):
        tex.sandboxed_pdflatex(doc % f"\\newwrite\\f\\immediate\\openout\\f={tmp_path}/w.txt"
                                     "\\immediate\\write\\f{x}\\immediate\\closeout\\f")
    with pytest.raises(tex.TeXError):
        tex.sandboxed_pdflatex(doc % "\\input{/etc/hostname}")
    pdf = tex.sandboxed_pdflatex(doc % f"\\immediate\\write18{{touch {tmp_path}/pwned}}")
    assert pdf.startswith(b"%PDF") and not (tmp_path / "pwned").exists()
    assert not (tmp_path / "w.txt").exists()


@needs_pdflatex
def test_sandbox_kills_a_looping_document_at_its_time_limit():
    with pytest.raises(tex.TeXError, match="did not finish within 2 s"):
        tex.sandboxed_pdflatex("\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}",
                               seconds=2)


def test_report_pdf_without_pdflatex_fails_before_writing_anything(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PATH=str(tmp_path))  # no pdflatex on this PATH
    run = subprocess.run([sys.executable, "-m", "symderiv", "report", "004", "--pdf", "--out", str(out)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert "texlive-latex-base texlive-latex-recommended" in run.stderr
    assert not out.exists()


@pytest.mark.parametrize("latex", [r"\left( a", r"a \right)", r"\begin{pmatrix} a"])
def test_maths_pdflatex_would_stop_on_is_shown_as_source(latex):
    # -halt-on-error would lose the whole report over one unmatched \left or \begin
    assert not tex.safe_math(latex)


@pytest.mark.parametrize("maths", [r"e^z^2 = e^{z^2}", r"a_1_2 = 3", r"z = \sqrt", r"\hat", r"\left z = 1"])
def test_maths_tex_rejects_is_replaced_by_its_source_at_the_line_pdflatex_names(maths):
    doc = "\\documentclass{article}\n\\begin{document}\n\\[ x = 1 \\]\n\\[ " + maths + " \\]\n\\end{document}\n"
    repaired = tex._maths_shown_as_source(doc, 4)
    assert "\\[ x = 1 \\]" in repaired                      # the good display stays maths
    assert "\\texttt{" in repaired and "\\[ " + maths not in repaired
    assert tex._maths_shown_as_source(doc, 1) is None        # no maths on that line: nothing to repair


def test_very_long_maths_is_shown_as_shortened_source():
    long = "a + " * 10_000 + "a"
    assert not tex.safe_math(long)
    assert len(tex.verbatim(long)) < 3 * tex.MAX_VERBATIM_CHARS


@needs_pdflatex
def test_one_display_tex_rejects_costs_only_that_display_not_the_pdf(tmp_path):
    source = (r"\documentclass{article}\usepackage{amsmath}" + "\n\\begin{document}\n"
              + "\\[ e^z^2 = e^{z^2} \\]\n\\[ a_1_2 = 3 \\]\n\\[ \\left z = 1 \\]\n\\[ x = 1 \\]\n\\end{document}\n")
    pdf = tex.compile_pdf(source, "doc")
    assert pdf.startswith(b"%PDF")


@needs_pdflatex
def test_the_indicator_mathbb_1_is_typeset_as_a_one_not_a_stray_glyph(tmp_path):
    from symderiv.engine.render import PREAMBLE
    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(tex.compile_pdf(PREAMBLE + "\\begin{document}\n$\\mathbb{1}(z > 0) + \\mathbb{R}$\n\\end{document}\n"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else "1"
    assert "1" in text and "\u22ae" not in text
