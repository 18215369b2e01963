"""How a formula was read, before any verdict (``POST /api/validate``).

STACK's lesson: show people how their input was read before it is judged, so
nobody loses marks on a technicality. ``reading`` parses the formula exactly as
``verify`` would (the same convention resolution, the same model from the same
flags, the same readings) and reports the reading back: the formula as parsed,
written again in its convention's notation; each symbol with its role and its
shape under the model; the convention and the model; and the assumptions the
reading made (a convention picked by its signals, a symbolic layer, a ``\\cdot``
read as a matrix product). It never checks: no verdict, no draw, no SymPy.

Roles and shapes are rows of ``ROLES``, keyed by the parser's quantity kinds.
"""
from __future__ import annotations

import dataclasses

from ..notation import conventions
from ..notation.registry import render
from ..notation.parse import parse
from ..notation.tokens import NotationError
from ..notation.tree import Call, LayerRef, Named, Op, Partial, Qty, children, walk
from ..verify.unreadable import human_reason


class Unreadable(ValueError):
    """A formula that does not parse: the parser's message and the position it names (or None)."""

    def __init__(self, message: str, pos: int | None):
        super().__init__(message)
        self.pos = pos

# kind -> (role, shape rule): a shape rule names its rows' layer ("l" the quantity's own, "l-1" the one
# before it, "0" the input, "L" the output) and its columns ("1", "m": one sample, or m in batch mode)
ROLES = {
    "W": ("weight matrix", ("l", "l-1")),
    "b": ("bias vector", ("l", "1")),
    "z": ("pre-activation (weighted input)", ("l", "m")),
    "a": ("activation", ("l", "m")),
    "delta": ("error term, dJ/dz", ("l", "m")),
    "x": ("input", ("0", "m")),
    "y": ("target", ("L", "m")),
    "yhat": ("network output", ("L", "m")),
    "J": ("loss (cost)", None),
    "Jdata": ("data term of the loss", None),
    "Jreg": ("regulariser of the loss", None),
    "m": ("number of samples", None),
    "lam": ("regularisation strength", None),
    "alpha": ("learning rate", None),
    "width": ("layer width", None),
    "ones": ("vector of ones", ("m", "1")),
    "var": ("free scalar variable", None),
}
PRODUCT_STYLES = {       # how a product was written -> what the reading took it for
    ("mm", "\\cdot"): "\\cdot read as a matrix product (a scalar times anything when one side is a scalar)",
    ("mm", "\\times"): "\\times read as a matrix product",
    ("had", "\\cdot"): "\\cdot read as an element-wise product",
    ("T", "'"): "a prime on a matrix read as its transpose",
}


def _width(layer: LayerRef | None, which: str) -> str:
    """n_{l}, n_{l-1}, n_0, n_L: the width named by a shape rule for a quantity at ``layer``."""
    if which in ("0", "L"):
        return f"n_{which}"
    if layer is None:
        return "n"
    ref = layer.shifted(-1) if which == "l-1" else layer
    return f"n_{{{ref.latex()}}}"


def shape(q: Qty, flags) -> str:
    """The shape of a quantity under the model, in LaTeX: ``n_{l} \\times n_{l-1}``, ``1 \\times 1``."""
    rule = ROLES.get(q.kind, ("", None))[1]
    if rule is None or q.idx:
        return "\\text{scalar}"
    sizes = []
    for which in rule:
        if which == "1":
            sizes.append("1")
        elif which == "m":
            sizes.append("m" if flags.batch and q.sample is None else "1")
        else:
            sizes.append(_width(q.layer, which))
    if q.kind == "ones":
        sizes = ["m", "1"]
    elif flags.layout == "rows":
        sizes = sizes[::-1]
    return " \\times ".join(sizes)


def _as_written(n):
    """The nodes of a tree as the user wrote it: a course's name, not the tree it stands for."""
    yield n
    if not isinstance(n, Named):
        for child in children(n):
            yield from _as_written(child)


def symbols(sides, flags, show, pure: bool = False) -> list[dict]:
    """Each distinct symbol of the claim (in the order written): its name, role and shape."""
    out, seen = [], set()
    for side in sides:
        for n in _as_written(side):
            if isinstance(n, Named):     # a course's name (Ng's D, \Delta): the name, read as it says
                den = next((x.den for x in walk(n.meaning) if isinstance(x, Partial)), None)
                name, role, size = show(n), n.said, shape(den, flags) if den is not None else "\\text{scalar}"
            elif isinstance(n, Partial):
                name, role = show(n), f"derivative of {show(n.num)} by {show(n.den)}"
                size = shape(n.den, flags) if n.num.kind in ("J", "Jdata", "Jreg") else "\\text{see the chain rule}"
            elif isinstance(n, Qty):
                name, role, size = show(n), ROLES.get(n.kind, ("symbol", None))[0], shape(n, flags)
                if pure:          # an activation identity: its letters are scalars, not the network's
                    role, size = "scalar variable", "\\text{scalar}"
                if n.idx:
                    role = f"entry of the {role}"
            elif isinstance(n, Call) and n.fn in ("act", "dact"):
                name = n.spelling or ("\\sigma" if n.fn == "act" else "\\sigma'")
                role = "the layer's activation, element-wise" if n.fn == "act" else \
                    "derivative of the layer's activation, element-wise"
                size = "\\text{as its argument}"
            else:
                continue
            if name in seen:
                continue
            seen.add(name)
            out.append({"name": name, "role": role, "shape": size})
    return out


def assumptions(claim, conv, signals, flags, auto: bool, batch_given: bool) -> list[str]:
    """What the reading took for granted, one sentence each."""
    out = []
    if auto and signals:
        out.append(f"convention {conv.name} ({conv.source}) picked by its signals: {', '.join(signals)}")
    elif auto:
        out.append("no convention's signals: read in the default notation (samples as columns, "
                   "W^{(l)} maps layer l-1 to layer l)")
    if conv.name != "default":
        out.append(f"{conv.name}: {conv.layers}; {conv.weights}")
    if flags.batch and not batch_given:
        out.append("batch: the formula is read as vectorised over m samples")
    if claim.symbolic_layer:
        out.append("l stands for every valid layer: the claim must hold at each of them")
    if claim.pure:
        out.append("no network quantity: read as a scalar identity")
    if claim.condition is not None:
        out.append(f"checked only where {render(claim.condition)} holds")
    if len(claim.sides) > 2:
        out.append(f"a chain of {len(claim.sides) - 1} links: each link is checked")
    said = set()
    for side in claim.sides:
        for n in walk(side):
            what = PRODUCT_STYLES.get((n.op, n.style)) if isinstance(n, Op) else None
            if what and what not in said:
                said.add(what)
                out.append(what)
    return out


def model_of(body: dict):
    """(convention, its signals, flags, batch given) exactly as ``symderiv verify`` chooses them."""
    from ..cli import build_parser
    from ..commands.net import net_flags
    from .jobs import model_argv
    formula = str(body.get("formula", ""))
    given_argv = model_argv(body.get("model"))
    args = build_parser(only="verify").parse_args(["verify", *given_argv, "--", formula])
    name = body.get("convention") or "auto"
    conv = conventions.resolve(formula, name)
    signals = conventions.detect(formula)[1] if name == "auto" else []
    if args.preset:
        flags = net_flags(args)
    else:        # the convention's model is the base; explicit flags override it (cli.cmd_verify)
        flags = dataclasses.replace(conv.model(formula), **{
            k: v for k, v in vars(net_flags(args)).items() if getattr(args, k, None) is not None})
    return conv, signals, flags, args.batch is not None


def defined_reading(formula: str, defines: list) -> dict:
    """The reading of a formula whose ``define`` lines state its model (``verify --define``): the graph's
    symbols, read exactly as ``graph.verify_defined`` reads them."""
    from ..graph.build import GraphError, build_graph
    from ..graph.linecheck import assumptions as graph_assumptions
    from ..graph.lines import read_lines
    from ..verify.verdict import Unverifiable as NoModel
    equations = [(f"define {k}", t) for k, t in enumerate(defines, 1)] + [("claim", formula)]
    try:
        lines = read_lines(equations)
        g = build_graph(lines)
    except NotationError as exc:        # in the formula (a place to mark) or in a define line (named)
        if exc.text == formula:
            raise Unreadable(human_reason(exc), exc.pos) from None
        raise Unreadable(f"define '{exc.text}': {human_reason(exc)}", None) from None
    except (GraphError, NoModel) as exc:
        raise Unreadable(f"the define lines do not make a model: {exc}", None) from None
    sides = lines[-1].sides
    return {
        "reading": " = ".join(render(side) for side in sides),
        "symbols": [{"name": s["name"], "role": s["role"], "shape": " \\times ".join(map(str, s["shape"]))}
                    for s in g.model_json()],
        "convention": "document",
        "model": g.describe(),
        "assumptions": ["the define lines are the model: shapes are one draw's sizes, all different"]
        + graph_assumptions(g, *sides),
    }


def reading(body: dict) -> dict:
    """The reading of ``body["formula"]`` (a verify request's body): no verdict."""
    formula = str(body.get("formula", ""))
    if not formula.strip():
        raise ValueError("the formula is empty: type one such as \\delta^{(L)} = a^{(L)} - y")
    if body.get("define"):
        return defined_reading(formula, [str(d) for d in body["define"]])
    conv, signals, flags, batch_given = model_of(body)
    try:
        claim = parse(formula, conventions.readings_for(conv, None))
    except NotationError as exc:        # worded as verify words it, with where it is
        raise Unreadable(human_reason(exc), exc.pos) from None
    show = render if conv.name == "default" else conv.render
    return {
        "reading": " = ".join(show(side) for side in claim.sides),
        "symbols": symbols(claim.sides, flags, show, claim.pure),
        "convention": conv.name,
        "model": conventions.model_line(flags),
        "assumptions": assumptions(claim, conv, signals, flags, (body.get("convention") or "auto") == "auto",
                                   batch_given),
    }
