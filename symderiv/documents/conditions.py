"""A condition said in the sentence before a display: "If $i = k$," then the display holds when i = k.

Derivations split a case analysis over displays (the softmax derivative: "If $i = k$, [display] If
$i \\neq k$, [display]"). The inline comparison is the condition of the display right after it, not a claim
of its own: the display is checked where it holds, as ``.. \\quad \\text{if } i = k`` would be.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .displays import Display

# "If $i = k$," (or when / for; \(..\) too), then the display's opener, at the end of the text before it
_SAID = re.compile(r"(?:^|[\s.:;,])(?:if|when|for)\s*(?:\$(?P<a>[^$]{1,40})\$|\\\((?P<b>.{1,40}?)\\\))\s*[,:]?\s*"
                   r"(?:\$\$|\\\[|\\begin\{[a-z*]+\})?\s*$", re.IGNORECASE)
# a comparison of two index letters, or of an index letter and a number
_COMPARISON = re.compile(r"^\s*[a-z]\s*(?:=|\\neq|\\ne|<|>|\\leq|\\geq)\s*(?:[a-z]|[0-9]+)\s*$")
LOOK_BACK = 120          # characters before a display searched for its condition


def attach_conditions(displays: list[Display], text: str) -> list[Display]:
    """The displays with each prose condition moved onto the display it introduces (and its inline
    comparison dropped as a line)."""
    out, spans = [], []
    for d in displays:
        if d.inline or d.offset < 0:
            out.append(d)
            continue
        start = max(0, d.offset - LOOK_BACK)
        found = _SAID.search(text[start:d.offset])
        cond = found and (found.group("a") or found.group("b"))
        if cond and _COMPARISON.match(cond):
            spans.append((start + found.start(), d.offset))
            d = replace(d, condition=cond.strip())
        out.append(d)
    return [d for d in out if not (d.inline and any(a <= d.offset < b for a, b in spans))]
