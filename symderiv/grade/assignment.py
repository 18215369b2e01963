"""An assignment: the model a class derives under, and the results it asks for.

The assignment is a document (a .md front matter or a .tex file's ``% symderiv:``
lines, settings.py) whose settings state the model (NET FLAGS, ``preset``,
``convention``, ``read``) and, one ``expects: LATEX | POINTS`` key each, the
required results; ``penalty: POINTS`` takes points off per wrong line. Display
maths in it (the question as set) is allowed and not graded.

A required result is a *quantity*, parsed by symderiv's own parser under the
assignment's readings and compared as a tree (quantity.py), never as a string:
a student's ``\\frac{\\partial \\mathcal{L}}{\\partial V}`` with
``read: V -> W^{(2)}`` is the assignment's ``\\frac{\\partial J}{\\partial W^{(2)}}``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import pathlib
from dataclasses import dataclass

from ..documents.reader import SUFFIXES, _flags, latex_front_matter, markdown_front_matter, read_text
from ..documents.settings import DocumentError, configure
from ..engine.network import NetFlags
from .quantity import quantity_of


@dataclass(frozen=True)
class Expected:
    """One required result: its LaTeX as the assignment writes it, its points, its canonical tree."""

    latex: str
    points: float
    key: object            # quantity.canonical tree: what a student's left side must equal


@dataclass(frozen=True)
class Assignment:
    name: str              # the file's name
    text: str              # the file as written (a worker re-reads the assignment from it)
    sha256: str
    flags: NetFlags
    convention: str
    readings: dict
    expects: tuple
    penalty: float
    title: str

    @property
    def max_points(self) -> float:
        return sum(e.points for e in self.expects)

    @property
    def model_overrides(self) -> dict:
        """The assignment's model as NET FLAGS: what every submission is graded under."""
        return {f.name: getattr(self.flags, f.name) for f in dataclasses.fields(self.flags)}


def load_assignment(path) -> Assignment:
    path = pathlib.Path(str(path))
    kind = SUFFIXES.get(path.suffix.lower())
    if kind not in ("markdown", "latex"):
        raise DocumentError(f"{path}: an assignment is a .md or .tex file (its front matter states the model and "
                            "the expects: keys)")
    return read_assignment(read_text(path), kind, path.name)


def read_assignment(text: str, kind: str, name: str) -> Assignment:
    """The assignment in ``text`` (``kind`` "markdown" or "latex"); DocumentError names what is unusable."""
    reader = markdown_front_matter if kind == "markdown" else latex_front_matter
    settings, _ = reader(text, name)
    config = configure(settings, name)
    flags = _flags(config, None, {}, name)
    if not config.expects:
        raise DocumentError(f"{name}: an assignment needs at least one 'expects: <LaTeX> | <points>' key")
    expects, seen = [], {}
    for latex, points in config.expects:
        key = quantity_of(latex, config.read, config.convention, flags)
        if key is None:
            raise DocumentError(f"{name}: expects {latex[:60]!r} is not a quantity symderiv can read "
                                "(write it as a line's left side would be, e.g. \\frac{\\partial J}{\\partial W^{(1)}})")
        if key in seen:
            raise DocumentError(f"{name}: expects {latex!r} is the same result as {seen[key]!r}")
        seen[key] = latex
        expects.append(Expected(latex, points, key))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Assignment(name, text, digest, flags, config.convention, dict(config.read), tuple(expects),
                      config.penalty, config.title or name)
