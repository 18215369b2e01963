"""A document's samples, read from its own lines.

A cost written as the mean over the m training examples (``J = \\frac{1}{m} \\sum_{i=1}^{m} L^{(i)}``) says
the document's model is a batch: a line ``dW = dZ A^T`` that drops the 1/m can only be told from the right
one over m > 1 samples (on one sample 1/m is 1). The quantity averaged, written with the example's
superscript (``L^{(i)}``), is the loss of one example: a line that differentiates it
(``\\frac{dL}{da^{[L]}}``) is about one sample, whatever the batch.

Read from the parsed tree (graph/lines.py), never from the string; a line that does not parse says nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..notation.tokens import NotationError
from ..notation.tree import Num, Op, Partial, Qty, Sum, children, walk

EXAMPLE_KINDS = ("x", "y", "yhat")     # what is written per example: x^{(i)}, y^{(i)}, \hat{y}^{(i)} (not a weight)
COST_KIND = "J"          # the parser's kind for every spelling of a cost or loss (J, L, C, E, \mathcal{L}, ...)
EXAMPLE_LOSS_KINDS = (COST_KIND, "Jdata")    # L^{(i)}: the parser reads a cost at one example as its data term


@dataclass(frozen=True)
class Samples:
    mean: bool = False                      # the document averages over the m examples
    per_sample: frozenset = frozenset()     # spellings of the loss of one example (L in J = 1/m sum L^{(i)})


def _factors(n) -> list:
    if isinstance(n, Op) and n.op == "mm":
        return _factors(n.args[0]) + _factors(n.args[1])
    if isinstance(n, Op) and n.op == "neg":
        return _factors(n.args[0])
    return [n]


def _one_over_m(n) -> bool:
    """1/m (\\frac{1}{m}, \\frac1m, 1/m; any number over m)."""
    return isinstance(n, Op) and n.op == "div" and isinstance(n.args[0], Num) and \
        isinstance(n.args[1], Qty) and n.args[1].kind == "m"


def _over_examples(s) -> bool:
    """A sum over the examples: up to m, or over a quantity taken at the summed example (L^{(i)})."""
    return isinstance(s, Sum) and (s.hi == ("m",) or any(isinstance(q, Qty) and q.sample == s.index
                                                         for q in walk(s.body)))


def _means(tree) -> list:
    """The sums over the examples that a 1/m multiplies, anywhere in the tree."""
    out = []
    for n in walk(tree):
        if isinstance(n, Op) and n.op == "mm":
            parts = _factors(n)
            out += [s for f, s in zip(parts, parts[1:]) if _one_over_m(f) and _over_examples(s)]
    return out


def _averaged(s: Sum) -> set:
    """The losses a mean over the examples averages: costs written at the summed example (L^{(i)})."""
    return {q.spelling for q in walk(s.body) if isinstance(q, Qty) and q.kind in EXAMPLE_LOSS_KINDS
            and q.sample == s.index}


def read_samples(equations) -> Samples:
    """What a document's equations (LaTeX, one each) say of its samples."""
    from ..graph.lines import parse_line
    mean, per_sample, costs = False, set(), set()
    for text in equations:
        try:
            sides = parse_line(text)
        except (NotationError, RecursionError, ValueError):
            continue
        for side in sides:
            for s in list(dict.fromkeys(_means(side))):
                mean = True
                per_sample |= _averaged(s)
        if len(sides) == 2 and isinstance(sides[0], Qty) and _means(sides[1]):
            costs.add(sides[0].spelling)                 # J = 1/m sum ...: J is the mean, not one example's
    return Samples(mean, frozenset(per_sample - costs))


def _one_example(tree, bound: frozenset = frozenset()) -> bool:
    """Is the data or a target written at one example (y^{(i)}) outside a sum over that example?"""
    if isinstance(tree, Qty):
        return tree.kind in EXAMPLE_KINDS and isinstance(tree.sample, str) and tree.sample not in bound
    if isinstance(tree, Sum):
        return _one_example(tree.body, bound | {tree.index})
    return any(_one_example(c, bound) for c in children(tree))


def about_one_sample(text: str, samples: Samples) -> bool:
    """Is this equation about one example: does it differentiate only the loss of one example
    (``\\frac{dL}{da}`` where J averages L), or write the data at one example outside any sum over the
    examples (``\\delta^{(L)} = a^{(L)} - y^{(i)}``, inside a loop over i)?"""
    from ..graph.lines import parse_line
    try:
        sides = parse_line(text)
    except (NotationError, RecursionError, ValueError):
        return False
    if any(_one_example(side) for side in sides):
        return True
    nums = [n.num.spelling for side in sides for n in walk(side)
            if isinstance(n, Partial) and n.num.kind in EXAMPLE_LOSS_KINDS]
    return bool(samples.per_sample) and bool(nums) and all(name in samples.per_sample for name in nums)
