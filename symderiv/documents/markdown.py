"""Where a Markdown file's maths is, found by a real Markdown parser: markdown-it-py with mdit-py-plugins.

Chosen over pandoc (the ``pypandoc-binary`` wheel, measured on the five notes and the tests' documents):
markdown-it-py parses in-process in 0.4-5 ms per note where pandoc costs a subprocess (~60-100 ms each),
it gives every block its line range (pandoc's JSON AST has source positions only through the
``commonmark_x+sourcepos`` reader, as wrapper spans), and its ``dollarmath`` plugin reads ``$..$``,
``$$..$$`` and kramdown's ``$$..$$`` inside a sentence (inline) as MyST, Jupyter and GitHub do;
``amsmath`` reads a top-level ``\\begin{align}``. pandoc's extra formats (.docx) were not needed.

The parser says *what* is maths and what is not read (code spans, fenced and indented code, HTML tags
and comments; inside an HTML block, maths is read as MathJax reads a page: all but comments and
``<pre>``, ``<code>``, ``<script>``...); this module maps each piece back to offsets in the file's text, so ids (``L41``) and
carets name the line as the user wrote it. ``\\[..\\]`` and environments written inside a paragraph
are found by reader.py's LaTeX scan over the text that is left (Markdown reads ``\\[`` as an escaped
bracket, so no Markdown parser keeps them).

``$$`` is read as kramdown (Jekyll) writes it: ``$$..$$`` inside a paragraph is inline maths, and a ``$$``
that opens a line (or ends one) and is not closed in its paragraph opens display maths that runs to the
next ``$$``, across blank lines. A ``$$`` that closes nothing and opens nothing is one spot reported
(``MathSpan.problem``): the rest of the file is read.
"""
from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from ..bounded import TimedOut, bounded

SKIPPED_TOKENS = ("fence", "code_block")                       # blocks whose text is not maths
# Inside an HTML block maths is read as MathJax reads a page: all but comments and these elements.
HTML_SKIPPED = re.compile(r"<!--.*?(?:-->|\Z)|<(pre|code|script|style|textarea|noscript)\b.*?(?:</\1\s*>|\Z)",
                          re.DOTALL | re.IGNORECASE)
SKIPPED_INLINE = ("code_inline", "html_inline")
DISPLAY_TOKENS = ("math_block", "math_block_label")             # dollarmath's $$..$$ blocks
CELL_OPENS, CELL_CLOSES = ("td_open", "th_open"), ("td_close", "th_close")    # a GFM table's cells
INLINE_TOKENS = {"math_inline": "$", "math_inline_double": "$$"}
PARSE_SECONDS = 5.0     # a real derivation parses in milliseconds; some hostile texts take minutes
                        # (markdown-it rescans a paragraph of a million unmatched '$' or '[')
                        # (the budget of all the parses of one file: an unclosed $$ costs a parse more)
MAX_REPAIRS = 50        # unclosed $$ resolved one at a time: a file with more is refused
UNCLOSED = "display math $$ is never closed: it is read as text"


class TooComplex(ValueError):
    """The Markdown parser did not finish within PARSE_SECONDS."""


@dataclass(frozen=True)
class MathSpan:
    start: int                  # where the maths starts in the file's text (after its opening delimiter)
    end: int                    # where it ends (before its closing delimiter)
    outer: tuple                # (start, end) of the maths with its delimiters
    env: str | None = None      # an environment (align: rows read one by one)
    inline: bool = False        # $..$ in a sentence (kramdown's $$..$$ in a sentence too)
    problem: str = ""           # a delimiter that opens nothing readable: this spot is reported, not read


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    # GFM tables (as GitHub renders them): each cell is its own inline text, so a cell's $$ opens no display
    return MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True).use(amsmath_plugin).enable("table")


def read_markdown(text: str) -> tuple[list[MathSpan], list[tuple[int, int]]]:
    """The maths of a Markdown text in file order (an unclosed ``$$`` as a span with a ``problem``), and
    the (start, end) ranges that are not read (code, HTML). Raises ``TooComplex`` when the parser does
    not finish in time or the file has more than MAX_REPAIRS unclosed ``$$``."""
    work, repaired, deadline = text, [], time.monotonic() + PARSE_SECONDS
    for _ in range(MAX_REPAIRS + 1):
        spans, skipped, unmatched = _parse(work, deadline)
        if not unmatched:
            return sorted(spans + repaired, key=lambda s: s.start), skipped
        for at in unmatched:
            close = work.find("$$", at + 2) if _opens_display(work, at) else -1
            if close < 0:            # closes nothing, opens nothing: report the spot, read the rest
                repaired.append(MathSpan(at, _line_end(text, at), (at, at + 2), problem=UNCLOSED))
                work = _blank(work, at, at + 2)
                continue
            # kramdown: display maths from this $$ to the next one, across paragraphs
            repaired.append(MathSpan(at + 2, close, (at, close + 2)))
            work = _blank(work, at, close + 2)
            break                    # the paragraphs after it change: parse again
    raise TooComplex(f"more than {MAX_REPAIRS} unclosed $$")


def _parse(text: str, deadline: float):
    """(spans, skipped ranges, positions of the $$ the parser left unmatched) of one parse."""
    starts = line_starts(text)
    try:
        tokens = bounded(lambda: _parser().parse(text), max(deadline - time.monotonic(), 0.01))
    except TimedOut:
        raise TooComplex(f"the Markdown parser did not finish within {PARSE_SECONDS:g} s") from None
    spans, skipped, unmatched, cursor, in_cell = [], [], [], 0, False
    for token in tokens:
        in_cell = token.type in CELL_OPENS or (in_cell and token.type not in CELL_CLOSES)
        if token.map is not None:
            cursor = max(cursor, starts[min(token.map[0], len(starts) - 1)])
        if token.type in SKIPPED_TOKENS and token.map is not None:
            end = starts[token.map[1]] if token.map[1] < len(starts) else len(text)
            skipped.append((cursor, end))
            cursor = end
        elif token.type == "html_block" and token.map is not None:
            end = starts[token.map[1]] if token.map[1] < len(starts) else len(text)
            skipped += [(cursor + m.start(), cursor + m.end()) for m in HTML_SKIPPED.finditer(text[cursor:end])]
            cursor = end
        elif token.type == "table_open" and token.map is not None:
            # a row's cells past the header's count are dropped by GFM (GitHub shows nothing): their $$ are
            # not left for reader.py's scan to pair across the table
            end = starts[token.map[1]] if token.map[1] < len(starts) else len(text)
            skipped += [(m.start(), m.end()) for m in re.finditer(r"\$\$", text[:end])
                        if m.start() >= starts[token.map[0]]]
        elif token.type in DISPLAY_TOKENS:
            span = _delimited(text, cursor, "$$", "$$")
            if span is None:
                at = text.find("$$", cursor)
                if at >= 0:
                    unmatched.append(at)
                    cursor = at + 2
                continue
            spans.append(span)
            cursor = span.outer[1]
        elif token.type == "amsmath":
            env = re.match(r"\s*\\begin\{([^{}]*)\}", token.content)
            span = env and _delimited(text, cursor, f"\\begin{{{env.group(1)}}}", f"\\end{{{env.group(1)}}}",
                                      env.group(1))
            if span is not None:
                spans.append(span)
                cursor = span.outer[1]
        elif token.type == "inline" and token.children:
            cursor = _inline(text, cursor, token.children, spans, skipped, unmatched, in_cell)
    return spans, skipped, unmatched


def _opens_display(text: str, at: int) -> bool:
    """Does the $$ at ``at`` open a line (after a quote's '>') or end one: kramdown's display maths?"""
    before = text[text.rfind("\n", 0, at) + 1:at]
    return not before.replace(">", " ").strip() or not text[at + 2:_line_end(text, at)].strip()


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with [start, end) made spaces (line breaks kept); a line that goes on after ``end`` starts
    with '~' so that its text does not become an indented code block."""
    blanked = re.sub(r"[^\n]", " ", text[start:end])
    first = text.rfind("\n", 0, end) + 1          # the start of the line ``end`` is on
    if first > start and text[end:_line_end(text, end)].strip():
        blanked = blanked[:first - start] + "~" + blanked[first - start + 1:]
    return text[:start] + blanked + text[end:]


def _delimited(text: str, cursor: int, opener: str, closer: str, env: str | None = None,
               inline: bool = False) -> MathSpan | None:
    start = text.find(opener, cursor)
    if start < 0:
        return None
    end = text.find(closer, start + len(opener))
    if end < 0:
        return None
    return MathSpan(start + len(opener), end, (start, end + len(closer)), env, inline)


def line_starts(text: str) -> list[int]:
    """Where each line of ``text`` starts."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def line_of(starts: list[int], at: int) -> int:
    """The 1-based line of position ``at`` (``starts`` from line_starts)."""
    return bisect.bisect_right(starts, at)


def _inline(text: str, cursor: int, children, spans: list, skipped: list, unmatched: list,
            in_cell: bool = False) -> int:
    """The inline maths of one paragraph or table cell (its children in order), found from ``cursor``;
    where its reading stopped. A $$ left in its text is unmatched, except a cell written ``$$`` (empty
    maths, as GitHub renders it): nothing."""
    if in_cell and [(c.type, c.content.strip()) for c in children] == [("text", "$$")]:
        at = text.find("$$", cursor)
        if at < 0:
            return cursor
        skipped.append((at, at + 2))            # not left for reader.py's scan of $$..$$ either
        return at + 2
    for child in children:
        if child.type in INLINE_TOKENS:
            found = _located(text, cursor, INLINE_TOKENS[child.type], child.content)
            if found is not None:
                spans.append(MathSpan(found.start(2), found.end(2), found.span(), inline=True))
                cursor = found.end()
        elif child.type in SKIPPED_INLINE:
            found = _located(text, cursor, "", child.content, child.markup) if child.type == "code_inline" else \
                _located(text, cursor, "", child.content, "")
            if found is not None:
                skipped.append(found.span())
                cursor = found.end()
        elif child.type == "text" and "$$" in child.content:
            for _ in range(child.content.count("$$")):
                at = text.find("$$", cursor)
                if at < 0:
                    break
                unmatched.append(at)
                cursor = at + 2
    return cursor


def _located(text: str, cursor: int, delimiter: str, content: str, fence: str | None = None):
    """The next place after ``cursor`` where ``content`` stands between its delimiters (Markdown may
    have folded its line breaks and indentation: any run of spaces, line breaks or a quote's '>'
    matches a space); group 2 is the content."""
    words = content.split()
    if not words:
        return None
    fence = delimiter if fence is None else fence
    body = r"[\s>]*".join(re.escape(w) for w in words) if len(words) < 400 else re.escape(content)
    pattern = re.compile(rf"({re.escape(fence)}\s*)({body})\s*{re.escape(fence)}")
    return pattern.search(text, cursor)
