"""Index-form algebra for the derivation: collapsing KroneckerDelta sums, pulling constants out of sums,
and translating index-form entries to matrix expressions (SymPy's indexed -> array -> matrix converters,
with sums over the batch written as products with a column of ones). derive.py states each step; this
module does the rewriting those steps justify.
"""
from __future__ import annotations

import sympy as sp
from sympy import Sum
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.tensor.array.expressions.from_array_to_matrix import convert_array_to_matrix
from sympy.tensor.array.expressions.from_indexed_to_array import convert_indexed_to_array

from . import activations as acts
from ..bounded import TimedOut, bounded
from .losses import m

i, j, k, p, s = sp.symbols("i j k p s", integer=True, nonnegative=True)
ONES = sp.MatrixSymbol(r"\mathbf{1}_m", m, 1)  # a column of m ones: sums over the batch


def in_range(expr):
    """Drop the 'index out of range' branch SymPy adds when a KroneckerDelta collapses a sum.

    Every index here is a valid unit index, so Piecewise((e, 0 <= i < n), (0, True)) is e.
    """
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0].expr)


def collapse(expr):
    """Evaluate the sums over a KroneckerDelta, for indices in range."""
    return in_range(sp.expand(expr).doit())


def pull_out(expr):
    """Move factors that do not depend on a sum's index outside the sum."""
    def _pull(total):
        body, *limits = total.args
        inside = {lim[0] for lim in limits}
        parts = []
        for term in sp.Add.make_args(sp.expand(body)):
            outside, dependent = term.as_independent(*inside, as_Add=False)
            parts.append(outside * Sum(dependent, *limits))
        return sp.Add(*parts)
    return expr.replace(lambda e: isinstance(e, Sum), _pull)


def to_matrix(expr, first_indices):
    """The matrix whose (first_indices) entry is the index-form ``expr``.

    Sums of entries are translated by SymPy's indexed->array->matrix converters.
    Factors free of every index (1/m, lambda) are kept outside, since the converter
    is not guaranteed to keep them; a sum over the batch becomes a product with 1_m.
    """
    total = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(expr)):
        scale, body = term.as_independent(*first_indices, s, j, k, as_Add=False)
        body = _sums_over_batch_as_products(body)
        if isinstance(body, MatrixElement) and \
                list(body.indices[:len(first_indices)]) == list(first_indices):
            matrix = body.parent
        else:
            array = convert_indexed_to_array(body, first_indices=list(first_indices))
            matrix = convert_array_to_matrix(array)
            if isinstance(matrix, MatrixElement) and tuple(matrix.indices[:len(first_indices)]) == \
                    tuple(first_indices):
                matrix = matrix.parent  # a column vector comes back as its (i, 0) entry
        if not isinstance(matrix, sp.MatrixExpr):
            raise ValueError(f"cannot translate {term} to matrix form (got {matrix})")
        total = scale * matrix if total == 0 else total + scale * matrix
    return total


def _sums_over_batch_as_products(body):
    """sum_s X[i, s] -> sum_s X[i, s] 1_m[s, 0], which the converter reads as X 1_m."""
    def _with_ones(total):
        inner, *limits = total.args
        carriers = [f for f in sp.Mul.make_args(inner) if f.has(s)]
        if len(limits) == 1 and limits[0][0] == s and len(carriers) == 1 and not inner.has(ONES):
            return Sum(inner * ONES[s, 0], *limits)  # a plain sum over the batch
        return total
    return body.replace(lambda e: isinstance(e, Sum), _with_ones)


def elementwise_to_matrix(expr, names):
    """A scalar expression applied entry by entry, as a matrix expression (Hadamard algebra).

    >>> elementwise_to_matrix(a - y, {a: A, y: Y})     # A, Y: matrix symbols of one shape
    A - Y
    """
    shape = next(iter(names.values())).shape
    def conv(e):
        if e in names:
            return names[e]
        if e.is_number:
            return e * sp.OneMatrix(*shape)
        if isinstance(e, sp.Add):
            return sp.MatAdd(*[conv(t) for t in e.args])
        if isinstance(e, sp.Mul):
            coeff, rest = e.as_coeff_mul()
            body = [conv(f) for f in rest]
            prod = body[0] if len(body) == 1 else sp.HadamardProduct(*body)
            return prod if coeff == 1 else coeff * prod
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
            return sp.HadamardPower(conv(e.base), e.exp)
        return sp.MatrixSymbol(sp.latex(e.xreplace({k: sp.Symbol(v.name) for k, v in names.items()})), *shape)
    return conv(expr)


def simplify_bounded(expr, seconds=5.0):
    """The simplest form SymPy finds within ``seconds``: a rational function that cancels to a
    polynomial is done by ``cancel`` (milliseconds; ``simplify``'s first call alone imports
    sympy.physics.units, half a second of a cold ``verify``), anything else by ``simplify``."""
    try:
        cancelled = sp.cancel(expr)
        if sp.denom(cancelled) == 1 and not cancelled.has(sp.exp, sp.log, sp.Function):
            return acts.tidy(cancelled)
        return bounded(lambda: acts.tidy(sp.simplify(expr)), seconds)
    except TimedOut:
        return expr
