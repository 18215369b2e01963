"""Named conventions (issue 9): detection, readings, the constructs they bring, verdict fields, --no-bias."""
import json

import numpy as np
import pytest

import symderiv
from symderiv.notation import conventions
from symderiv.cli import main
from symderiv.engine.network import NetFlags
from symderiv.notation.parse import parse
from symderiv.notation.tree import LayerRef, Partial, Qty
from symderiv.verify import verify


@pytest.mark.parametrize("latex, name", [
    (r"\delta^{(L)} = a^{(L)} - y", "default"),
    (r"\delta^L = \nabla_a C \odot \sigma'(z^L)", "nielsen"),
    (r"\delta^{(n_l)} = -(y - a^{(n_l)}) \bullet f'(z^{(n_l)})", "ufldl"),
    (r"\delta^{(2)} = (\Theta^{(2)})^T \delta^{(3)} .* g'(z^{(2)})", "ng"),
    (r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T}", "deeplearning.ai"),
    (r"\delta_k = y_k - t_k", "bishop"),
    (r"\nabla_{a^{(k)}} J = \nabla_{h^{(k)}} J \odot f'(a^{(k)})", "goodfellow"),
    (r"\frac{\partial J}{\partial \mathbf{o}} = \mathbf{o} - \mathbf{y}", "d2l"),
])
def test_auto_picks_the_convention_the_signals_name(latex, name):
    assert conventions.resolve(latex).name == name
    v = verify(latex)
    assert (v.convention, v.verdict) == (name, "correct")


@pytest.mark.parametrize("conv", list(conventions.CONVENTIONS.values()), ids=lambda c: c.name)
def test_each_conventions_documented_example_holds_under_it(conv):
    v = verify(conv.example, convention=conv.name)
    assert v.verdict == "correct", v.reason
    assert conv.layers and conv.weights and conv.layout and conv.meanings and conv.names


def test_a_layer_one_book_formula_is_right_under_its_convention_only():
    assert verify(r"\delta^{(3)} = a^{(3)} - y", convention="ng").verdict == "correct"
    v = verify(r"\delta^{(3)} = a^{(3)} - y")          # no signal: the default, where layer 3 does not exist
    assert v.verdict == "unverifiable" and v.convention == "default"
    assert "--convention nielsen" in v.reason and "ng" in v.reason


def test_wrong_here_right_elsewhere_is_incorrect_with_the_other_convention_named():
    # UFLDL's W^{(l)} maps l to l+1: the default's recursion is a layer slip in UFLDL
    v = verify(r"\delta^{(l)} = \left((W^{(l+1)})^T \delta^{(l+1)}\right) \bullet f'(z^{(l)})", fit_depth=True)
    assert (v.convention, v.verdict) == ("ufldl", "incorrect")
    assert any("default convention" in d and "--convention default" in d for d in v.diagnosis)


def test_never_accepted_because_another_convention_would_accept_it():
    right_in_default = r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot \sigma'(z^{(1)})"
    assert verify(right_in_default).verdict == "correct"
    for name in ("ufldl", "ng", "nielsen"):
        assert verify(right_in_default, convention=name).verdict != "correct"


def test_layer_shift_reads_their_numbers_as_ours():
    sides = parse(r"\delta^{(l)} = W^{(l)} a^{(n_l)}",
                  conventions.readings_for(conventions.CONVENTIONS["ufldl"])).sides
    assert sides[0].layer == LayerRef("l", -1)                       # their delta^{(l)} is our delta^{(l-1)}
    assert sides[1].args[0].layer == LayerRef("l", 0)                # W^{(l)} maps their l (our l-1) into our l
    assert sides[1].args[1].layer == LayerRef("L", 0)                # n_l is the output


def test_bishop_letters_name_layers_and_swap_a_and_z():
    q = parse(r"a_j = z_j", conventions.readings_for(conventions.CONVENTIONS["bishop"])).sides
    assert (q[0].kind, q[0].layer, q[1].kind, q[1].layer) == ("z", LayerRef(None, 1), "a", LayerRef(None, 1))
    v = verify(r"\frac{\partial E_n}{\partial w_{ji}} = \delta_i z_j")
    assert v.verdict == "incorrect" and "input layer" in v.diagnosis[0]


def test_bias_unit_sums_from_zero():
    assert verify(r"z^{(2)}_i = \sum_{j=0}^{s_1} \Theta^{(1)}_{ij} x_j", convention="ng").verdict == "correct"
    assert verify(r"z^{(2)}_i = \sum_{j=1}^{s_1} \Theta^{(1)}_{ij} x_j", convention="ng").verdict == "incorrect"
    assert verify(r"a_j = \sum_i w_{ji} z_i").verdict == "correct"           # Bishop: x_0 = 1 in the sum
    assert verify(r"z^{(2)} = \Theta^{(1)} a^{(1)}", convention="ng").verdict == "correct"


# ---------------------------------------------------------------- the conventions' constructs
def test_nabla_is_the_gradient_and_a_bare_nabla_is_refused_with_what_to_write():
    (p,) = parse(r"\nabla_{W^{(2)}} J = J").sides[:1]
    assert isinstance(p, Partial) and p.den.kind == "W" and p.den.layer == LayerRef(None, 2)
    assert parse(r"\nabla_a C = C").sides[0].den.layer == LayerRef("L", 0)     # Nielsen: the output layer
    v = verify(r"\nabla J = \delta^{(L)}")
    assert v.verdict == "unverifiable" and r"\nabla_{W^{(l)}} J" in v.reason


def test_d_prefix_meanings():
    dz, dw = parse(r"dZ^{[2]} = dW^{[2]}").sides
    assert (dz.kind, dz.spelling) == ("delta", "dZ") and isinstance(dw, Partial) and dw.den.kind == "W"
    assert verify(r"dZ^{[2]} = A^{[2]} - Y").verdict == "correct"                   # per-sample deltas, no 1/m
    assert verify(r"dW^{[2]} = dZ^{[2]} A^{[1]T}").verdict == "incorrect"           # dW carries the 1/m
    assert verify(r"dA^{[1]} = W^{[2]T} dZ^{[2]}").verdict == "correct"


@pytest.mark.parametrize("op", [r"\bullet", ".*", r".\ast", r"\odot"])
def test_hadamard_spellings(op):
    side = parse(rf"\delta^{{(1)}} = a^{{(1)}} {op} z^{{(1)}}").sides[1]
    assert side.op == "had"
    assert verify(rf"\delta^{{(1)}} = (W^{{(2)}})^T \delta^{{(2)}} {op} \sigma'(z^{{(1)}})",
                  convention="default").verdict == "correct"


def test_names_layer_letters_braced_partials_and_sample_superscripts():
    assert parse(r"\hat{\mathbf{y}} = \mathcal{J}").sides[0].kind == "yhat"
    assert parse(r"\hat{\mathbf{y}} = \mathcal{J}").sides[1].kind == "J"
    goodfellow = conventions.readings_for(conventions.CONVENTIONS["goodfellow"])
    assert parse(r"W^{(k)} = a^{(n_l-1)}", goodfellow).sides[0].layer == LayerRef("k", 0)   # k: a layer here
    assert parse(r"a^{(n_l)} = a^{(n_l-1)}").sides[1].layer == LayerRef("L", -1)
    with pytest.raises(Exception, match=r"unknown symbol a_\{\\text\{in\}\}"):   # a name, not an index
        parse(r"x = a_{\rm in}")
    assert verify(r"\frac{\partial C}{\partial w} = a_{\rm in} \delta_{\rm out}",
                  convention="nielsen").verdict == "correct"                   # Nielsen's eq. (32)
    assert verify(r"\frac{\partial{C}}{\partial{b^{(2)}}} = \delta^{(2)}").verdict == "correct"
    assert verify(r"z^{[1](i)} = W^{[1]} x^{(i)} + b^{[1]}").verdict == "correct"
    assert verify(r"db^{[2]} = \frac{1}{m} \sum_{i=1}^{m} dZ^{[2](i)}").verdict == "correct"   # per example
    assert verify(r"db^{[2]} = \sum_{i=1}^{m} dZ^{[2](i)}").verdict == "incorrect"


@pytest.mark.parametrize("cost", [r"\mathcal{C}", r"{\cal C}"])
def test_a_calligraphic_c_is_the_cost_and_checked_as_strictly_as_c(cost):
    """Hjorth-Jensen's and Nielsen's slides write the cost {\\cal C}: it is J, and a slip in a line about it is
    still incorrect (textbook.NAMES)."""
    assert parse(rf"{cost} = J").sides[0].kind == "J"
    assert verify(rf"\frac{{\partial {cost}}}{{\partial b^{{(2)}}_k}} = \delta^{{(2)}}_k").verdict == "correct"
    assert verify(rf"\frac{{\partial {cost}}}{{\partial b^{{(2)}}_k}} = 2 \delta^{{(2)}}_k").verdict == "incorrect"
    assert verify(rf"\frac{{\partial {cost}}}{{\partial W^{{(2)}}_{{kj}}}} = \delta^{{(2)}}_k a^{{(1)}}_j").verdict \
        == "correct"
    assert verify(rf"\frac{{\partial {cost}}}{{\partial W^{{(2)}}_{{kj}}}} = \delta^{{(2)}}_j a^{{(1)}}_k").verdict \
        == "incorrect"


def test_sum_over_training_examples_evaluates_each_example_alone():
    assert conventions.resolve(r"C = \frac{1}{n} \sum_x C_x").model(r"C = \frac{1}{n} \sum_x C_x").batch
    assert verify(r"C = \frac{1}{n} \sum_x C_x").verdict == "correct"
    v = verify(r"C = \sum_x C_x")
    assert v.verdict == "incorrect" and v.diagnostics[0].code == "scale.missing-1/m"
    assert verify(r"\frac{\partial C}{\partial b^l_j} = \frac{1}{n}\sum_x \frac{\partial C_x}{\partial b^l_j}").verdict \
        == "correct"
    # per-example activations inside the sum: the batch gradient is the mean of outer products
    assert verify(r"\frac{\partial C}{\partial w^L_{jk}} = \frac{1}{n}\sum_x a^{L-1}_k \delta^L_j",
                  convention="nielsen").verdict == "correct"


def test_the_symbol_m_inside_a_sum_over_examples_is_the_training_sets_size():
    # each example is evaluated alone (its own cost over m = 1), but a 1/n written inside \sum_x is the
    # batch's: it was read as 1/1, and a second 1/n was called correct
    def said(latex):
        return verify(latex, convention="nielsen", batch=True).verdict
    grad = r"\frac{\partial C}{\partial w^l_{jk}} = "
    assert said(grad + r"\frac{1}{n}\sum_x \frac{1}{n}\frac{\partial C_x}{\partial w^l_{jk}}") == "incorrect"
    assert said(grad + r"\sum_x \frac{1}{n}\frac{\partial C_x}{\partial w^l_{jk}}") == "correct"
    assert said(grad + r"\frac{1}{n}\sum_x \frac{\partial C_x}{\partial w^l_{jk}}") == "correct"


def test_ngs_cost_sums_over_examples_and_indexes_the_output():
    cost = (r"J(\Theta) = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k=1}^{K} \left[y^{(i)}_k \log((h_\Theta(x^{(i)}))_k) "
            r"+ (1 - y^{(i)}_k) \log(1 - (h_\Theta(x^{(i)}))_k)\right]")
    assert conventions.CONVENTIONS["ng"].model(cost).batch
    assert verify(cost, convention="ng").verdict == "correct"
    assert verify(cost.replace("-\\frac{1}{m}", "\\frac{1}{m}"), convention="ng").verdict == "incorrect"


def test_goodfellow_h_is_the_activation_and_a_the_preactivation():
    assert verify(r"h^{(k)} = f(a^{(k)})").verdict == "correct"
    assert verify(r"h^{(k)} = f(a^{(k-1)})").verdict == "incorrect"


def test_d2l_derivative_by_a_named_intermediate():
    side = parse(r"\frac{\partial J}{\partial \mathbf{o}} = J",
                 conventions.readings_for(conventions.CONVENTIONS["d2l"])).sides[0]
    assert isinstance(side, Partial) and side.den == Qty("z", "z", LayerRef(None, 2))


# ---------------------------------------------------------------- verdicts, messages, CLI
def test_verdict_json_and_text_name_convention_and_model(capsys):
    assert main(["verify", "--json", r"\delta^{(2)} = (\Theta^{(2)})^T \delta^{(3)} .* g'(z^{(2)})"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["convention"] == "ng" and "loss bce" in out["model"] and "one sample" in out["model"]
    assert main(["verify", "--convention", "ufldl", r"a^{(2)} = f(z^{(2)})"]) == 0
    text = capsys.readouterr().out
    assert "convention: ufldl; model: depth 2" in text


def test_unknown_convention_is_one_line_exit_2(capsys):
    assert main(["verify", "--convention", "nope", "a = b"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown convention 'nope'" in err[0] and "bishop" in err[0]


def test_unverifiable_names_the_fragment_and_the_nearest_spelling():
    v = verify(r"\delta^{(2)} = a^{(2)} \odott y")
    assert v.verdict == "unverifiable"
    assert r"`...} = a^{(2)} \odott y` (column 24)" in v.reason and r"did you mean \odot" in v.reason


# ---------------------------------------------------------------- --no-bias
def test_no_bias_model(capsys):
    assert verify(r"z^{(1)} = W^{(1)} x", bias=False).verdict == "correct"
    assert verify(r"z^{(1)} = W^{(1)} x").verdict == "incorrect"
    v = verify(r"\frac{\partial J}{\partial b^{(1)}} = \delta^{(1)}", bias=False)
    assert v.verdict == "unverifiable" and "no bias" in v.reason and "no bias" in v.model
    assert main(["verify", "--no-bias", r"z^{(1)} = W^{(1)} x"]) == 0
    capsys.readouterr()


def test_mlp_without_bias_trains_without_b():
    net = symderiv.mlp([3, 4, 2], output="identity", loss="mse", bias=False)
    num = net.lambdify()
    rng = np.random.default_rng(0)
    params = [(W, b + 1.0) for W, b in net.init_params(seed=1)]       # given biases are ignored
    X, Y = rng.normal(size=(3, 5)), rng.normal(size=(2, 5))
    grads = num.gradients(params, X, Y)
    assert all(np.all(db == 0) for _, db in grads)
    W1, b1 = params[0]
    h = 1e-6
    up, down = W1.copy(), W1.copy()
    up[1, 2] += h
    down[1, 2] -= h
    fd = (num.loss([(up, b1), params[1]], X, Y) - num.loss([(down, b1), params[1]], X, Y)) / (2 * h)
    assert grads[0][0][1, 2] == pytest.approx(fd, rel=1e-6)
    assert num.loss(params, X, Y) == pytest.approx(num.loss([(W, 0 * b) for W, b in params], X, Y))


@pytest.mark.parametrize("claim, corrected", [
    (r"\delta^{(n_l)} = (y - a^{(n_l)}) \bullet f'(z^{(n_l)})",
     r"\delta^{(n_l)} = \left(a^{(n_l)} - y\right) \bullet f'\left(z^{(n_l)}\right)"),
    (r"\delta^{(2)} = \Theta^{(2)} \delta^{(3)} .* g'(z^{(2)})",
     r"\delta^{(2)} = \left(\Theta^{(2)}\right)^T \delta^{(3)} .* g'\left(z^{(2)}\right)"),
    (r"dZ^{[1]} = W^{[2]} dZ^{[2]} * g^{[1]'}(Z^{[1]})",
     r"dZ^{[1]} = \left(W^{[2]}\right)^T dZ^{[2]} * g'\left(Z^{[1]}\right)"),
    (r"\delta_k = t_k - y_k", r"\delta_{k} = y_{k} - t_{k}"),
    (r"\delta^l = ((w^{l})^T \delta^{l+1}) \odot \sigma'(z^l)",
     r"\delta^{l} = \left(w^{l+1}\right)^T \delta^{l+1} \odot \sigma'\left(z^{l}\right)"),
])
def test_corrections_are_written_in_the_claims_own_convention(claim, corrected):
    v = verify(claim, convention="nielsen" if "w^{l}" in claim else "auto", fit_depth=True)
    assert v.verdict == "incorrect" and v.corrected_latex == corrected
    assert verify(corrected, convention=v.convention, fit_depth=True).verdict == "correct"


def test_derivation_without_bias_has_no_bias_steps():
    text = symderiv.mlp([3, 4, 2], bias=False).derivation().text()
    assert "no bias" in text and r"\partial b" not in text and "z^{(l)} = W^{(l)} a^{(l-1)}" in text
    assert r"\partial b" in symderiv.mlp([3, 4, 2]).derivation().text()


def test_the_command_lines_convention_names_are_the_tables():
    from symderiv import cli
    check = cli.build_parser(only="check").commands["check"]
    choices = next(a.choices for a in check._actions if a.dest == "convention")
    assert list(choices) == ["auto", *conventions.CONVENTIONS]
