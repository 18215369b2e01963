"""The textbook rows: constructs only some books and courses write, as overlays on the core rows.

Each entry extends one core row (constructs.py) with keyword arguments: more spellings, tokens,
a parse that falls back to the core's, a sentence added to its doc. ``registry.py`` merges them
into the core rows once; nothing here changes another module. The conventions that use them
(conventions.py) are data about books; these rows are how their symbols are read.

* ``\\nabla_{W^{(l)}} J`` (Goodfellow, UFLDL) and ``\\nabla_a C`` (Nielsen) spell a partial derivative;
* deeplearning.ai's d-prefix: ``dW^{[l]}``, ``db^{[l]}``, ``dZ^{[l]}``, ``dA^{[l]}``, and
  ``g^{[l]'}(z)`` with the layer on the activation;
* ``\\bullet`` (UFLDL) and Octave's ``.*`` (Ng) as the Hadamard product;
* Nielsen's ``\\sum_x``, a sum over the training examples, each evaluated alone;
* a course's own names for quantities (``COURSE_NAMES``: Ng's accumulator ``\\Delta^{(l)}`` and gradient
  ``D^{(l)}``), read only under the conventions that list them, through the ``named`` row;
* the names ``\\mathcal{J}``, ``\\mathcal{E}``, ``\\hat{\\mathbf{y}}`` and its bold twins.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from .constructs import CORE_ROWS
from .derivatives import operator_operand, operator_subscript
from .functions import activation_applied
from .operators import Unevaluable
from .quantities import render_qty
from .rows import Construct, Prec
from .tree import LayerRef, Named, Node, Op, Partial, Qty, Sum


@dataclass(frozen=True)
class Extension:
    """What a textbook adds to the core row ``name``: tuples are appended, ``doc`` is appended as a
    clause, callables replace the core's (and receive nothing new: they fall back to the core row
    themselves, by name)."""
    name: str
    doc: str = ""
    spellings: tuple = ()
    starts: tuple = ()
    infix: tuple = ()
    overrides: dict = field(default_factory=dict)   # parse / evaluate / render -> the textbook's function

    def apply(self, row: Construct) -> Construct:
        return replace(row, doc=row.doc + ("; " + self.doc if self.doc else ""),
                       spellings=row.spellings + self.spellings, starts=row.starts + self.starts,
                       infix=row.infix + self.infix, **self.overrides)


CORE = {row.name: row for row in CORE_ROWS}


# ---------------------------------------------------------------- \nabla
def _parse_nabla(p, t):
    """\\nabla_{W^{(k)}} J, \\nabla_a C (Nielsen: the output activation), \\nabla_{\\hat{y}} L(\\hat{y}, y)."""
    den = operator_subscript(p, t, r"\nabla needs a subscript naming the variable: write \nabla_{W^{(l)}} J or "
                               r"\frac{\partial J}{\partial W^{(l)}}",
                               r"\nabla's subscript must be one quantity (W^{(l)}, b^{(l)}, a, z^{(l)})")
    if den.kind == "a" and den.layer is None and den.sample is None:   # Nielsen's \nabla_a C: the output
        den = replace(den, layer=LayerRef("L", 0))
    if p.peek() is None or p.peek().text in p.STOP:
        p.fail(r"\nabla_{...} needs the cost after it: \nabla_{W^{(l)}} J", t.pos)
    num = operator_operand(p, t)
    if not isinstance(num, Qty) or num.kind != "J":
        p.fail(r"\nabla_{...} is taken of the cost (J, C, L, E) here", t.pos)
    return p.node(Partial(num, den, pos=t.pos))


# ---------------------------------------------------------------- deeplearning.ai's d-prefix
D_PREFIXED = frozenset("WwbZzAa")          # the names a d-prefix can touch


def _parse_d_prefix(p, t):
    """deeplearning.ai's dW^{[l]}, db^{[l]} (= dJ/dW, dJ/db), dZ^{[l]} (the per-sample deltas, no 1/m),
    dA^{[l]} (m dJ/dA: the per-sample derivatives). Claimed only when d touches a layered name."""
    nxt, after = p.peek(1), p.peek(2)
    if nxt is None or nxt.text not in D_PREFIXED or nxt.pos != t.pos + 1 or after is None or after.text != "^":
        return None
    p.take()
    q = p.quantity()
    if isinstance(q, Op):                              # dW^{[l]T}: a transpose written in the superscript
        return p.node(Op("T", (_d_meaning(q.args[0], t),), style=q.style, pos=t.pos))
    return p.node(_d_meaning(q, t))


def _d_meaning(q: Qty, t) -> Node:
    J = Qty("J", "J")
    if q.kind in ("W", "b"):
        return Partial(J, q, pos=t.pos)
    if q.kind == "z":
        return replace(q, kind="delta", spelling="d" + q.spelling)
    return Op("mm", (Qty("m", "m"), Partial(J, q)), pos=t.pos)


def _parse_layered_activation(p, t):
    """g^{[1]'}(z^{[1]}): an activation with a layer superscript and its prime (deeplearning.ai)."""
    sup = [x.text for x in p.peek_group(2)] if p.peek(1) is not None and p.peek(1).text == "^" else []
    if not sup or sup[0] not in ("[", "("):
        return CORE["act"].parse(p, t)
    p.take()
    p.take()
    p.group_tokens()                                 # the layer is read from the argument
    prime = sup[-1] in ("'", r"\prime")
    if p.at("'"):
        p.take()
        prime = True
    return activation_applied(p, t, prime)


# ---------------------------------------------------------------- Nielsen's \sum_x
SAMPLE_INDEX = "x"          # Nielsen's \sum_x: over the training examples x
FOR_ALL = r"\forall"        # \sum_{\forall x}: the same sum, "over all x" said in its subscript


def _parse_sum_over_examples(p, t):
    """\\sum_x body, \\sum_{\\forall x} body: a sum over the training examples (Nielsen: C = \\frac{1}{n} \\sum_x C_x)."""
    if p.peek(1) is not None and p.peek(1).text == "_" and \
            [x.text for x in p.peek_group(2) if x.text != FOR_ALL] == [SAMPLE_INDEX]:
        p.take()
        p.take()
        p.group_tokens()
        return p.node(Sum(SAMPLE_INDEX, 1, ("m",), p.product(), "", pos=t.pos))
    return CORE["sum"].parse(p, t)


def _evaluate_sum(ev, s):
    """A sum over the examples evaluates its body on each example alone (its own forward and backward
    pass, so C_x and dC_x/dw are that example's: the evaluator's ``over_examples``); any other sum is
    the core row's."""
    if s.index != SAMPLE_INDEX:
        return CORE["sum"].evaluate(ev, s)
    if ev.ctx.inst.m < 2:
        # over one example a sum is its one term: C = \sum_x C_x would hold whatever factor it lacks
        raise Unevaluable(r"\sum_x sums over the training examples, and the model has one: check it over "
                           "a batch (batch: true, or --batch)")
    return ev.over_examples(s.body)


def _render_sum(n, r):
    return f"\\sum_{{{n.index}}} {r(n.body, Prec.PRODUCT)}" if n.index == SAMPLE_INDEX else CORE["sum"].render(n, r)


# ---------------------------------------------------------------- a course's own names
def over_examples(body: Node) -> Sum:
    """\\sum_x body: the body evaluated on each training example alone, summed (``_evaluate_sum``)."""
    return Sum(SAMPLE_INDEX, 1, ("m",), body)


def _theta(q: Qty) -> Qty:
    """The weight matrix (or entry) at the name's layer and indices: Ng's \\Theta^{(l)}_{ij}."""
    return Qty("W", r"\Theta", q.layer, q.idx, pos=q.pos, span=q.span)


def _ng_gradient(q: Qty) -> Node:
    """Ng's D^{(l)}_{ij} = dJ/d\\Theta^{(l)}_{ij}: the gradient of the regularised cost J(\\Theta)."""
    return Partial(Qty("J", "J"), _theta(q), pos=q.pos, span=q.span)


def _ng_accumulator(q: Qty) -> Node:
    """Ng's \\Delta^{(l)}_{ij} after the loop over i = 1..m: the sum over the training examples of each
    example's derivative of its own cost (no 1/m, no regulariser), \\sum_x dJ_data/d\\Theta^{(l)}_{ij}."""
    return over_examples(Partial(Qty("Jdata", r"J_{\text{data}}"), _theta(q), pos=q.pos, span=q.span))


@dataclass(frozen=True)
class CourseName:
    """One name a course gives a quantity, read only under a convention that lists it (its ``passes``,
    through readings.CourseNames): ``spelling`` and ``kind`` are how the parser reads the bare symbol
    (\\Delta is a delta, D a free symbol), ``meaning`` builds the tree it stands for at the name's
    layer and indices, ``said`` is the reading in words ({name}: the name as written)."""
    spelling: str
    kind: str
    meaning: Callable
    said: str

    def read(self, q: Qty) -> Named | None:
        """The name as a ``named`` node; None without a layer (the model's checks then say so)."""
        if q.layer is None or q.args:
            return None
        name = render_qty(q)
        return Named(q, self.meaning(q), self.said.format(name=name), pos=q.pos, span=q.span)


COURSE_NAMES = {
    "ng": (
        CourseName("D", "var", _ng_gradient,
                   r"{name} as Ng's gradient \frac{{\partial J}}{{\partial \Theta}} of the regularised cost"),
        CourseName(r"\Delta", "delta", _ng_accumulator,
                   r"{name} as Ng's accumulator, the sum over the m examples of each one's \frac{{\partial "
                   r"\text{{cost}}}}{{\partial \Theta}} (no 1/m, no regulariser)"),
    ),
}


def _evaluate_named(ev, n: Named):
    return ev(n.meaning)


# ---------------------------------------------------------------- the rows
_HAD_SPELLINGS = (r"\bullet", ".*", r".\ast")

EXTENSIONS = (
    Extension(name="had", spellings=_HAD_SPELLINGS, infix=_HAD_SPELLINGS,
              doc=r"\bullet (UFLDL) and Octave's .* (Ng)"),
    Extension(name="sum", spellings=(r"\sum_x", r"\sum_{\forall x}"),
              doc=r"\sum_x sums over the training examples, each evaluated alone (Nielsen's C_x)",
              overrides=dict(parse=_parse_sum_over_examples, evaluate=_evaluate_sum, render=_render_sum)),
    Extension(name="act", spellings=("g^{[1]}(z^{[1]})",), overrides=dict(parse=_parse_layered_activation)),
    # \nabla_{W} J is a spelling of the partial derivative; dW^{[l]}, dZ^{[l]} spell partials and deltas
    Extension(name="partial", starts=(r"\nabla",), spellings=(r"\nabla_{W^{(l)}} J", r"\nabla_a C"),
              doc=r"\nabla_{W^{(l)}} J (Goodfellow, UFLDL), \nabla_a C = dC/da^{(L)} (Nielsen); a bare \nabla "
                  "is refused",
              overrides=dict(parse=_parse_nabla)),
    Extension(name="qty", spellings=("dW^{[l]}", "dZ^{[l]}", "dA^{[l]}"),
              doc="deeplearning.ai's d-prefix: dW, db = dJ/dW, dJ/db, dZ = the per-sample deltas (no 1/m), "
                  "dA = m dJ/dA"),
)

# Rows only some books need, after the core rows.
ROWS = (
    Construct(name="named", doc="a quantity a course names itself, read only under its convention: Ng's "
                r"D^{(l)}_{ij} = \partial J / \partial \Theta^{(l)}_{ij} and accumulator \Delta^{(l)} (the sum "
                "over the examples of each one's gradient); rendered as written",
                spellings=(r"D^{(l)}_{ij}", r"\Delta^{(l)}"), precedence=Prec.SCRIPTED,
                evaluate=_evaluate_named, render=lambda n, r: render_qty(n.name)),
)

# Names of quantities only some books use (spelling -> quantity kind, as names.QUANTITY_NAMES).
NAMES = {r"\mathcal{J}": "J", r"\hat{\mathbf{y}}": "yhat", r"\hat{\boldsymbol{y}}": "yhat",
         r"\hat{\bm{y}}": "yhat", r"\hat{\mathbf{Y}}": "yhat", r"\mathcal{E}": "J",
         r"\mathcal{C}": "J"}

# Commands the tokenizer accepts for these rows beyond their own spellings (\rm: Ng's {\rm ...} text).
COMMANDS = frozenset({r"\nabla", r"\bullet", r"\rm", r"\ast", FOR_ALL})

# A letter that may open a construct (tried before the letter is read as a name; None: not claimed).
LETTER_STARTS: dict[str, Callable] = {"d": _parse_d_prefix}
