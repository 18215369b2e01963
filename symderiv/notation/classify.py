"""What kind of claim a parsed claim is: pure calculus (scalar variables only) or about the network,
in a symbolic layer or not; and the symbol checks each kind needs (unknown names, missing or extra
layer superscripts)."""
from __future__ import annotations

from dataclasses import replace

from .claim import Claim, UnknownSymbol
from .names import ACTIVATION_NAMES, NETWORK_KINDS, NO_LAYER, PURE_VARIABLES
from .registry import QUANTITY_NAMES
from .tokens import NotationError
from .tree import Deriv, DerivOf, Matrix, Partial, Qty, Sum, rewrite, walk


def _bare_w_as_variable(claim: Claim) -> None:
    """In a claim with no network quantity, a bare w (no layer, no index) is a scalar variable."""
    qtys = [n for side in claim.sides for n in walk(side) if isinstance(n, Qty)]
    bare = [q for q in qtys if q.spelling == "w" and q.layer is None and not q.idx]
    if not bare or any(isinstance(n, Partial) for side in claim.sides for n in walk(side)):
        return
    if all(q in bare or q.kind in ("var", "z", "x", "a", "y", "alpha") and q.layer is None for q in qtys):
        claim.sides = [rewrite(side, lambda n: replace(n, kind="var") if isinstance(n, Qty) and n.spelling == "w"
                               else None) for side in claim.sides]


def _pure_derivatives(claim: Claim) -> None:
    """Derivatives by a free symbol, in a claim with no network quantity, are ordinary derivatives."""
    def by_free_symbol(n):
        return isinstance(n, (Partial, DerivOf)) and n.den.kind == "var" and n.den.layer is None and not n.den.idx
    nodes = [n for side in claim.sides for n in walk(side)]
    dens = {id(n.den) for n in nodes if by_free_symbol(n)}
    others = [n for n in nodes if isinstance(n, Qty) and id(n) not in dens]
    if not any(by_free_symbol(n) for n in nodes) or any(q.layer is not None or q.kind in NETWORK_KINDS for q in others) \
            or any(isinstance(n, (Partial, DerivOf)) and not by_free_symbol(n) for n in nodes):
        return

    def ordinary(n):
        if by_free_symbol(n):
            body = n.num if isinstance(n, Partial) else n.body
            return Deriv(n.den.spelling, rewrite(body, ordinary), pos=n.pos)
        return None
    claim.sides = [rewrite(side, ordinary) for side in claim.sides]


def _sums_units(s: Sum) -> bool:
    """A sum over the units or samples of a vector (\\sum_k y_k, \\sum_{k=1}^{K}): y_k is then the target
    vector's entry, not a scalar variable, so the claim is about the network."""
    return (s.hi is not None and s.hi[0] in ("K", "m", "width")) or \
        any(isinstance(q, Qty) and s.index in q.idx for q in walk(s.body))


def classify(claim: Claim) -> None:
    """Pure calculus (scalar variables only) or a network claim; symbolic layer or not."""
    _bare_w_as_variable(claim)
    _pure_derivatives(claim)
    qtys = [n for side in claim.sides for n in walk(side) if isinstance(n, Qty)]
    network = any(q.layer is not None or q.sample is not None or q.kind in NETWORK_KINDS for q in qtys) or \
        any(isinstance(n, (Partial, Matrix)) for side in claim.sides for n in walk(side)) or \
        any(isinstance(n, Sum) and _sums_units(n) for side in claim.sides for n in walk(side))
    claim.pure = not network
    claim.symbolic_layer = any(q.layer is not None and q.layer.symbolic for q in qtys) or any(
        isinstance(n, Sum) and n.hi and n.hi[0] == "width" and n.hi[1].symbolic
        for side in claim.sides for n in walk(side))
    for q in qtys:
        if q.prime:
            raise NotationError(f"{q.spelling}' is a derivative of a symbol: read {q.spelling} as a function "
                                "(for example h -> \\sigma) or write \\sigma'(z)", claim.text, q.pos)
    if claim.pure:
        for q in qtys:
            if q.kind == "alpha" or (q.kind in ("var", "z", "x", "a", "y") and q.spelling in PURE_VARIABLES):
                continue
            raise NotationError(f"unknown symbol {q.spelling}", claim.text, q.pos)
    if not claim.pure:
        for q in qtys:
            if q.kind == "var":
                raise UnknownSymbol(f"unknown symbol {q.spelling}; known: {known_names()}", claim.text, q.pos,
                                    symbol=q.spelling)
            if q.kind in ("W", "b", "z", "a", "delta") and q.layer is None:
                raise NotationError(f"{q.spelling} needs a layer superscript, e.g. {q.spelling}^{{(l)}}",
                                    claim.text, q.pos)
            if q.kind == "width" and q.layer is None:
                raise NotationError("n needs the layer it counts, e.g. n_0 (inputs) or n_1", claim.text, q.pos)
            if q.kind in NO_LAYER and q.layer is not None:
                raise NotationError(f"{q.spelling} takes no layer superscript", claim.text, q.pos)


def known_names() -> str:
    return ", ".join(sorted(set(QUANTITY_NAMES) | ACTIVATION_NAMES))
