"""What a grading run writes: the gradebook, each student's feedback, the class summary, one JSON of it all.

``gradebook.csv`` has the header DESIGN.md fixes (``student``, one column per
required result in the assignment's order, ``total``, ``max``) and one row per
student, nothing else, so Moodle's and Canvas's CSV grade imports read it as
it is; its provenance (seed, symderiv version, assignment hash) is in
``gradebook.provenance.json`` beside it and in every other output. Feedback
and the summary are built once as blocks (headings, paragraphs, tables) and
written as Markdown, HTML and, with ``--pdf``, a PDF through the reports' TeX
path (report/tex.py: maths typeset only when it passes the allow list).
"""
from __future__ import annotations

import csv
import html
import io
import json
import pathlib
import re
import statistics
from collections import Counter

from ..report.files import write_atomic

STATUS_WORDS = {"correct": "found, correct", "wrong": "found, wrong", "unverifiable": "found, cannot be checked",
                "missing": "missing"}
TOP_CODES = 10
TOP_UNVERIFIABLE = 10


class Math(str):
    """A table cell or phrase that is LaTeX maths (typeset where the format can)."""


# ---------------------------------------------------------------- shared figures
def points(x) -> str:
    return f"{x:g}"


def provenance_line(prov: dict) -> str:
    return (f"assignment {prov['assignment']} (sha256 {prov['assignment_sha256'][:16]}), symderiv "
            f"{prov['symderiv']}, checker seed {prov['seed']}")


def gradebook_rows(records: list, assignment) -> tuple[list, list]:
    header = ["student"] + [e.latex for e in assignment.expects] + ["total", "max"]
    rows = []
    for r in sorted(records, key=lambda r: (r["student"], r["record"])):
        awarded = {q["expected"]: q["awarded"] for q in r["required"]}
        rows.append([r["student"]] + [points(awarded.get(e.latex, 0.0)) for e in assignment.expects]
                    + [points(r["score"]), points(r["max"])])
    return header, rows


def gradebook_csv(records: list, assignment) -> str:
    header, rows = gradebook_rows(records, assignment)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")      # RFC 4180, as spreadsheet imports expect
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def code_counts(records: list) -> list[dict]:
    """The diagnosis codes of every wrong line in the class, most frequent first, each with one example line
    (the first in student order, shown without whose it is)."""
    counts, examples = Counter(), {}
    for r in sorted(records, key=lambda r: (r["student"], r["record"])):
        for line in r.get("lines", []):
            for code in line["codes"]:
                counts[code] += 1
                examples.setdefault(code, line)
    return [{"code": code, "count": n, "example": examples[code]["link"],
             "correction": examples[code]["corrected_latex"]}
            for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def unverifiable_lines(records: list) -> list[dict]:
    """The lines most often unverifiable (same text, spacing aside), each with the reason given first."""
    counts, reasons, shown = Counter(), {}, {}
    for r in sorted(records, key=lambda r: (r["student"], r["record"])):
        for line in r.get("lines", []):
            if line["verdict"] == "unverifiable":
                key = " ".join(line["link"].split())
                counts[key] += 1
                reasons.setdefault(key, line["reason"])
                shown.setdefault(key, line["link"])
    return [{"line": shown[k], "count": n, "reason": reasons[k]}
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def file_stem(student: str, taken: set) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", student).strip("._")[:60] or "student"
    base, k = stem, 1
    while stem in taken:
        k += 1
        stem = f"{base}-{k}"
    taken.add(stem)
    return stem


# ---------------------------------------------------------------- blocks
def feedback_blocks(r: dict, prov: dict, title: str) -> list:
    blocks = [("h1", f"Feedback for {r['student']}: {title}"),
              ("p", f"Score: {points(r['score'])} of {points(r['max'])}"
                    + (f" ({points(r['penalty'])} off for {r['wrong_lines']} other wrong "
                       f"line{'s' if r['wrong_lines'] != 1 else ''})" if r.get("penalty") else "") + "."),
              ("small", f"File {r['file']}; graded with {provenance_line(prov)}.")]
    if r["status"] != "graded":
        blocks.append(("p", {"unusable": "This submission could not be read: ",
                             "timeout": "Grading this submission ran out of time: ",
                             "crash": "Grading this submission failed: "}[r["status"]] + r["message"]))
    blocks += [("p", note) for note in r.get("notes", [])]
    blocks.append(("h2", "Required results"))
    rows = []
    for q in r["required"]:
        detail = q["reason"] or ""
        if q["codes"]:
            detail = f"[{', '.join(q['codes'])}] {detail}"
        rows.append([Math(q["expected"]), points(q["awarded"]) + " / " + points(q["points"]),
                     STATUS_WORDS[q["status"]] + (f" (line {q['line']})" if q["line"] else ""),
                     detail, Math(q["correction"] or "")])
    blocks.append(("table", ["result", "points", "status", "why", "correction"], rows))
    if r.get("lines"):
        blocks.append(("h2", "Every line"))
        blocks.append(("table", ["line", "as written", "verdict", "reason", "correction"],
                       [[line["id"], Math(line["link"]), line["verdict"] + (" (required)" if line["required"] else ""),
                         "" if line["verdict"] == "correct" else      # the draws' evidence is in summary.json
                         (f"[{', '.join(line['codes'])}] " if line["codes"] else "") + _short(line["reason"]),
                         Math(line["corrected_latex"] or "")] for line in r["lines"]]))
    return blocks


def _short(text: str, n: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 3] + "..."


def summary_blocks(records: list, assignment, prov: dict, feedback: dict, image: str | None) -> list:
    scores = [r["score"] for r in records]
    status = Counter(r["status"] for r in records)
    blocks = [("h1", f"Class summary: {assignment.title}"),
              ("small", f"Graded with {provenance_line(prov)}."),
              ("p", f"{len(records)} submissions: " + ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
                    + (f". Mean score {statistics.mean(scores):.2f}, median {statistics.median(scores):g} of "
                       f"{points(assignment.max_points)}." if scores else "."))]
    if image:
        blocks.append(("img", image, "histogram of the class's scores"))
    blocks.append(("h2", "Required results"))
    rows = []
    for e in assignment.expects:
        c = Counter(q["status"] for r in records for q in r["required"] if q["expected"] == e.latex)
        rows.append([Math(e.latex), points(e.points)] + [str(c.get(s, 0)) for s in STATUS_WORDS])
    blocks.append(("table", ["result", "points"] + list(STATUS_WORDS.values()), rows))
    blocks.append(("h2", "Most frequent diagnoses"))
    codes = code_counts(records)[:TOP_CODES]
    blocks.append(("table", ["code", "lines", "example (anonymised)", "its correction"],
                   [[c["code"], str(c["count"]), Math(c["example"]), Math(c["correction"] or "")] for c in codes])
                  if codes else ("p", "No wrong lines."))
    blocks.append(("h2", "Lines most often unverifiable"))
    unver = unverifiable_lines(records)[:TOP_UNVERIFIABLE]
    blocks.append(("table", ["line", "times", "reason"], [[Math(u["line"]), str(u["count"]), _short(u["reason"])]
                                                         for u in unver]) if unver else ("p", "None."))
    trouble = [r for r in records if r["status"] in ("timeout", "crash")]
    if trouble:
        blocks.append(("h2", "Time-outs and crashes"))
        blocks.append(("table", ["student", "status", "message"],
                       [[r["student"], r["status"], r["message"]] for r in trouble]))
    blocks.append(("h2", "Students"))
    blocks.append(("table", ["student", "score", "status", "feedback"],
                   [[r["student"], f"{points(r['score'])} / {points(r['max'])}", r["status"],
                     ("link", feedback[r["record"]] + ".html")]
                    for r in sorted(records, key=lambda r: (r["student"], r["record"]))]))
    return blocks


# ---------------------------------------------------------------- writers
def to_markdown(blocks: list) -> str:
    out = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2"):
            out += ["#" * int(kind[1]) + " " + _md_text(block[1]), ""]
        elif kind in ("p", "small"):
            out += [_md_text(block[1]), ""]
        elif kind == "img":
            out += [f"![{block[2]}]({block[1]})", ""]
        elif kind == "table":
            out.append("| " + " | ".join(block[1]) + " |")
            out.append("|" + "---|" * len(block[1]))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block[2]]
            out.append("")
    return "\n".join(out)


def _md_text(text: str) -> str:
    return html.escape(str(text), quote=False)


def _md_cell(cell) -> str:
    if isinstance(cell, tuple):
        return f"[feedback]({cell[1].replace('.html', '.md')})"
    if isinstance(cell, Math):
        return f"`{cell}`".replace("|", "\\|") if cell else ""
    return _md_text(cell).replace("|", "\\|")


CSS = ("body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}"
       "table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;"
       "text-align:left;vertical-align:top}th{background:#f2f2f2}code{font-size:.9em;white-space:pre-wrap;"
       "word-break:break-word}.small{color:#555;font-size:.9em}img{max-width:100%}"
       ".incorrect,.wrong{background:#fde8e8}.correct{background:#e8f6e8}")


def to_html(blocks: list, title: str) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"]
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2"):
            out.append(f"<{kind}>{html.escape(block[1])}</{kind}>")
        elif kind == "p":
            out.append(f"<p>{html.escape(block[1])}</p>")
        elif kind == "small":
            out.append(f'<p class="small">{html.escape(block[1])}</p>')
        elif kind == "img":
            out.append(f'<img src="{html.escape(block[1])}" alt="{html.escape(block[2])}">')
        elif kind == "table":
            out.append("<table><thead><tr>" + "".join(f"<th scope=\"col\">{html.escape(h)}</th>" for h in block[1])
                       + "</tr></thead><tbody>")
            for row in block[2]:
                out.append("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>")
            out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out)


def _html_cell(cell) -> str:
    if isinstance(cell, tuple):
        return f'<td><a href="{html.escape(cell[1])}">feedback</a></td>'
    if isinstance(cell, Math):
        return f"<td><code>{html.escape(cell)}</code></td>" if cell else "<td></td>"
    word = str(cell).split(" ")[0]
    css = f' class="{word}"' if word in ("correct", "incorrect", "wrong") else ""
    return f"<td{css}>{html.escape(str(cell))}</td>"


def to_latex(blocks: list) -> str:
    from ..report.tex import display, escape_text, verbatim
    out = [r"\documentclass[10pt]{article}", r"\usepackage[margin=2cm]{geometry}", r"\usepackage{amsmath,amssymb}",
           r"\begin{document}"]
    for block in blocks:
        kind = block[0]
        if kind == "h1":
            out.append(r"\section*{" + escape_text(block[1]) + "}")
        elif kind == "h2":
            out.append(r"\subsection*{" + escape_text(block[1]) + "}")
        elif kind in ("p", "small"):
            out.append(escape_text(block[1]) + "\n")
        elif kind == "table":
            for row in block[2]:            # one paragraph per row: long maths does not fit table columns
                parts = []
                for head, cell in zip(block[1], row):
                    if isinstance(cell, Math):
                        shown = display(cell, wrap=lambda m: "$" + m + "$") if cell else ""
                    elif isinstance(cell, tuple):
                        continue
                    else:
                        shown = escape_text(str(cell))
                    if shown:
                        parts.append(r"\textbf{" + escape_text(head) + ":} " + shown)
                out.append(r"\begin{itemize}\item " + r" \\ ".join(parts) + r"\end{itemize}" if parts else "")
    out.append(r"\end{document}")
    return "\n".join(out)


def histogram(records: list, assignment, path: pathlib.Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    scores = [r["score"] for r in records]
    top = assignment.max_points
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    bins = [x - 0.25 for x in _steps(top)] + [top + 0.25]
    ax.hist(scores, bins=bins, color="#4a78b5", edgecolor="white")
    ax.set_xlabel(f"score (of {points(top)})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment.title}: {len(scores)} submissions")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, buffer.getvalue())


def _steps(top: float) -> list:
    step = 0.5 if top <= 20 else max(1, round(top / 40))
    out, x = [], 0.0
    while x <= top + 1e-9:
        out.append(x)
        x += step
    return out


def write_outputs(records: list, assignment, prov: dict, out: pathlib.Path, run: dict, pdf: bool = False) -> dict:
    """Every output of the run from its records; the names written."""
    out = pathlib.Path(out)
    feedback_dir = out / "feedback"
    feedback_dir.mkdir(parents=True, exist_ok=True)
    written, taken, stems = [], set(), {}
    for r in sorted(records, key=lambda r: (r["student"], r["record"])):
        stem = stems[r["record"]] = file_stem(r["student"], taken)
        blocks = feedback_blocks(r, prov, assignment.title)
        write_atomic(feedback_dir / f"{stem}.md", to_markdown(blocks))
        write_atomic(feedback_dir / f"{stem}.html", to_html(blocks, f"Feedback for {r['student']}"))
        written += [f"feedback/{stem}.md", f"feedback/{stem}.html"]
        if pdf:
            from ..report.tex import compile_pdf
            write_atomic(feedback_dir / f"{stem}.pdf", compile_pdf(to_latex(blocks), stem))
            written.append(f"feedback/{stem}.pdf")
    write_atomic(out / "gradebook.csv", gradebook_csv(records, assignment))
    write_atomic(out / "gradebook.provenance.json", json.dumps(prov, indent=1))
    histogram(records, assignment, out / "scores.png")
    links = {k: f"feedback/{v}" for k, v in stems.items()}
    blocks = summary_blocks(records, assignment, prov, links, "scores.png")
    write_atomic(out / "summary.md", to_markdown(blocks))
    write_atomic(out / "summary.html", to_html(blocks, f"Class summary: {assignment.title}"))
    written += ["gradebook.csv", "gradebook.provenance.json", "scores.png", "summary.md", "summary.html"]
    header, rows = gradebook_rows(records, assignment)
    summary = {"provenance": prov, "title": assignment.title, "max": assignment.max_points,
               "expects": [{"latex": e.latex, "points": e.points} for e in assignment.expects],
               "penalty": assignment.penalty, "gradebook": {"header": header, "rows": rows},
               "diagnoses": code_counts(records), "unverifiable": unverifiable_lines(records),
               "run": run, "students": sorted(records, key=lambda r: (r["student"], r["record"]))}
    write_atomic(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1))
    written.append("summary.json")
    return {"written": written, "feedback": stems}
