"""The construct registry: every construct the parser builds has one complete row, and the rows drive
parsing, evaluation, rendering and repair."""
import inspect
from fractions import Fraction

import numpy as np
import pytest

from symderiv.notation import conventions, operators, registry, tokens as notation, grammar, scripts
from symderiv.notation.registry import CONSTRUCTS, construct_of, edits, render
from symderiv.notation.parse import parse
from symderiv.notation.tree import Call, LayerRef, Num, Op, Qty, walk

# One claim per construct; together they make the parser build every node kind it can.
EXAMPLES = {
    "num": r"z = 2", "qty": r"\delta^{(L)} = a^{(L)} - y",
    "partial": r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T",
    "deriv": r"\frac{d}{dz} \sigma(z) = \sigma(z)(1 - \sigma(z))", "add": "z = z + 1", "sub": "z = z - 1",
    "neg": "z = -z", "mm": r"z = 2 \cdot z", "had": r"\delta^{(L)} = a^{(L)} \odot y",
    "div": r"z = \frac{z}{2}", "pow": r"z = \sqrt{z^{2}}", "T": r"\delta^{(L)} = (y^T)^T",
    "act": r"a^{(l)} = \sigma(z^{(l)})", "dact": r"\delta^{(L)} = f'(z^{(L)})",
    "function": r"z = \tanh(z)", "sum": r"\delta^{(L)}_i = \sum_{j} W^{(L)}_{ij} a^{(L-1)}_j", "total": r"J = \sum y", "prod": r"z = \text{prod}(z, z)",
    "norm": r"J = \lambda \|W^{(1)}\|_2^2", "derivof": r"\frac{\partial}{\partial W^{(1)}} (\lambda W^{(1)}) = 0",
    "cases": r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = \begin{cases} 1 & \text{if } z^{(1)} > 0 \\ 0 & \text{otherwise} \end{cases}",
    "cond": r"\delta^{(1)} = 0 \quad \text{if } z^{(1)} \leq 0",
    "cancel": r"\delta^{(L)} = \cancel{a^{(L)}} y + a^{(L)} - y",
    "index": r"\delta^{(L)}_j = a^{(L)}_j - 1 \quad \text{if } j = y_i",
    "indicator": r"\delta^{(L)}_j = a^{(L)}_j - \mathbb{1}(j = 1)",
    "matrix": r"y = \begin{bmatrix} y^{(1)} \\ y^{(2)} \\ \vdots \\ y^{(m)} \end{bmatrix}",
    # a course's own name: built by its convention's reading (Ng's D and \Delta), not by the bare parser
    "named": (r"D^{(l)}_{ij} = \frac{1}{m} \Delta^{(l)}_{ij}", "ng"),
}


def constructs_built_by(example):
    latex, convention = example if isinstance(example, tuple) else (example, None)
    claim = parse(latex, conventions.readings_for(conventions.CONVENTIONS[convention]) if convention else None)
    nodes = [n for side in claim.sides for n in walk(side)]
    nodes += list(walk(claim.condition)) if claim.condition is not None else []
    return {n.construct for n in nodes}


def test_every_row_is_complete():
    for name, row in CONSTRUCTS.items():
        assert row.name == name and row.doc and row.spellings, name
        assert callable(row.evaluate) and callable(row.render) and callable(row.edits), name
        assert isinstance(row.prec(Qty("a", "a")), (int, float)), name


def test_every_node_the_parser_builds_has_a_row():
    built = set().union(*(constructs_built_by(t) for t in EXAMPLES.values()))
    assert built == set(CONSTRUCTS)
    for name, latex in EXAMPLES.items():
        assert name in constructs_built_by(latex), name


def test_the_parser_names_no_construct_meaning_of_its_own():
    # Operator tokens, transposes and primary starts come from the registry, not from the parser.
    src = inspect.getsource(grammar.Parser) + inspect.getsource(scripts.QuantityReader)
    for token in (r"\\odot", r"\\cdot", r"\\times", r"\\circ", r"\\sqrt", r"\\sum", r"\\frac", r"\\top"):
        assert token not in src, token


def test_row_spellings_are_accepted_by_the_tokenizer():
    for tok in registry.command_tokens():
        assert tok in notation.KNOWN_COMMANDS


@pytest.mark.parametrize("latex", [r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot f'(z^{(l)})",
                                   r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m} \delta^{(l)} (a^{(l-1)})^T",
                                   r"z = \tanh^{2}(z) - e^{-z} + \sum_{i=1}^{3} z"])
def test_rendering_round_trips_through_the_parser(latex):
    claim = parse(latex)
    again = parse(" = ".join(render(s) for s in claim.sides))
    assert again.sides == claim.sides


def test_equality_ignores_positions_and_styles():
    assert parse(r"z = a \odot b".replace("a", "z").replace("b", "z")).sides[1] == \
        parse(r"z = z \circ z").sides[1]
    assert Qty("a", "a", LayerRef("l", 0), pos=3) == Qty("a", "a", LayerRef("l", 0), pos=9)


def test_operator_meaning_is_the_rows_own():
    class Ev:
        def __call__(self, n):
            return CONSTRUCTS[n.construct].evaluate(self, n)
    A, B = Num(Fraction(3)), Num(Fraction(4))
    assert CONSTRUCTS["mm"].evaluate(Ev(), Op("mm", (A, B))) == 12.0
    assert CONSTRUCTS["sub"].evaluate(Ev(), Op("sub", (A, B))) == -1.0
    with pytest.raises(operators.ShapeError):
        operators.hadamard(np.ones((2, 3)), np.ones((3, 2)))
    assert operators.matrix_product(np.ones((2, 3)), np.ones((3, 4))).shape == (2, 4)


def test_repairs_come_from_the_rows():
    q = Qty("W", "W", LayerRef("l", 0))
    codes = [code for (code, at, args), _ in edits(q)]
    assert "layer-shift" in codes and "transpose" in codes
    had = Op("had", (q, Qty("a", "a", LayerRef("l", -1))), style=r"\odot")
    assert any(new.op == "mm" for (code, _, _), new in edits(had) if code == "product-type")
    assert construct_of(Call("dact", q, "f")).name == "dact"


def test_the_docs_show_the_registry_as_it_is():
    import pathlib
    doc = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "constructs.md").read_text(encoding="utf-8")
    assert registry.markdown_table() in doc


# ---- spellings read as the world writes them (issue 21, item 6) -------------------------------------
from symderiv.engine.network import NetFlags  # noqa: E402
from symderiv.verify import verify  # noqa: E402

MSE_RELU = NetFlags(hidden="relu", loss="mse")


@pytest.mark.parametrize("right, wrong", [
    # ||x||^2_2 with two bars and the exponent first is the squared 2-norm
    (r"J = \frac{1}{2}||a^{(2)} - y||^2_2", r"J = ||a^{(2)} - y||^2_2"),
    (r"J = \frac{1}{2}\left\|a^{(2)} - y\right\|^{2}_{2}", r"J = \frac{1}{2}\left\|a^{(2)} - y\right\|_{2}"),
    # \equiv (an identity) is an equality, checked as strictly
    (r"\frac{\partial J}{\partial b^{(2)}} \equiv \delta^{(2)}", r"\frac{\partial J}{\partial b^{(2)}} \equiv a^{(2)} - y"),
    # g\prime written without a superscript is g'
    (r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = g\prime(z^{(1)})", r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = g(z^{(1)})"),
    # a named function primed is its derivative
    (r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = \text{ReLU}'(z^{(1)})",
     r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = \text{ReLU}(z^{(1)})"),
    (r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = \mathbb{1}(z^{(1)} > 0) \odot 1", r"\tanh'(z^{(1)}) = 1 - \tanh^2(z^{(1)}) + 1"),
])
def test_a_spelling_reads_as_its_meaning(right, wrong):
    assert verify(right, MSE_RELU).verdict == "correct"
    assert verify(wrong, MSE_RELU).verdict == "incorrect"


def test_a_sum_over_all_examples_is_nielsens_sum_over_x():
    said = r"\frac{\partial C}{\partial b^{(2)}} = \frac{1}{n}\sum_{\forall x}\frac{\partial C_x}{\partial b^{(2)}}"
    assert verify(said, convention="nielsen", batch=True).verdict == "correct"
    assert verify(said.replace(r"\frac{1}{n}", "2"), convention="nielsen", batch=True).verdict == "incorrect"
    # over one example the sum is its one term: a missing 1/n could not show, so nothing is claimed
    assert verify(r"C = \sum_{\forall x} C_x", convention="nielsen", batch=False).verdict == "unverifiable"


@pytest.mark.parametrize("claim, phrase", [
    (r"\delta^{(2)} \approx a^{(2)} - y", r"\approx (a rounded value) is not checked"),
    (r"\frac{\partial J}{\partial W^{(2)}} = \nabla_{W^{(2)} x} J", r"\nabla's subscript must be one quantity"),
    (r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = \text{softmax}'(z^{(1)})", "the derivative of softmax is not known"),
])
def test_a_spelling_that_is_not_checked_says_why(claim, phrase):
    v = verify(claim, MSE_RELU)
    assert v.verdict == "unverifiable" and phrase in v.reason, v.reason


def test_mbox_is_prose_like_text():
    v = verify(r"\delta^{(1)} = 0 \mbox{ if } z^{(1)} \leq 0", MSE_RELU)
    assert v.verdict == "correct", v.reason


DB = r"\frac{\partial J}{\partial b^{(l)}} = "
CE = r"(y \log a^{(L)} + (1-y)\log(1-a^{(L)}))"


@pytest.mark.parametrize("claim, batch, verdict", [
    (DB + r"\frac{1}{m}\sum \delta^{(l)}", True, "correct"),           # over the examples, per unit
    (DB + r"\frac{1}{m} sum(\delta^{(l)})", True, "correct"),          # NumPy's spelling
    (DB + r"\frac{1}{m}\text{sum}(\delta^{(l)})", True, "correct"),
    (DB + r"\sum \delta^{(l)}", True, "incorrect"),                    # dropped 1/m
    (DB + r"-\frac{1}{m}\sum \delta^{(l)}", True, "incorrect"),        # sign
    (DB + r"\frac{1}{m}\sum \delta^{(l+1)}", True, "incorrect"),       # layer shift
    (r"J = -\frac{1}{m}\sum " + CE, True, "correct"),                  # a scalar expected: every entry
    (r"J = -\frac{1}{2m}\sum " + CE, True, "incorrect"),
    (r"J = -\sum " + CE, False, "correct"),                            # one example: over its units
    (r"J = \sum " + CE, False, "incorrect"),
    (r"\frac{\partial J}{\partial W^{(2)}} = \sum W^{(2)}", False, "unverifiable"),   # a matrix: no one reading
])
def test_a_sum_without_an_index_sums_what_its_type_leaves(claim, batch, verdict):
    v = verify(claim, NetFlags(batch=batch))
    assert v.verdict == verdict, v.reason


def test_a_sum_without_an_index_read_as_every_entry_says_so():
    assert "sums every entry" in verify(r"J = -\frac{1}{m}\sum " + CE, NetFlags(batch=True)).reason


@pytest.mark.parametrize("written, tokens", [
    ("relu(z)", ["relu", "(", "z", ")"]),
    ("sum(dZ)", ["sum", "(", "d", "Z", ")"]),
    ("r e l u(z)", ["r", "e", "l", "u", "(", "z", ")"]),       # letters written apart stay letters
    ("relu z", ["r", "e", "l", "u", "z"]),                     # no parenthesis: not a call
])
def test_a_function_name_in_plain_letters_is_one_token_before_its_parenthesis(written, tokens):
    assert [t.text for t in notation.tokenize(written)] == tokens


@pytest.mark.parametrize("written, value, other", [
    (r"\frac12 z", "0.5 z", r"\frac{12}{z}"),             # TeX: one digit per unbraced argument
    (r"\frac123 z", "1.5 z", r"\frac{1}{23} z"),
    (r"\frac{1}2 z", "0.5 z", r"\frac{1}{2z}"),
    (r"\frac 34 z", "0.75 z", r"\frac{34}{z}"),
])
def test_an_unbraced_fraction_takes_one_digit_per_argument(written, value, other):
    assert verify(f"{written} = {value}").verdict == "correct"
    assert verify(f"{written} = 2 \\cdot {value}").verdict == "incorrect"
    assert verify(f"{written} = {other}").verdict == "incorrect"
    assert [t.text for t in notation.tokenize(r"\frac123")] == [r"\frac", "1", "2", "3"]


@pytest.mark.parametrize("written, layer", [
    (r"N_{out}", LayerRef("L", 0)), (r"n_{\text{out}}", LayerRef("L", 0)), (r"N_{output}", LayerRef("L", 0)),
    (r"N_{in}", LayerRef(None, 0)), (r"n_{\rm in}", LayerRef(None, 0)), (r"N_{\text{inputs}}", LayerRef(None, 0)),
])
def test_a_count_named_by_its_subscript_is_that_layers_width(written, layer):
    """names.COUNT_LABELS: N_{out} is the number of output units, N_{in} of inputs, as a factor and as a
    sum's upper limit; N alone stays the number of samples."""
    q = parse(rf"\lambda = \frac{{1}}{{{written}}}").sides[1].args[1]
    assert (q.kind, q.layer) == ("width", layer)
    assert parse(rf"J = \sum_{{k=1}}^{{{written}}} y_k").sides[1].hi == ("width", layer)
    assert parse(r"\lambda = \frac{1}{N}").sides[1].args[1].kind == "m"
    assert parse(rf"\lambda = {render(q)}").sides[1] == q        # rendered by its name, read back the same


@pytest.mark.parametrize("right, wrong", [
    (r"N_{in} = n_0", r"N_{in} = n_1"),
    (r"N_{out} = n_2", r"N_{out} = n_1"),
    (r"\frac{\partial C}{\partial b^{(2)}} = \frac{1}{N_{out}} \sum_{k=1}^{N_{out}} \delta^{(2)}",
     r"\frac{\partial C}{\partial b^{(2)}} = \sum_{k=1}^{N_{out}} \delta^{(2)}"),
    (r"\frac{\partial C}{\partial a^{(2)}_k} = \frac{N_{in}}{n_0} (a^{(2)}_k - y_k)",
     r"\frac{\partial C}{\partial a^{(2)}_k} = \frac{2}{N_{out}} (a^{(2)}_k - y_k)"),
    # B is the bias, as Z and A are z and a
    (r"\frac{\partial C}{\partial B^{(1)}} = \delta^{(1)}", r"\frac{\partial C}{\partial B^{(1)}} = \sum_{k=1}^{N_{in}} \delta^{(1)}"),
])
def test_counts_and_the_capital_bias_are_checked_as_strictly_as_their_letters(right, wrong):
    flags = NetFlags(loss="mse")
    assert verify(right, flags).verdict == "correct"
    assert verify(wrong, flags).verdict == "incorrect"
