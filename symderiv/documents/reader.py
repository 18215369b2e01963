"""A file read as a document: a user's .md or .tex, or a note's verbatim text with its sidecar.

``load_document`` turns a file into a ``Document`` (model.py): its settings
(front matter, or a sidecar of the same ``key: value`` lines: settings.py),
its model and readings, and one ``Entry`` per displayed equation (one per row
of an ``align``). ``read_document`` does the same for text already in memory
(the web API). The five notes take this same path (notes.py). This module
owns which displays are read and the refusals of unusable input
(``DocumentError``: one line, exit 2). LaTeX only ever goes to symderiv's own
parser: nothing is evaluated.
"""
from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, replace

from ..engine.losses import DEFAULT_LOSS
from ..engine.network import NetFlags
from ..engine.presets import PRESETS
from .markdown import MathSpan, TooComplex, Unclosed, line_of, line_starts, read_markdown
from ..notation.macros import definitions, without_definitions
from ..notation.tokens import NotationError
from .model import Document, Entry, Question
from .notebook import markdown_cells
from .settings import Config, DocumentError, Setting, configure, parse_settings

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".ipynb": "notebook"}
KIND_NAMES = {"md": "markdown", "tex": "latex", "ipynb": "notebook"}     # the web API's "format" names
MAX_BYTES = 1_000_000          # a derivation, not a book: larger files are refused before reading
MAX_DISPLAYS = 500             # each display costs a check (tens of milliseconds to seconds)

__all__ = ["DocumentError", "Document", "load_document", "read_document", "is_document", "find_displays"]


# ---------------------------------------------------------------- reading the file
def is_document(name: str) -> bool:
    """Is this command-line argument a user's file (by its suffix) rather than a note id?"""
    return pathlib.Path(str(name)).suffix.lower() in SUFFIXES


def read_text(path: pathlib.Path) -> str:
    if not path.exists():
        raise DocumentError(f"{path}: no such file")
    if not path.is_file():
        raise DocumentError(f"{path}: not a file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DocumentError(f"{path}: {size} bytes; a document may have at most {MAX_BYTES} bytes")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None


def load_document(name, preset: str | None = None, overrides: dict | None = None, sidecar=None,
                  kind: str | None = None) -> Document:
    """The document in file ``name``; ``preset`` and ``overrides`` (NET FLAGS given on the command
    line) take precedence over its settings; ``sidecar`` is a file of settings beside it."""
    path = pathlib.Path(str(name))
    kind = kind or SUFFIXES.get(path.suffix.lower())
    if not path.exists():
        raise DocumentError(f"{path}: no such file")
    if path.is_dir():
        raise DocumentError(f"{path}: a directory, not a file")
    if kind is None:
        raise DocumentError(f"{path}: a document must end in {', '.join(SUFFIXES)}")
    extra = []
    if sidecar is not None:
        side = pathlib.Path(str(sidecar))
        extra = parse_settings(read_text(side).split("\n"), side, 1)
    return read_document(read_text(path), kind, path, preset, overrides, extra)


def read_document(text: str, kind: str, path="document", preset: str | None = None,
                  overrides: dict | None = None, extra_settings: list[Setting] = ()) -> Document:
    """The document in ``text`` (``kind`` "markdown", "latex" or "notebook", or the web's "md", "tex",
    "ipynb"); ``path`` names it in messages and ids."""
    path = pathlib.Path(str(path))
    kind = KIND_NAMES.get(kind, kind)
    if kind not in SUFFIXES.values():
        raise DocumentError(f"{path}: a document is markdown, latex or notebook, not {kind!r}")
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise DocumentError(f"{path}: a document may have at most {MAX_BYTES} bytes")
    if kind == "notebook":
        settings, displays = _notebook(text, path)
        prose = "\n".join(source for _, source in markdown_cells(text, path))
    else:
        settings, body = (markdown_front_matter if kind == "markdown" else latex_front_matter)(text, path)
        displays, prose = None, body
    config = configure(settings + list(extra_settings), path)
    flags = _flags(config, preset, overrides or {}, path, text)
    if displays is None:
        displays = find_displays(body, kind, path, inline=bool(config.inline))
        if not displays and config.inline is None:       # course notes whose maths is all inline
            displays = find_displays(body, kind, path, inline=True)
        prose = visible_text(body, kind)
    macros = _macros(prose, config.macros, path)
    if macros:       # a display that only defines macros is not a line to check
        displays = [d for d in displays if without_definitions(d.latex).strip()]
    if not displays:
        raise DocumentError(f"{path}: no display math found "
                            r"($$..$$, \[..\], equation, equation*, align, align*)")
    if len(displays) > MAX_DISPLAYS:
        raise DocumentError(f"{path}: {len(displays)} displayed equations; at most {MAX_DISPLAYS} per document")
    return Document(id=config.id or document_id(path), title=config.title or path.name,
                    model=config.model or describe(flags), flags=flags, readings=config.read,
                    entries=entries_of(displays, config, flags), source=path.name, text=text,
                    questions=tuple(Question(q, a) for q, a in config.questions), convention=config.convention,
                    macros=macros)


def _macros(prose: str, table: dict, path) -> dict:
    """The front matter's macros, then the definitions the file makes (a later one replaces an earlier)."""
    try:
        return definitions(prose, table)[0]
    except NotationError as exc:
        raise DocumentError(f"{path}: {exc.one_line()}") from None


def _notebook(text: str, path) -> tuple[list[Setting], list[Display]]:
    """The settings (a front matter opening the first Markdown cell) and the displays of every Markdown
    cell of a notebook, each display knowing its cell."""
    settings, displays = [], []
    for k, (number, source) in enumerate(markdown_cells(text, path)):
        where = f"{path} cell {number}"
        if k == 0:
            settings, source = markdown_front_matter(source, where)
        displays += [replace(d, cell=number, offset=-1) for d in find_displays(source, "markdown", where)]
    return settings, displays


def document_id(path: pathlib.Path) -> str:
    """The file's stem as an id that can name report files (letters, digits, '-', '_'; at most 40)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:40] or "document"


def describe(flags: NetFlags) -> str:
    """The model in one sentence, for a document whose settings give none."""
    loss = flags.loss or DEFAULT_LOSS[flags.output_act.name]
    samples = "the mean over m samples" if flags.batch else "one sample"
    outputs = f", {flags.outputs} output unit{'s' if flags.outputs != 1 else ''}" if flags.outputs else ""
    bias = "" if flags.bias else ", no biases"
    return (f"{flags.depth} weight layer{'s' if flags.depth != 1 else ''}, hidden {flags.hidden}, "
            f"output {flags.output}{outputs}, loss {loss} over {samples}, regulariser {flags.reg}, "
            f"samples as {flags.layout}{bias}")


# ---------------------------------------------------------------- front matter
_TEX_SETTING = re.compile(r"^\s*%+\s*symderiv\s*:(?P<rest>.*)$", re.IGNORECASE)


def markdown_front_matter(text: str, path) -> tuple[list[Setting], str]:
    """Settings of a leading ``---`` block, and the text with that block blanked (lines and positions kept)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return [], text
    end = next((k for k in range(1, len(lines)) if lines[k].strip() in ("---", "...")), None)
    if end is None:
        raise DocumentError(f"{path}:1: the front matter opened by '---' is never closed by '---'")
    settings = parse_settings(lines[1:end], path, 2, strict=False)
    blank = "\n".join(" " * len(line) for line in lines[:end + 1])       # lines and positions kept
    return settings, blank + text[len(blank):]


def latex_front_matter(text: str, path) -> tuple[list[Setting], str]:
    """Settings of ``% symderiv: key: value`` comment lines, anywhere in the file."""
    found = [(k, m.group("rest")) for k, line in enumerate(text.split("\n"), 1)
             for m in [_TEX_SETTING.match(line)] if m]
    return parse_settings(found, path), text


def _flags(config: Config, preset: str | None, overrides: dict, path, text: str = "") -> NetFlags:
    """The settings over the defaults; the command line's preset and flags over both."""
    flags = PRESETS[config.preset] if config.preset else NetFlags()
    if config.convention != "default" and not config.preset:
        # the textbook's model (Nielsen's cost, its layers), as verify --convention uses it
        from ..notation.conventions import CONVENTIONS
        flags = CONVENTIONS[config.convention].model(text, flags)
    flags = replace(flags, **config.flags)
    if preset:
        flags = PRESETS[preset]
    flags = replace(flags, **overrides)
    if flags.loss is None and flags.output not in DEFAULT_LOSS:
        raise DocumentError(f"{path}: no default loss for output {flags.output}; give 'loss:'")
    if flags.output == "softmax" and flags.outputs is not None and flags.outputs < 2:
        raise DocumentError(f"{path}: a softmax output needs at least two units, got 'outputs: {flags.outputs}'")
    return flags


# ---------------------------------------------------------------- displays
# Every scan below is one pass over the text (an unclosed opener is found once, not retried at each
# later position): a hostile 1 MB file costs a fraction of a second.

# What LaTeX does not read: (opener, how its span ends). An unclosed one runs to the end of the file.
# (Markdown's code and HTML are found by its parser: markdown.py.)
_SKIPPED = {
    "latex": re.compile(r"(?P<comment>(?<!\\)%)|\\begin\{(?P<verbatim>verbatim|comment)\}"),
}
_DISPLAY_ENVS = r"equation\*?|align\*?|gather\*?|multline\*?|eqnarray\*?|displaymath"
_OPENING = re.compile(rf"\$\$|(?<!\\)\\\[|\\begin\{{(?P<env>{_DISPLAY_ENVS})\}}")
_BRACKET_CLOSE = re.compile(r"(?<!\\)\\\]")
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
        except (Unclosed, TooComplex):
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
        except Unclosed as exc:
            raise DocumentError(f"{path}:{exc.line}: display math {exc.opener} is never closed") from None
        except TooComplex as exc:
            raise DocumentError(f"{path}: {exc}; a derivation takes milliseconds (is this a Markdown file?)") from None
        # what the Markdown parser did not read as maths is scanned for \[..\] and environments
        visible = _blanked(text, skipped + [s.outer for s in spans])
        spans = sorted([s for s in spans if not s.inline or text.startswith("$$", s.outer[0])
                        or (inline and _equation(text[s.start:s.end]))] + list(_latex_spans(visible, path)), key=lambda s: s.start)
        source = text            # in Markdown a backtick inside maths is maths
    else:
        visible = visible_text(text, kind)
        spans, source = list(_latex_spans(visible, path)), visible    # a % inside maths is a comment (blanked)
    out, starts = [], line_starts(text)
    for span in spans:
        body = source[span.start:span.end]
        rows = _rows(body) if span.env in _ROW_ENVS else [(0, body)]
        for offset, row in rows:
            for at, equation in _equations(row):
                at = span.start + offset + at
                display = _display(equation, line_of(starts, at), at)
                if display is not None:
                    out.append(display)
    return out


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


def _latex_spans(visible: str, path):
    """The displays of LaTeX's own delimiters (\\[..\\], $$..$$, environments) in ``visible``, in order."""
    pos = 0
    while True:
        found = _OPENING.search(visible, pos)
        if found is None:
            return
        start, end, stop = _closing(visible, found)
        if end < 0:
            line = visible.count("\n", 0, found.start()) + 1
            raise DocumentError(f"{path}:{line}: display math {found.group(0)} is never closed")
        yield MathSpan(start, end, (found.start(), stop), found.group("env"))
        pos = stop


def _closing(text: str, found: re.Match) -> tuple[int, int, int]:
    """(body start, body end or -1 when never closed, where scanning resumes)."""
    if found.group("env"):
        closer = f"\\end{{{found.group('env')}}}"
        end = text.find(closer, found.end())
        return found.end(), end, end + len(closer)
    if found.group(0) == "$$":
        end = text.find("$$", found.end())
        return found.end(), end, end + 2
    close = _BRACKET_CLOSE.search(text, found.end())
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


def entries_of(displays: list[Display], config: Config | None = None, flags: NetFlags | None = None) -> list[Entry]:
    """One Entry per display, named by its [L..] section's id, else its \\label, else its line (L12; L12b
    for a second one), read as its section says."""
    config = config or Config()
    entries, used = [], set()
    for d, line_id in zip(displays, line_ids(displays)):
        section = config.lines.get(line_id)
        name = (section.id if section and section.id else "") or d.label or line_id
        base, k = name, 1
        while name in used:                  # a \label written twice: the second is label-b
            k += 1
            name = f"{base}{chr(ord('a') + k - 1)}" if k <= 26 else f"{base}-{k}"
        used.add(name)
        entries.append(_entry(name, d, section, flags))
    unknown = sorted(set(config.lines) - set(line_ids(displays)))
    if unknown:
        raise DocumentError(f"settings for line {unknown[0]}, which starts no displayed equation")
    return entries


def line_ids(displays: list[Display]) -> list[str]:
    """L12 for the display starting on line 12; L12b, L12c for more equations starting on that line;
    C3L5 for line 5 of a notebook's cell 3."""
    ids, count = [], {}
    for d in displays:
        at = f"C{d.cell}L{d.line}" if d.cell else f"L{d.line}"
        k = count[at] = count.get(at, 0) + 1
        ids.append(at if k == 1 else f"{at}{chr(ord('a') + k - 1)}" if k <= 26 else f"{at}-{k}")
    return ids


def _entry(name: str, d: Display, section, flags: NetFlags | None) -> Entry:
    if section is None:
        return Entry(name, d.latex, line=d.line, offset=d.offset, cell=d.cell)
    own = replace(flags or NetFlags(), **section.flags) if section.flags else None
    return Entry(name, d.latex, readings=dict(section.read), read_as="shapes" if section.shapes else None,
                 why=section.why, comment=section.comment, lhs=section.lhs, flags=own,
                 result_latex=section.shapes, split_before=section.split, line=d.line, offset=d.offset,
                 cell=d.cell)
