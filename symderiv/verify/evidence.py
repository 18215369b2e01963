"""What a verdict says it checked: the random points or network shapes, layers and draws, and the float64
tolerance that bounds what the draws alone can tell.
"""
from __future__ import annotations

from ..notation.claim import Claim
from .checker import Checker


def evidence_of(checker: Checker, claim: Claim) -> dict:
    """What was checked, as data (the JSON's ``evidence``): the points, or the shapes, layers and contexts."""
    if claim.pure:
        return {"points": len(checker.contexts)}
    return {"shapes": [{"sizes": list(s), "m": m} for s, m in checker.shapes_used],
            "layers": checker.layers if checker.layers != [None] else None,
            "contexts": len(checker.contexts)}


def evidence_text(checker: Checker, claim: Claim, rtol: float) -> str:
    """What was checked, in the words of a verdict's reason."""
    precision = (f"float64 values agree to a relative {rtol:.0e} at every draw, so a claim off by a smaller "
                 "factor than that could pass the draws alone")
    if claim.pure:
        return (f"holds at {len(checker.contexts)} random points (central differences for d/dz); {precision}")
    shapes = "; ".join(f"{'-'.join(map(str, s))} m={m}" for s, m in checker.shapes_used)
    apart = distinct(checker.shapes_used)
    layers = "" if checker.layers == [None] else f", every valid layer l in {checker.layers}"
    return (f"holds in all {len(checker.contexts)} contexts: shapes {shapes}{apart}, "
            f"{checker.draws} random draws each{layers}, index values sampled; {precision}")


def distinct(shapes_used) -> str:
    """What the random shapes keep apart (a transpose or a swapped index shows only between sizes that
    differ): said only when true of every shape drawn."""
    if all(len(set(sizes) | {m}) == len(sizes) + 1 for sizes, m in shapes_used):
        return " (all widths and m distinct)"
    if all(len(set(sizes)) == len(sizes) for sizes, _ in shapes_used):
        return " (all widths distinct)"
    return ""
