"""Reports: ``symderiv report`` writes, per note (or user's document), a report and a corrected copy.

The report (``noteNNN.tex`` / ``.md``, ``.pdf`` with ``--pdf``) is written for a
student: the note's model in one paragraph; a summary table (line, verdict,
one-line reason in plain words); then line by line the note's line and, for an
erratum, the corrected line under it with the changed parts highlighted
(colour in the PDF, bold and a list of changes in Markdown: latexdiff.py);
the reason in plain words and, where the two sides disagree, a small table of
the values (explain.py); then the full derivation of the note's model from the
engine, step by step. The corrected copy (``noteNNN-corrected.*``) is the
note's equations in order with every erratum replaced by its correction and
marked in the margin.

Note text reaches the .tex only through ``tex``: prose escaped, maths typeset
only when it passes the allow list, and the whole body audited before it is
written. Highlighting adds only this module's own ``\\removed``/``\\added``
macros around units of maths that passed the allow list, and the result is
checked again. Files are written through ``files``: atomically, never through
a symlink, and only into a folder symderiv owns (or with ``force``).
"""
from __future__ import annotations

import pathlib
import re
from dataclasses import replace

from . import files, tex
from .corrected import corrected_latex, corrected_markdown
from ..documents.check import check_note
from ..documents.claims import Result, claim_text
from ..verify.verdict import internal_cause, internal_reason
from .explain import counterexample_rows, plain_reason, short_reason
from .lines import (EXTRA_PREAMBLE, correction, display, first_link, highlighted_markdown, math_of, pair_latex,
                    reason_latex, reason_markdown)
from ..engine.render import (PREAMBLE, derivation_latex_body, derivation_markdown, markdown_text, text_escape,
                             why_latex, why_markdown)
from ..errors import DocumentError

VERDICT_MARK = {"correct": "correct", "incorrect": "INCORRECT", "unverifiable": "unverifiable"}
VERDICT_COLOUR = {"correct": "right", "incorrect": "wrong", "unverifiable": "muted"}
LEGEND = ("In each erratum the parts of the note's line that the correction changes are in red, "
          "and the parts the correction puts in their place in blue.")


# ---------------------------------------------------------------- the report, in LaTeX
def _verdict_latex(verdict: str) -> str:
    return rf"\textcolor{{{VERDICT_COLOUR[verdict]}}}{{{VERDICT_MARK[verdict]}}}"


def summary_latex(results: list[Result]) -> str:
    """The summary table: line, verdict, one-line reason."""
    rows = [rf"\texttt{{{text_escape(r.id)}}} & {_verdict_latex(r.verdict)} & {reason_latex(short_reason(r.cause, r.reason))} \\"
            for r in results]
    return "\n".join([r"{\small\begin{longtable}{@{}>{\raggedright}p{0.26\linewidth}p{0.14\linewidth}"
                      r">{\raggedright\arraybackslash}p{0.54\linewidth}@{}}",
                      r"\textbf{line} & \textbf{verdict} & \textbf{why} \\ \hline \endhead"] + rows +
                     [r"\end{longtable}}"])


def counterexample_latex(r: Result) -> str:
    rows = counterexample_rows(r.counterexample, r.cause)
    if not rows:
        return ""
    body = "\n".join(rf"{text_escape(what)} & {reason_latex(value)} \\" for what, value in rows)
    return ("\n" + r"\textit{Where the two sides disagree:}\\[2pt]" + "\n" + r"{\small\begin{tabular}{@{}l>{\raggedright\arraybackslash}p{0.62\linewidth}@{}}"
            + "\n" + body + "\n" + r"\end{tabular}}" + "\n")


def _same_line(r: Result) -> bool:
    """Is the checked link the note's whole line (one equation, no chain)?"""
    return " ".join(r.link.split()) == " ".join(claim_text(r.source_latex).split())


def isolated(write, r: Result, first: bool):
    """One result written by ``write``; a failure while writing it (a bug of ours) writes that line as
    not checked, with the failure as its reason, and the other lines are written as usual."""
    try:
        return write(r, first)
    except Exception as exc:
        return write(replace(r, verdict="unverifiable", reason=internal_reason(exc), corrected_latex=None,
                             diagnosis=[], counterexample=None, diagnostics=[], cause=internal_cause(exc), fix=None), first)


def _entry_latex(r: Result, first: bool) -> str:
    parts = [rf"\subsection*{{{text_escape(r.id)}: {_verdict_latex(r.verdict)}}}"]
    fixed = correction(r)
    if fixed:
        old, new = pair_latex(r.link, fixed)
        if not _same_line(r):
            parts += [r"\textit{The note's line:}", display(claim_text(r.source_latex))] if first else []
        parts += [r"\textit{The note's line:}" if _same_line(r) else r"\textit{The step checked here:}", old,
                  r"\textit{Corrected:}", new]
    else:
        parts += [r"\textit{The note's line:}", display(claim_text(r.source_latex))] if first else []
        if not _same_line(r):
            parts += [r"\textit{The step checked here:}", display(r.link)]
    parts.append(rf"\textit{{Why:}} {reason_latex(plain_reason(r.cause, r.reason))}.")
    parts.append(counterexample_latex(r))
    if r.why:
        parts.append(rf"\textit{{Reader's note:}} {why_latex(r.why)}.")
    return "\n".join(p for p in parts if p) + "\n"


def note_latex(note, results: list[Result]) -> str:
    derivation = note.flags.network().derivation()
    body = [rf"\title{{symderiv report: note {text_escape(str(note.id))}}}", r"\date{}", r"\maketitle",
            rf"\textit{{{text_escape(note.title)}}}",
            r"\section*{The note's model}", why_latex(note.model),
            r"\section*{Summary}", text_escape(_summary(results)), "", summary_latex(results),
            r"\section*{Line by line}", text_escape(LEGEND), ""]
    body += [isolated(_entry_latex, r, first_link(results, r)) for r in results]
    if note.questions:                  # a reader's questions, kept with their note
        body.append(r"\section*{The reader's questions}")
        body += [rf"\paragraph{{{text_escape(q.question)}}} {q.answer}" for q in note.questions]
    body.append(derivation_latex_body(derivation))
    return PREAMBLE + EXTRA_PREAMBLE + "\\begin{document}\n" + "\n".join(body) + "\n\\end{document}\n"


# ---------------------------------------------------------------- the report, in Markdown
def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def summary_markdown(results: list[Result]) -> list[str]:
    lines = ["| line | verdict | why |", "|---|---|---|"]
    lines += [f"| `{_cell(r.id)}` | {VERDICT_MARK[r.verdict]} | {_cell(reason_markdown(short_reason(r.cause, r.reason)))} |"
              for r in results]
    return lines + [""]


def counterexample_markdown(r: Result) -> list[str]:
    rows = counterexample_rows(r.counterexample, r.cause)
    if not rows:
        return []
    return ["Where the two sides disagree:", "", "| | |", "|---|---|"] + \
        [f"| {_cell(what)} | {_cell(reason_markdown(value))} |" for what, value in rows] + [""]


def _entry_markdown(r: Result, first: bool) -> list[str]:
    lines = [f"### {r.id}: {VERDICT_MARK[r.verdict]}", ""]
    if first and not (correction(r) and _same_line(r)):
        lines += ["The note's line:", "", "$$", math_of(claim_text(r.source_latex)), "$$", ""]
    fixed = correction(r)
    if fixed:
        old, new, listed = highlighted_markdown(r.link, fixed)
        label = "The note's line" if _same_line(r) else "The step checked here"
        lines += [f"{label} (changed parts in bold):", "", "$$", old, "$$", "",
                  "Corrected:", "", "$$", new, "$$", "", f"Changed: {listed}.", ""]
    elif not _same_line(r):
        lines += ["The step checked here:", "", "$$", math_of(r.link), "$$", ""]
    lines += [f"Why: {reason_markdown(plain_reason(r.cause, r.reason))}.", ""]
    lines += counterexample_markdown(r)
    if r.why:
        lines += [f"Reader's note: {why_markdown(r.why)}.", ""]
    return lines


def note_markdown(note, results: list[Result]) -> str:
    lines = [f"# symderiv report: note {markdown_text(str(note.id))}", "", f"*{markdown_text(note.title)}*", "",
             "## The note's model", "", why_markdown(note.model), "", "## Summary", "", _summary(results), ""]
    lines += summary_markdown(results)
    lines += ["## Line by line", "", "In each erratum the changed parts are in bold, and listed under the "
              "correction.", ""]
    for r in results:
        lines += isolated(_entry_markdown, r, first_link(results, r))
    if note.questions:
        lines += ["## The reader's questions", ""]
        lines += [f"**{q.question}** {q.answer}" + "\n" for q in note.questions]
    lines.append(derivation_markdown(note.flags.network().derivation()).replace("# ", "## ", 1))
    return "\n".join(lines) + "\n"


def _summary(results: list[Result]) -> str:
    counts = {v: sum(r.verdict == v for r in results) for v in VERDICT_MARK}
    return (f"{len(results)} checked lines (chains split into links): {counts['correct']} correct, "
            f"{counts['incorrect']} incorrect, {counts['unverifiable']} unverifiable.")


_NOTE_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


def report_names(note, pdf: bool = False) -> list[str]:
    """The file names a note's report and its corrected copy take in the output folder:
    noteNNN.tex, .md, noteNNN-corrected.tex, .md, then the two PDFs with ``pdf``."""
    nid = str(note.id)
    if not _NOTE_ID.fullmatch(nid):  # it becomes a file name: no paths, no dots
        raise DocumentError(f"note id {nid[:40]!r} must be 1-40 letters, digits, '-' or '_'")
    stems = (f"note{nid}", f"note{nid}-corrected")
    return [f"{stems[0]}.tex", f"{stems[0]}.md", f"{stems[1]}.tex", f"{stems[1]}.md"] + \
        ([f"{stems[0]}.pdf", f"{stems[1]}.pdf"] if pdf else [])


def write_report(note, out: pathlib.Path, pdf: bool = False, force: bool = False,
                 results=None) -> list[pathlib.Path]:
    """Check the note now (unless its ``results`` are given) and write its report into ``out``
    (see ``files.claim_folder``)."""
    if pdf:
        tex.require_pdflatex()
    files.claim_folder(out, report_names(note, pdf), force)
    return _write_note(note, pathlib.Path(out), pdf, results)


def _write_note(note, out: pathlib.Path, pdf: bool, results=None) -> list[pathlib.Path]:
    results = check_note(note) if results is None else results
    report, clean = note_latex(note, results), corrected_latex(note, results)
    for latex in (report, clean):
        tex.audit_document(latex)  # before anything of this note is written
    names = report_names(note, pdf)
    written = [files.write_atomic(out / names[0], report),
               files.write_atomic(out / names[1], note_markdown(note, results)),
               files.write_atomic(out / names[2], clean),
               files.write_atomic(out / names[3], corrected_markdown(note, results))]
    if pdf:  # after the .tex, so that a failed compile leaves the source to look at
        for latex, name in ((report, names[4]), (clean, names[5])):
            try:
                pdf_bytes = tex.compile_pdf(latex, name[:-4])
            except tex.TeXError as exc:
                raise tex.TeXError(f"note {note.id}: {exc}") from None
            written.append(files.write_atomic(out / name, pdf_bytes))
    return written


def write_reports(notes, out: str | pathlib.Path, pdf: bool = False, force: bool = False):
    """Write the reports of the loaded notes into the folder ``out``, yielding (note, the files written)
    as each note is done (a generator: nothing happens until it is iterated). The first step refuses,
    before anything is written, a missing pdflatex when ``pdf`` is asked for and a folder holding files
    symderiv did not write (unless ``force``)."""
    if pdf:  # fail before anything is written
        tex.require_pdflatex()
    out = pathlib.Path(out)
    files.claim_folder(out, [name for note in notes for name in report_names(note, pdf)], force)
    for note in notes:
        yield note, _write_note(note, out, pdf)
