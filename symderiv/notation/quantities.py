"""The qty row's own functions: how a network quantity or free symbol renders (``render_qty``,
with its layer, sample and index scripts), how tightly it binds, and its parse (the parser's
quantity reader, parse_scripts.py)."""
from __future__ import annotations

from .rows import Prec, render
from .tree import Qty


def render_qty(q: Qty) -> str:
    s = q.spelling + ("'" if q.prime else "")
    if q.args:
        s += "(" + ", ".join(render(a) for a in q.args) + ")"
    if q.idx:
        s += "_{" + "".join(_index_latex(i) for i in q.idx) + "}"
    sample = q.sample if not q.args else None     # h_\theta(x^{(i)}): the arguments already name it
    layer = None if q.kind == "width" and q.spelling.endswith("}") else q.layer    # N_{out}: its name says it
    if layer is not None or sample is not None:
        s += "^{" + (f"({layer.latex()})" if layer is not None else "") + \
            (f"({sample})" if sample is not None else "") + "}"
    return s


def _index_latex(i) -> str:
    """An index as written: a letter, a unit number, or y_i (the class of sample i) after a space."""
    if isinstance(i, tuple) and i[0] == "label":
        return f" y_{i[1]}"
    return str(i)


def qty_prec(q: Qty) -> Prec:
    # W^{(l)} under ^T or a power needs parentheses: (W^{(l)})^T
    return Prec.SCRIPTED if (q.idx or q.layer is not None) else Prec.ATOM


def parse_quantity(p, t):
    return p.quantity()
