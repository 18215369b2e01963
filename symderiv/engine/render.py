"""Printing derivations: LaTeX, Markdown (GitHub ``$$`` math) and plain text.

``StepPrinter`` is SymPy's LaTeX printer with the notation of backprop texts:
``W^{(l)}_{ji}`` for matrix entries, ``\\sum_{j}`` for sums over all units of a
layer, ``(W^{(l+1)})^{T}``, ``\\odot`` for the Hadamard product, and
``[i = k]`` (Iverson bracket) for SymPy's KroneckerDelta, whose usual
``\\delta_{ik}`` would collide with the backprop delta.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..report.tex import escape_text, safe_math

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage[T1]{fontenc}
% amssymb's blackboard font has no digit 1 (\mathbb{1} prints a stray glyph): the
% indicator function is set as a bold 1, every other \mathbb as before.
\let\amsmathbb\mathbb
\renewcommand{\mathbb}[1]{\if1#1\mathbf{1}\else\amsmathbb{#1}\fi}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
"""


class StepPrinter(LatexPrinter):
    def _print_Symbol(self, expr, style="plain"):
        name = expr.name
        if "\\" in name or "{" in name or "'" in name:
            return name  # already LaTeX: a named quantity such as \frac{\partial J}{\partial W}
        return super()._print_Symbol(expr, style=style)

    _print_MatrixSymbol = _print_Symbol

    def _print_MatrixElement(self, expr):
        name = expr.parent.name
        idx = "".join(self._print(t) for t in expr.indices if t != 0 or len(expr.indices) == 1)
        if len(expr.indices) == 2 and expr.indices[1] == 0 and expr.parent.shape[1] == 1:
            idx = self._print(expr.indices[0])  # a column vector: one index
        match = re.fullmatch(r"(f'\()?(\\?[A-Za-z]+)(\^\{\([^)]*\)\})?(\))?", name)
        if match:
            pre, base, sup, post = (g or "" for g in match.groups())
            return f"{pre}{base}_{{{idx}}}{sup}{post}"
        return f"{{{name}}}_{{{idx}}}"

    def _print_Transpose(self, expr):
        inner = self._print(expr.arg)
        if isinstance(expr.arg, sp.MatrixSymbol) and "^" not in expr.arg.name:
            return f"{inner}^{{T}}"
        return rf"\left({inner}\right)^{{T}}"

    def _print_HadamardProduct(self, expr):
        return r" \odot ".join(self._print_parens(f) for f in expr.args)

    def _print_parens(self, f):
        text = self._print(f)
        return rf"\left({text}\right)" if isinstance(f, (sp.MatAdd, sp.Add, sp.MatMul)) else text

    def _print_OneMatrix(self, expr):
        return r"\mathbf{1}"

    def _print_HadamardPower(self, expr):
        return rf"{self._print_parens(expr.base)}^{{\odot {self._print(expr.exp)}}}"

    def _print_KroneckerDelta(self, expr, exp=None):
        i, j = expr.args[:2]
        return rf"[{self._print(i)} = {self._print(j)}]"

    def _print_Sum(self, expr):
        indices = ",".join(self._print(lim[0]) for lim in expr.limits)
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = rf"\left({body}\right)"
        return rf"\sum_{{{indices}}} {body}"

    def _print_Heaviside(self, expr, exp=None):
        return rf"H\left({self._print(expr.args[0])}\right)"

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        idx = "".join(self._print(t) for t in expr.indices)
        return f"{base}_{{{idx}}}"


_printer = StepPrinter({"mul_symbol": None})


def tex(expr) -> str:
    """LaTeX of a SymPy expression (or a LaTeX string passed through)."""
    if isinstance(expr, str):
        return expr
    return _printer.doprint(expr)


def text_escape(s: str) -> str:
    """A justification sentence safe for LaTeX text mode (tex.escape_text)."""
    return escape_text(s)


_GREEK = {"delta": r"\delta", "lambda": r"\lambda", "sigma": r"\sigma", "sum": r"\sum"}
_BRACED = r"\{(?:[^{}]|\{[^{}]*\})*\}"
_MATH_TOKEN = re.compile(r"\b(?:[A-Za-z]+)(?:[_^](?:%s|[A-Za-z0-9]+))+" % _BRACED)


def _math(token: str) -> str:
    head = re.match(r"[A-Za-z]+", token).group(0)
    return _GREEK.get(head, head) + token[len(head):]


def why_latex(why: str) -> str:
    """A justification for LaTeX text mode: subscripted/superscripted tokens become inline maths."""
    out, last = [], 0
    for match in _MATH_TOKEN.finditer(why):
        math = _math(match.group(0))
        out.append(text_escape(why[last:match.start()]))
        # only allow-listed maths is typeset; anything else stays escaped prose
        out.append("$" + math + "$" if safe_math(math) else text_escape(match.group(0)))
        last = match.end()
    out.append(text_escape(why[last:]))
    return "".join(out)


def why_markdown(why: str) -> str:
    """The same for GitHub Markdown: inline ``$...$`` maths, the prose around it as text
    (``markdown_text``)."""
    return _MATH_TOKEN.sub(lambda mt: "$" + _math(mt.group(0)) + "$", markdown_text(why))


def markdown_text(text: str) -> str:
    """Prose for a Markdown file: HTML that a renderer would run or hide is shown as text.

    >>> markdown_text("model: <script>x</script> & more")
    'model: &lt;script&gt;x&lt;/script&gt; &amp; more'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def step_equation(step) -> str:
    return f"{tex(step.lhs)} = {tex(step.rhs)}"


def derivation_latex_body(d) -> str:
    parts = [rf"\section*{{{text_escape(d.title)}}}"]
    number = 0
    for sec in d.sections:
        parts.append(rf"\subsection*{{{text_escape(sec.title)}}}")
        for step in sec.steps:
            number += 1
            parts.append(rf"\textbf{{S{number}.}} {why_latex(step.why)}")
            parts.append(rf"\begin{{equation*}} {step_equation(step)} \end{{equation*}}")
    return "\n".join(parts)


def derivation_latex(d) -> str:
    return PREAMBLE + "\\begin{document}\n" + derivation_latex_body(d) + "\n\\end{document}\n"


def derivation_markdown(d) -> str:
    lines = [f"# {d.title}", ""]
    number = 0
    for sec in d.sections:
        lines += [f"## {sec.title}", ""]
        for step in sec.steps:
            number += 1
            lines += [f"**S{number}.** {why_markdown(step.why)}", "", "$$", step_equation(step), "$$", ""]
    return "\n".join(lines)


def derivation_text(d) -> str:
    lines = [d.title, "=" * len(d.title)]
    number = 0
    for sec in d.sections:
        lines += ["", sec.title, "-" * len(sec.title)]
        for step in sec.steps:
            number += 1
            lines.append(f"S{number}. {step_equation(step)}")
            lines.append(f"     because: {step.why}")
    return "\n".join(lines) + "\n"


def derivation_mathjax(d) -> str:
    """One aligned display for Jupyter (MathJax renders maths, not \\section)."""
    rows = []
    for sec in d.sections:
        rows.append(rf"&\textbf{{{text_escape(sec.title)}}} \\")
        for step in sec.steps:
            rows.append(rf"{tex(step.lhs)} &= {tex(step.rhs)} && \text{{{why_latex(step.why)}}} \\")
    return "$$\\begin{aligned}\n" + "\n".join(rows) + "\n\\end{aligned}$$"
