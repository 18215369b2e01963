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

from . import files, latexdiff, tex
from ..documents.check import check_note
from ..documents.claims import Result, claim_text
from ..verify.verdict import internal_cause, internal_reason
from .explain import CLOSE, OPEN, counterexample_rows, plain_reason, short_reason
from ..engine.render import (PREAMBLE, derivation_latex_body, derivation_markdown, markdown_text, text_escape,
                             why_latex, why_markdown)
from ..errors import DocumentError

# Commands the notes use that the base TeX packages lack: shown as the plain content.
EXTRA_PREAMBLE = r"""\usepackage{graphicx}
\sloppy
\usepackage{longtable}
\usepackage{array}
\usepackage[table]{xcolor}
\definecolor{wrong}{rgb}{0.80,0.05,0.05}
\definecolor{fixed}{rgb}{0.00,0.35,0.85}
\definecolor{right}{rgb}{0.00,0.50,0.15}
\definecolor{muted}{rgb}{0.45,0.45,0.45}
\newcommand{\removed}[1]{\textcolor{wrong}{#1}}
\newcommand{\added}[1]{\textcolor{fixed}{#1}}
\providecommand{\cancel}[1]{#1}
\providecommand{\checkmark}{\surd}
\newcommand{\fitline}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{$\displaystyle #1$}}
"""
# The corrected copy: room in the right margin for the marks.
CORRECTED_PREAMBLE = r"""\geometry{left=2cm,right=4.2cm,marginparwidth=3.2cm,marginparsep=4mm}
"""

VERDICT_MARK = {"correct": "correct", "incorrect": "INCORRECT", "unverifiable": "unverifiable"}
VERDICT_COLOUR = {"correct": "right", "incorrect": "wrong", "unverifiable": "muted"}
LEGEND = ("In each erratum the parts of the note's line that the correction changes are in red, "
          "and the parts the correction puts in their place in blue.")


# ---------------------------------------------------------------- what each result says
def correction(r: Result) -> str | None:
    """The corrected line (in the note's own symbols, checked again), or None when there is none."""
    if r.verdict != "incorrect" or not r.corrected_latex:
        return None
    return r.corrected_latex.strip() or None


def entry_results(note, results: list[Result]) -> list[tuple[object, list[Result]]]:
    """(entry, its results) in the note's order: an entry's links are its id or its id with ".k"."""
    out = []
    for entry in note.entries:
        mine = [r for r in results if r.source_latex == entry.source_latex
                and (r.id == entry.id or r.id.startswith(entry.id + "."))]
        out.append((entry, mine))
    return out


def _first_link(results: list[Result], r: Result) -> bool:
    k = results.index(r)
    return k == 0 or results[k - 1].source_latex != r.source_latex


_LAYOUT_TOKEN = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}|\\\\|&|\\.", re.DOTALL)


def _math_of(latex: str) -> str:
    """The line without its alignment marks and line breaks (which cannot appear inside \resizebox),
    except inside environments such as cases and matrices, whose rows need them."""
    out, depth, last = [], 0, 0
    for token in _LAYOUT_TOKEN.finditer(latex):
        text = token.group(0)
        if text.startswith("\\begin"):
            depth += 1
        elif text.startswith("\\end"):
            depth -= 1
        elif text in ("\\\\", "&") and depth <= 0:
            out.append(latex[last:token.start()] + " ")
            last = token.end()
    out.append(latex[last:])
    return "".join(out)


def _display(latex: str) -> str:
    """The line as maths when it is safe to typeset (tex.safe_math), else as its escaped source in a
    paragraph of its own."""
    math = " ".join(_math_of(latex).split())
    if tex.safe_math(math):
        return r"\[ \fitline{" + math + r"} \]"
    return "\n" + r"\par\noindent" + tex.verbatim(latex) + r"\par" + "\n"


def highlighted_pair(old: str, new: str) -> tuple[str, str] | None:
    """The two lines as display maths with the changed units wrapped in \\removed / \\added, or None
    when either is not safe maths (the caller then shows them plainly)."""
    a, b = latexdiff.diff(_math_of(old), _math_of(new))
    out = []
    for side, macro in ((a, r"\removed"), (b, r"\added")):
        if not tex.safe_math(latexdiff.marked(side.units, frozenset(), None)):
            return None
        math = latexdiff.marked(side.units, side.changed, lambda u, m=macro: m + "{" + u + "}")
        tex.check_math(math.replace(macro, ""))     # only our macro was added, around balanced units
        out.append(r"\[ \fitline{" + math + r"} \]")
    return out[0], out[1]


def highlighted_markdown(old: str, new: str) -> tuple[str, str, str]:
    """(old, new, list of changes) for Markdown: changed units in bold, and each change spelt out."""
    a, b = latexdiff.diff(_math_of(old), _math_of(new))
    bold = lambda u: r"\boldsymbol{" + u + "}"
    listed = "; ".join(_change_text(x, y) for x, y in latexdiff.changes(a, b))
    return (latexdiff.marked(a.units, a.changed, bold), latexdiff.marked(b.units, b.changed, bold), listed)


def _change_text(removed: str, inserted: str) -> str:
    if not inserted:
        return f"`{removed}` removed"
    if not removed:
        return f"`{inserted}` inserted"
    return f"`{removed}` → `{inserted}`"


_MARKED = re.compile(f"{OPEN}(.*?){CLOSE}", re.DOTALL)


def reason_latex(text: str) -> str:
    """A plain reason for LaTeX text mode: its marked maths inline where the allow list lets it through."""
    out = []
    for k, piece in enumerate(_MARKED.split(text)):
        out.append((f"${piece}$" if tex.safe_math(piece) else text_escape(piece)) if k % 2 else why_latex(piece))
    return "".join(out)


def reason_markdown(text: str) -> str:
    return "".join(f"${piece}$" if k % 2 else why_markdown(piece) for k, piece in enumerate(_MARKED.split(text)))


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


def _pair_latex(old: str, new: str) -> tuple[str, str]:
    pair = highlighted_pair(old, new)
    return pair if pair else (_display(old), _display(new))


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
        old, new = _pair_latex(r.link, fixed)
        if not _same_line(r):
            parts += [r"\textit{The note's line:}", _display(claim_text(r.source_latex))] if first else []
        parts += [r"\textit{The note's line:}" if _same_line(r) else r"\textit{The step checked here:}", old,
                  r"\textit{Corrected:}", new]
    else:
        parts += [r"\textit{The note's line:}", _display(claim_text(r.source_latex))] if first else []
        if not _same_line(r):
            parts += [r"\textit{The step checked here:}", _display(r.link)]
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
    body += [isolated(_entry_latex, r, _first_link(results, r)) for r in results]
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
        lines += ["The note's line:", "", "$$", _math_of(claim_text(r.source_latex)), "$$", ""]
    fixed = correction(r)
    if fixed:
        old, new, listed = highlighted_markdown(r.link, fixed)
        label = "The note's line" if _same_line(r) else "The step checked here"
        lines += [f"{label} (changed parts in bold):", "", "$$", old, "$$", "",
                  "Corrected:", "", "$$", new, "$$", "", f"Changed: {listed}.", ""]
    elif not _same_line(r):
        lines += ["The step checked here:", "", "$$", _math_of(r.link), "$$", ""]
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
        lines += isolated(_entry_markdown, r, _first_link(results, r))
    if note.questions:
        lines += ["## The reader's questions", ""]
        lines += [f"**{q.question}** {q.answer}" + "\n" for q in note.questions]
    lines.append(derivation_markdown(note.flags.network().derivation()).replace("# ", "## ", 1))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the corrected copy
CORRECTED_INTRO = ("The note's displayed equations in order. Every erratum for which symderiv found a "
                   "correction is replaced by it (the correction was itself checked); the margin says so, "
                   "and the changed parts are in blue, with the line as the note wrote it below in small "
                   "print. An erratum without a correction, and a line symderiv could not read, are left "
                   "as written and marked in the margin.")


def _mark(state: str) -> str:
    """What the margin (or the Markdown marker) says about an entry: corrected, incorrect, not checked."""
    return {"corrected": "corrected", "incorrect": "incorrect: no correction found",
            "unverifiable": "not checked"}.get(state, "")


def entry_state(rs: list[Result]) -> str:
    if any(correction(r) for r in rs):
        return "corrected"
    if any(r.verdict == "incorrect" for r in rs):
        return "incorrect"
    if rs and all(r.verdict == "unverifiable" for r in rs):
        return "unverifiable"
    return "correct"


MARK_COLOUR = {"corrected": "fixed", "incorrect": "wrong", "unverifiable": "muted"}


def _margin(state: str, rs: list[Result], entry_id: str) -> str:
    """The margin mark of an entry: what happened to it, and the ids of its lines."""
    if state == "correct":
        return ""
    text = _mark(state)
    ids = ", ".join(r.id for r in rs if correction(r)) or entry_id
    # a long id (dJtilde/dz2.chain.1) may break after its dots and slashes, not run into the page edge
    breakable = re.sub(r"([./])", r"\1\\allowbreak{}", text_escape(ids))
    return (rf"\marginpar{{\raggedright\small\textcolor{{{MARK_COLOUR[state]}}}{{{text_escape(text)}}}"
            rf"\\ \texttt{{{breakable}}}}}")


def corrected_latex(note, results: list[Result]) -> str:
    body = [rf"\title{{Note {text_escape(str(note.id))}, corrected}}", r"\date{}", r"\maketitle",
            rf"\textit{{{text_escape(note.title)}}}", "", text_escape(CORRECTED_INTRO), ""]
    for entry, rs in entry_results(note, results):
        state = entry_state(rs)
        margin = _margin(state, rs, entry.id)
        if state != "corrected":
            body += [(r"\noindent" + margin) if margin else "", _display(claim_text(entry.source_latex)), ""]
            continue
        for r in (r for r in rs if correction(r)):
            body += [r"\noindent" + margin, _pair_latex(r.link, correction(r))[1]]
            margin = ""                      # one mark per entry
        body += [r"{\small\textcolor{muted}{The note wrote:}}",
                 r"{\small" + _display(claim_text(entry.source_latex)) + "}", ""]
    return PREAMBLE + EXTRA_PREAMBLE + CORRECTED_PREAMBLE + "\\begin{document}\n" + "\n".join(body) + \
        "\n\\end{document}\n"


def corrected_markdown(note, results: list[Result]) -> str:
    lines = [f"# Note {markdown_text(str(note.id))}, corrected", "", f"*{markdown_text(note.title)}*", "", CORRECTED_INTRO.replace(
        "the margin says so, and the changed parts are in blue, with the line as the note wrote it below in "
        "small print", "a marker says so, the changed parts are in bold, and the line as the note wrote it "
        "follows").replace("marked in the margin", "marked"), ""]
    for entry, rs in entry_results(note, results):
        state = entry_state(rs)
        if state == "corrected":
            for r in rs:
                fixed = correction(r)
                if fixed:
                    _, new, listed = highlighted_markdown(r.link, fixed)
                    lines += ["$$", new, "$$", "", f"> **corrected** (`{r.id}`): {listed}. The note wrote:",
                              ">", f"> $$ {_math_of(claim_text(entry.source_latex))} $$", ""]
            continue
        lines += ["$$", _math_of(claim_text(entry.source_latex)), "$$", ""]
        if state != "correct":
            lines += [f"> **{_mark(state)}** (`{entry.id}`): {reason_markdown(plain_reason(rs[0].cause, rs[0].reason) if rs else plain_reason(None, ''))}.", ""]
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
