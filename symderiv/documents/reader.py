"""A file read as a document: a user's .md or .tex, or a note's verbatim text with its sidecar.

``load_document`` turns a file into a ``Document`` (model.py): its settings
(front matter, or a sidecar of the same ``key: value`` lines: settings.py),
its model and readings, and one ``Entry`` per displayed equation (one per row
of an ``align``; where the maths is: displays.py). ``read_document`` does the
same for text already in memory (the web API). The five notes take this same
path (notes.py). This module owns which displays and inline equations are read
(inline maths beside displays only where symderiv reads it) and the refusals of unusable input
(``DocumentError``: one line, exit 2). LaTeX only ever goes to symderiv's own
parser: nothing is evaluated.
"""
from __future__ import annotations

import pathlib
import re
from dataclasses import replace

from ..engine.losses import DEFAULT_LOSS
from ..engine.network import NetFlags
from ..engine.presets import PRESETS
from .displays import Display, find_displays, visible_text
from ..notation.macros import definitions, without_definitions
from ..notation.tokens import NotationError
from .model import Document, Entry, Question
from .notebook import markdown_cells
from .samples import read_samples
from .conditions import attach_conditions
from .lead_ins import attach_lead_ins, model_for, said_model
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
        settings, cells = _notebook(text, path)
        prose = "\n".join(source for _, source in cells)
    else:
        settings, body = (markdown_front_matter if kind == "markdown" else latex_front_matter)(text, path)
        prose = visible_text(body, kind)
    config = configure(settings + list(extra_settings), path)
    flags = _flags(config, preset, overrides or {}, path, text)
    read = (lambda inline: _cell_displays(cells, path, inline)) if kind == "notebook" else \
        (lambda inline: find_displays(body, kind, path, inline))
    displays = read(config.inline is not False)
    if config.inline is None and all(d.problem for d in displays):     # course notes whose maths is all inline
        displays = read(True)
    macros = _macros(prose, config.macros, path)
    if any(not d.inline and not d.problem for d in displays):
        # beside displays, an inline equation symderiv cannot read is prose ("using $\sigma' = \sigma(1-\sigma)$"),
        # and so is one that declares a type ("$x = [x_1 \dots x_n] \in \mathbb{R}^n$": notation, not a claim)
        displays = [d for d in displays if not d.inline or (not _MEMBERSHIP.search(d.latex)
                                                            and _readable(d.latex, macros))]
    if macros:       # a display that only defines macros is not a line to check
        displays = [d for d in displays if without_definitions(d.latex).strip()]
    displays = attach_conditions(displays, text)      # "If $i = k$," is the next display's condition
    displays = attach_lead_ins(displays, text)        # "For MSE loss and Sigmoid activation:" is its model
    # "a network with $L = 4$ layers", "$\lambda = 0$", "for $i = 1$ to $m$": a value given to one name in a
    # sentence sets the scene; it is not a claim about the model
    displays = [d for d in displays if not (d.inline and _VALUE_GIVEN.match(d.latex))]
    if not displays:
        raise DocumentError(f"{path}: no display math found "
                            r"($$..$$, \[..\], equation, equation*, align, align*)")
    if len(displays) > MAX_DISPLAYS:
        raise DocumentError(f"{path}: {len(displays)} displayed equations; at most {MAX_DISPLAYS} per document")
    entries = entries_of(displays, config, flags)
    samples = read_samples(_equations(entries, macros))
    if samples.mean and not flags.batch and not _batch_stated(config, preset, overrides or {}):
        flags = replace(flags, batch=True)      # its cost is the mean over m examples: checked over a batch
        entries = entries_of(displays, config, flags)
    return Document(id=config.id or document_id(path), title=config.title or path.name,
                    model=config.model or describe(flags), flags=flags, readings=config.read,
                    entries=entries, source=path.name, text=text,
                    questions=tuple(Question(q, a) for q, a in config.questions), convention=config.convention,
                    macros=macros, samples=samples, stated=_model_stated(config, preset, overrides or {}))


def _model_stated(config: Config, preset: str | None, overrides: dict) -> bool:
    """Does the front matter, a preset or the command line state a model (a key of the network or a convention)?"""
    return bool(config.flags or overrides or preset or config.preset or config.convention != "default")


def _batch_stated(config: Config, preset: str | None, overrides: dict) -> bool:
    """Does the front matter, a preset or the command line say whether the model is a batch?"""
    return "batch" in config.flags or "batch" in overrides or bool(preset or config.preset)


def _equations(entries: list[Entry], macros: dict) -> list[str]:
    """Every equation of the readable entries (a display's rows one by one), its macros expanded (one that
    does not expand is left out)."""
    from ..notation.macros import expand
    from .claims import claims_of, left_side
    out, lhs = [], ""
    for entry in entries:
        if entry.read_as is not None:
            continue
        try:
            texts = claims_of(replace(entry, source_latex=expand(entry.source_latex, macros)) if macros else entry,
                              lhs)
        except (NotationError, RecursionError, ValueError):
            continue
        lhs = left_side(texts[0]) or lhs
        out += texts
    return out


_MEMBERSHIP = re.compile(r"\\in(?![A-Za-z])")
_VALUE_GIVEN = re.compile(r"^\s*\\?[A-Za-z]+\s*=\s*-?[0-9]+(?:\.[0-9]+)?\s*$")     # L = 4, \lambda = 0, i = 1


def _readable(latex: str, macros: dict) -> bool:
    """Does an equation read as expressions in names (the document's own reading of a line, graph/lines.py)?"""
    from ..graph.lines import parse_line
    from ..notation.macros import expand
    try:
        parse_line(expand(latex, macros) if macros else latex)
    except (NotationError, RecursionError, ValueError):
        return False
    return True


def _macros(prose: str, table: dict, path) -> dict:
    """The front matter's macros, then the definitions the file makes (a later one replaces an earlier)."""
    try:
        return definitions(prose, table)[0]
    except NotationError as exc:
        raise DocumentError(f"{path}: {exc.one_line()}") from None


def _notebook(text: str, path) -> tuple[list[Setting], list[tuple[int, str]]]:
    """The settings (a front matter opening the first Markdown cell) and (cell number, text) of every
    Markdown cell of a notebook, the front matter blanked."""
    cells = markdown_cells(text, path)
    if not cells:
        return [], []
    settings, first = markdown_front_matter(cells[0][1], f"{path} cell {cells[0][0]}")
    return settings, [(cells[0][0], first)] + cells[1:]


def _cell_displays(cells: list[tuple[int, str]], path, inline: bool) -> list[Display]:
    """The displays of every Markdown cell, each knowing its cell."""
    return [replace(d, cell=number, offset=-1) for number, source in cells
            for d in find_displays(source, "markdown", f"{path} cell {number}", inline)]


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


# ---------------------------------------------------------------- entries
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
    C3L5 for line 5 of a notebook's cell 3. Inline equations are counted after the displays of their
    line, so reading them never renames a display."""
    ids, count = [None] * len(displays), {}
    for k in sorted(range(len(displays)), key=lambda k: displays[k].inline):     # stable: file order kept
        d = displays[k]
        at = f"C{d.cell}L{d.line}" if d.cell else f"L{d.line}"
        n = count[at] = count.get(at, 0) + 1
        ids[k] = at if n == 1 else f"{at}{chr(ord('a') + n - 1)}" if n <= 26 else f"{at}-{n}"
    return ids


def _entry(name: str, d: Display, section, flags: NetFlags | None) -> Entry:
    if d.problem:
        return Entry(name, d.latex, read_as="unread", why=d.problem, line=d.line, offset=d.offset, cell=d.cell)
    # the sentence introducing the display states its model over the document's; its [L..] section over both
    lead = model_for(said_model(d.said), flags or NetFlags()) if d.said else None
    said = d.said if lead is not None else ""
    if section is None:
        return Entry(name, d.latex, line=d.line, offset=d.offset, cell=d.cell, inline=d.inline,
                     condition=d.condition, flags=lead, said=said)
    own = replace(lead or flags or NetFlags(), **section.flags) if section.flags else lead
    return Entry(name, d.latex, readings=dict(section.read), read_as="shapes" if section.shapes else None,
                 why=section.why, comment=section.comment, lhs=section.lhs, flags=own,
                 result_latex=section.shapes, split_before=section.split, line=d.line, offset=d.offset,
                 cell=d.cell, inline=d.inline, condition=d.condition, said=said)
