"""Where a file's maths is: its displayed equations (one per row of an ``align``, one per side of a
``\\qquad``), its inline equations, and the spots where a delimiter is never closed.

``find_displays`` gives every ``Display`` of a Markdown or LaTeX text in file order, each knowing its
line and offset in the file as the user wrote it. Markdown's structure (code, HTML, its dollar maths)
is markdown.py's parser's answer; LaTeX's own delimiters (``\\[..\\]``, ``\\(..\\)``, environments,
and ``$..$`` in a .tex file) are found here in what that parser leaves. Nothing here reads the maths
itself: reader.py turns displays into a document's entries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .markdown import MathSpan, TooComplex, line_of, line_starts, read_markdown
from .settings import DocumentError


# Every scan below is one pass over the text (an unclosed opener is found once, not retried at each
# later position): a hostile 1 MB file costs a fraction of a second.

# What LaTeX does not read: (opener, how its span ends). An unclosed one runs to the end of the file.
# (Markdown's code and HTML are found by its parser: markdown.py.)
_SKIPPED = {
    "latex": re.compile(r"(?P<comment>(?<!\\)%)|\\begin\{(?P<verbatim>verbatim|comment)\}"),
}
_DISPLAY_ENVS = r"equation\*?|align\*?|gather\*?|multline\*?|eqnarray\*?|displaymath"
_OPENING = re.compile(rf"\$\$|(?<!\\)\\[\[(]|\\begin\{{(?P<env>{_DISPLAY_ENVS})\}}")
_OPENING_TEX = re.compile(rf"\$\$|(?<![\\$])\$|(?<!\\)\\[\[(]|\\begin\{{(?P<env>{_DISPLAY_ENVS})\}}")
_CLOSERS = {"$$": re.compile(r"\$\$"), "$": re.compile(r"(?<!\\)\$"),
            "\\[": re.compile(r"(?<!\\)\\\]"), "\\(": re.compile(r"(?<!\\)\\\)")}
_INLINE_OPENERS = ("$", "\\(")
_ROW_ENVS = ("align", "align*", "gather", "gather*", "eqnarray", "eqnarray*")
_LABEL = re.compile(r"\\label\{(?P<label>[^{}]*)\}")
_NUMBERING = re.compile(r"\\label\{[^{}]*\}|\\nonumber\b|\\notag\b")


@dataclass(frozen=True)
class Display:
    line: int          # 1-based line of the file where the equation (or the row) starts
    latex: str         # as written, minus \label, \nonumber and a sentence's closing punctuation
    label: str = ""
    offset: int = -1   # where ``latex`` starts in the file's text (-1 in a notebook: the file is JSON)
    cell: int = 0      # a notebook's cell (from 1) whose line ``line`` is; 0 in a .md or .tex file
    problem: str = ""  # a delimiter never closed: this spot is reported unverifiable, not read
    inline: bool = False   # $..$ or \(..\) in a sentence (its id comes after the displays of its line)
    condition: str = ""    # "If $i = k$," said just before it: the display holds where i = k (conditions.py)
    said: str = ""         # "For MSE loss and Sigmoid activation:" just before it: its model (lead_ins.py)


def _skipped_end(text: str, found: re.Match) -> int:
    """Where a skipped span that starts at ``found`` ends."""
    kind = found.lastgroup
    if kind == "comment":
        end = text.find("\n", found.end())
        return len(text) if end < 0 else end
    end = text.find(f"\\end{{{found.group(kind)}}}", found.end())
    return len(text) if end < 0 else end


def visible_text(text: str, kind: str) -> str:
    """The text with what is not read (code, comments) replaced by spaces: positions and lines kept."""
    if kind == "markdown":
        try:
            return _blanked(text, read_markdown(text)[1])
        except TooComplex:
            return text
    pieces, pos, opener = [], 0, _SKIPPED[kind]
    while True:
        found = opener.search(text, pos)
        if found is None:
            break
        end = _skipped_end(text, found)
        pieces.append(text[pos:found.start()])
        pieces.append(re.sub(r"[^\n]", " ", text[found.start():end]))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def find_displays(text: str, kind: str, path, inline: bool = False) -> list[Display]:
    """Every displayed equation in file order; the rows of an align each on their own. With ``inline``,
    a Markdown file's inline equations ($..$ with a top-level '=') are lines too; an inline fragment
    without '=' is prose."""
    if kind == "markdown":
        try:
            spans, skipped = read_markdown(text)
        except TooComplex as exc:
            raise DocumentError(f"{path}: {exc}; a derivation takes milliseconds (is this a Markdown file?)") from None
        # what the Markdown parser did not read as maths is scanned for \[..\] and environments
        visible = _blanked(text, skipped + [s.outer for s in spans])
        spans = spans + list(_latex_spans(visible, _OPENING))
        source = text            # in Markdown a backtick inside maths is maths
    else:
        visible = visible_text(text, kind)
        spans, source = list(_latex_spans(visible, _OPENING_TEX)), visible    # a % inside maths is a comment
    out, starts = [], line_starts(text)
    for span in sorted(spans, key=lambda s: s.start):
        if span.problem:         # reported where maths is read (an inline one only where inline maths is)
            if inline or not span.inline:
                out.append(Display(line_of(starts, span.outer[0]), _NUMBERING.sub("", source[span.start:span.end]).strip(),
                                   offset=span.start, problem=span.problem))
            continue
        if span.inline and not _read_inline(source, span, inline):
            continue
        body = source[span.start:span.end]
        rows = _rows(body) if span.env in _ROW_ENVS else [(0, body)]
        for offset, row in rows:
            for at, equation in _equations(row):
                at = span.start + offset + at
                display = _display(equation, line_of(starts, at), at)
                if display is not None:
                    out.append(replace(display, inline=span.inline and not source.startswith("$$", span.outer[0])))
    return out


def _read_inline(source: str, span: MathSpan, inline: bool) -> bool:
    """Is this inline maths a line? kramdown's $$..$$ in a sentence always; $..$ and \\(..\\) when
    inline maths is read and it states an equation (a fragment without '=' is prose)."""
    return source.startswith("$$", span.outer[0]) or (inline and _equation(source[span.start:span.end]))


def _equation(maths: str) -> bool:
    """Does inline maths state an equation ('=' outside braces), rather than name a symbol?"""
    return any(depth == 0 and maths.startswith("=", pos) for pos, depth in _top_level(maths))


def _blanked(text: str, ranges) -> str:
    """The text with each (start, end) range replaced by spaces: lines and positions kept."""
    pieces, pos = [], 0
    for start, end in sorted(ranges):
        if start < pos:
            continue
        pieces += [text[pos:start], re.sub(r"[^\n]", " ", text[start:end])]
        pos = end
    return "".join(pieces + [text[pos:]])


def _latex_spans(visible: str, opening: re.Pattern):
    """The maths of LaTeX's own delimiters (\\[..\\], $$..$$, environments, and inline \\(..\\) and, in a
    .tex file, $..$) in ``visible``, in order. A delimiter never closed is one span with a ``problem``
    (that spot is reported) and the scan goes on after it."""
    pos = 0
    while True:
        found = opening.search(visible, pos)
        if found is None:
            return
        start, end, stop = _closing(visible, found)
        inline = found.group(0) in _INLINE_OPENERS
        if end < 0:
            line_end = visible.find("\n", found.end())
            yield MathSpan(found.start(), len(visible) if line_end < 0 else line_end, found.span(), inline=inline,
                           problem=f"maths opened by {found.group(0)} is never closed: it is read as text")
            pos = found.end()
            continue
        yield MathSpan(start, end, (found.start(), stop), found.group("env"), inline=inline)
        pos = stop


def _closing(text: str, found: re.Match) -> tuple[int, int, int]:
    """(body start, body end or -1 when never closed, where scanning resumes)."""
    if found.group("env"):
        closer = f"\\end{{{found.group('env')}}}"
        end = text.find(closer, found.end())
        return found.end(), end, end + len(closer)
    close = _CLOSERS[found.group(0)].search(text, found.end())
    return (found.end(), -1, -1) if close is None else (found.end(), close.start(), close.end())


def _display(row: str, line: int, at: int) -> Display | None:
    # the row's own first line: skip the blank lines before its text
    lead = row[: len(row) - len(row.lstrip())]
    line += lead.count("\n")
    label = _LABEL.search(row)
    latex = _NUMBERING.sub("", row).strip()
    latex = re.sub(r"(\\[,;!:]|\\quad|\\qquad|[\s,.;])+$", "", latex)   # "... = y ." closes a sentence
    if not latex:
        return None
    return Display(line, latex, label.group("label").strip() if label else "", at + len(lead))


_ENV = re.compile(r"\\(begin|end)\{[^{}]*\}")


def _top_level(text: str):
    """(pos, depth) for each position one pass stops at (every character, and the start of every command),
    depth counting braces and environments opened before it."""
    depth, pos = 0, 0
    while pos < len(text):
        yield pos, depth
        env = _ENV.match(text, pos)
        if env:
            depth += 1 if env.group(1) == "begin" else -1
            pos = env.end()
        elif text[pos] == "\\":
            pos += 2                 # a command's backslash, an escaped brace, or the \\ of a line break
        else:
            depth += {"{": 1, "}": -1}.get(text[pos], 0)
            pos += 1


def _rows(body: str) -> list[tuple[int, str]]:
    """(offset, row) for the rows of an align body: split at \\\\ outside braces and inner environments."""
    rows, start, skip_to = [], 0, 0
    for pos, depth in _top_level(body):
        if pos < skip_to or depth != 0 or not body.startswith("\\\\", pos):
            continue
        rows.append((start, body[start:pos]))
        spacing = re.match(r"\\\\\s*\[[^\]\n]*\]", body[pos:pos + 40])     # \\[4pt]
        start = skip_to = pos + (spacing.end() if spacing else 2)
    rows.append((start, body[start:]))
    return rows


# "a = b, \qquad c = d": two equations side by side (a \quad before "\text{if}" is a condition, kept)
_SIDE_BY_SIDE = re.compile(r"(?:,\s*|\\text\{\s*and\s*\}\s*)?\\q?quad(?![a-zA-Z])\s*")


def _equations(row: str) -> list[tuple[int, str]]:
    """(offset, equation) for the equations of one row, split where each side of a \\quad is an equation."""
    depth_at = dict(_top_level(row))
    cuts = [m for m in _SIDE_BY_SIDE.finditer(row) if depth_at.get(m.start(), 0) == 0]
    pieces, start = [], 0
    for k, m in enumerate(cuts):
        before = row[start:m.start()]
        after = row[m.end():cuts[k + 1].start() if k + 1 < len(cuts) else len(row)]
        if "=" in before and "=" in after and not after.startswith("\\text"):
            pieces.append((start, before))
            start = m.end()
    pieces.append((start, row[start:]))
    return pieces
