"""Reports: ``symderiv report`` writes, per note, a LaTeX document and a Markdown twin.

Each report has the note's model in one paragraph, the line-by-line table
(the note's line as written, the checker's verdict, the corrected line, the
reason and a counterexample for every erratum), and then the full derivation
of the note's model from the engine, step by step. With ``--pdf`` the LaTeX is
compiled with pdflatex when it is installed.
"""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

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


def _balanced(latex: str) -> bool:
    depth = 0
    for pos, ch in enumerate(latex):
        if pos and latex[pos - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0 and "\\begin{cases}" not in latex


def _display(latex: str) -> str:
    """The line as maths when it can be typeset on its own, else as its LaTeX source."""
    if _balanced(latex):
        return r"\[ \fitline{" + _math_of(latex) + r"} \]"
    return r"{\small\texttt{" + text_escape(latex) + r"}}"


def note_latex(note, results: list[Result]) -> str:
    derivation = note.FLAGS.network().derivation()
    body = [rf"\title{{symderiv report: note {note.NOTE_ID}}}", r"\date{}", r"\maketitle",
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


def write_report(note, out: pathlib.Path, pdf: bool = False) -> list[pathlib.Path]:
    results = check_note(note)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"note{note.NOTE_ID}"
    tex, md = out / f"{stem}.tex", out / f"{stem}.md"
    tex.write_text(note_latex(note, results), encoding="utf-8")
    md.write_text(note_markdown(note, results), encoding="utf-8")
    written = [tex, md]
    if pdf:
        written.append(compile_pdf(tex))
    return written


def compile_pdf(tex: pathlib.Path) -> pathlib.Path:
    if shutil.which("pdflatex") is None:
        raise ValueError("--pdf needs pdflatex: install TeX (texlive-latex-base texlive-latex-recommended)")
    for _ in range(2):  # twice, for the title block and references
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                             cwd=tex.parent, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        lines = [ln for ln in run.stdout.splitlines() if ln.startswith("!")]
        raise ValueError(f"pdflatex failed on {tex}: {lines[0] if lines else 'see the .log'}")
    return tex.with_suffix(".pdf")


def cli_report(args, notes) -> int:
    """Write the reports of the loaded notes into ``args.out``."""
    out = pathlib.Path(args.out)
    for note in notes:
        files = write_report(note, out, pdf=args.pdf)
        print(f"note {note.NOTE_ID}: " + ", ".join(str(f) for f in files))
    return 0
