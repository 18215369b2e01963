"""The corrected copy of a note (``noteNNN-corrected.tex`` / ``.md``): the note's equations in order, every
erratum replaced by its checked correction and marked in the margin (or by a marker in Markdown).
"""
from __future__ import annotations

import re

from ..documents.claims import Result, claim_text
from ..engine.render import PREAMBLE, markdown_text, text_escape
from .explain import plain_reason
from .lines import (EXTRA_PREAMBLE, correction, display, entry_results, highlighted_markdown, math_of, pair_latex,
                    reason_markdown)

# The corrected copy: room in the right margin for the marks.
CORRECTED_PREAMBLE = r"""\geometry{left=2cm,right=4.2cm,marginparwidth=3.2cm,marginparsep=4mm}
"""


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
            body += [(r"\noindent" + margin) if margin else "", display(claim_text(entry.source_latex)), ""]
            continue
        for r in (r for r in rs if correction(r)):
            body += [r"\noindent" + margin, pair_latex(r.link, correction(r))[1]]
            margin = ""                      # one mark per entry
        body += [r"{\small\textcolor{muted}{The note wrote:}}",
                 r"{\small" + display(claim_text(entry.source_latex)) + "}", ""]
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
                              ">", f"> $$ {math_of(claim_text(entry.source_latex))} $$", ""]
            continue
        lines += ["$$", math_of(claim_text(entry.source_latex)), "$$", ""]
        if state != "correct":
            lines += [f"> **{_mark(state)}** (`{entry.id}`): {reason_markdown(plain_reason(rs[0].cause, rs[0].reason) if rs else plain_reason(None, ''))}.", ""]
    return "\n".join(lines) + "\n"
