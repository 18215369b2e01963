"""A claim of a document checked on the document's own model: its sides compared at random draws, link by
link, a line in a symbolic layer at every layer it is about, with the assumptions it was read under."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy as sp

from ..notation.tree import Call, Index, Num, Op, Partial, Qty, Sum, walk
from ..verify.diagnostics import diagnostic
from ..verify.verdict import Unverifiable
from .build import implicit_text, layer_instances, symbolic
from .symbols import Graph
from .lines import COST, COST_SUMMED, Line, entry_of, key_of, latex_of
from .symbols import DATA_OUT, GENERIC, TypeCheck
from .values import COMPARE, Evaluator, draw_of
from .worked import check_at_point, worked_link

DRAWS = 3
RTOL = 1e-8

@dataclass
class LineVerdict:
    verdict: str
    reason: str
    diagnostics: list = field(default_factory=list)   # Diagnostic objects (verify/diagnostics.py)
    counterexample: dict | None = None
    assumptions: list = field(default_factory=list)

    @property
    def diagnosis(self) -> list:
        return [d.text for d in self.diagnostics]


def _free_indices(sides) -> list:
    names = []
    for side in sides:
        bound = {x.index for x in walk(side) if isinstance(x, Sum)}
        for q in walk(side):
            if isinstance(q, Qty) or isinstance(q, Partial):
                for qq in ((q,) if isinstance(q, Qty) else (q.num, q.den)):
                    for i in entry_of(qq):
                        if isinstance(i, str) and i not in bound and i not in names:
                            names.append(i)
    return names


def _index_ranges(g: Graph, sides, names) -> dict:
    ranges = {}
    for side in sides:
        for q in walk(side):
            for qq in ((q,) if isinstance(q, Qty) else (q.num, q.den) if isinstance(q, Partial) else ()):
                idx = entry_of(qq)
                sym = g.symbols.get(key_of(qq))
                if sym is None:
                    continue
                for pos, i in enumerate(idx):
                    if i in names and i not in ranges:
                        ranges[i] = sym.shape[pos] if len(idx) == 2 else max(sym.shape)
    missing = [i for i in names if i not in ranges]
    if missing:
        raise Unverifiable(f"the range of index {missing[0]} is not known")
    return ranges


def _numbers(m: sp.Matrix):
    return [complex(sp.N(x)) for x in m]


def _close(a, b) -> bool:
    scale = max([1.0] + [abs(x) for x in a + b])
    return all(abs(x - y) <= RTOL * scale for x, y in zip(a, b))


def _diagnose(pairs) -> list:
    """Sign, scale and transpose, from the values at the draws."""
    out = []
    ratios = [x / y for a, b in pairs for x, y in zip(a, b) if abs(y) > 1e-9]
    if ratios and all(abs(r - ratios[0]) < 1e-6 * max(1, abs(ratios[0])) for r in ratios):
        r = ratios[0].real
        if abs(r) < 1e-9:
            return out
        out.append(diagnostic("sign") if abs(r + 1) < 1e-9 else diagnostic("scale", factor=f"{r:.6g}"))
    return out


def _where(condition, names: list, bindings: list) -> list:
    """The bindings of the free indices where a condition on them holds (``\\text{if } i = k``)."""
    if condition is None:
        return bindings
    sides = (condition.left, condition.right)
    if not all(isinstance(x, Index) and isinstance(x.name, str) for x in sides) or condition.op not in COMPARE:
        raise Unverifiable("only a condition comparing two indices (i = k) is read on a document's own model")
    if not all(x.name in names for x in sides):
        return bindings              # a link without i (exp(o_k) .. = p_k (1 - p_k)) holds for every k alike
    return [b for b in bindings if COMPARE[condition.op](b[sides[0].name], b[sides[1].name])]


def check_sides(g: Graph, left, right, draws: int = DRAWS, condition=None) -> LineVerdict:
    """Do two sides agree at every draw (for every value of their free indices where ``condition`` holds)?"""
    names = _free_indices([left, right])
    ranges = _index_ranges(g, [left, right], names)
    bindings = [dict(zip(names, vals)) for vals in itertools.product(*(range(ranges[i]) for i in names))]
    bindings = _where(condition, names, bindings)
    pairs, first_bad = [], None
    for seed in range(draws):
        draw = draw_of(g, seed)
        for b in bindings:
            lv = Evaluator(g, draw, draw.forward, b).value(left)
            rv = Evaluator(g, draw, draw.forward, b).value(right)
            if lv.shape != rv.shape:
                if lv.shape == rv.T.shape and rv.shape != (1, 1) and _close(_numbers(lv), _numbers(rv.T)):
                    return LineVerdict("incorrect", f"shape: the left side is {lv.shape[0]}×{lv.shape[1]}, the "
                                       f"right side {rv.shape[0]}×{rv.shape[1]}; equal after a transpose",
                                       [diagnostic("transpose.whole")])
                if 1 not in lv.shape or 1 not in rv.shape or max(lv.shape) != max(rv.shape):
                    return LineVerdict("incorrect", f"shape: the left side is {lv.shape[0]}×{lv.shape[1]}, the "
                                       f"right side {rv.shape[0]}×{rv.shape[1]}",
                                       [diagnostic("shape", expected=f"{lv.shape[0]}×{lv.shape[1]}",
                                                   given=f"{rv.shape[0]}×{rv.shape[1]}")])
                rv = rv.reshape(*lv.shape)
            a, c = _numbers(lv), _numbers(rv)
            pairs.append((c, a))
            if not _close(a, c) and first_bad is None:
                first_bad = {"draw": seed, **{k: v + 1 for k, v in b.items()},
                             "left": [round(x.real, 6) for x in a[:4]], "right": [round(x.real, 6) for x in c[:4]]}
    n = draws * len(bindings)
    if first_bad is None:
        digits = digits_for(g, left, right)
        missed = _precise_miss(g, left, right, bindings, min(draws, PRECISE_DRAWS), digits)
        if missed is None:
            return LineVerdict("correct", f"held at {draws} random draws of the document's model"
                               + (" (every entry)" if len(bindings) > 1 else "")
                               + f", the first confirmed in {digits}-digit arithmetic")
        first_bad = missed
        return LineVerdict("incorrect", f"the sides agree in float64 but differ in {digits}-digit arithmetic at "
                           f"draw {first_bad['draw']} (left {first_bad['left'][0]}, right "
                           f"{first_bad['right'][0]})", [], first_bad)
    return LineVerdict("incorrect", f"the sides differ at draw {first_bad['draw']} of {draws} "
                       f"({n} comparisons)", _diagnose(pairs), first_bad)


DIGITS = 50          # a candidate "correct" is confirmed on the same draws in this many digits ...
ROOM = 30            # ... or this many more than the largest or smallest number the line writes
LOST = 20            # digits a right line may lose to rounding and cancellation
MAX_DIGITS = 1000
PRECISE_DRAWS = 1    # a number too small for float64 is as small at every draw: one draw confirms
CONSTANT_OPS = frozenset({"add", "sub", "neg", "mm", "had", "div", "pow"})


def _constant(n) -> bool:
    return all(isinstance(x, Num) or isinstance(x, Op) and x.op in CONSTANT_OPS for x in walk(n))


def digits_for(g: Graph, *sides) -> int:
    """Digits enough for the numbers a line writes: 1 + 10^{-10} must not round to 1, nor 10^{-40} to 0."""
    sizes = []
    draw = draw_of(g, 0)
    for side in sides:
        for n in walk(side):
            if isinstance(n, Op) and _constant(n):
                try:
                    v = Evaluator(g, draw, {}).value(n)
                except (Unverifiable, TypeCheck, ZeroDivisionError, TypeError, ValueError):
                    continue
                for x in v:
                    if x.is_Rational and x != 0:
                        p, q = abs(x.p), abs(x.q)
                        sizes.append(max(len(str(p)), len(str(q))))
    return min(MAX_DIGITS, max([DIGITS] + [k + ROOM for k in sizes]))


def _precise_miss(g: Graph, left, right, bindings, draws: int, digits: int) -> dict | None:
    """The first place where the sides differ on the same draws evaluated in ``digits`` digits (None: they
    agree to all but ``LOST`` of them): what float64's tolerance cannot tell, 1 + 10^{-10}, + 10^{-12}."""
    for seed in range(draws):
        draw = draw_of(g, seed, digits)
        for b in bindings:
            lv = Evaluator(g, draw, draw.forward, b).value(left)
            rv = Evaluator(g, draw, draw.forward, b).value(right)
            if lv.shape != rv.shape:
                rv = rv.reshape(*lv.shape)
            a = [sp.N(x, digits) for x in lv]
            c = [sp.N(x, digits) for x in rv]
            scale = max([sp.Integer(1)] + [abs(x) for x in a + c])
            if any(abs(x - y) > scale * sp.Float(10, digits) ** (LOST - digits) for x, y in zip(a, c)):
                return {"draw": seed, **{k: v + 1 for k, v in b.items()},
                        "left": [str(sp.N(x, 25)) for x in a[:4]], "right": [str(sp.N(x, 25)) for x in c[:4]]}
    return None


def check_line(g: Graph, line: Line) -> list:
    """One verdict per link of the line's chain; a line in a symbolic layer l, at every layer it is about."""
    rounded = frozenset(line.rounded)
    if not symbolic(line.sides):
        return _check_links(g, line.sides, line.condition, rounded)
    runs = [(lv, _check_links(g, sides, line.condition, rounded)) for lv, sides in layer_instances(g, line.sides)]
    if not runs:
        return [LineVerdict("unverifiable", "no layer of the model has every quantity this line names "
                            f"(layers 0..{g.depth} read)") for _ in line.sides[1:]]
    out = []
    for k in range(len(line.sides) - 1):
        links = [(lv, run[k]) for lv, run in runs]
        bad = next(((lv, v) for lv, v in links if v.verdict == "incorrect"), None)
        lv, v = bad or next(((lv, v) for lv, v in links if v.verdict == "unverifiable"), links[0])
        layers = ", ".join(str(x) for x, _ in links)
        v.reason = (f"at layer {lv}: " if bad or v.verdict == "unverifiable" else "") + v.reason + \
            f" (the line read at layers {layers} of a depth-{g.depth} model)"
        out.append(v)
    return out


def _check_links(g: Graph, sides, condition=None, rounded=frozenset()) -> list:
    out = []
    for k, (left, right) in enumerate(zip(sides, sides[1:])):
        try:
            for seed in range(DRAWS):
                draw_of(g, seed)
        except (Unverifiable, ZeroDivisionError, TypeError, ValueError) as exc:
            out.append(LineVerdict("unverifiable", f"the document's forward pass cannot be evaluated: {exc}"))
            continue
        try:
            v = _check_link(g, left, right, condition, k in rounded)
        except TypeCheck as exc:
            v = LineVerdict("incorrect", f"shape: {exc} (shapes as the forward pass gives them)",
                            [diagnostic("shape.error", error=str(exc))])
        except Unverifiable as exc:
            v = LineVerdict("unverifiable", str(exc))
        except (ZeroDivisionError, TypeError, ValueError) as exc:
            v = LineVerdict("unverifiable", f"cannot be evaluated on the document's model ({type(exc).__name__})")
        v.assumptions = v.assumptions + assumptions(g, left, right, drawn=not at_point(g, left, right, k in rounded))
        out.append(v)
    return out


def at_point(g: Graph, left, right, rounded: bool) -> bool:
    """Is this link checked at the document's worked values (worked.py) rather than at random draws?"""
    return g.point is not None and worked_link(g, left, right, rounded)


def _check_link(g: Graph, left, right, condition, rounded: bool) -> LineVerdict:
    """A link about the document's worked values is compared there; any other at random draws."""
    if at_point(g, left, right, rounded):
        if condition is not None:
            raise Unverifiable("a condition on a link checked at the document's values is not read yet")
        return check_at_point(g, g.point, left, right)
    if rounded:
        raise Unverifiable("\\approx (a rounded value) is checked only at a worked example's values, and "
                           "this document gives no value to some input or parameter of its forward pass")
    return check_sides(g, left, right, condition=condition)


NUMBERS = ("quantities read as numbers: the document writes no vector or matrix (no transpose, entry index, "
           "sum, \\odot or upper-case parameter)")


def assumptions(g: Graph, *sides, drawn: bool = True) -> list:
    """What reading a line took for granted, said once per kind (``drawn``: compared at random draws, whose
    targets are drawn too)."""
    out = []
    nodes = [n for s in sides for n in walk(s)]
    for n in nodes:
        if isinstance(n, Partial) and n.num.spelling == COST_SUMMED:
            text = f"d{latex_of(key_of(n.den))} read as the derivative of the loss summed over the samples " \
                   f"(m times that of the mean cost, as deeplearning.ai writes it)"
            if text not in out:
                out.append(text)
        if isinstance(n, Partial) and n.num.spelling == COST:
            cost = latex_of(g.cost) if g.cost else "the upstream cost (a free random function of the outputs)"
            text = f"d{latex_of(key_of(n.den))} (or \\delta) read as the derivative of {cost} by " \
                f"{latex_of(key_of(n.den))}"
            if text not in out:
                out.append(text)
        if isinstance(n, Call) and n.fn in ("act", "dact"):
            generic = n.spelling in GENERIC or getattr(n, "sub", "")
            text = (f"{n.spelling}: a generic smooth function (a different random one at each draw)" if generic
                    else f"{n.spelling}: the logistic sigmoid")
            if text not in out:
                out.append(text)
        if isinstance(n, Partial) and n.num.spelling not in (COST, COST_SUMMED) and key_of(n.num) not in g.definitions \
                and key_of(n.num) not in g.symbols:
            text = f"{latex_of(key_of(n.num))} is not defined: any function of the outputs, its gradient a free " \
                   "random quantity"
            if text not in out:
                out.append(text)
    keys = {key_of(q) for n in nodes for q in ((n,) if isinstance(n, Qty) else (n.den,) if isinstance(n, Partial)
                                                 else ())}
    for key in keys:
        line = g.definitions.get(key, (None,))[0]
        if line is not None and line.implicit:
            out.append(implicit_text(line, key))
    if g.numbers:
        out.append(NUMBERS)
    targets = [s for s in g.symbols.values() if s.key[0] in DATA_OUT] if drawn else []
    if any((s.shape[1] if g.batch_rows else s.shape[0]) > 1 for s in targets):
        out.append("targets drawn as distributions over the classes (entries sum to 1)")
    elif targets:
        out.append("targets drawn as probabilities of the one class, in (0.05, 0.95)")
    return out
