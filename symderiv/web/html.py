"""Verdicts and document results as HTML, Markdown and LaTeX: what a notebook shows, as the page does.

``Verdict._repr_html_`` and ``Checked._repr_html_`` (a document's results) call
these, so ``symderiv.verify("...")`` in a Jupyter cell shows the verdict with
its label and icon (never colour alone), the wrong part marked in the line, the
corrected line, the reason and the counterexample table. Maths is left in
``$...$`` for the notebook's own MathJax; everything else is escaped.

``marks`` (also behind the API's ``/api/marks``, for the page) says what a
correction changed, with latexdiff.py: the line with its wrong part wrapped,
the correction with its new part wrapped, and the (removed, inserted) pairs.
"""
from __future__ import annotations

import html

# verdict -> (icon, label): the word is always there; the colour only repeats it
LABELS = {"correct": ("✓", "Correct"), "incorrect": ("✗", "Incorrect"), "unverifiable": ("?", "Cannot check")}
STYLE = ("<style>.sd-verdict{border:1px solid #888;border-radius:4px;padding:.4em .7em;margin:.3em 0}"
         ".sd-label{font-weight:bold}.sd-correct .sd-label{color:#0a6b2d}.sd-incorrect .sd-label{color:#a31515}"
         ".sd-unverifiable .sd-label{color:#6b5200}.sd-table td,.sd-table th{border:1px solid #aaa;"
         "padding:.1em .4em}</style>")


def marks(source: str, corrected: str, wrap: str = r"\htmlClass{sd-wrong}") -> dict:
    """What the correction changed: ``source`` and ``corrected`` with their changed units wrapped in
    ``wrap{...}``, and the (removed, inserted) LaTeX of each change."""
    from ..report import latexdiff
    old, new = latexdiff.diff(source, corrected)
    inserted = wrap.replace("sd-wrong", "sd-new")
    return {"source": latexdiff.marked(old.units, old.changed, lambda u: wrap + "{" + u + "}"),
            "corrected": latexdiff.marked(new.units, new.changed, lambda u: inserted + "{" + u + "}"),
            "changes": [list(pair) for pair in latexdiff.changes(old, new)],
            "marked": bool(old.changed)}


def _math(latex: str | None) -> str:
    return f"${html.escape(latex)}$" if latex else ""


def _label(verdict: str) -> str:
    icon, label = LABELS.get(verdict, ("?", verdict))
    return (f'<span class="sd-label" aria-label="verdict: {label}"><span aria-hidden="true">{icon}</span> '
            f"{label}</span>")


def matrix_html(value) -> str:
    """A counterexample's matrix ({"shape", "values" or "top_left"}) or a number, as a table."""
    if not isinstance(value, dict):
        return html.escape(str(value))
    rows = value.get("values") or value.get("top_left") or []
    if not isinstance(rows, list) or not rows:
        return html.escape(str(value))
    rows = [r if isinstance(r, list) else [r] for r in rows]
    shape = value.get("shape")
    note = f" ({'×'.join(map(str, shape))}{', top-left corner' if 'top_left' in value else ''})" if shape else ""
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in row) + "</tr>" for row in rows)
    return f'<table class="sd-table">{body}</table>{html.escape(note)}'


def counterexample_html(ce: dict | None) -> str:
    if not ce:
        return ""
    rows = "".join(f"<tr><th scope=\"row\">{html.escape(str(k))}</th><td>{matrix_html(v)}</td></tr>"
                   for k, v in ce.items())
    return f'<table class="sd-table" aria-label="counterexample"><caption>Counterexample</caption>{rows}</table>'


def verdict_html(data: dict, corrected: str | None = None) -> str:
    """One verdict (the verify --json object, or a check entry) as HTML."""
    verdict = data.get("verdict", "")
    claim = data.get("claim") or data.get("link") or data.get("source_latex") or ""
    corrected = corrected or data.get("corrected_latex")
    parts = [f'<div class="sd-verdict sd-{html.escape(verdict)}" role="group" '
             f'aria-label="{html.escape(LABELS.get(verdict, ("", verdict))[1])}: line {html.escape(str(data.get("id", "")))}">',
             _label(verdict) + (f" <code>{html.escape(str(data['id']))}</code>" if data.get("id") else ""),
             f"<div>{_math(claim)}</div>"]
    if verdict == "incorrect" and corrected:
        try:
            changed = marks(claim, corrected, r"\underline")["changes"]
        except Exception:        # noqa: BLE001 - a formula the differ cannot cut: show it unmarked
            changed = []
        if changed:
            parts.append("<div>Wrong part: " + "; ".join(
                f"{_math(old) or '(nothing)'} → {_math(new) or '(nothing)'}" for old, new in changed) + "</div>")
        parts.append(f"<div>Corrected: {_math(corrected)}</div>")
    if data.get("reason"):
        parts.append(f"<div>Reason: {html.escape(str(data['reason']))}</div>")
    if data.get("model"):
        parts.append(f"<div><small>Model: {html.escape(str(data['model']))}; convention "
                     f"{html.escape(str(data.get('convention', 'default')))}</small></div>")
    parts.append(counterexample_html(data.get("counterexample")))
    return STYLE + "".join(parts) + "</div>"


def verdict_markdown(data: dict, corrected: str | None = None) -> str:
    icon, label = LABELS.get(data.get("verdict", ""), ("?", data.get("verdict", "")))
    corrected = corrected or data.get("corrected_latex")
    lines = [f"**{icon} {label}**: ${data.get('claim') or data.get('link') or ''}$"]
    if data.get("verdict") == "incorrect" and corrected:
        lines.append(f"- corrected: ${corrected}$")
    if data.get("reason"):
        lines.append(f"- reason: {data['reason']}")
    return "\n".join(lines)


def verdict_latex(data: dict, corrected: str | None = None) -> str:
    label = LABELS.get(data.get("verdict", ""), ("?", data.get("verdict", "")))[1]
    out = f"$\\text{{{label}: }} {data.get('claim', '')}$"
    corrected = corrected or data.get("corrected_latex")
    if data.get("verdict") == "incorrect" and corrected:
        out += f"\n\n$\\text{{corrected: }} {corrected}$"
    return out


def results_html(note: str, entries: list[dict]) -> str:
    """A document's results: a summary line, then each line's verdict."""
    counts = {}
    for e in entries:
        counts[e.get("verdict")] = counts.get(e.get("verdict"), 0) + 1
    summary = ", ".join(f"{n} {LABELS.get(v, ('', v))[1].lower()}" for v, n in counts.items())
    return (f"<div><strong>{html.escape(str(note))}</strong>: {html.escape(summary)}</div>" +
            "".join(verdict_html(e) for e in entries))


def results_markdown(note: str, entries: list[dict]) -> str:
    return "\n\n".join([f"**{note}**"] + [f"`{e.get('id')}` " + verdict_markdown(e) for e in entries])
