"""What a claim that cannot be used is told: the problem in one line, the fragment of the formula it is in,
and the nearest supported spelling (``unknown symbol \\sigam ... did you mean \\sigma?``).
"""
from __future__ import annotations

import difflib
import re

from ..notation.registry import QUANTITY_NAMES, ROWS
from ..notation.tokens import KNOWN_COMMANDS, NotationError
from .diagnostics import diagnostic
from .verdict import Verdict


def unusable(latex, exc: NotationError) -> Verdict:
    """The unverifiable verdict of a claim that cannot be read, naming the problem and where it is."""
    reason = human_reason(exc)
    symbol = getattr(exc, "symbol", None)
    cause = diagnostic("unknown-symbol", symbol=symbol) if symbol else diagnostic("unreadable", problem=reason)
    if exc.pos is not None and exc.text == latex:
        cause.span = (exc.pos, exc.pos + 1)
    v = Verdict("unverifiable", latex, reason=reason, cause=cause)
    v.evidence = {"caret": exc.caret()}
    return v


def cannot(latex, reason: str) -> Verdict:
    """The unverifiable verdict of a claim that cannot be checked, for ``reason``."""
    return Verdict("unverifiable", latex, reason=reason, cause=diagnostic("unverifiable", problem=reason))


def human_reason(exc: NotationError) -> str:
    """The problem, the fragment of the formula it is in, and the nearest supported spelling."""
    if exc.text is None or exc.pos is None:
        return exc.message
    text, pos = exc.text, exc.pos
    start, end = max(0, pos - 12), min(len(text), pos + 18)
    fragment = ("..." if start else "") + " ".join(text[start:end].split()) + ("..." if end < len(text) else "")
    out = f"{exc.message}, in `{fragment}` (column {pos + 1})"
    token = re.match(r"\\[A-Za-z]+|\\.|\S", text[pos:])
    near = nearest_spellings(token.group(0)) if token and exc.message.startswith(
        ("unsupported construct", "unknown symbol")) else []
    if near:
        out += f"; did you mean {' or '.join(near)}?"
    return out


def nearest_spellings(word: str) -> list:
    """Supported spellings closest to ``word`` (from the construct registry and the name tables)."""
    known = set(KNOWN_COMMANDS) | set(QUANTITY_NAMES)
    for row in ROWS:
        known.update(sp for sp in row.spellings if sp.startswith("\\"))
    known = {k for k in known if k.startswith("\\") and len(k) > 2}
    return difflib.get_close_matches(word, sorted(known), n=2, cutoff=0.6)
