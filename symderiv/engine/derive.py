"""Symbolic backprop: the derivation of a network's gradients as justified steps.

SymPy does every local derivative; this module applies the chain rule over
the named layer quantities (z, a, delta) the way a textbook does, and never
states a result it did not compute:

* the output delta ``delta_i^(L) = dJ_s/dz_i^(L)`` comes from ``sympy.diff`` of
  the loss composed with the output activation (for softmax, from the
  Jacobian derived in index form and the one-hot identity ``sum_k y_k = 1``);
* the recursion ``delta^(l) = (W^(l+1))^T delta^(l+1) . f'(z^(l))`` comes from
  differentiating ``z_j^(l+1) = sum_k W_jk^(l+1) a_k^(l) + b_j^(l+1)`` in index
  form, where SymPy's KroneckerDelta collapses the sum;
* weight and bias gradients likewise, plus ``sympy.diff`` of the regulariser.

Each index-form result is translated to matrix form (transposes, Hadamard
and outer products) by SymPy's indexed -> array -> matrix converters, the
route MatrixCalculus.org takes. The matrix forms, specialised to concrete
layers, are what numeric.py lambdifies.

Everything is in batch form: column ``s`` of ``z^(l)`` is sample ``s``, and a
single sample is ``m = 1``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp
from sympy import Sum
from sympy.matrices.expressions.matexpr import MatrixElement

from . import activations as acts
from .activations import Activation, a, z
from .index_algebra import ONES, collapse, elementwise_to_matrix, i, in_range, j, k, p, pull_out, s, \
    simplify_bounded, to_matrix
from .losses import Loss, Regulariser, m, w, y

K = sp.Symbol("K", integer=True, positive=True)  # output width in the softmax derivation


# ---------------------------------------------------------------- steps

@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs = rhs``, and why."""

    lhs: object          # SymPy expression, or a LaTeX string for a named quantity
    rhs: object
    why: str
    form: str = "index"  # "index" | "matrix" | "scalar"


@dataclass
class Section:
    title: str
    steps: list[Step] = field(default_factory=list)

    def add(self, lhs, rhs, why, form="index"):
        self.steps.append(Step(lhs, rhs, why, form))
        return rhs


# ------------------------------------------------------ layer quantities

def width(tag: str) -> sp.Symbol:
    """n_l for a layer tag such as 'l', 'l+1', 'L' or '2'."""
    return sp.Symbol("n_{%s}" % tag, integer=True, positive=True)


def prev_tag(tag: str) -> str:
    return {"l": "l-1", "l+1": "l", "L": "L-1", "L-1": "L-2"}.get(tag) or str(int(tag) - 1)


@dataclass(frozen=True)
class Layer:
    """The named quantities of layer ``tag`` as SymPy matrices (batch of m columns)."""

    tag: str

    def _m(self, name, rows, cols):
        return sp.MatrixSymbol(name % self.tag, rows, cols)

    @property
    def n(self):
        return width(self.tag)

    @property
    def W(self):
        return self._m("W^{(%s)}", self.n, width(prev_tag(self.tag)))

    @property
    def b(self):
        return self._m("b^{(%s)}", self.n, 1)

    @property
    def z(self):
        return self._m("z^{(%s)}", self.n, m)

    @property
    def a(self):
        return self._m("a^{(%s)}", self.n, m)

    @property
    def delta(self):
        return self._m(r"\delta^{(%s)}", self.n, m)

    @property
    def fprime(self):
        return self._m(r"f'(z^{(%s)})", self.n, m)

    @property
    def y(self):
        return sp.MatrixSymbol("y", self.n, m)




# ------------------------------------------------------ the output delta

@dataclass(frozen=True)
class OutputDelta:
    """delta^(L) per unit: ``elementwise`` in scalar a, y (and z), or with sums over units."""

    expr: sp.Expr                 # in a, y, z (elementwise) or in a[k], y[k] (softmax)
    elementwise: bool
    section: Section


av, yv, zv = sp.IndexedBase("a"), sp.IndexedBase("y"), sp.IndexedBase("z")


@lru_cache(maxsize=None)
def output_delta(output: Activation, loss: Loss) -> OutputDelta:
    if output.elementwise:
        return _elementwise_output_delta(output, loss)
    return _softmax_output_delta(loss)


def _elementwise_output_delta(output: Activation, loss: Loss) -> OutputDelta:
    sec = Section("Output layer: delta^{(L)} = dJ_s/dz^{(L)}")
    f = output.expr
    sec.add(sp.Symbol("a_{k}"), f.subs(z, sp.Symbol("z_{k}")),
            f"definition of the output activation ({output.name}), applied to each unit", "scalar")
    sec.add(sp.Symbol(r"\ell(a_k, y_k)"), loss.expr, f"definition of the loss ({loss.name}) per output unit",
            "scalar")
    sec.add(sp.Symbol(r"\delta_k^{(L)}"), sp.Symbol(r"\frac{\partial \ell}{\partial a_k}\, f'(z_k)"),
            "chain rule: only a_k depends on z_k, so of the sum over units only term k survives", "scalar")
    dl_da = sp.diff(loss.expr, a)
    sec.add(sp.Symbol(r"\frac{\partial \ell}{\partial a_k}"), dl_da, "sympy.diff of the loss in a", "scalar")
    deriv = acts.derivative(output)
    sec.add(sp.Symbol("f'(z_k)"), deriv.best, deriv.justification, "scalar")
    product = dl_da * deriv.best
    result = simplify_bounded(product)
    why = "multiply and simplify (SymPy)"
    if result != product:
        why += "; the activation derivative cancels against the loss's denominator" \
            if sp.denom(sp.together(dl_da)) != 1 and not sp.denom(sp.together(result)).has(a) else ""
    sec.add(sp.Symbol(r"\delta_k^{(L)}"), result, why, "scalar")
    out = Layer("L")
    sec.add(out.delta, elementwise_to_matrix(result, {a: out.a, y: out.y, z: out.z}),
            "the same for every unit and sample: an element-wise (Hadamard) matrix expression", "matrix")
    # Independent check: diff of the composed loss in z equals the chain-rule result.
    composed = sp.diff(loss.expr.subs(a, f), z)
    if not _equal_at_points(composed, result.subs(a, f), (z, y)):
        raise AssertionError(f"output delta check failed for {output.name} + {loss.name}")
    return OutputDelta(result, True, sec)


def _equal_at_points(e1, e2, syms, tries=6, seed=7):
    import random
    rnd = random.Random(seed)
    for _ in range(tries):
        point = {sym: sp.Float(rnd.uniform(0.1, 0.9)) for sym in syms}
        v1, v2 = complex(e1.subs(point).evalf()), complex(e2.subs(point).evalf())
        if abs(v1 - v2) > 1e-9 * max(1.0, abs(v1)):
            return False
    return True


@lru_cache(maxsize=None)
def softmax_jacobian() -> tuple[sp.Expr, Section]:
    """d a_k / d z_i for a_k = exp(z_k) / sum_j exp(z_j), derived in index form."""
    sec = Section("Softmax Jacobian")
    denominator = Sum(sp.exp(zv[j]), (j, 1, K))
    definition = sp.exp(zv[k]) / denominator
    sec.add(av[k], definition, "definition of softmax")
    raw = sp.diff(definition, zv[i])
    sec.add(sp.Derivative(av[k], zv[i]), raw, "quotient rule (sympy.diff); d z_j / d z_i = KroneckerDelta(i, j)")
    collapsed = in_range(raw.doit())
    sec.add(sp.Derivative(av[k], zv[i]), collapsed, "the KroneckerDelta picks the term j = i out of the sum")
    in_a = collapsed.subs({sp.exp(zv[k]): av[k] * denominator, sp.exp(zv[i]): av[i] * denominator})
    jac = sp.factor(sp.simplify(in_a))
    sec.add(sp.Derivative(av[k], zv[i]), jac, "substitute exp(z_k) = a_k sum_j exp(z_j) and simplify")
    return jac, sec


def _softmax_output_delta(loss: Loss) -> OutputDelta:
    jac, jac_sec = softmax_jacobian()
    sec = Section("Output layer: delta^{(L)} = dJ_s/dz^{(L)} (softmax)")
    sec.steps.extend(jac_sec.steps)
    sec.add(sp.Symbol(r"\ell"), Sum(loss.expr.subs({a: av[k], y: yv[k]}), (k, 1, K)),
            f"definition of the loss ({loss.name}), summed over the K output units")
    dl_da = sp.diff(loss.expr, a).subs({a: av[k], y: yv[k]})
    chain = Sum(dl_da * jac, (k, 1, K))
    sec.add(sp.Symbol(r"\delta_i^{(L)}"), chain,
            "chain rule: every a_k depends on z_i through the softmax denominator")
    expanded = pull_out(collapse(Sum(sp.expand(dl_da * jac), (k, 1, K))))
    sec.add(sp.Symbol(r"\delta_i^{(L)}"), expanded, "expand; the KroneckerDelta keeps only k = i")
    result = expanded
    one_hot = Sum(yv[k], (k, 1, K))
    if expanded.has(one_hot):
        result = sp.expand(expanded.subs(one_hot, 1))
        sec.add(sp.Symbol(r"\delta_i^{(L)}"), result,
                "one-hot targets: sum_k y_k = 1")
    if not result.has(Sum):
        out = Layer("L")
        flat = result.subs({av[i]: a, yv[i]: y})
        sec.add(out.delta, elementwise_to_matrix(flat, {a: out.a, y: out.y}),
                "the same for every unit and sample, in matrix form", "matrix")
    return OutputDelta(result, False, sec)


# ------------------------------------------------------ hidden layers

@dataclass(frozen=True)
class Recursion:
    """delta^(l) in terms of delta^(l+1): index form and matrix form (generic l)."""

    index: sp.Expr
    matrix: sp.MatrixExpr
    section: Section


@lru_cache(maxsize=None)
def recursion() -> Recursion:
    here, nxt = Layer("l"), Layer("l+1")
    sec = Section("Hidden layers: the delta recursion")
    z_next = Sum(nxt.W[j, k] * here.a[k, s], (k, 0, here.n - 1)) + nxt.b[j, 0]
    sec.add(nxt.z[j, s], z_next, "definition of the next layer's pre-activation")
    sec.add(here.delta[i, s], Sum(sp.Symbol(r"\frac{\partial J_s}{\partial z_{j s}^{(l+1)}}")
                                  * sp.Symbol(r"\frac{\partial z_{j s}^{(l+1)}}{\partial a_{i s}^{(l)}}")
                                  * sp.Symbol(r"\frac{\partial a_{i s}^{(l)}}{\partial z_{i s}^{(l)}}"),
                                  (j, 0, nxt.n - 1)),
            "chain rule: z_{is}^{(l)} reaches J only through a_{is}^{(l)} and every z_{js}^{(l+1)}")
    dz_da = collapse(sp.diff(z_next, here.a[i, s]))
    sec.add(sp.Symbol(r"\frac{\partial z_{j s}^{(l+1)}}{\partial a_{i s}^{(l)}}"), dz_da,
            "sympy.diff of the definition: the KroneckerDelta keeps only k = i")
    index = Sum(nxt.delta[j, s] * dz_da, (j, 0, nxt.n - 1)) * here.fprime[i, s]
    sec.add(here.delta[i, s], index,
            "substitute delta^{(l+1)} for dJ_s/dz^{(l+1)} and f'(z^{(l)}) for da/dz (a = f(z) element-wise)")
    matrix = to_matrix(index, (i, s))
    sec.add(here.delta, matrix, "the sum over j is a product with the transpose of W^{(l+1)}; "
            "the per-unit factor is a Hadamard product", "matrix")
    return Recursion(index, matrix, sec)


# ------------------------------------------------------ parameter gradients

@dataclass(frozen=True)
class Gradients:
    weight_index: sp.Expr
    weight_matrix: sp.MatrixExpr
    bias_index: sp.Expr
    bias_matrix: sp.MatrixExpr
    section: Section


@lru_cache(maxsize=None)
def gradients(reg: Regulariser) -> Gradients:
    here, prev = Layer("l"), Layer("l-1")
    sec = Section("Weight and bias gradients")
    z_here = Sum(here.W[k, p] * prev.a[p, s], (p, 0, prev.n - 1)) + here.b[k, 0]
    sec.add(here.z[k, s], z_here, "definition of the pre-activation")
    sec.add(sp.Symbol("J"), sp.Symbol(r"\frac{1}{m} \sum_{s} J_s + R(W)"),
            f"the cost: mean of the per-sample losses J_s over the batch, plus the regulariser ({reg.title})")
    chain = Sum(Sum(here.delta[k, s] * sp.Symbol(r"\frac{\partial z_{k s}^{(l)}}{\partial W_{i j}^{(l)}}"),
                    (k, 0, here.n - 1)), (s, 0, m - 1)) / m
    sec.add(sp.Symbol(r"\frac{\partial J}{\partial W_{i j}^{(l)}}"), chain + sp.Symbol(r"\frac{\partial R}{\partial W_{i j}^{(l)}}"),
            "chain rule: W^{(l)} reaches J_s only through z^{(l)}; delta^{(l)} = dJ_s/dz^{(l)}")
    dz_dw = collapse(sp.diff(z_here, here.W[i, j]))
    sec.add(sp.Symbol(r"\frac{\partial z_{k s}^{(l)}}{\partial W_{i j}^{(l)}}"), dz_dw, "sympy.diff of the definition")
    data = pull_out(collapse(Sum(Sum(here.delta[k, s] * dz_dw, (k, 0, here.n - 1)), (s, 0, m - 1)) / m))
    dreg = sp.diff(reg.expr, w).subs(w, here.W[i, j])
    sec.add(sp.Symbol(r"\frac{\partial R}{\partial W_{i j}^{(l)}}"), dreg,
            "sympy.diff of the regulariser (only the term of W_{ij} depends on it)")
    weight_index = data + dreg
    sec.add(sp.Symbol(r"\frac{\partial J}{\partial W_{i j}^{(l)}}"), weight_index,
            "the KroneckerDelta keeps only k = i")
    weight_matrix = to_matrix(weight_index, (i, j))
    sec.add(sp.Symbol(r"\frac{\partial J}{\partial W^{(l)}}"), weight_matrix,
            "the sum over samples of delta_i a_j is the product delta (a^{(l-1)})^T", "matrix")

    db = collapse(sp.diff(z_here, here.b[i, 0]))
    sec.add(sp.Symbol(r"\frac{\partial z_{k s}^{(l)}}{\partial b_{i}^{(l)}}"), db, "sympy.diff of the definition")
    bias_index = pull_out(collapse(Sum(Sum(here.delta[k, s] * db, (k, 0, here.n - 1)), (s, 0, m - 1)) / m))
    sec.add(sp.Symbol(r"\frac{\partial J}{\partial b_{i}^{(l)}}"), bias_index,
            "chain rule, and biases are never regularised")
    bias_matrix = to_matrix(bias_index, (i,))
    sec.add(sp.Symbol(r"\frac{\partial J}{\partial b^{(l)}}"), bias_matrix,
            "the sum over the batch is the product with a column of ones", "matrix")
    return Gradients(weight_index, weight_matrix, bias_index, bias_matrix, sec)


# ------------------------------------------------------ the whole derivation

@dataclass
class Derivation:
    """A network's derivation: sections of justified steps. Renders in Jupyter."""

    title: str
    summary: str
    sections: list[Section]

    @property
    def steps(self) -> list[Step]:
        return [st for sec in self.sections for st in sec.steps]

    def latex(self) -> str:
        from .render import derivation_latex
        return derivation_latex(self)

    def markdown(self) -> str:
        from .render import derivation_markdown
        return derivation_markdown(self)

    def text(self) -> str:
        from .render import derivation_text
        return derivation_text(self)

    def _repr_latex_(self) -> str:
        from .render import derivation_mathjax
        return derivation_mathjax(self)

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)


def activation_section(act: Activation, role: str) -> Section:
    sec = Section(f"The {role} activation derivative ({act.name})")
    if not act.elementwise:
        return softmax_jacobian()[1]
    deriv = acts.derivative(act)
    sec.add(sp.Symbol("f(z)"), act.expr, "definition", "scalar")
    sec.add(sp.Symbol("f'(z)"), deriv.raw, "sympy.diff of the definition", "scalar")
    if deriv.in_output is not None:
        sec.add(sp.Symbol("f'(z)"), deriv.in_output, deriv.justification + " (a = f(z))", "scalar")
    return sec


def forward_section(net) -> Section:
    here, prev = Layer("l"), Layer("l-1")
    sec = Section("Forward pass (column layout: one column per sample)")
    sec.add(prev.a if False else sp.Symbol("a^{(0)}"), sp.Symbol("x"), "the input is layer 0")
    if net.bias:
        sec.add(here.z, here.W * prev.a + here.b * ONES.T, "pre-activation of layer l = 1..L "
                "(the bias is added to every column)", "matrix")
    else:
        sec.add(here.z, here.W * prev.a, "pre-activation of layer l = 1..L (a network without bias terms)",
                "matrix")
    sec.add(here.a, sp.Symbol("f_l(z^{(l)})"), "element-wise activation (softmax acts on each column)", "matrix")
    sec.add(sp.Symbol("J"), sp.Symbol(r"\frac{1}{m} \sum_{s=1}^{m} \sum_{k} \ell(a_{k s}^{(L)}, y_{k s}) + R(W)"),
            f"the cost: loss {net.loss.title}, regulariser {net.reg.title}", "matrix")
    return sec


def to_rows(expr: sp.MatrixExpr) -> sp.MatrixExpr:
    """The rows-layout form of a column-layout matrix expression.

    In rows layout every layer matrix is the transpose of its column twin
    (samples are rows, Z = A W + b), so transpose the whole expression, push
    the transposes inward, and rename each matrix to its transposed twin.
    """
    pushed = sp.Transpose(expr).doit()
    twins = {ms: sp.Transpose(sp.MatrixSymbol(ms.name, ms.shape[1], ms.shape[0]))
             for ms in pushed.atoms(sp.MatrixSymbol) if ms != ONES}
    return pushed.xreplace(twins).doit()


def rows_section(net) -> Section:
    here, prev = Layer("l"), Layer("l-1")
    sec = Section("Rows layout (samples as rows): every matrix above, transposed")
    why = "transpose of the column-layout result: in rows layout each layer matrix is stored transposed"
    sec.add(here.z, to_rows(here.W * prev.a + (here.b * ONES.T if net.bias else sp.ZeroMatrix(*here.z.shape))),
            why, "matrix")
    if net.depth > 1:
        sec.add(here.delta, to_rows(recursion().matrix), why, "matrix")
    g = gradients(net.reg)
    sec.add(sp.Symbol(r"\frac{\partial J}{\partial W^{(l)}}"), to_rows(g.weight_matrix), why, "matrix")
    if net.bias:
        sec.add(sp.Symbol(r"\frac{\partial J}{\partial b^{(l)}}"), to_rows(g.bias_matrix), why, "matrix")
    return sec


def _without_bias(step: Step) -> Step:
    """The step with every bias entry b^{(l)}_{j} set to 0 (a network without bias terms)."""
    def zero(e):
        return e.replace(lambda x: isinstance(x, MatrixElement) and str(x.parent).startswith("b^"),
                         lambda x: sp.S.Zero) if isinstance(e, sp.Basic) and not isinstance(e, sp.MatrixExpr) else e
    return Step(step.lhs, zero(step.rhs), step.why, step.form)


def derivation(net) -> Derivation:
    """The full derivation of ``net``'s gradients, nothing skipped."""
    out = output_delta(net.output, net.loss)
    sections = [forward_section(net)]
    if net.output.elementwise:  # softmax's Jacobian is part of its output-delta section
        sections.append(activation_section(net.output, "output"))
    if net.depth > 1:
        sections.append(activation_section(net.hidden, "hidden"))
    sections.append(out.section)
    if net.depth > 1:
        sections.append(recursion().section)
    grads = gradients(net.reg).section
    if not net.bias:                # no bias terms: their gradient steps do not exist, b = 0 elsewhere
        grads = Section(grads.title.replace("Weight and bias", "Weight"),
                        [st for st in grads.steps if "partial b" not in str(st.lhs)])
        sections = [Section(sec.title, [_without_bias(st) for st in sec.steps]) for sec in sections]
        grads = Section(grads.title, [_without_bias(st) for st in grads.steps])
    sections.append(grads)
    if net.layout == "rows":
        sections.append(rows_section(net))
    return Derivation(f"Backpropagation for the {net.describe()}", net.describe(), sections)
