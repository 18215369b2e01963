"""The graph of a document's model: its definitions in order, symbolic layers instantiated, its cost found.

``build_graph`` takes the lines (lines.py) and returns a ``Graph``; a line written for a symbolic layer
(``z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}``) is instantiated once per layer of a depth-``DEPTH`` model.
"""
from __future__ import annotations

from dataclasses import replace

from ..notation.tree import Call, LayerRef, Partial, Qty, rewrite, walk
from .lines import Line, entry_of, key_of, latex_of
from .shapes import Dims, Shapes, shows_vectors
from .symbols import COST_NAMES, DATA_IN, Graph, GraphError, Symbol

def uses(expr) -> list:
    """The symbols an expression reads (the arguments of an applied loss l(o, y) included)."""
    out = []
    for q in walk(expr):
        if isinstance(q, Qty):
            if q.args:
                out += [k for a in q.args for k in uses(a)]
            else:
                out.append(key_of(q))
    return out


# ---------------------------------------------------------------- symbolic layers
DEPTH = 3       # a forward pass written for layer l is instantiated with this many weight layers


def _layers(n) -> list:
    return [q.layer for q in walk(n) if isinstance(q, Qty) and q.layer is not None and q.layer.base is not None]


def symbolic(sides) -> bool:
    return any(_layers(s) for s in sides)


def at_layer(n, lv: int, depth: int):
    """The tree with every layer superscript resolved at l = lv in a model of ``depth`` layers."""
    def fn(x):
        if isinstance(x, Qty) and x.layer is not None and x.layer.base is not None:
            return replace(x, layer=LayerRef(None, x.layer.resolve(lv, depth)))
        return None
    return rewrite(n, fn)


def expand_layers(lines: list[Line]) -> tuple[list, int]:
    """Definitions in symbolic l (z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}) once per layer 1..depth, unless
    the document defines that layer's symbol itself (a^{(L)} = softmax(z^{(L)}), a^{(0)} = x)."""
    numbers = [q.layer.offset for ln in lines for s in ln.sides for q in walk(s)
               if isinstance(q, Qty) and q.layer is not None and q.layer.base is None]
    depth = max([DEPTH] + numbers)
    if not any(ln.defines and symbolic(ln.sides) for ln in lines):
        return lines, depth
    explicit = {ln.defines for ln in lines if ln.defines and not symbolic(ln.sides)}
    out, made, bases = [], set(), set()
    for ln in lines:
        if not (ln.defines and symbolic(ln.sides)):
            out.append(ln)
            continue
        if ln.defines[0] in bases:       # z^{l+1}_i = ... after z^l = ...: the same layers again, a claim
            out.append(replace(ln, defines=None, free=()))
            continue
        bases.add(ln.defines[0])
        letters = any(r.base != "L" for s in ln.sides for r in _layers(s))
        for lv in (range(1, depth + 1) if letters else (depth,)):
            sides = tuple(at_layer(s, lv, depth) for s in ln.sides)
            key = key_of(sides[0])
            if key in explicit or key in made or any(r < 0 or r > depth for r in
                                                     (q.layer.offset for s in sides for q in walk(s)
                                                      if isinstance(q, Qty) and q.layer is not None)):
                continue
            made.add(key)
            out.append(replace(ln, sides=sides, defines=key, layered=True))
    return out, depth


def layer_instances(g: "Graph", sides) -> list:
    """(l, sides at l) for every layer l where each quantity the line names is in the model."""
    out = []
    letters = any(r.base != "L" for s in sides for r in _layers(s))
    for lv in (range(1, g.depth + 1) if letters else (g.depth,)):
        at = tuple(at_layer(s, lv, g.depth) for s in sides)
        tagged = [q for s in at for q in walk(s) if isinstance(q, Qty) and q.layer is not None]
        tagged += [p.den for s in at for p in walk(s) if isinstance(p, Partial) and p.den.layer is not None]
        if all(key_of(q) in g.symbols for q in tagged):
            out.append((lv, at))
    return out


def implicit_text(line: Line, key: tuple) -> str:
    """What a line the document does not write says (its pre-activation, or the activation of its z)."""
    where = line.id.split('#')[0]
    if line.implicit == "activation":
        return f"{latex_of(key)} = {line.sides[1].spelling}({latex_of(key_of(line.sides[1].arg))}): the " \
               f"activation of the z of line {where}, used by the document and not written"
    return f"{latex_of(key)}: the argument of the activation in line {where}, not written"


def pre_activations(lines: list[Line]) -> list[Line]:
    """``\\hat y = \\sigma(V h + b^{(2)})``: the activation's argument is the pre-activation z^{(2)} the
    document does not write, named so that ``\\delta^{(2)}`` has something to be the derivative by."""
    defined = {ln.defines for ln in lines if ln.defines}
    out = []
    for ln in lines:
        rhs = ln.sides[1] if ln.defines else None
        if isinstance(rhs, Call) and rhs.fn in ("act", "function") and not isinstance(rhs.arg, Qty):
            tags = {key_of(q)[1] for q in walk(rhs.arg) if isinstance(q, Qty)} - {None}
            tags = tags or {ln.defines[1]} - {None}
            tag = next(iter(tags)) if len(tags) == 1 else None
            z = ("z", tag)
            if z not in defined and (tags or not any(k[0] == "z" for k in defined)):
                defined.add(z)
                zq = Qty("z", "z", idx=(int(tag),) if tag and tag.isdigit() else (), pos=rhs.arg.pos)
                if tag and not tag.isdigit():
                    zq = Qty("z", "z", layer=LayerRef(tag, 0), pos=rhs.arg.pos)
                out.append(Line(ln.id, ln.text, (zq, rhs.arg), z, implicit="pre-activation"))
                ln = replace(ln, sides=(ln.sides[0], replace(rhs, arg=zq)))
        out.append(ln)
    return out


def _activation_of_z(lines: list[Line]) -> Call | None:
    """The one activation the document applies to its pre-activations z (``\sigma'(z^l_j)``), if one."""
    found = {n.spelling: n for ln in lines for side in ln.sides for n in walk(side)
             if isinstance(n, Call) and n.fn in ("act", "dact") and isinstance(n.arg, Qty) and n.arg.spelling == "z"}
    return next(iter(found.values())) if len(found) == 1 else None


def activations(lines: list[Line]) -> list[Line]:
    """``z^{l+1} = W^{l+1} a^l + b^{l+1}`` with ``\sigma'(z^l)`` in the claims, and no line a^l = ...: a^l is
    the activation of z^l, the document's only activation applied to it (as its prose says and its claims
    use), added as a line it does not write. Never for a^0 (the input) or where z^l is used already."""
    act = _activation_of_z(lines)
    if act is None:
        return lines
    defined = {ln.defines: ln for ln in lines if ln.defines}
    consumed = {u for ln in defined.values() for u in uses(ln.sides[1])}
    out = list(lines)
    for ln in list(defined.values()):
        for q in walk(ln.sides[1]):
            key = key_of(q) if isinstance(q, Qty) else None
            if key is None or key[0] not in ("a", "h") or key in defined or key[1] in (None, "0"):
                continue
            z = defined.get(("z", key[1]))
            if z is None or ("z", key[1]) in consumed or not isinstance(z.sides[0], Qty):
                continue
            a_q, z_q = (replace(x, idx=()) if x.layer is not None else x for x in (q, z.sides[0]))
            line = Line(z.id, z.text, (a_q, replace(act, fn="act", arg=z_q)), key, implicit="activation")
            defined[key] = line
            consumed.add(("z", key[1]))
            out.append(line)
    return out


def build_graph(lines: list[Line]) -> Graph:
    """The model that a document's definitions state (GraphError when they do not make one)."""
    g = Graph(lines)
    lines, g.depth = expand_layers(lines)
    lines = activations(pre_activations(lines))
    for line in lines:
        if line.defines is not None:
            g.definitions[line.defines] = (line, line.sides[1])
            rhs = line.sides[1]
            if isinstance(rhs, Qty) and rhs.args and not rhs.prime:
                g.aliases[key_of(rhs)] = line.defines        # \\partial l / \\partial o means dL/do
    if not g.definitions:
        raise GraphError("the document defines nothing")
    seen: set = set()

    def visit(key, stack=()):
        if key in seen or key not in g.definitions:
            return
        if key in stack:
            raise GraphError(f"{latex_of(key)} is defined in terms of itself")
        for used in uses(g.definitions[key][1]):
            visit(used, stack + (key,))
        seen.add(key)
        g.order.append(key)
    for key in g.definitions:
        visit(key)
    shapes = Shapes(g)
    # what the claims differentiate and nothing else uses is a cost, a number; a quantity the forward pass
    # goes on from (z in dz/dW, o in do/dh) is the numerator of a Jacobian, whatever its shape
    consumed = {u for key in g.order for u in uses(g.definitions[key][1])}
    differentiated = {key_of(n.num) for ln in lines if ln.defines is None for side in ln.sides
                      for n in walk(side) if isinstance(n, Partial) and not entry_of(n.num)} - consumed
    for key in g.order:
        line, expr = g.definitions[key]
        for used in uses(expr):
            if used in g.definitions and used not in g.symbols:
                raise GraphError(f"{latex_of(used)} is used before it is defined")
        shapes.index = {}                 # index letters name dimensions within one line only
        s = shapes.shape(expr)
        if line.layered:
            shapes.layered |= {key_of(q) for q in walk(expr) if isinstance(q, Qty)}
        if line.free:                     # p_i = ...: a vector (W_{ij} = ...: a matrix) of such entries
            dims = [shapes.index.get(i) or shapes.dims.new() for i in line.free]
            s = (dims[0], dims[1] if len(dims) == 2 else Dims.ONE)
        if key in differentiated or key[0] in COST_NAMES:
            shapes.unify(s, shapes.scalar(), "cost")      # what is differentiated is a number
        g.symbols[key] = Symbol(key, "defined", s, line.id)
        if line.implicit:
            g.assumptions.append(implicit_text(line, key))
    g.numbers = not shows_vectors(g.lines)
    shapes.settle(g.numbers)
    sizes = shapes.sizes()
    for sym in g.symbols.values():
        sym.shape = tuple(sizes[shapes.dims.find(x)] for x in sym.shape)
    # the cost: the last scalar nothing uses, computed from something (i = 1, a loop's counter, is no cost)
    sinks = [k for k in g.order if k not in consumed and g.symbols[k].shape == (1, 1) and uses(g.definitions[k][1])]
    g.cost = sinks[-1] if sinks else None
    if g.cost is not None:
        g.symbols[g.cost].role = "cost"
    x = next((s for s in g.symbols.values() if s.key[0] in DATA_IN), None)
    g.batch_rows = x is not None and x.shape[0] > 1 and x.shape[1] > 1 and \
        not any(s.role == "parameter" and x.shape[0] in s.shape for s in g.symbols.values())
    g.assumptions.append("every dimension has its own size (" + ", ".join(
        f"{s.latex}: {s.shape[0]}×{s.shape[1]}" for s in g.symbols.values()) + ")")
    return g
