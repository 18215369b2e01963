"""The depths a claim in a symbolic layer is checked at.

A claim in ``l`` must hold for every valid layer of every network. At the
user's depth the valid ``l`` may be forced onto a coincidence (at depth 2,
``\\delta^{(l)} = (W^{(l+1)})^T \\delta^{(L)} \\odot \\sigma'(z^{(l)})`` has only
l = 1, where l+1 = L), so a wrong claim could hold there by accident. The
checker therefore also checks the claim at the shallowest depth with a
*generic* l: one where every layer the claim names in terms of l differs
from the output layer L, from L-1, from layer 0 and from every numbered layer
the claim names, so no relation between them holds by coincidence.
"""
from __future__ import annotations

from ..notation.tree import Qty, Sum, walk

MAX_DEPTH = 8          # deepest network tried for a generic l


def layer_refs(sides) -> list:
    """Every layer reference of the claim (quantities' superscripts and sums' width bounds)."""
    out = []
    for side in sides:
        for n in walk(side):
            if isinstance(n, Qty) and n.layer is not None:
                out.append(n.layer)
            if isinstance(n, Sum) and n.hi and n.hi[0] == "width":
                out.append(n.hi[1])
    return out


def generic_layers(sides, depth: int, valid: list) -> list:
    """The valid l at ``depth`` at which no symbolic reference coincides with L, L-1, 0 or a numbered layer."""
    refs = layer_refs(sides)
    symbolic = [r for r in refs if r.symbolic]
    fixed = {r.resolve(None, depth) for r in refs if not r.symbolic} | {0, depth - 1, depth}
    return [l for l in valid if all(r.resolve(l, depth) not in fixed for r in symbolic)]


def generic_depth(sides, flags, valid_layers) -> tuple[int, list] | None:
    """(depth, generic l values) of the shallowest network from the user's depth up that has a generic l,
    or None when the user's depth already has one (or no depth up to MAX_DEPTH does)."""
    if generic_layers(sides, flags.depth, valid_layers(sides, flags)):
        return None
    from dataclasses import replace
    for depth in range(flags.depth + 1, MAX_DEPTH + 1):
        deeper = replace(flags, depth=depth)
        found = generic_layers(sides, depth, valid_layers(sides, deeper))
        if found:
            return depth, found
    return None
