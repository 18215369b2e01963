"""A whole document checked on its own model (``check FILE``), and ``verify --define``."""
from __future__ import annotations

from ..notation.tree import Partial, walk
from ..verify.verdict import Unverifiable
from .build import build_graph
from .symbols import Graph, GraphError
from .lines import Line, latex_of, read_lines
from .linecheck import LineVerdict, check_line
from .worked import describe_point, point_links, point_of

def document_graph(equations) -> tuple[Graph, list] | None:
    """The graph of a document's (id, LaTeX) equations and its lines, or None when the document does not
    define a forward pass that differentiating lines use."""
    try:
        every = read_lines(equations, tolerant=True)
    except Exception:                    # noqa: BLE001 - the reader cannot take the document: today's path
        return None
    lines = [ln for ln in every if not ln.error]
    unread = {ln.head for ln in every if ln.error and ln.head}
    claims = [ln for ln in lines if (ln.defines is None or len(ln.sides) > 2) and not ln.names]
    if not claims or not any(ln.defines for ln in lines):
        return None
    if not any(isinstance(n, Partial) for ln in claims for s in ln.sides for n in walk(s)):
        return None
    try:
        g = build_graph(lines)
    except (GraphError, Unverifiable):
        return None
    g.unread = unread - {k[0] for k in g.definitions}
    g.point = point_of(g)
    if not any(s.role == "parameter" for s in g.symbols.values()):
        return None
    return g, every


def line_verdicts(g: Graph, line: Line) -> list:
    if line.error:
        return [(line.text, LineVerdict("unverifiable", f"not read: {line.error}"))]
    if line.names:
        return [(line.text, LineVerdict("unverifiable", "definition of \\delta: later lines read it as this "
                                        "derivative"))]
    if line.defines is None:
        return [(line.text, v) for v in check_line(g, line)]
    out = [(line.text, LineVerdict("unverifiable", f"definition of {latex_of(line.defines)} (the document's "
                                   "forward pass): not a claim"))]
    if len(line.sides) > 2:          # h = x W = [...]: the links after the definition are claims
        # a link that gives inputs their values (x_1 + b_1 = 2 + 3) holds by that reading, unless a quantity
        # the forward pass computes is written with another value in it (z_5 c_2 = 0.7 \cdot 0.5)
        values = point_links(g, line) if g.point is not None else set()
        checked = check_line(g, line.from_side(1))
        out += [(line.text, LineVerdict("unverifiable", "the worked example's values of the forward pass "
                                        f"({describe_point(g.point)}): read from this link, not checked")
                 if k in values and v.verdict != "incorrect" else v) for k, v in enumerate(checked, 1)]
    return out


def verify_defined(claim: str, defines: list):
    """``verify --define 'h = \\sigma(W_1 x + b_1)' ... CLAIM``: one formula checked on the model its
    definitions state, read exactly as a document's forward pass."""
    from ..notation.tokens import NotationError
    from ..verify.verdict import Verdict
    equations = [(f"define {k}", t) for k, t in enumerate(defines, 1)] + [("claim", claim)]
    for text in defines:
        try:
            read_lines([("define", text)])
        except NotationError as exc:
            return Verdict("unverifiable", claim, reason=f"--define '{text}': {exc}", convention="document")
    try:
        lines = read_lines(equations)
        g = build_graph(lines)
    except (NotationError, GraphError, Unverifiable) as exc:
        return Verdict("unverifiable", claim, reason=f"the --define lines do not make a model: {exc}",
                       convention="document")
    line = lines[-1]
    if any(ln.defines is None for ln in lines[:-1]):
        bad = next(ln for ln in lines[:-1] if ln.defines is None)
        return Verdict("unverifiable", claim, reason=f"--define '{bad.text}' defines nothing new "
                       "(name = expression, the name not defined before)", convention="document", model=g.describe())
    if line.defines is not None:
        line = Line(line.id, line.text, line.sides)         # the claim is checked, whatever its form
    links = check_line(g, line)
    worst = next((v for v in links if v.verdict == "incorrect"), None) or \
        next((v for v in links if v.verdict == "unverifiable"), links[0])
    return Verdict(worst.verdict, claim, diagnostics=list(worst.diagnostics), counterexample=worst.counterexample,
                   reason=worst.reason, convention="document", model=g.describe(),
                   evidence={"assumptions": worst.assumptions})
