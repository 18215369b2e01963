"""How a report shows one checked line: its correction, the line as display maths (or its escaped source
when the allow list refuses it), the changed parts of an erratum highlighted (LaTeX colour, Markdown bold),
and a plain reason with its maths inline. report.py (the report) and corrected.py (the corrected copy)
both show lines this way.
"""
from __future__ import annotations

import re

from . import latexdiff, tex
from ..documents.claims import Result
from ..engine.render import text_escape, why_latex, why_markdown
from .explain import CLOSE, OPEN

# Packages the notes need beyond the base TeX ones, and the highlighting macros: in every .tex we write.
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


def first_link(results: list[Result], r: Result) -> bool:
    k = results.index(r)
    return k == 0 or results[k - 1].source_latex != r.source_latex


_LAYOUT_TOKEN = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}|\\\\|&|\\.", re.DOTALL)


def math_of(latex: str) -> str:
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


def display(latex: str) -> str:
    """The line as maths when it is safe to typeset (tex.safe_math), else as its escaped source in a
    paragraph of its own."""
    math = " ".join(math_of(latex).split())
    if tex.safe_math(math):
        return r"\[ \fitline{" + math + r"} \]"
    return "\n" + r"\par\noindent" + tex.verbatim(latex) + r"\par" + "\n"


def highlighted_pair(old: str, new: str) -> tuple[str, str] | None:
    """The two lines as display maths with the changed units wrapped in \\removed / \\added, or None
    when either is not safe maths (the caller then shows them plainly)."""
    a, b = latexdiff.diff(math_of(old), math_of(new))
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
    a, b = latexdiff.diff(math_of(old), math_of(new))
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


def pair_latex(old: str, new: str) -> tuple[str, str]:
    pair = highlighted_pair(old, new)
    return pair if pair else (display(old), display(new))
