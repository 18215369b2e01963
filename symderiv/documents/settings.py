"""Settings: the ``key: value`` lines that say how to read a document.

The same syntax serves a Markdown file's front matter (a leading ``---``
block), a LaTeX file's ``% symderiv: key: value`` comment lines, and a
sidecar file beside a document (how the five notes say what their verbatim
text leaves unsaid). A ``[L41]`` line opens a section for the display
starting on line 41 of the document (``[L41b]`` for its second equation);
its keys apply to that line only.

Every value is matched against a table of known names, readings are parsed
by symderiv's own parser, and nothing is evaluated. A setting never says
whether a line is right: it says how to read it.

>>> lines = ["hidden: relu", "[L12]", "why: a definition"]
>>> config = configure(parse_settings(lines, "doc.md", 1), "doc.md")
>>> config.flags["hidden"], config.lines["L12"].why
('relu', 'a definition')
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..engine.activations import ACTIVATIONS
from ..engine.losses import DEFAULT_LOSS, LOSSES, REGULARISERS
from ..engine.network import LAYOUTS
from ..engine.presets import PRESETS
from ..notation.tokens import NotationError
from ..errors import DocumentError  # noqa: F401 (re-exported)


# ---------------------------------------------------------------- values
def _choice(names):
    names = list(names)

    def parse(text):
        if text not in names:
            raise ValueError(f"must be one of {', '.join(names)}")
        return text
    parse.names = names               # what it accepts, for telling a misspelling from another tool's value
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


# The model keys are NET FLAGS (DESIGN.md) plus ``outputs`` and ``bias``; each parses its value or says
# what it accepts.
FLAG_KEYS = {
    "depth": _integer(1, 12),
    "hidden": _choice(n for n, a in ACTIVATIONS.items() if a.elementwise),
    "output": _choice(n for n in ACTIVATIONS if n in DEFAULT_LOSS),
    "loss": _choice(sorted(LOSSES)),
    "reg": _choice(REGULARISERS),
    "batch": _boolean,
    "layout": _choice(LAYOUTS),
    "outputs": _integer(1, 1000),
    "bias": _boolean,
}
TEXT_KEYS = ("title", "model", "student")     # free text; student: the id a grader files a submission under
# an assignment's keys (symderiv grade): "expects: LATEX | POINTS" per required result, "penalty: POINTS" per wrong line
GRADE_KEYS = ("expects", "penalty")
DOCUMENT_KEYS = ("id", "preset", "convention") + tuple(FLAG_KEYS) + TEXT_KEYS + ("read", "question", "answer") \
    + GRADE_KEYS + ("macros", "inline")
# keys of a [L41] section: how that one line is read
LINE_KEYS = ("id", "why", "comment", "read", "lhs", "split", "shapes") + tuple(FLAG_KEYS)
REPEATABLE = ("read", "question", "answer", "split", "expects", "macros")


@dataclass(frozen=True)
class Setting:
    line: int
    key: str
    value: str
    section: str | None = None            # "L41": the key applies to that line of the document only
    strict: bool = True                   # False: a Markdown front matter, shared with other tools (Jekyll)


@dataclass
class LineConfig:
    """What a [L41] section says about one line."""
    id: str = ""
    why: str = ""
    comment: str = ""
    read: dict = field(default_factory=dict)
    flags: dict = field(default_factory=dict)
    lhs: str = ""
    split: tuple = ()
    shapes: str = ""


@dataclass
class Config:
    """The settings of a document, checked one by one."""
    title: str = ""
    model: str = ""
    student: str = ""
    id: str = ""
    preset: str | None = None
    convention: str = "default"
    flags: dict = field(default_factory=dict)
    read: dict = field(default_factory=dict)
    questions: list = field(default_factory=list)        # [question, answer] pairs
    lines: dict = field(default_factory=dict)            # "L41" -> LineConfig
    expects: list = field(default_factory=list)          # [(LaTeX of a required result, points)]
    penalty: float = 0.0                                 # points off per wrong line (an assignment's)
    macros: dict = field(default_factory=dict)           # "macros: \pd -> ..." (notation/macros.py)
    inline: bool | None = None                           # inline $..$ equations are lines (None: when no display)


# ---------------------------------------------------------------- reading the lines
_SETTING = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_SECTION = re.compile(r"^\[\s*(?P<id>(?:C[0-9]{1,5})?L[0-9]{1,6}[a-z]?)\s*\]$")     # [L41], a notebook's [C3L5]


def parse_settings(lines, path, first_line: int = 1, strict: bool = True) -> list[Setting]:
    """Settings of ``lines`` (the first is line ``first_line`` of ``path``, or each a (number, text)
    pair); '#' lines are comments. Not ``strict`` (a Markdown front matter, which blogs share with
    Jekyll or Hugo: ``layout: post``, ``tags:``, ``date:``), what is not symderiv's is passed over,
    unless it looks like a misspelt setting of symderiv's."""
    out, section = [], None
    for k, raw in enumerate(lines):
        number, raw = raw if isinstance(raw, tuple) else (first_line + k, raw)
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = _SECTION.match(line)
        if found:
            section = found.group("id")
            continue
        setting = _setting(line, number, path, section, strict)
        if setting is not None:
            out.append(setting)
    return out


def _setting(line: str, number: int, path, section: str | None, strict: bool) -> Setting | None:
    found = _SETTING.match(line)
    allowed = LINE_KEYS if section else DOCUMENT_KEYS
    if not found:
        first = line.split()[0].lower() if line.split() else ""
        if not strict and not difflib.get_close_matches(first, allowed, n=1, cutoff=0.75):
            return None                   # another tool's YAML (a list item, a block)
        raise DocumentError(f"{path}:{number}: expected 'key: value' or '[L<line>]', got {line[:60]!r}")
    key = found.group("key").lower()
    if key not in allowed:
        near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
        if not strict and not near and _unquoted(found.group("value")).lower() not in _vocabulary():
            return None                   # another tool's key (date, tags, categories, math)
        where = f"a [{section}] section" if section else "the document's settings"
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise DocumentError(f"{path}:{number}: unknown key {key!r} in {where}; {hint}known keys: {', '.join(allowed)}")
    return Setting(number, key, _unquoted(found.group("value")), section, strict)


def _vocabulary() -> set:
    """Every value one of symderiv's keys accepts (a key 'activation: relu' is meant for symderiv)."""
    from ..notation.conventions import CONVENTIONS
    names = {n for parse in FLAG_KEYS.values() for n in getattr(parse, "names", ())}
    return names | set(PRESETS) | set(CONVENTIONS)


def _unquoted(value: str) -> str:
    """A YAML scalar's quotes removed ('text', "text")."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


# ---------------------------------------------------------------- checking the values
def configure(settings: list[Setting], path) -> Config:
    """The settings checked one by one: model flags parsed, readings compiled (so a bad one is refused
    with its line), text kept."""
    config, seen = Config(), {}
    for s in settings:
        if _foreign(s):
            continue
        where = f"{path}:{s.line}"
        scope = (s.section, s.key)
        if s.key not in REPEATABLE and scope in seen:
            raise DocumentError(f"{where}: {s.key} is set twice (first at line {seen[scope]})")
        seen[scope] = s.line
        if s.section:
            _line_setting(config.lines.setdefault(s.section, LineConfig()), s, where)
        else:
            _document_setting(config, s, where)
    if len(config.questions) != sum(1 for s in settings if s.key == "answer" and not s.section):
        raise DocumentError(f"{path}: every 'question:' needs the 'answer:' line after it")
    return config


def _document_setting(config: Config, s: Setting, where: str) -> None:
    if s.key in TEXT_KEYS or s.key == "id":
        setattr(config, s.key, s.value)
    elif s.key == "preset":
        if s.value not in PRESETS:
            raise DocumentError(f"{where}: preset {s.value!r} must be one of {', '.join(PRESETS)}")
        config.preset = s.value
    elif s.key == "convention":
        from ..notation.conventions import CONVENTIONS
        if s.value not in CONVENTIONS:
            raise DocumentError(f"{where}: convention {s.value!r} must be one of {', '.join(CONVENTIONS)}")
        config.convention = s.value
    elif s.key == "read":
        _add_reading(config.read, s.value, where)
    elif s.key == "expects":
        config.expects.append(_expected(s.value, where))
    elif s.key == "penalty":
        config.penalty = _points(s.value, where, "penalty")
    elif s.key == "inline":
        try:
            config.inline = _boolean(s.value)
        except ValueError as exc:
            raise DocumentError(f"{where}: inline {s.value!r} {exc}") from None
    elif s.key == "macros":
        from ..notation.macros import front_matter_macro
        try:
            name, macro = front_matter_macro(s.value)
        except NotationError as exc:
            raise DocumentError(f"{where}: {exc.one_line()}") from None
        config.macros[name] = macro
    elif s.key == "question":
        config.questions.append([s.value, None])
    elif s.key == "answer":
        if not config.questions or config.questions[-1][1] is not None:
            raise DocumentError(f"{where}: an 'answer:' must follow its 'question:'")
        config.questions[-1][1] = s.value
    else:
        config.flags[s.key] = _flag(s, where)


def _line_setting(line: LineConfig, s: Setting, where: str) -> None:
    if s.key in ("id", "why", "comment", "lhs", "shapes"):
        setattr(line, s.key, s.value)
    elif s.key == "read":
        _add_reading(line.read, s.value, where)
    elif s.key == "split":
        line.split += (s.value,)
    else:
        line.flags[s.key] = _flag(s, where)


_POINTS = re.compile(r"[0-9]{1,4}(\.[0-9]{1,3})?")


def _points(text: str, where: str, key: str) -> float:
    if not _POINTS.fullmatch(text.strip()):
        raise DocumentError(f"{where}: {key} {text[:40]!r} must be a number of points such as 3 or 0.5")
    return float(text)


def _expected(value: str, where: str) -> tuple:
    """``LATEX | POINTS``: split at the last '|' (the LaTeX may hold |x| or \\|x\\|)."""
    latex, bar, points = value.rpartition("|")
    if not bar or not latex.strip():
        raise DocumentError(f"{where}: expects is 'expects: <LaTeX of the result> | <points>', got {value[:60]!r}")
    return latex.strip(), _points(points, where, "expects' points")


def _flag(s: Setting, where: str):
    try:
        return FLAG_KEYS[s.key](s.value)
    except ValueError as exc:
        raise DocumentError(f"{where}: {s.key} {s.value!r} {exc}") from None


SHARED_KEYS = ("layout", "output")     # Jekyll's layout: post, R Markdown's output: html_document


def _foreign(s: Setting) -> bool:
    """A front-matter value that is another tool's (Jekyll's ``layout: post``), not a misspelt one of ours."""
    if s.strict or s.key not in SHARED_KEYS:
        return False
    try:
        FLAG_KEYS[s.key](s.value)
        return False
    except ValueError:
        names = getattr(FLAG_KEYS[s.key], "names", [])
        return not difflib.get_close_matches(s.value.lower(), names, n=1, cutoff=0.6)


def _add_reading(readings: dict, value: str, where: str) -> None:
    from ..notation.readings import compile_readings
    parts = value.split("->")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise DocumentError(f"{where}: a reading is 'read: <LaTeX> -> <LaTeX>' with one '->', got {value[:60]!r}")
    pattern, meaning = parts[0].strip(), parts[1].strip()
    if pattern in readings:
        raise DocumentError(f"{where}: {pattern} is read twice")
    try:
        compile_readings({pattern: meaning})
    except NotationError as exc:
        raise DocumentError(f"{where}: {exc.one_line()}") from None
    readings[pattern] = meaning
