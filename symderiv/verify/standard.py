"""Standard forms of the quantities a derivation writes: the candidates a correction is built from.

When no single edit of a wrong line makes it true, its correction is the true
value of the line's reference side written out: ``dJ/dW^{(l)}_{ij} =
delta^{(l)}_i a^{(l-1)}_j``, ``delta^{(l)}`` by its recursion, ``a^{(l)}_j =
f(sum_k W_{jk} a_k + b_j)``, an activation by its definition. One table row per
kind of quantity or derivative, each giving candidate lines in the default
notation (DESIGN.md). None of them is a verdict or a truth: repair offers a
candidate only after the checker finds it equal to the reference side, and a
correction is kept only after the checker, reading it in the document's own
symbols, finds it correct.

Where a document never writes delta, ``delta_free`` spells delta out in the
quantities it does write (a, y, W, f'), so the correction uses its symbols.

>>> from symderiv.engine.network import NetFlags
>>> from symderiv.notation.parse import parse_fragment
>>> standard_lines(parse_fragment(r"\\frac{\\partial J}{\\partial b^{(2)}_{i}}"), NetFlags())[0]
(None, '\\\\delta^{(2)}_{i}')
"""
from __future__ import annotations

import sympy as sp

from ..engine import activations as acts
from ..engine.network import NetFlags
from ..notation.tree import Call, LayerRef, Node, Partial, Qty

LETTERS = "ijkpqrtuv"
SAMPLE = "s"               # the sample letter of a batch mean written out


def _lay(q: Qty, d: int = 0) -> str:
    """q's layer shifted by d, as a superscript's text (l+1, 2, L-1)."""
    return LayerRef(q.layer.base, q.layer.offset + d).latex()


def _fresh(used, n: int = 1) -> list:
    """n index letters the line does not use yet."""
    return [c for c in LETTERS if c not in used][:n]


def _batch(flags: NetFlags) -> str:
    return "\\frac{1}{m} " if flags.batch else ""


def _s(flags: NetFlags) -> str:
    """The sample superscript of a per-sample entry inside the batch mean."""
    return f"({SAMPLE})" if flags.batch else ""


def _mean(flags: NetFlags, term: str) -> str:
    return f"\\frac{{1}}{{m}} \\sum_{{{SAMPLE}=1}}^{{m}} {term}" if flags.batch else term


def _reg(flags: NetFlags, w: str) -> str:
    if flags.reg == "l2":
        return f" + \\frac{{\\lambda}}{{m}} {w}" if flags.batch else f" + \\lambda {w}"
    return f" + 2 \\lambda {w}" if flags.reg == "l2-sum" else ""


# ---------------------------------------------------------------- delta


def _delta(q: Qty, flags: NetFlags) -> list:
    l0, l1 = _lay(q), _lay(q, 1)
    rows = flags.layout == "rows"
    if len(q.idx) == 1:
        i = q.idx[0]
        (j,) = _fresh(q.idx)
        a, y, z = f"a^{{({l0})}}_{{{i}}}", f"y_{{{i}}}", f"z^{{({l0})}}_{{{i}}}"
        return [f"{a} - {y}", f"({a} - {y}) f'({z})",
                f"\\left(\\sum_{{{j}}} W^{{({l1})}}_{{{j}{i}}} \\delta^{{({l1})}}_{{{j}}}\\right) f'({z})"]
    if q.idx:
        return []
    a, z = f"a^{{({l0})}}", f"z^{{({l0})}}"
    hidden = (f"\\delta^{{({l1})}} \\left(W^{{({l1})}}\\right)^T \\odot f'({z})" if rows else
              f"\\left(W^{{({l1})}}\\right)^T \\delta^{{({l1})}} \\odot f'({z})")
    return [f"{a} - y", f"({a} - y) \\odot f'({z})", f"-\\frac{{y}}{{{a}}} \\odot f'({z})",
            f"\\frac{{{a} - y}}{{{a} \\odot (1 - {a})}} \\odot f'({z})", hidden]


def delta_free(layer: int, flags: NetFlags, index: str | None = None, used=(), sample=None) -> str | None:
    """delta^{(layer)} (or its entry ``index``) in a, y, W and f' alone, for a concrete layer; None when
    the output layer's delta is not one of the plain forms (a - y, or (a - y) f'(z)). ``sample``: the
    entry of one sample (a superscript (s) on every quantity)."""
    s = f"({sample})" if sample is not None else ""
    L = flags.depth
    out = _output_delta(flags)
    if out is None or not 1 <= layer <= L:
        return None
    rows = flags.layout == "rows"
    if index is None:
        text = out.format(a=f"a^{{({L}){s}}}", y=f"y^{{{s}}}" if s else "y", z=f"z^{{({L}){s}}}", dot="\\odot ")
        for k in range(L - 1, layer - 1, -1):
            w, z = f"\\left(W^{{({k + 1})}}\\right)^T", f"f'(z^{{({k}){s}}})"
            text = (f"\\left({text}\\right) {w} \\odot {z}" if rows else f"{w} \\left({text}\\right) \\odot {z}")
        return text
    letters = _fresh(set(used) | {index, sample}, L - layer)
    chain = [index] + letters                      # the unit index at layers layer, layer+1, ..., L
    k_out = chain[-1]
    y = f"y^{{{s}}}_{{{k_out}}}" if s else f"y_{{{k_out}}}"
    text = out.format(a=f"a^{{({L}){s}}}_{{{k_out}}}", y=y, z=f"z^{{({L}){s}}}_{{{k_out}}}", dot="")
    for k in range(L - 1, layer - 1, -1):
        i, j = chain[k - layer], chain[k - layer + 1]
        text = f"\\left(\\sum_{{{j}}} W^{{({k + 1})}}_{{{j}{i}}} \\left({text}\\right)\\right) f'(z^{{({k}){s}}}_{{{i}}})"
    return text


def _output_delta(flags: NetFlags) -> str | None:
    """The output layer's delta derived from the model: a - y when dJ/dz^{(L)} simplifies to it (sigmoid
    + cross-entropy, softmax + cross-entropy, identity + squared error), else (a - y) f'(z)."""
    loss = flags.loss_obj.name
    if loss == "mse":
        f = flags.output_act.expr
        identity = f is not None and sp.simplify(sp.diff(f, acts.z) - 1) == 0
        return "{a} - {y}" if identity else "({a} - {y}) {dot}f'({z})"
    if loss in ("bce", "ce") and flags.output_act.name in ("sigmoid", "softmax"):
        return "{a} - {y}"
    return None


# ---------------------------------------------------------------- derivatives of J


def _dJ_dW(p: Partial, flags: NetFlags) -> list:
    w = p.den
    l0, lm = _lay(w), _lay(w, -1)
    if len(w.idx) == 2:
        i, j = w.idx
        term = f"\\delta^{{({l0}){_s(flags)}}}_{{{i}}} a^{{({lm}){_s(flags)}}}_{{{j}}}"
        return [_mean(flags, term) + _reg(flags, f"W^{{({l0})}}_{{{i}{j}}}")]
    if w.idx:
        return []
    d, a, s = f"\\delta^{{({l0})}}", f"a^{{({lm})}}", _batch(flags)
    core = f"{s}\\left({a}\\right)^T {d}" if flags.layout == "rows" else f"{s}{d} \\left({a}\\right)^T"
    return [core + _reg(flags, f"W^{{({l0})}}")]


def _dJ_db(p: Partial, flags: NetFlags) -> list:
    b, l0 = p.den, _lay(p.den)
    if len(b.idx) == 1:
        return [_mean(flags, f"\\delta^{{({l0}){_s(flags)}}}_{{{b.idx[0]}}}")]
    if b.idx:
        return []
    d, s = f"\\delta^{{({l0})}}", _batch(flags)
    if not flags.batch:
        return [d]
    return [f"{s}\\mathbf{{1}}^T {d}" if flags.layout == "rows" else f"{s}{d} \\mathbf{{1}}"]


def _dJ_dz(p: Partial, flags: NetFlags) -> list:
    z, l0 = p.den, _lay(p.den)
    if len(z.idx) == 1:
        return [f"\\delta^{{({l0})}}_{{{z.idx[0]}}}"]
    return [] if z.idx else [f"{_batch(flags)}\\delta^{{({l0})}}"]


def _dJ_da(p: Partial, flags: NetFlags) -> list:
    a, l1 = p.den, _lay(p.den, 1)
    if len(a.idx) == 1:
        i = a.idx[0]
        (k,) = _fresh(a.idx)
        return [f"\\sum_{{{k}}} W^{{({l1})}}_{{{k}{i}}} \\delta^{{({l1})}}_{{{k}}}"]
    if a.idx:
        return []
    s = _batch(flags)
    return [f"{s}\\delta^{{({l1})}} W^{{({l1})}}" if flags.layout == "rows" else
            f"{s}\\left(W^{{({l1})}}\\right)^T \\delta^{{({l1})}}"]


# ---------------------------------------------------------------- derivatives inside the network


def _dz_dW(p: Partial, flags: NetFlags) -> list:
    """dz_i/dW_{pq} = [i = p] a_q; written without indices it is a 4-index tensor, so its correction is
    the index form (the left side gains indices)."""
    z, w = p.num, p.den
    if w.layer != z.layer:
        return []
    l0, lm = _lay(w), _lay(w, -1)
    if len(z.idx) == 1 and len(w.idx) == 2:
        i, (r, c) = z.idx[0], w.idx
        if r == i:
            return [f"a^{{({lm})}}_{{{c}}}"]
        return [f"\\mathbb{{1}}({i} = {r}) a^{{({lm})}}_{{{c}}}"]
    if not z.idx and not w.idx:
        i, j = "i", "j"
        lhs = f"\\frac{{\\partial z^{{({l0})}}_{{{i}}}}}{{\\partial {w.spelling}^{{({l0})}}_{{{i}{j}}}}}"
        return [(lhs, f"a^{{({lm})}}_{{{j}}}")]
    return []


def _dz_db(p: Partial, flags: NetFlags) -> list:
    z, b = p.num, p.den
    if b.layer != z.layer:
        return []
    if len(z.idx) == 1 and len(b.idx) == 1:
        return ["1" if z.idx == b.idx else f"\\mathbb{{1}}({z.idx[0]} = {b.idx[0]})"]
    if not z.idx and not b.idx:
        l0 = _lay(b)
        return [(f"\\frac{{\\partial z^{{({l0})}}_{{i}}}}{{\\partial {b.spelling}^{{({l0})}}_{{i}}}}", "1")]
    return []


def _dz_dz(p: Partial, flags: NetFlags) -> list:
    z1, z0 = p.num, p.den
    if len(z1.idx) == 1 and len(z0.idx) == 1:
        j, i = z1.idx[0], z0.idx[0]
        return [f"W^{{({_lay(z1)})}}_{{{j}{i}}} f'(z^{{({_lay(z0)})}}_{{{i}}})"]
    return []


def _dz_da(p: Partial, flags: NetFlags) -> list:
    z, a = p.num, p.den
    if len(z.idx) == 1 and len(a.idx) == 1:
        return [f"W^{{({_lay(z)})}}_{{{z.idx[0]}{a.idx[0]}}}"]
    return []


def _da_dz(p: Partial, flags: NetFlags) -> list:
    a, z = p.num, p.den
    if a.idx == z.idx and len(a.idx) <= 1:
        sub = f"_{{{z.idx[0]}}}" if z.idx else ""
        return [f"f'(z^{{({_lay(z)})}}{sub})"]
    return []


# ---------------------------------------------------------------- values


def _a_value(q: Qty, flags: NetFlags) -> list:
    l0, lm, s = _lay(q), _lay(q, -1), _sample(q)
    if len(q.idx) == 1:
        j = q.idx[0]
        (k,) = _fresh((j, q.sample))
        # written out first: a line that sums the inputs is closest to this form
        return [f"f\\left(\\sum_{{{k}}} W^{{({l0})}}_{{{j}{k}}} a^{{({lm}){s}}}_{{{k}}}{_bias(flags, l0, j)}\\right)",
                f"f(z^{{({l0}){s}}}_{{{j}}})"]
    return [] if q.idx else [f"f(z^{{({l0}){s}}})"]


def _sample(q: Qty) -> str:
    return f"({q.sample})" if q.sample is not None else ""


def _z_value(q: Qty, flags: NetFlags) -> list:
    l0, lm, s = _lay(q), _lay(q, -1), _sample(q)
    if len(q.idx) == 1:
        j = q.idx[0]
        (k,) = _fresh((j, q.sample))
        return [f"\\sum_{{{k}}} W^{{({l0})}}_{{{j}{k}}} a^{{({lm}){s}}}_{{{k}}}{_bias(flags, l0, j)}"]
    if q.idx:
        return []
    return [f"a^{{({lm})}} W^{{({l0})}}{_bias(flags, l0)}" if flags.layout == "rows" else
            f"W^{{({l0})}} a^{{({lm})}}{_bias(flags, l0)}"]


def _bias(flags: NetFlags, layer: str, index: str = "") -> str:
    if not flags.bias:
        return ""
    return f" + b^{{({layer})}}_{{{index}}}" if index else f" + b^{{({layer})}}"


def _activation(c: Call, flags: NetFlags) -> list:
    """An activation applied to a plain variable, by its definition (SymPy's LaTeX of the table's entry)."""
    if not isinstance(c.arg, Qty) or c.arg.layer is not None or c.arg.idx:
        return []
    z = sp.Symbol(c.arg.spelling)
    defined = [act.expr for act in (flags.hidden_act, flags.output_act) if act.expr is not None]
    return list(dict.fromkeys(sp.latex(f.subs(acts.z, z)) for f in defined))


PARTIALS = {("J", "W"): _dJ_dW, ("J", "b"): _dJ_db, ("J", "z"): _dJ_dz, ("J", "a"): _dJ_da,
            ("z", "W"): _dz_dW, ("z", "b"): _dz_db, ("z", "z"): _dz_dz, ("z", "a"): _dz_da,
            ("a", "z"): _da_dz}
VALUES = {"delta": _delta, "a": _a_value, "z": _z_value}


def standard_lines(ref: Node, flags: NetFlags) -> list:
    """Candidate lines for ``ref``: (None, rhs) keeps ``ref`` as the left side, (lhs, rhs) replaces it
    (an index form). LaTeX in the default notation."""
    if isinstance(ref, Partial) and ref.den.layer is not None and (ref.num.kind == "J" or ref.num.layer is not None):
        rule = PARTIALS.get(("J" if ref.num.kind in ("J", "Jdata") else ref.num.kind, ref.den.kind))
        found = rule(ref, flags) if rule else []
    elif isinstance(ref, Qty) and ref.layer is not None:
        found = VALUES[ref.kind](ref, flags) if ref.kind in VALUES else []
    elif isinstance(ref, Call) and ref.fn == "act":
        found = _activation(ref, flags)
    else:
        found = []
    return [c if isinstance(c, tuple) else (None, c) for c in found]

