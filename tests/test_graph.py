"""symderiv/graph: a document's forward pass is its model (issue 20).

Each test writes a derivation in the style the issue lists, checks that its right lines are called
correct, and that perturbed copies (sign, scale, transpose, dropped factor) are not.
"""
import json

import pytest

from symderiv.cli import main
from symderiv.graph.lines import read_lines
from symderiv.graph.build import build_graph
from symderiv.graph.document import document_graph
from symderiv.graph.linecheck import check_line

TWO_LAYER = [
    r"z_1 = W_1 x + b_1", r"h = \sigma(z_1)", r"o = W_2 h", r"\hat y = \mathrm{softmax}(o)",
    r"L = -\sum_k y_k \log \hat y_k", r"s = \tfrac{\lambda}{2}\left(\|W_1\|_F^2 + \|W_2\|_F^2\right)", r"J = L + s",
]


def verdicts(defs, claims):
    """The verdict of every link of every claim, on the model the definitions state."""
    found = document_graph([(f"d{k}", t) for k, t in enumerate(defs)] + [(f"c{k}", t) for k, t in enumerate(claims)])
    assert found is not None
    g, lines = found
    return [v.verdict for ln in lines if ln.defines is None and not ln.names for v in check_line(g, ln)]


def test_the_issues_two_layer_example_reads_its_own_model():
    g = build_graph(read_lines([(str(k), t) for k, t in enumerate(TWO_LAYER)]))
    shape = {s.latex: s.shape for s in g.symbols.values()}
    role = {s.latex: s.role for s in g.symbols.values()}
    assert role["W_{1}"] == role["W_{2}"] == role["b_{1}"] == "parameter"
    assert role["x"] == role["y"] == "data" and role["J"] == "cost" and role["\\lambda"] == "scalar"
    assert shape["W_{2}"][1] == shape["W_{1}"][0] == shape["h"][0]
    assert shape["x"][1] == 1 and shape["b_{1}"] == shape["z_{1}"]
    sizes = {shape["x"][0], shape["h"][0], shape["o"][0]}
    assert len(sizes) == 3                   # every dimension its own size: a missing transpose shows


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial J}{\partial o} = \hat y - y", "correct"),
    (r"\frac{\partial J}{\partial o} = y - \hat y", "incorrect"),                    # sign
    (r"dW_2 = \frac{\partial J}{\partial o}\, h^\top + \lambda W_2", "correct"),
    (r"dW_2 = \frac{\partial J}{\partial o}\, h^\top", "incorrect"),                  # dropped regulariser
    (r"dW_2 = 2 \frac{\partial J}{\partial o}\, h^\top + \lambda W_2", "incorrect"),  # scale
    (r"dW_2 = h \frac{\partial J}{\partial o}^\top + \lambda W_2", "incorrect"),      # transpose
    (r"\delta_1 = W_2^\top (\hat y - y) \odot \sigma'(z_1)", "correct"),
    (r"\delta_1 = W_2^\top (\hat y - y)", "incorrect"),                              # dropped factor
    (r"\delta_1 = W_2 (\hat y - y) \odot \sigma'(z_1)", "incorrect"),                # missing transpose
    (r"dz1 = W2^T (\hat y - y) \odot h \odot (1 - h)", "correct"),                  # digit suffixes
    (r"dW1 = dz1 x^T + \lambda W1", "correct"),
    (r"db_1 = \delta_1", "correct"),
    (r"\frac{\partial J}{\partial o_j} = \hat y_j - y_j", "correct"),                # index form
    (r"\frac{\partial J}{\partial W_{2}} = \frac{\partial L}{\partial W_2} + \lambda W_2", "correct"),
])
def test_derivative_lines_are_checked_against_the_documents_graph(claim, verdict):
    assert verdicts(TWO_LAYER, [claim]) == [verdict]


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} W^\top", "correct"),
    (r"\frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial Y}", "correct"),
    (r"\frac{\partial L}{\partial W} = X \frac{\partial L}{\partial Y}", "incorrect"),
    (r"\frac{\partial L}{\partial X} = W^\top \frac{\partial L}{\partial Y}", "incorrect"),
    (r"\frac{\partial L}{\partial X} = -\frac{\partial L}{\partial Y} W^\top", "incorrect"),
])
def test_a_local_formula_takes_its_upstream_gradient_as_given(claim, verdict):
    assert verdicts([r"Y = XW"], [claim]) == [verdict]


GENERIC = [r"z = W x + b", r"a = g(z)", r"J = l(a, y)"]


@pytest.mark.parametrize("claim, verdict", [
    (r"\delta = g'(z) \odot \frac{\partial J}{\partial a}", "correct"),
    (r"\frac{\partial J}{\partial W} = (g'(z) \odot \frac{\partial J}{\partial a}) x^T", "correct"),
    (r"\delta = \sigma'(z) \odot \frac{\partial J}{\partial a}", "incorrect"),     # holds for the sigmoid only
    (r"\delta = g(z) \odot (1 - g(z)) \odot \frac{\partial J}{\partial a}", "incorrect"),
    (r"\frac{\partial J}{\partial W} = x (g'(z) \odot \frac{\partial J}{\partial a})^T", "incorrect"),
])
def test_generic_functions_are_checked_for_random_smooth_functions(claim, verdict):
    assert verdicts(GENERIC, [claim]) == [verdict]


def test_an_unwritten_pre_activation_is_what_delta_differentiates():
    defs = [r"h = \sigma(U x + b^{(1)})", r"\hat{y} = \sigma(V h + b^{(2)})",
            r"\mathcal{L} = -\left( y \log \hat{y} + (1 - y) \log(1 - \hat{y}) \right)"]
    assert verdicts(defs, [r"\delta^{(2)} = \hat{y} - y", r"\delta^{(2)} = y - \hat{y}",
                           r"\delta^{(1)} = V^T \delta^{(2)} \odot h \odot (1 - h)",
                           r"\delta^{(1)} = (V \delta^{(2)}) \odot h \odot (1 - h)",
                           r"\frac{\partial \mathcal{L}}{\partial U} = \delta^{(1)} x^T"]) == \
        ["correct", "incorrect", "correct", "incorrect", "correct"]


def test_rows_layout_with_a_broadcast_bias():
    defs = [r"H = \sigma(X W_1 + b_1)", r"Z = H W_2", r"J = \frac{1}{2} \|Z - Y\|_F^2"]
    assert verdicts(defs, [r"\frac{\partial J}{\partial W_2} = H^T (Z - Y)",
                           r"\frac{\partial J}{\partial W_2} = (Z - Y) H^T",
                           r"\frac{\partial J}{\partial W_2} = H^T (Y - Z)"]) == \
        ["correct", "incorrect", "incorrect"]


def test_a_document_without_a_forward_pass_takes_todays_path():
    assert document_graph([("a", r"\delta^{(L)} = a^{(L)} - y")]) is None


def test_check_json_states_the_model_and_each_lines_assumptions(tmp_path, capsys):
    doc = tmp_path / "mine.md"
    doc.write_text("$$\n" + ",\\quad ".join(TWO_LAYER) + "\n$$\n\n$$\n\\delta_1 = W_2^\\top (\\hat y - y) "
                   "\\odot \\sigma'(z_1)\n$$\n\n$$\ndW_1 = \\delta_1 x^\\top\n$$\n")
    code = main(["check", str(doc), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1                         # dW_1 forgot the regulariser's \lambda W_1
    model = {s["name"]: s for s in out["model"]}
    assert model["o"]["role"] == "defined" and model["o"]["line"] == "L2c"
    assert model["W_{2}"]["role"] == "parameter" and model["W_{2}"]["line"] is None
    claims = [e for e in out["entries"] if e["id"] in ("L6", "L10")]
    assert [e["verdict"] for e in claims] == ["correct", "incorrect"]
    assert any("sigmoid" in a for a in claims[0]["assumptions"])


DEFINE = ["--define", r"h = \sigma(W_1 x + b_1)", "--define", r"o = W_2 h", "--define", r"J = \frac{1}{2} \|o - y\|^2"]


@pytest.mark.parametrize("claim, code", [
    (r"\frac{\partial J}{\partial W_1} = (W_2^T (o - y) \odot h \odot (1-h)) x^T", 0),
    (r"\frac{\partial J}{\partial W_1} = (W_2 (o - y) \odot h \odot (1-h)) x^T", 1),
    (r"\frac{\partial J}{\partial b_1} = W_2^T (o - y) \odot h", 1),
    (r"\frac{\partial J}{\partial W_2} = (o - y) h^T", 0),
    (r"\frac{\partial J}{\partial W_2} = \frac{1}{2} (o - y) h^T", 1),
])
def test_verify_define_states_the_model_for_one_formula(capsys, claim, code):
    assert main(["verify", *DEFINE, "--json", claim]) == code
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == {0: "correct", 1: "incorrect"}[code] and "W_{2}: parameter" in out["model"]


def test_verify_define_that_does_not_read_is_one_line_and_exit_2(capsys):
    assert main(["verify", "--define", r"h = ", r"\frac{\partial J}{\partial h} = 1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--define 'h = '" in err


def test_a_definition_by_entries_is_a_vector_of_them():
    defs = [r"p_i = \frac{ \exp (o_i) }{\sum_j \exp(o_j) }", r"L = - \sum_i y_i \log p_i"]
    assert verdicts(defs, [r"\frac{\partial L}{\partial o_k} = p_k - y_k",
                           r"\frac{\partial L}{\partial o} = p - y",
                           r"\frac{\partial L}{\partial o_k} = y_k - p_k",
                           r"\frac{\partial p_i}{\partial o_k} = p_i (1 - p_k)"]) == \
        ["correct", "correct", "incorrect", "incorrect"]      # the last holds only where i = k


def test_a_forward_pass_in_symbolic_layers_is_read_at_every_layer():
    defs = [r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}", r"a^{(l)} = \sigma(z^{(l)})",
            r"J = \frac{1}{2} \|a^{(L)} - y\|^2"]
    assert verdicts(defs, [r"\delta^{(L)} = (a^{(L)} - y) \odot \sigma'(z^{(L)})",
                           r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})",
                           r"\delta^{(l)} = W^{(l+1)} \delta^{(l+1)} \odot \sigma'(z^{(l)})",
                           r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T",
                           r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l)})^T",
                           r"\delta^{(L)} = (a^{(L)} - y)"]) == \
        ["correct", "correct", "incorrect", "correct", "incorrect", "incorrect"]


def test_deeplearning_ai_dz_is_the_derivative_of_the_summed_loss():
    defs = [r"Z^{[1]} = W^{[1]} X + b^{[1]}", r"A^{[1]} = \tanh(Z^{[1]})", r"Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}",
            r"A^{[2]} = \sigma(Z^{[2]})",
            r"J = -\frac{1}{m} \sum_{i} \sum_k (Y_{ki} \log A^{[2]}_{ki} + (1 - Y_{ki}) \log(1 - A^{[2]}_{ki}))"]
    assert verdicts(defs, [r"dZ^{[2]} = A^{[2]} - Y", r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}",
                           r"dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot (1 - (A^{[1]})^2)",
                           r"dW^{[1]} = dZ^{[1]} X^T", r"dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot (1 - A^{[1]})"]) == \
        ["correct", "correct", "correct", "incorrect", "incorrect"]


def test_nielsens_index_form_with_delta_defined_by_equiv():
    defs = [r"z_j^l = b_j^l + \sum_k w_{jk}^l \ a_k^{l-1}", r"a^l_j = \sigma(z_j^l)",
            r"C = \frac{1}{2} \sum_j (y_j - a^L_j)^2", r"\delta^l_j \equiv \frac{\partial C}{\partial z^l_j}"]
    assert verdicts(defs, [r"\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j)",
                           r"\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)",
                           r"\delta^l_j = \sum_k w^{l+1}_{jk} \delta^{l+1}_k \sigma'(z^l_j)",
                           r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j",
                           r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_j \delta^l_k",
                           r"\frac{\partial C}{\partial b^l_j} = \delta^l_j"]) == \
        ["correct", "correct", "incorrect", "correct", "incorrect", "correct"]


def test_cases_indicators_and_derivatives_of_expressions():
    softmax = [r"p_i = \frac{ \exp (o_i) }{\sum_j \exp(o_j) }", r"L = - \sum_i y_i \log p_i"]
    assert verdicts(softmax, [
        r"\frac{\partial p_i}{\partial o_k} = \begin{cases} p_k (1 - p_k) & \text{if } i = k \\ -p_i p_k & "
        r"\text{otherwise} \end{cases}",
        r"\frac{\partial p_i}{\partial o_k} = \begin{cases} p_k (1 - p_k) & \text{if } i = k \\ p_i p_k & "
        r"\text{otherwise} \end{cases}",
        r"\frac{\partial p_i}{\partial o_k} = \frac{\partial}{\partial o_k} \frac{\exp(o_i)}{\sum_j \exp(o_j)}"]) == \
        ["correct", "incorrect", "correct"]
    relu = [r"h = \mathrm{relu}(z)", r"E = l(h, y)"]
    assert verdicts(relu, [r"\frac{\partial E}{\partial z} = \frac{\partial E}{\partial h} \odot \mathbb{1}(z > 0)",
                           r"\frac{\partial E}{\partial z} = \frac{\partial E}{\partial h} \odot \begin{cases} 1 & "
                           r"z < 0 \\ 0 & \text{otherwise} \end{cases}"]) == ["correct", "incorrect"]


def test_a_chain_that_starts_by_defining_checks_its_other_links(tmp_path, capsys):
    doc = tmp_path / "chain.md"
    doc.write_text("$$\nh = W x = x^T W^T\n$$\n\n$$\nJ = \\frac{1}{2} \\|h - y\\|^2\n$$\n\n"
                   "$$\n\\frac{\\partial J}{\\partial W} = (h - y) x^T\n$$\n")
    assert main(["check", str(doc), "--json"]) == 1          # x^T W^T is h transposed
    entries = json.loads(capsys.readouterr().out)["entries"]
    assert [e["verdict"] for e in entries][:2] == ["unverifiable", "incorrect"] and entries[-1]["verdict"] == "correct"


def test_a_cost_whose_definition_is_not_read_is_not_taken_as_any_function():
    found = document_graph([("a", r"z = W x + b"), ("b", r"a = \sigma(z)"), ("c", r"C = \sum{(y_i - a_j)^2}"),
                            ("d", r"\frac{\partial C}{\partial a} = 2 (a - y)")])
    g, lines = found
    assert lines[2].error and lines[2].head == "C"
    [v] = check_line(g, lines[3])            # C's line does not parse: C is the document's cost, not any function
    assert v.verdict == "unverifiable" and "could not be read" in v.reason


def test_a_restated_layer_definition_is_not_a_new_layer():
    defs = [r"z^l = w^l a^{l-1} + b^l", r"a^l = \sigma(z^l)", r"z^{l+1}_i = \sum_j w^{l+1}_{ij} a^l_j + b^{l+1}_i",
            r"C = \frac{1}{2} \|a^L - y\|^2"]
    found = document_graph([(f"d{k}", t) for k, t in enumerate(defs)] +
                           [("c", r"\frac{\partial C}{\partial b^l} = \delta^l")])
    g, _ = found
    assert max(int(k[1]) for k in g.symbols if k[0] == "z") == g.depth == 3


NUMBERED_H = [r"h^{(1)} = \sigma(W^{(1)} x + b^{(1)})", r"h^{(2)} = \sigma(W^{(2)} h^{(1)} + b^{(2)})",
              r"J = \frac{1}{2} \| h^{(2)} - y \|^2"]


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial J}{\partial b^{(2)}} = (h^{(2)} - y) \odot h^{(2)} \odot (1 - h^{(2)})", "correct"),
    (r"\frac{\partial J}{\partial b^{(2)}} = (h^{(2)} - y) \odot h^{(2)}", "incorrect"),         # dropped factor
    (r"\frac{\partial J}{\partial b^{(1)}} = (W^{(2)})^T [(h^{(2)} - y) \odot h^{(2)} \odot (1 - h^{(2)})]"
     r" \odot h^{(1)} \odot (1 - h^{(1)})", "correct"),
    (r"\frac{\partial J}{\partial W^{(1)}} = [(W^{(2)})^T [(h^{(2)} - y) \odot h^{(2)} \odot (1 - h^{(2)})]"
     r" \odot h^{(1)} \odot (1 - h^{(1)})] x^T", "correct"),
])
def test_a_numbered_superscript_on_a_quantity_of_the_model_is_its_layer(claim, verdict):
    """h^{(1)}, h^{(2)}: two layers of the document's model (the parser alone takes a number on h for an
    example's: both were one symbol h, and every line was misread)."""
    g = build_graph(read_lines([(str(k), t) for k, t in enumerate(NUMBERED_H)]))
    assert {"h_{1}", "h_{2}"} <= {s.latex for s in g.symbols.values()}
    assert verdicts(NUMBERED_H, [claim]) == [verdict]


def test_a_numbered_example_of_the_data_is_not_the_models_one_example():
    """a^{(1)} = x^{(1)} inside a loop over i (Ng's notes): on a model of one example it would hold whichever
    example is meant, so the graph does not call it correct; the example the line is about (x^{(i)}) is."""
    defs = [r"a^{(1)} = x", r"z^{(2)} = \Theta^{(1)} a^{(1)}", r"a^{(2)} = \sigma(z^{(2)})",
            r"J = -\sum_k (y_k \log a^{(2)}_k + (1 - y_k) \log(1 - a^{(2)}_k))"]
    claims = [r"a^{(1)} = x^{(1)}", r"\frac{\partial J}{\partial z^{(2)}} = a^{(2)} - y^{(i)}"]
    assert verdicts(defs, claims) == ["unverifiable", "correct"]


def test_a_loop_counter_is_not_the_cost():
    """'For i = 1 to m': i = 1 defines a number from nothing, never the cost the derivatives differentiate."""
    defs = [r"z = W x + b", r"a = \sigma(z)", r"L = -(y \log a + (1 - y) \log(1 - a))", r"i = 1"]
    g = build_graph(read_lines([(str(k), t) for k, t in enumerate(defs)]))
    assert g.cost == ("L", None)
    assert verdicts(defs, [r"\frac{\partial L}{\partial z} = a - y"]) == ["correct"]


NIELSEN_STYLE = [r"z^l = w^l a^{l-1} + b^l", r"a^l_j = \sigma(z^l_j)", r"C = \sum{(y_j - a^L_j)^2}",
                 r"\delta^l_j \equiv \frac{\partial C}{\partial z^l_j}"]


@pytest.mark.parametrize("claim, verdict", [
    (r"\nabla_a C = 2(a^L - y)", "correct"),
    (r"\delta^L = 2(a^L - y) \odot \sigma'(z^L)", "correct"),
    (r"\delta^L = (a^L - y) \odot \sigma'(z^L)", "incorrect"),              # the 2 of a cost without 1/2
    (r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)", "correct"),
    (r"\delta^l = (w^{l+1} \delta^{l+1}) \odot \sigma'(z^l)", "incorrect"),  # missing transpose
])
def test_a_cost_summed_without_an_index_over_a_layered_model(claim, verdict):
    """\\sum{(y_j - a^L_j)^2} sums over its one index; w^L of the output layer is a matrix like every w^l
    (it was a row: one output unit, where a missing transpose or a dropped factor could hide); \\delta^l
    after \\delta^l_j \\equiv dC/dz^l_j is the vector dC/dz^l."""
    g = build_graph(read_lines([(str(k), t) for k, t in enumerate(NIELSEN_STYLE)]))
    assert g.cost == ("C", None)
    assert min(g.symbols[("a", str(g.depth))].shape[0], g.symbols[("w", str(g.depth))].shape[0]) > 1
    assert verdicts(NIELSEN_STYLE, [claim]) == [verdict]


def test_a_sum_over_the_examples_is_not_its_one_term():
    """C = \\sum_x C_x on a model of one example would hold whatever factor it lacks (1/n, say)."""
    claims = [r"\delta^L = 2(a^L - y) \odot \sigma'(z^L)", r"C = \sum_x C_x", r"C = \frac{1}{2} \sum_x C_x"]
    assert verdicts(NIELSEN_STYLE, claims) == ["correct", "unverifiable", "unverifiable"]


def test_a_sum_without_an_index_needs_exactly_one():
    from symderiv.notation.tokens import NotationError
    [sides] = [read_lines([("c", r"C = \sum{(y_i - a_i)^2}")])[0].sides]
    assert sides[1].index == "i"
    # no index letter at all: the sum of a vector's entries (sums.evaluate_total), not a guess at an index
    assert read_lines([("c", r"C = \sum{a}")])[0].sides[1].op == "total"
    for ambiguous in (r"C = \sum{w_{ij}}",):
        with pytest.raises(NotationError):
            read_lines([("c", ambiguous)])


def test_a_sum_without_an_index_inside_a_sum_over_its_letter_is_not_guessed():
    """\\sum_{i=1}^N -\\log \\frac{\\exp(z_i)}{\\sum \\exp(z_i)}: the inner sum's i is the outer one's."""
    from symderiv.notation.tokens import NotationError
    with pytest.raises(NotationError):
        read_lines([("c", r"J = \sum_{i=1}^N -\log \frac{\exp(z_i)}{\sum \exp(z_i)}")])
    [line] = read_lines([("c", r"J = \sum_{k=1}^N \frac{\exp(z_k)}{\sum \exp(o_i)}")])
    assert line.sides[1].body.args[1].index == "i"


SOFTMAX_CE = [r"p_i = \frac{\exp(o_i)}{\sum_j \exp(o_j)}", r"L = -\sum_i y_i \log p_i"]


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial p_i}{\partial o_k} = \begin{cases} p_k (1 - p_k) & \text{if }\; i = k \\ - p_k p_i & "
     r"\text{if }\; i \neq k \end{cases}", "correct"),
    (r"\frac{\partial p_i}{\partial o_k} = \begin{cases} - p_k p_i & \text{if } i = k \\ p_k (1 - p_k) & "
     r"\text{if } i \neq k \end{cases}", "incorrect"),                                  # rows swapped
    (r"\frac{\partial L}{\partial o_k} = - y_k (1 - p_k) + \sum_{i \neq k} y_i p_k", "correct"),
    (r"\frac{\partial L}{\partial o_k} = - y_k (1 - p_k) + \sum_{i} y_i p_k", "incorrect"),   # k not left out
])
def test_conditions_written_with_neq_and_a_sum_that_leaves_one_index_out(claim, verdict):
    """\\neq in a case's condition is a comparison like '='; \\sum_{i \\neq k} sums over every i but k."""
    assert verdicts(SOFTMAX_CE, [claim]) == [verdict]


def test_a_sum_that_leaves_one_index_out_on_the_menu_network():
    import symderiv
    net = symderiv.mlp([3, 4, 5], output="softmax", loss="ce")
    left = r"\frac{\partial J}{\partial z^{(2)}_k} = -y_k(1-a^{(2)}_k) + "
    assert symderiv.verify(left + r"\sum_{i \neq k} y_i a^{(2)}_k", net).verdict == "correct"
    assert symderiv.verify(left + r"\sum_{i \neq k} y_i a^{(2)}_i", net).verdict == "incorrect"


GROSSE = [r"z = W x + b", r"y = \sigma(z)", r"\mathcal{L} = \frac{1}{2} \| y - t \|^2"]


@pytest.mark.parametrize("claim, verdict", [
    (r"\bar{y} = y - t", "correct"),
    (r"\bar{z} = \bar{y} \odot \sigma'(z)", "correct"),
    (r"\bar{z} = \bar{y}", "incorrect"),                              # dropped factor
    (r"\bar{W} = \bar{z} x^T", "correct"),
    (r"\bar{W} = x \bar{z}^T", "incorrect"),                          # transposed
    (r"\bar{b} = \bar{z}", "correct"),
])
def test_a_barred_quantity_is_its_error_signal(claim, verdict):
    """Grosse's notation: \\bar{v} is the derivative of the cost by v, whatever the line's form."""
    assert verdicts(GROSSE, [claim]) == [verdict]


def test_a_barred_name_the_forward_pass_uses_is_a_name():
    """\\bar{x} inside the forward pass (a mean subtracted) is a symbol of the model, not an error signal."""
    g = build_graph(read_lines([(str(k), t) for k, t in
                                enumerate([r"z = W (x - \bar{x})", r"y = \sigma(z)", r"L = \| y - t \|^2"])]))
    assert g.symbols[(r"\bar{x}", None)].role == "parameter"


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial L}{\partial z} = (h - y) h (1 - h)", "correct"),     # h (...): h times, not h of
    (r"\frac{\partial L}{\partial z} = (h - y) h(1 - h)", "correct"),
    (r"\frac{\partial L}{\partial z} = (y - h) h (1 - h)", "incorrect"),   # sign
    (r"\frac{\partial L}{\partial z} = (h - y) (1 - h)", "incorrect"),     # dropped factor
    (r"\frac{\partial L}{\partial z} = (h - y) h (1 + h)", "incorrect"),
])
def test_a_value_of_the_forward_pass_before_parentheses_multiplies_them(claim, verdict):
    defs = [r"z = w x", r"h = \sigma(z)", r"L = \frac{1}{2}(h - y)^2"]
    assert verdicts(defs, [claim]) == [verdict]


UNIT = [r"z = w x + b", r"y = \sigma(z)", r"\mathcal{L} = \frac{1}{2}(y - t)^2"]


@pytest.mark.parametrize("claims, verdict", [
    ([r"\bar{w} = \bar{z} x"], ["correct"]),                            # one unit: w x is a product of numbers
    ([r"\bar{w} = -\bar{z} x"], ["incorrect"]),                         # sign
    ([r"\bar{w} = \bar{z}"], ["incorrect"]),                            # dropped factor
    ([r"\bar{w} = 2 \bar{z} x"], ["incorrect"]),                        # scale
    # a line that writes a transpose shows vectors: then \bar{z} x (a column) is not the row \bar{w}
    ([r"\bar{w} = \bar{z} x", r"\bar{w} = \bar{z} x^T"], ["incorrect", "correct"]),
])
def test_a_document_that_writes_no_vector_reads_its_quantities_as_numbers(claims, verdict):
    assert verdicts(UNIT, claims) == verdict
    g = build_graph(read_lines([(str(k), t) for k, t in enumerate(UNIT + claims)]))
    assert g.numbers == (len(claims) == 1)
    assert (g.symbols[("w", None)].shape == (1, 1)) == g.numbers


def test_an_upper_case_parameter_shows_a_matrix():
    g = build_graph(read_lines([(str(k), t) for k, t in enumerate(GROSSE)]))
    assert not g.numbers and g.symbols[("x", None)].shape[0] > 1


D2L = [r"z = W^{(1)} x", r"h = \phi(z)", r"o = W^{(2)} h", r"L = l(o, y)",
       r"s = \frac{\lambda}{2} \left(\|W^{(1)}\|_F^2 + \|W^{(2)}\|_F^2\right)", r"J = L + s"]
PROD = r"\text{prod}"


@pytest.mark.parametrize("claim, verdict", [
    (rf"\frac{{\partial J}}{{\partial h}} = {PROD}\left(\frac{{\partial J}}{{\partial o}}, \frac{{\partial o}}{{\partial h}}\right)",
     "correct"),
    (rf"{PROD}\left(\frac{{\partial J}}{{\partial o}}, \frac{{\partial o}}{{\partial h}}\right) = {{W^{{(2)}}}}^\top \frac{{\partial J}}{{\partial o}}",
     "correct"),
    (rf"{PROD}\left(\frac{{\partial J}}{{\partial o}}, \frac{{\partial o}}{{\partial h}}\right) = W^{{(2)}} \frac{{\partial J}}{{\partial o}}",
     "incorrect"),                                                          # the transpose lost
    (rf"\frac{{\partial J}}{{\partial W^{{(1)}}}} = {PROD}\left(\frac{{\partial J}}{{\partial z}}, \frac{{\partial z}}{{\partial W^{{(1)}}}}\right) "
     rf"+ {PROD}\left(\frac{{\partial J}}{{\partial s}}, \frac{{\partial s}}{{\partial W^{{(1)}}}}\right)", "correct"),
    (rf"\frac{{\partial J}}{{\partial W^{{(1)}}}} = {PROD}\left(\frac{{\partial J}}{{\partial z}}, \frac{{\partial z}}{{\partial W^{{(1)}}}}\right)",
     "incorrect"),                                                          # the regulariser's path dropped
    (rf"{PROD}\left(\frac{{\partial J}}{{\partial z}}, \frac{{\partial z}}{{\partial W^{{(1)}}}}\right) = \frac{{\partial J}}{{\partial z}} x^\top",
     "correct"),
    (rf"{PROD}\left(\frac{{\partial J}}{{\partial z}}, \frac{{\partial z}}{{\partial W^{{(1)}}}}\right) = x \frac{{\partial J}}{{\partial z}}^\top",
     "incorrect"),
    (rf"\frac{{\partial J}}{{\partial h}} = {PROD}\left(\frac{{\partial J}}{{\partial o}}, \frac{{\partial h}}{{\partial z}}\right)",
     "unverifiable"),                                                       # not a chain: dJ/do is no derivative by h
])
def test_d2ls_prod_is_the_chain_rule_through_its_middle_quantity(claim, verdict):
    assert verdicts(D2L, [claim]) == [verdict]


def test_an_activation_the_document_uses_but_does_not_define_is_sigma_of_its_z():
    # z^{l+1} from a^l, and sigma'(z^l) in the claims, with no line a^l = sigma(z^l): a^l is that activation
    defs = [r"z_j^{l+1} = \sum_i w_{ij}^{l+1} a_i^l + b_j^{l+1}"]
    assert verdicts(defs, [
        r"\delta_j^l = \sum_k \frac{\partial C}{\partial z_k^{l+1}} \frac{\partial z_k^{l+1}}{\partial z_j^l}",
        r"\delta_j^l = \sum_k \delta_k^{l+1} w_{jk}^{l+1} \sigma'(z_j^l)",
        r"\delta_j^l = \sum_k \delta_k^{l+1} w_{kj}^{l+1} \sigma'(z_j^l)",
        r"\delta_j^l = \sum_k \delta_k^{l+1} w_{jk}^{l+1}",
        r"\delta_j^l = -\sum_k \delta_k^{l+1} w_{jk}^{l+1} \sigma'(z_j^l)"]) == \
        ["correct", "correct", "incorrect", "incorrect", "incorrect"]
    g, _ = document_graph([("d", defs[0]), ("c", r"\delta_j^l = \sum_k \delta_k^{l+1} w_{jk}^{l+1} \sigma'(z_j^l)")])
    assert any("the activation of the z of line" in a for a in g.assumptions)
