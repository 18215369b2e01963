"""Update rules: a line that assigns a parameter or an accumulator its next value (``:=``, or ``=``
with the same quantity on both sides), checked by what its step must be.

Each kind is one row of ``UPDATES``: how to recognise it and how to check it. ``check`` is the
checker of one link (api.check_link), passed in so that this module does not import the API.

* gradient descent, ``W := W - \\alpha G``: right when G is the gradient of J by W;
* an accumulator, ``X := X + term`` where X is a sum over the training examples (Ng's
  ``\\Delta^{(l)} := \\Delta^{(l)} + \\delta^{(l+1)} (a^{(l)})^T``): right when the term is one example's share of
  X, that is, when the term evaluated on each example alone sums to X.
"""
from __future__ import annotations

from ..notation.rows import Prec
from ..notation.registry import construct_of, render
from ..notation.textbook import SAMPLE_INDEX, over_examples
from ..notation.tree import Named, Node, Op, Partial, Qty, Sum, walk
from .diagnostics import diagnostic
from .verdict import Verdict


def _factors(n: Node) -> list:
    if isinstance(n, Op) and n.op == "mm":
        return _factors(n.args[0]) + _factors(n.args[1])
    return [n]


def _operand(show, tree: Node, prec: Prec) -> str:
    """The tree written by ``show`` (one argument: a convention's renderer) as an operand at ``prec``."""
    text = show(tree)
    return f"\\left({text}\\right)" if construct_of(tree).prec(tree) < prec else text


# ---------------------------------------------------------------- gradient descent
def is_descent(left, right) -> bool:
    return isinstance(left, Qty) and left.kind in ("W", "b") and any(
        isinstance(n, Qty) and n.kind == "alpha" for n in walk(right)) and any(
        isinstance(n, Qty) and n.kind == left.kind and n.layer == left.layer for n in walk(right))


def _descent_step(left: Qty, right: Node) -> tuple[str, Node] | None:
    """(sign, G) of an update ``W = W -/+ \\alpha G`` (alpha anywhere in the product), else None."""
    if not (isinstance(right, Op) and right.op in ("sub", "add") and right.args[0] == left):
        return None
    factors = _factors(right.args[1])
    alphas = [f for f in factors if isinstance(f, Qty) and f.kind == "alpha"]
    if len(alphas) != 1:
        return None
    rest = [f for f in factors if f is not alphas[0]]
    step = rest[0]
    for f in rest[1:]:
        step = Op("mm", (step, f))
    return right.op, step


def check_descent(check, claim, latex: str, flags, seed, draws, shapes, show=render) -> Verdict:
    """A gradient-descent update is right when its step is alpha times the gradient of J."""
    left, right = claim.sides
    found = _descent_step(left, right)
    if found is None:
        step = diagnostic("update-rule", at=right).resolved(show)
        return Verdict("incorrect", latex, diagnostics=[step], cause=step,
                       reason=f"an update of {show(left)} must read {show(left)} - \\alpha G with G the "
                              "gradient of J; this one does not subtract a multiple of alpha")
    sign, step = found
    if sign == "add":
        corrected = f"{show(left)} = {show(left)} - \\alpha {_operand(show, step, Prec.FACTOR)}"
        climbs = diagnostic("sign.update", at=right).resolved(show)
        return Verdict("incorrect", latex, expected=None, corrected_latex=corrected, diagnostics=[climbs],
                       reason=climbs.text, cause=climbs)
    gradient = Partial(Qty("J", "J"), left)
    sub = claim.with_sides([gradient, step])
    v = check(sub, f"{render(gradient)} = {render(step)}", flags, seed, draws, shapes, show)
    v.claim = latex
    v.reason = f"an update rule: its step is checked as the gradient {show(gradient)}; {v.reason}"
    v.cause = diagnostic("update-step", gradient=show(gradient), inner=v.cause)
    if v.corrected_latex:
        v.corrected_latex = f"{show(left)} = {show(left)} - \\alpha {v.expected}"
    return v


# ---------------------------------------------------------------- accumulators
def _accumulator(n: Node) -> bool:
    """A quantity that is a sum over the training examples (Ng's \\Delta^{(l)})."""
    meaning = n.meaning if isinstance(n, Named) else n
    return isinstance(meaning, Sum) and meaning.index == SAMPLE_INDEX


def _added(left, right) -> Node | None:
    """The term an update adds to ``left``: X + t and t + X give t, X - t gives -t; None otherwise."""
    if not (isinstance(right, Op) and right.op in ("add", "sub")):
        return None
    first, second = right.args
    if first == left:
        return second if right.op == "add" else Op("neg", (second,))
    return first if right.op == "add" and second == left else None


def is_accumulation(left, right) -> bool:
    return _accumulator(left) and _added(left, right) is not None


def check_accumulation(check, claim, latex: str, flags, seed, draws, shapes, show=render) -> Verdict:
    """``X := X + term``: the term evaluated on each example alone, summed over the examples, must be X
    (a term that subtracts is the negated term; 1/m written in it is the training set's)."""
    left, right = claim.sides
    share = over_examples(_added(left, right))
    v = check(claim.with_sides([left, share]), latex, flags, seed, draws, shapes, show)
    v.claim = latex
    name = show(left)
    v.reason = f"an accumulator update: its term is checked as one example's share of {name}; {v.reason}"
    v.cause = diagnostic("accumulation-step", name=name, inner=v.cause)
    if v.verdict == "correct":
        v.expected = show(right)
    repair = getattr(v, "repair", None)
    if v.verdict == "incorrect" and repair is not None and repair[1] is not None:
        negated, fixed = _share(repair[1])
        assign = ":=" if ":=" in latex else "="
        v.expected = show(fixed)
        v.corrected_latex = f"{name} {assign} {name} {'-' if negated else '+'} {_operand(show, fixed, Prec.PREFIX)}"
    return v


def _share(tree: Node) -> tuple[bool, Node]:
    """(negated, the term) of a repaired \\sum_x term: the sum over the examples and its minus signs taken
    off, so the correction reads X := X + term (or - term)."""
    negated = False
    while True:
        if isinstance(tree, Op) and tree.op == "neg":
            negated, tree = not negated, tree.args[0]
        elif isinstance(tree, Sum) and tree.index == SAMPLE_INDEX:
            tree = tree.body
        else:
            return negated, tree


# (recognise, check): the first row whose test holds checks the line
UPDATES = ((is_descent, check_descent), (is_accumulation, check_accumulation))


def update_check(left, right):
    """The check of an update line, or None when the line is not one."""
    return next((checker for test, checker in UPDATES if test(left, right)), None)
