"""A user's own file (.md or .tex) read as a document: ``symderiv check FILE.md``.

``load_document`` turns a file into an object with the attributes of an
encoded note module (document.py): ``NOTE_ID``, ``TITLE``, ``MODEL``,
``FLAGS``, ``READINGS``, ``ENTRIES`` (one ``Entry`` per displayed equation,
one per row of an ``align``), ``SOURCE``; ``check.check_note`` and the reports
then serve both with one code path. This module owns the file format
(docs/documents.md): the front matter (a ``---`` block of ``key: value`` lines
at the top of a .md, ``% symderiv: key: value`` comment lines in a .tex),
which displays are read, and the refusals of unusable input (``DocumentError``,
a ValueError: one line, exit 2). Values are matched against tables of known
names and LaTeX only ever goes to the parser: nothing is evaluated.
"""
from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field, replace

from ..engine.activations import ACTIVATIONS
from .model import Entry
from ..engine.losses import DEFAULT_LOSS, LOSSES, REGULARISERS
from ..engine.network import LAYOUTS, NetFlags
from ..notation.tokens import NotationError
from ..engine.presets import PRESETS

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".tex": "latex"}
MAX_BYTES = 1_000_000          # a derivation, not a book: larger files are refused before reading
MAX_DISPLAYS = 500             # each display costs a check (tens of milliseconds to seconds)


class DocumentError(ValueError):
    """An unusable document: one line naming the file, the line when known, and the problem."""


# ---------------------------------------------------------------- front matter: keys and their values
def _choice(names):
    names = list(names)

    def parse(text):
        if text not in names:
            raise ValueError(f"must be one of {', '.join(names)}")
        return text
    return parse


def _integer(lo, hi):
    def parse(text):
        if not re.fullmatch(r"[0-9]{1,4}", text) or not lo <= int(text) <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}")
        return int(text)
    return parse


_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def _boolean(text):
    if text.lower() not in _BOOLEANS:
        raise ValueError(f"must be one of {', '.join(_BOOLEANS)}")
    return _BOOLEANS[text.lower()]


# The model keys are NET FLAGS (DESIGN.md) plus ``outputs``; each parses its value or says what it accepts.
FLAG_KEYS = {
    "depth": _integer(1, 12),
    "hidden": _choice(n for n, a in ACTIVATIONS.items() if a.elementwise),
    "output": _choice(n for n in ACTIVATIONS if n in DEFAULT_LOSS),
    "loss": _choice(sorted(LOSSES)),
    "reg": _choice(REGULARISERS),
    "batch": _boolean,
    "layout": _choice(LAYOUTS),
    "outputs": _integer(1, 1000),
}
TEXT_KEYS = ("title", "model")           # free text, shown in the output and the report
KEYS = ("preset", "convention") + tuple(FLAG_KEYS) + TEXT_KEYS + ("read",)


@dataclass
class Document:
    """A user's file, with the attributes ``check_note`` and the reports read from a note module."""

    NOTE_ID: str
    TITLE: str
    MODEL: str
    FLAGS: NetFlags
    READINGS: dict
    ENTRIES: list
    SOURCE: str
    QUESTIONS: tuple = field(default=())
    CONVENTION: str = "default"           # the textbook convention its symbols are read in (conventions.py)


@dataclass(frozen=True)
class Setting:
    line: int
    key: str
    value: str


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


def load_document(name, preset: str | None = None, overrides: dict | None = None) -> Document:
    """The document in file ``name``; ``preset`` and ``overrides`` (NET FLAGS given on the command
    line) take precedence over its front matter."""
    path = pathlib.Path(str(name))
    kind = SUFFIXES.get(path.suffix.lower())
    if path.is_dir():
        raise DocumentError(f"{path}: a directory, not a file")
    if kind is None:
        raise DocumentError(f"{path}: a document must end in {', '.join(SUFFIXES)}")
    text = read_text(path)
    settings, body = (markdown_front_matter if kind == "markdown" else latex_front_matter)(text, path)
    config = _configure(settings, path)
    flags = _flags(config, preset, overrides or {}, path)
    displays = find_displays(body, kind, path)
    if not displays:
        raise DocumentError(f"{path}: no display math found "
                            r"($$..$$, \[..\], equation, equation*, align, align*)")
    if len(displays) > MAX_DISPLAYS:
        raise DocumentError(f"{path}: {len(displays)} displayed equations; at most {MAX_DISPLAYS} per document")
    return Document(NOTE_ID=document_id(path), TITLE=config["title"] or path.name,
                    MODEL=config["model"] or describe(flags), FLAGS=flags, READINGS=config["read"],
                    ENTRIES=entries_of(displays), SOURCE=path.name, CONVENTION=config["convention"])


def document_id(path: pathlib.Path) -> str:
    """The file's stem as an id that can name report files (letters, digits, '-', '_'; at most 40)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:40] or "document"


def describe(flags: NetFlags) -> str:
    """The model in one sentence, for a document whose front matter gives none."""
    loss = flags.loss or DEFAULT_LOSS[flags.output_act.name]
    samples = "the mean over m samples" if flags.batch else "one sample"
    outputs = f", {flags.outputs} output unit{'s' if flags.outputs != 1 else ''}" if flags.outputs else ""
    return (f"{flags.depth} weight layer{'s' if flags.depth != 1 else ''}, hidden {flags.hidden}, "
            f"output {flags.output}{outputs}, loss {loss} over {samples}, regulariser {flags.reg}, "
            f"samples as {flags.layout}")


# ---------------------------------------------------------------- front matter
_SETTING = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_TEX_SETTING = re.compile(r"^\s*%+\s*symderiv\s*:(?P<rest>.*)$", re.IGNORECASE)


def markdown_front_matter(text: str, path) -> tuple[list[Setting], str]:
    """Settings of a leading ``---`` block, and the text with that block blanked (line numbers kept)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return [], text
    end = next((k for k in range(1, len(lines)) if lines[k].strip() in ("---", "...")), None)
    if end is None:
        raise DocumentError(f"{path}:1: the front matter opened by '---' is never closed by '---'")
    settings = []
    for k in range(1, end):
        line = lines[k].strip()
        if not line or line.startswith("#"):
            continue
        settings.append(_setting(line, k + 1, path))
    return settings, "\n" * end + "\n".join(lines[end:])


def latex_front_matter(text: str, path) -> tuple[list[Setting], str]:
    """Settings of ``% symderiv: key: value`` comment lines, anywhere in the file."""
    settings = []
    for k, line in enumerate(text.split("\n"), 1):
        found = _TEX_SETTING.match(line)
        if found:
            settings.append(_setting(found.group("rest").strip(), k, path))
    return settings, text


def _setting(line: str, number: int, path) -> Setting:
    found = _SETTING.match(line)
    if not found:
        raise DocumentError(f"{path}:{number}: expected 'key: value', got {line[:60]!r}")
    key = found.group("key").lower()
    if key not in KEYS:
        raise DocumentError(f"{path}:{number}: unknown key {key!r}; known keys: {', '.join(KEYS)}")
    return Setting(number, key, found.group("value"))


def _configure(settings: list[Setting], path) -> dict:
    """The settings checked one by one: model flags parsed, readings compiled (so a bad one is refused
    with its line), text kept."""
    from ..notation.readings import compile_readings
    config = {"title": "", "model": "", "read": {}, "preset": None, "flags": {}, "convention": "default"}
    seen = {}
    for s in settings:
        where = f"{path}:{s.line}"
        if s.key != "read" and s.key in seen:
            raise DocumentError(f"{where}: {s.key} is set twice (first at line {seen[s.key]})")
        seen[s.key] = s.line
        if s.key in TEXT_KEYS:
            config[s.key] = s.value
        elif s.key == "preset":
            if s.value not in PRESETS:
                raise DocumentError(f"{where}: preset {s.value!r} must be one of {', '.join(PRESETS)}")
            config["preset"] = s.value
        elif s.key == "convention":
            from ..notation.conventions import CONVENTIONS
            if s.value not in CONVENTIONS:
                raise DocumentError(f"{where}: convention {s.value!r} must be one of {', '.join(CONVENTIONS)}")
            config["convention"] = s.value
        elif s.key == "read":
            pattern, meaning = _reading(s.value, where)
            if pattern in config["read"]:
                raise DocumentError(f"{where}: {pattern} is read twice")
            try:
                compile_readings({pattern: meaning})
            except NotationError as exc:
                raise DocumentError(f"{where}: {exc.one_line()}") from None
            config["read"][pattern] = meaning
        else:
            try:
                config["flags"][s.key] = FLAG_KEYS[s.key](s.value)
            except ValueError as exc:
                raise DocumentError(f"{where}: {s.key} {s.value!r} {exc}") from None
    return config


def _reading(value: str, where: str) -> tuple[str, str]:
    parts = value.split("->")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise DocumentError(f"{where}: a reading is 'read: <LaTeX> -> <LaTeX>' with one '->', got {value[:60]!r}")
    return parts[0].strip(), parts[1].strip()


def _flags(config: dict, preset: str | None, overrides: dict, path) -> NetFlags:
    """Front matter over the defaults; the command line's preset and flags over both."""
    flags = PRESETS[config["preset"]] if config["preset"] else NetFlags()
    flags = replace(flags, **config["flags"])
    if preset:
        flags = PRESETS[preset]
    flags = replace(flags, **overrides)
    if flags.loss is None and flags.output not in DEFAULT_LOSS:
        raise DocumentError(f"{path}: no default loss for output {flags.output}; give 'loss:'")
    return flags


# ---------------------------------------------------------------- displays
# Every scan below is one pass over the text (an unclosed opener is found once, not retried at each
# later position): a hostile 1 MB file costs a fraction of a second.

# What is not read: (opener, how its span ends). An unclosed one runs to the end of the file.
_SKIPPED = {
    "markdown": re.compile(r"(?P<fence>^(?:```|~~~))|(?P<html><!--)|(?P<code>`)", re.M),
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


def _skipped_end(text: str, found: re.Match) -> int:
    """Where a skipped span that starts at ``found`` ends (-1: not a span after all)."""
    kind = found.lastgroup
    if kind == "fence":
        line_end = text.find("\n", found.end())
        closing = None if line_end < 0 else \
            re.compile("^" + re.escape(found.group(kind)), re.M).search(text, line_end + 1)
        end = -1 if closing is None else text.find("\n", closing.end())
        return len(text) if end < 0 else end
    if kind == "html":
        end = text.find("-->", found.end())
        return len(text) if end < 0 else end + 3
    if kind == "code":
        line_end = text.find("\n", found.end())
        end = text.find("`", found.end(), len(text) if line_end < 0 else line_end)
        return -1 if end < 0 else end + 1          # a lone backtick is a character, not code
    if kind == "comment":
        end = text.find("\n", found.end())
        return len(text) if end < 0 else end
    end = text.find(f"\\end{{{found.group(kind)}}}", found.end())
    return len(text) if end < 0 else end


def visible_text(text: str, kind: str) -> str:
    """The text with what is not read (code, comments) replaced by spaces: positions and lines kept."""
    pieces, pos, opener = [], 0, _SKIPPED[kind]
    while True:
        found = opener.search(text, pos)
        if found is None:
            break
        end = _skipped_end(text, found)
        if end < 0:
            pieces.append(text[pos:found.end()])
            pos = found.end()
            continue
        pieces.append(text[pos:found.start()])
        pieces.append(re.sub(r"[^\n]", " ", text[found.start():end]))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def find_displays(text: str, kind: str, path) -> list[Display]:
    """Every displayed equation in file order; the rows of an align each on their own."""
    visible = visible_text(text, kind)
    out, pos = [], 0
    while True:
        found = _OPENING.search(visible, pos)
        if found is None:
            return out
        start, end, stop = _closing(visible, found)
        if end < 0:
            line = visible.count("\n", 0, found.start()) + 1
            raise DocumentError(f"{path}:{line}: display math {found.group(0)} is never closed")
        # in LaTeX a % inside maths is a comment (blanked); in Markdown a backtick inside maths is maths
        body = (visible if kind == "latex" else text)[start:end]
        rows = _rows(body) if found.group("env") in _ROW_ENVS else [(0, body)]
        for offset, row in rows:
            for at, equation in _equations(row):
                display = _display(equation, visible.count("\n", 0, start + offset + at) + 1)
                if display is not None:
                    out.append(display)
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


def _display(row: str, line: int) -> Display | None:
    # the row's own first line: skip the blank lines before its text
    lead = row[: len(row) - len(row.lstrip())]
    line += lead.count("\n")
    label = _LABEL.search(row)
    latex = _NUMBERING.sub("", row).strip()
    latex = re.sub(r"(\\[,;!:]|\\quad|\\qquad|[\s,.;])+$", "", latex)   # "... = y ." closes a sentence
    if not latex:
        return None
    return Display(line, latex, label.group("label").strip() if label else "")


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


def entries_of(displays: list[Display]) -> list[Entry]:
    """One Entry per display, named by its \\label or else by its line (L12; L12b for a second one)."""
    entries, used = [], set()
    for d in displays:
        name = d.label or f"L{d.line}"
        base, k = name, 1
        while name in used:
            k += 1
            name = f"{base}{chr(ord('a') + k - 1)}" if k <= 26 else f"{base}-{k}"
        used.add(name)
        entries.append(Entry(name, d.latex))
    return entries
