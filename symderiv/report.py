"""Reports: ``symderiv report`` writes, per note, a LaTeX document and a Markdown twin.

Each report has the note's model in one paragraph, the line-by-line table
(the note's line as written, the checker's verdict, the corrected line, the
reason and a counterexample for every erratum), and then the full derivation
of the note's model from the engine, step by step. With ``--pdf`` the LaTeX is
compiled with pdflatex (tex.compile_pdf: a private folder, no shell escape, a
time limit).

Note text reaches the .tex only through ``tex``: prose escaped, maths typeset
only when it passes the allow list, and the whole body audited before it is
written. Files are written through ``files``: atomically, never through a
symlink, and only into a folder symderiv owns (or with ``force``).
"""
from __future__ import annotations

import json
import pathlib
import re

from . import files, tex
from .check import Result, check_note, claim_text
from .render import PREAMBLE, derivation_latex_body, derivation_markdown, text_escape, why_latex, why_markdown

# Commands the notes use that the base TeX packages lack: shown as the plain content.
EXTRA_PREAMBLE = r"""\usepackage{graphicx}
\sloppy
\usepackage{longtable}
\providecommand{\cancel}[1]{#1}
\providecommand{\checkmark}{\surd}
\newcommand{\fitline}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{$\displaystyle #1$}}
"""

VERDICT_MARK = {"correct": "correct", "incorrect": "INCORRECT", "unverifiable": "unverifiable"}

def _counterexample_text(r: Result) -> str:
    if not r.counterexample:
        return ""
    return json.dumps(r.counterexample, ensure_ascii=False)


def _first_link(results: list[Result], r: Result) -> bool:
    k = results.index(r)
    return k == 0 or results[k - 1].source_latex != r.source_latex


def _entry_latex(r: Result, first: bool) -> str:
    head = [r"\textit{The note's line:}", _display(claim_text(r.source_latex))] if first else []
    parts = [rf"\paragraph{{{text_escape(r.id)}: {VERDICT_MARK[r.verdict]}}}"] + head + [
             r"\textit{As checked (in symderiv's notation):}", _display(r.link),
             rf"\textit{{Reason:}} {why_latex(r.reason)}"]
    if r.corrected_latex:
        parts += [r"\textit{Corrected:}", _display(r.corrected_latex)]
    if r.counterexample:
        parts.append(r"\textit{Counterexample:} {\small\texttt{" + text_escape(_counterexample_text(r))
                     + r"}}")
    return "\n".join(parts) + "\n"


def _math_of(latex: str) -> str:
    # Alignment markers and line breaks cannot appear inside \resizebox.
    return latex.replace("\\\\", " ").replace("&", "")


def _display(latex: str) -> str:
    """The line as maths when it is safe to typeset on its own, else as its escaped LaTeX source."""
    if "\\begin{cases}" in latex:  # its rows need the & and \\ that \fitline cannot hold
        return tex.verbatim(latex)
    return tex.display(latex, wrap=lambda m: r"\[ \fitline{" + m + r"} \]",
                       prepare=lambda m: " ".join(_math_of(m).split()))


def note_latex(note, results: list[Result]) -> str:
    derivation = note.FLAGS.network().derivation()
    body = [rf"\title{{symderiv report: note {text_escape(str(note.NOTE_ID))}}}", r"\date{}", r"\maketitle",
            r"\section*{The note's model}", why_latex(note.MODEL),
            r"\section*{Line by line}", text_escape(_summary(results)), ""]
    body += [_entry_latex(r, _first_link(results, r)) for r in results]
    questions = getattr(note, "QUESTIONS", ())     # a reader's questions, kept with their note
    if questions:
        body.append(r"\section*{The reader's questions}")
        body += [rf"\paragraph{{{text_escape(q)}}} {a}" for q, a in questions]
    body.append(derivation_latex_body(derivation))
    return PREAMBLE + EXTRA_PREAMBLE + "\\begin{document}\n" + "\n".join(body) + "\n\\end{document}\n"


def note_markdown(note, results: list[Result]) -> str:
    lines = [f"# symderiv report: note {note.NOTE_ID}", "", f"*{note.TITLE}*", "",
             "## The note's model", "", note.MODEL, "", "## Line by line", "", _summary(results), ""]
    for r in results:
        if _first_link(results, r):
            lines += ["The note's line:", "", "$$", _math_of(claim_text(r.source_latex)), "$$", ""]
        lines += [f"### {r.id}: {VERDICT_MARK[r.verdict]}", "", "As checked (in symderiv's notation):", "",
                  "$$", _math_of(r.link), "$$", "",
                  f"Reason: {why_markdown(r.reason)}", ""]
        if r.corrected_latex:
            lines += ["Corrected:", "", "$$", r.corrected_latex, "$$", ""]
        if r.counterexample:
            lines += [f"Counterexample: `{_counterexample_text(r)}`", ""]
    questions = getattr(note, "QUESTIONS", ())
    if questions:
        lines += ["## The reader's questions", ""]
        lines += [f"**{q}** {a}" + "\n" for q, a in questions]
    lines.append(derivation_markdown(note.FLAGS.network().derivation()).replace("# ", "## ", 1))
    return "\n".join(lines) + "\n"


def _summary(results: list[Result]) -> str:
    counts = {v: sum(r.verdict == v for r in results) for v in VERDICT_MARK}
    return (f"{len(results)} checked lines (chains split into links): {counts['correct']} correct, "
            f"{counts['incorrect']} incorrect, {counts['unverifiable']} unverifiable.")


_NOTE_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


def report_names(note, pdf: bool = False) -> list[str]:
    """The file names a note's report takes in the output folder."""
    nid = str(note.NOTE_ID)
    if not _NOTE_ID.fullmatch(nid):  # it becomes a file name: no paths, no dots
        raise ValueError(f"note id {nid[:40]!r} must be 1-40 letters, digits, '-' or '_'")
    return [f"note{nid}.{ext}" for ext in ("tex", "md") + (("pdf",) if pdf else ())]


def write_report(note, out: pathlib.Path, pdf: bool = False, force: bool = False) -> list[pathlib.Path]:
    """Check the note now and write its report into ``out`` (see ``files.claim_folder``)."""
    if pdf:
        tex.require_pdflatex()
    files.claim_folder(out, report_names(note, pdf), force)
    return _write_note(note, pathlib.Path(out), pdf)


def _write_note(note, out: pathlib.Path, pdf: bool) -> list[pathlib.Path]:
    results = check_note(note)
    latex = note_latex(note, results)
    tex.audit_document(latex)  # before anything of this note is written
    names = report_names(note, pdf)
    written = [files.write_atomic(out / names[0], latex),
               files.write_atomic(out / names[1], note_markdown(note, results))]
    if pdf:  # after the .tex, so that a failed compile leaves the source to look at
        try:
            pdf_bytes = tex.compile_pdf(latex, f"note{note.NOTE_ID}")
        except tex.TeXError as exc:
            raise tex.TeXError(f"note {note.NOTE_ID}: {exc}") from None
        written.append(files.write_atomic(out / names[2], pdf_bytes))
    return written


def cli_report(args, notes) -> int:
    """Write the reports of the loaded notes into ``args.out``."""
    if args.pdf:  # fail before anything is written
        tex.require_pdflatex()
    out = pathlib.Path(args.out)
    files.claim_folder(out, [name for note in notes for name in report_names(note, args.pdf)],
                       getattr(args, "force", False))
    for note in notes:
        written = _write_note(note, out, args.pdf)
        print(f"note {note.NOTE_ID}: " + ", ".join(str(f) for f in written))
    return 0
