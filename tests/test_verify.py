"""verify(): verdict object, diagnoses, counterexamples, CLI exit codes and JSON, layouts, presets."""
import json

import pytest

import symderiv
from symderiv.cli import main
from symderiv.engine.network import NetFlags
from symderiv.verify import Verdict, verify, verify_chain

KEYS = {"verdict", "claim", "expected", "diagnosis", "counterexample", "reason", "convention", "model", "diagnostics", "fix"}


def test_json_has_exactly_the_design_keys():
    v = verify(r"\delta^{(L)} = a^{(L)} - y", NetFlags())
    assert isinstance(v, Verdict) and v.verdict == "correct"
    assert set(v.to_json()) == KEYS
    assert "4-6-7" in v.reason or "shapes" in v.reason


def test_top_level_api_with_a_network_instantiates_other_shapes():
    net = symderiv.mlp([3, 4, 2], hidden="tanh", output="sigmoid", loss="bce")
    v = symderiv.verify(r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot (1 - a^{(1)} \odot a^{(1)})", net)
    assert v.verdict == "correct"
    assert all(s["sizes"] != [3, 4, 2] for s in v.evidence["shapes"])
    assert all(len(set(s["sizes"])) == 3 for s in v.evidence["shapes"])


def test_sign_diagnosis_and_expected():
    v = verify(r"\delta^{(L)} = y - a^{(L)}", NetFlags())
    assert v.verdict == "incorrect" and v.diagnosis[0].startswith("sign")
    assert v.expected.replace(" ", "") == "a^{(L)}-y"
    assert v.counterexample["truth"] != v.counterexample["claim"]


def test_scale_half_where_one_over_m_belongs():
    v = verify(r"\frac{\partial J}{\partial z^{(L)}} = \frac{1}{2}(a^{(L)} - y)", NetFlags(output="softmax", batch=True))
    assert v.verdict == "incorrect"
    assert any(d.startswith("scale") for d in v.diagnosis)
    assert "m" in v.expected


def test_transpose_diagnosis_and_correction():
    v = verify(r"\delta^{(l)} = W^{(l+1)} \delta^{(l+1)} \odot \sigma'(z^{(l)})", NetFlags())
    assert v.verdict == "incorrect"
    assert any(d.startswith("shape mismatch") for d in v.diagnosis)
    assert any(d.startswith("transpose") for d in v.diagnosis)
    assert verify(v.corrected_latex, NetFlags()).verdict == "correct"


def test_index_order_diagnosis():
    v = verify(r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \delta^{(l)}_j a^{(l-1)}_i", NetFlags())
    assert v.verdict == "incorrect" and v.diagnosis[0].startswith("index order")
    assert verify(v.corrected_latex, NetFlags()).verdict == "correct"


def test_layer_shift_diagnosis():
    v = verify(r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l)})^T", NetFlags())
    assert v.verdict == "incorrect"
    assert any("layer shift" in d or "shape" in d for d in v.diagnosis)
    assert verify(v.corrected_latex, NetFlags()).verdict == "correct"


def test_dropped_factor_diagnosis():
    v = verify(r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)}", NetFlags())
    assert v.verdict == "incorrect" and v.diagnosis[0].startswith("dropped factor")


def test_dropped_sum_over_batch():
    v = verify(r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)}", NetFlags(batch=True))
    assert any(d.startswith("dropped sum over the batch") for d in v.diagnosis)
    assert verify(v.corrected_latex, NetFlags(batch=True)).verdict == "correct"


def test_wrong_activation_derivative():
    v = verify(r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot a^{(l)} \odot (1 - a^{(l)})", NetFlags(hidden="tanh"))
    assert v.verdict == "incorrect"
    assert any("activation derivative" in d or "factor" in d for d in v.diagnosis), v.diagnosis


def test_symbolic_layer_checks_every_valid_layer():
    # true only at l = 1 (a^{(l-1)} = x there): must be caught at l = 2, 3
    v = verify(r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} x^T", NetFlags(depth=3))
    assert v.verdict == "incorrect" and v.counterexample["l"] != 1


def test_layer_the_network_lacks_is_unverifiable():
    v = verify(r"\delta^{(5)} = a^{(5)} - y", NetFlags())
    assert v.verdict == "unverifiable" and "layer 5" in v.reason


def test_chain_one_verdict_per_link():
    links = verify_chain(r"\delta^{(L)} = a^{(L)} - y = y - a^{(L)}", NetFlags())
    assert [v.verdict for v in links] == ["correct", "incorrect"]
    assert verify(r"\delta^{(L)} = a^{(L)} - y = y - a^{(L)}", NetFlags()).verdict == "incorrect"


def test_readings_check_a_notes_own_symbols():
    net = symderiv.mlp([4, 5, 3], hidden="relu", output="softmax", loss="ce", reg="l2-sum")
    b = {r"\psi(z^{(3)})": "a^{(2)}", r"\Delta": "y", "z^{(3)}": "z^{(2)}"}
    good = verify(r"\frac{\partial J}{\partial z^{(3)}} = \frac{1}{N} (\psi(z^{(3)}) - \Delta)", net, readings=b, batch=True)
    bad = verify(r"\frac{\partial J}{\partial z^{(3)}} = \frac{1}{2} (\psi(z^{(3)}) - \Delta)", net, readings=b, batch=True)
    assert good.verdict == "correct" and bad.verdict == "incorrect"


def test_pure_calculus_and_expected():
    assert verify(r"\sigma'(z) = \sigma(z)(1-\sigma(z))").verdict == "correct"
    v = verify(r"\frac{d}{dz}\tanh(z) = 1 + \tanh^2(z)")
    assert v.verdict == "incorrect" and v.expected.replace(" ", "").startswith("1-")


def test_a_softmax_treated_element_wise_is_named():
    v = verify(r"\delta^{(L)} = (a^{(L)} - y) \odot f'(z^{(L)})", NetFlags(output="softmax"))
    assert v.verdict == "incorrect" and any("softmax treated element-wise" in d for d in v.diagnosis)


@pytest.mark.parametrize("argv,code", [
    (["verify", r"\delta^{(L)} = a^{(L)} - y"], 0),
    (["verify", r"\delta^{(L)} = y - a^{(L)}"], 1),
    (["verify", r"\delta^{(L} = a"], 2),
    (["verify", "--preset", "cs231n", r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m} (A^{(l-1)})^T \delta^{(l)} + 2\lambda W^{(l)}"], 0),
    (["verify", "--layout", "rows", "--batch", r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m} \delta^{(l)} (A^{(l-1)})^T"], 1),
])
def test_cli_exit_codes(argv, code, capsys):
    assert main(argv) == code
    out, err = capsys.readouterr()
    if code == 2:
        assert "symderiv: cannot check:" in err and "Traceback" not in err


def test_cli_json_is_one_object(capsys):
    assert main(["verify", "--json", "--batch", r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)}"]) == 1
    out, _ = capsys.readouterr()
    obj = json.loads(out)
    assert set(obj) == KEYS and obj["verdict"] == "incorrect" and obj["counterexample"]["m"] > 1


RELU_SOFTMAX_L2SUM = NetFlags(depth=2, hidden="relu", output="softmax", loss="ce", reg="l2-sum", batch=True)


@pytest.mark.parametrize("claim,verdict", [
    (r"\frac{\partial J_{\text{reg}}}{\partial W^{(2)}} = 2 \lambda W^{(2)}", "correct"),
    (r"\frac{\partial J_{reg}}{\partial W^{(1)}} = \lambda W^{(1)}", "incorrect"),
    (r"J_{\text{reg}} = \lambda (\|W^{(1)}\|_2^2 + \|W^{(2)}\|_2^2)", "correct"),
    (r"J_{\text{reg}} = \frac{\lambda}{2} (\|W^{(1)}\|_2^2 + \|W^{(2)}\|_2^2)", "incorrect"),
    (r"\frac{\partial J}{\partial W^{(2)}} = \frac{\partial J_{\text{data}}}{\partial W^{(2)}} + \frac{\partial J_{reg}}{\partial W^{(2)}}", "correct"),
    (r"\frac{\partial J_{reg}}{\partial b^{(2)}} = 0", "correct"),
    (r"\frac{\partial}{\partial W^{(2)}} \left(\lambda (\|W^{(1)}\|_2^2 + \|W^{(2)}\|_2^2) \right) = 2\lambda W^{(2)}", "correct"),
    (r"\frac{\partial}{\partial W^{(2)}} \left(\lambda \|W^{(2)}\|^2 \right) = \lambda W^{(2)}", "incorrect"),
])
def test_loss_terms_norms_and_derivatives_of_expressions(claim, verdict):
    assert verify(claim, RELU_SOFTMAX_L2SUM).verdict == verdict


def test_a_matrix_by_a_matrix_derivative_is_a_tensor_not_a_matrix():
    v = verify(r"\frac{\partial}{\partial W^{(2)}} (W^{(2)} a^{(1)} + b^{(2)}) = a^{(1)}", RELU_SOFTMAX_L2SUM)
    assert v.verdict == "incorrect" and any("4-index tensor" in d for d in v.diagnosis)
    same = verify(r"\frac{\partial}{\partial W^{(2)}} (W^{(2)} a^{(1)} + b^{(2)}) = \frac{\partial z^{(2)}}{\partial W^{(2)}}",
                  RELU_SOFTMAX_L2SUM)
    assert same.verdict == "correct"
    chain = verify(r"\frac{\partial J}{\partial W^{(2)}} = \frac{\partial J}{\partial z^{(2)}} \cdot "
                   r"\frac{\partial z^{(2)}}{\partial W^{(2)}} + 2 \lambda W^{(2)}", RELU_SOFTMAX_L2SUM)
    assert chain.verdict == "correct"


@pytest.mark.parametrize("claim,verdict", [
    (r"W^{(l)} := W^{(l)} - \alpha \delta^{(l)} (a^{(l-1)})^T", "correct"),
    (r"W^{(l)} = W^{(l)} + \alpha \delta^{(l)} (a^{(l-1)})^T", "incorrect"),
    (r"b^{(l)} = b^{(l)} - \alpha (a^{(l-1)})^T", "incorrect"),
])
def test_update_rules_are_checked_by_their_step(claim, verdict):
    assert verify(claim, NetFlags(depth=3)).verdict == verdict


def test_a_link_that_restates_its_left_side_is_not_counted_correct():
    v = verify(r"\sigma(z) = \sigma(z)")
    assert v.verdict == "unverifiable" and "same expression" in v.reason


@pytest.mark.parametrize("claim,verdict", [
    (r'\frac{\partial a^{(1)}}{\partial z^{(1)}} = \begin{cases} 1 & \text{if } z^{(1)} > 0 \\ 0 & \text{" } z^{(1)} \leq 0 \end{cases}', "correct"),
    (r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = \begin{cases} 0 & \text{if } z^{(1)} > 0 \\ 1 & \text{otherwise} \end{cases}", "incorrect"),
    (r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = 1 \quad \text{if } z^{(1)} > 0", "correct"),
    (r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = 2 \quad \text{if } z^{(1)} > 0", "incorrect"),
    (r"\frac{\partial J}{\partial z^{(1)}} = \begin{cases} (W^{(2)})^T \frac{1}{N}(a^{(2)} - y) & \text{if } z^{(1)} > 0 \\ 0 & \text{if } z^{(1)} \leq 0 \end{cases}", "correct"),
    (r"\frac{\partial J}{\partial z^{(1)}} = \begin{cases} (W^{(2)})^T \frac{1}{2}(a^{(2)} - y) & \text{if } z^{(1)} > 0 \\ 0 & \text{if } z^{(1)} \leq 0 \end{cases}", "incorrect"),
    (r"\frac{\partial J}{\partial b^{(2)}} = \cancel{\frac{\partial J}{\partial z^{(2)}}} \cdot \frac{\partial z^{(2)}}{\partial b^{(2)}} + \frac{\partial J}{\partial b^{(2)}}", "correct"),
])
def test_relu_masks_conditions_and_struck_terms(claim, verdict):
    assert verify(claim, RELU_SOFTMAX_L2SUM).verdict == verdict


def test_a_chain_link_past_a_shorthand_is_checked_against_the_first_side():
    # with samples as rows dz/db is not read (unverifiable); the last side is still claimed equal to dJ/db,
    # and it drops the batch sum
    rows = NetFlags(depth=2, hidden="relu", output="softmax", loss="ce", reg="l2-sum", batch=True, layout="rows")
    links = verify_chain(r"\frac{\partial J}{\partial b^{(2)}} = \frac{\partial J}{\partial z^{(2)}} \cdot "
                         r"\frac{\partial z^{(2)}}{\partial b^{(2)}} = \frac{1}{N}(a^{(2)} - y)", rows)
    assert [v.verdict for v in links] == ["unverifiable", "incorrect"]
    assert "first side" in links[1].reason


@pytest.mark.parametrize("claim,verdict", [
    (r"\frac{\partial J}{\partial W^{(2)}_{1j}} = \frac{1}{m} \sum_{k=1}^m (a^{(2)(k)}_1 - y^{(k)}_1) a^{(1)(k)}_j", "correct"),
    (r"\frac{\partial J}{\partial W^{(2)}_{1j}} = \frac{1}{m} \sum_{k=1}^m (a^{(2)(k)}_1 - y^{(k)}_1) a^{(1)(k)}_1", "incorrect"),
    (r"z^{(1)}_j = \sum_{i=0}^{n_0} W^{(1)}_{ji} a^{(0)}_i", "correct"),
    (r"z^{(1)}_j = \sum_{i=1}^{n_0} W^{(1)}_{ji} a^{(0)}_i", "incorrect"),
    (r"\frac{1}{n_0} = \frac{1}{m}", "incorrect"),
])
def test_samples_bias_units_and_widths(claim, verdict):
    flags = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", batch=True)
    assert verify(claim, flags).verdict == verdict


@pytest.mark.parametrize("claim,verdict", [
    (r"\frac{\partial J}{\partial z^{(2)}_{ij}} = \frac{1}{m}(a^{(2)}_{ij} - \mathbb{1}(j = y_i))", "correct"),
    (r"\frac{\partial J}{\partial z^{(2)}_{ij}} = \frac{1}{m}(a^{(2)}_{ij} - \mathbb{1}\{j \neq y_i\})", "incorrect"),
    (r"\frac{\partial J}{\partial z^{(2)}_{ij}} = \frac{1}{m} a^{(2)}_{ij}", "incorrect"),
])
def test_the_indicator_of_the_true_class(claim, verdict):
    rows = NetFlags(depth=2, hidden="relu", output="softmax", loss="ce", batch=True, layout="rows")
    assert verify(claim, rows).verdict == verdict


@pytest.mark.parametrize("claim,verdict", [
    (r"X = \begin{bmatrix} x_1^{(1)} & x_2^{(1)} & \dots & x_n^{(1)} \\ x_1^{(2)} & x_2^{(2)} & \dots & x_n^{(2)} \\ "
     r"\vdots & \vdots & \ddots & \vdots \\ x_1^{(m)} & x_2^{(m)} & \dots & x_n^{(m)} \end{bmatrix}", "correct"),
    (r"X = \begin{bmatrix} x_1^{(1)} & x_1^{(2)} & \dots \\ x_2^{(1)} & x_2^{(2)} & \dots \\ \vdots & \vdots & \ddots \end{bmatrix}",
     "incorrect"),
    (r"y = \begin{bmatrix} y^{(1)} \\ y^{(2)} \\ \vdots \\ y^{(m)} \end{bmatrix}", "correct"),
    (r"y = \begin{bmatrix} y^{(1)} & y^{(2)} & \dots & y^{(m)} \end{bmatrix}", "incorrect"),
])
def test_matrices_written_out_with_ellipses(claim, verdict):
    rows = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", batch=True, layout="rows", outputs=1)
    assert verify(claim, rows).verdict == verdict


def test_one_samples_loss_and_its_derivative_are_that_samples_alone():
    # issue 24: the derivative of sample i's loss was the batch mean's (a false accept of the 1/m form),
    # and L^{(i)} (the loss of sample i) was "a sample superscript on a quantity that has no samples"
    batch = NetFlags(batch=True, reg="l2")
    per = r"\frac{\partial \mathcal{L}(a^{(L)(i)}, y^{(i)})}{\partial W^{(L)}} = "
    assert verify(per + r"\frac{1}{m}\delta^{(L)}(a^{(L-1)})^T", batch).verdict == "incorrect"
    assert verify(per + r"\delta^{(L)(i)}(a^{(L-1)(i)})^T", batch).verdict == "correct"
    assert verify(r"\frac{\partial L^{(i)}}{\partial b^{(1)}} = \delta^{(1)(i)}", batch).verdict == "correct"
    assert verify(r"\frac{\partial L^{(i)}}{\partial b^{(1)}} = \delta^{(1)(i)} + \frac{\lambda}{m} b^{(1)}",
                  batch).verdict == "incorrect"
    grad = r"\frac{\partial J}{\partial W^{(L)}} = "
    mean = r"\frac{1}{m}\sum_{i=1}^m \frac{\partial L^{(i)}}{\partial W^{(L)}}"
    assert verify(grad + mean + r" + \frac{\lambda}{m} W^{(L)}", batch).verdict == "correct"
    assert verify(grad + mean.replace(r"\frac{1}{m}", "") + r" + \frac{\lambda}{m} W^{(L)}", batch).verdict == "incorrect"
    cost = r"J = \frac{1}{m}\sum_{i=1}^m L^{(i)} + \frac{\lambda}{2m}\sum_l \|W^{(l)}\|^2"
    assert verify(cost, batch).verdict == "correct"
    assert verify(cost.replace(r"\frac{1}{m}", ""), batch).verdict == "incorrect"


def test_a_width_past_the_output_layer_is_out_of_range_never_an_internal_error():
    """A repair that shifts n_2 to n_3 in a depth-2 model evaluates a width that does not exist (evaluate.py):
    that variant is out of range, and the line keeps its verdict."""
    v = verify(r"\frac{\partial C}{\partial a^{(2)}} = \frac{2}{n_2} \sum_{i=1}^{n_2} (\hat{y}_i - y_i)",
               NetFlags(loss="mse"))
    assert v.verdict == "incorrect" and "internal" not in v.reason
    assert verify(r"n_3 = n_2", NetFlags()).verdict == "unverifiable"


def test_one_index_on_a_derivative_with_four_axes_is_unverifiable_never_an_internal_error():
    """dz/dW_j (logistic regression's last factor, read on a network of 6 units) is a tensor of four axes:
    one index does not name an entry (evaluate.Evaluator.entry); the chain is unverifiable, and says why."""
    v = verify(r"\frac{\partial J}{\partial W^{(1)}_j} = \frac{\partial J}{\partial z^{(1)}}"
               r"\frac{\partial z^{(1)}}{\partial W^{(1)}_j}", NetFlags(depth=1, batch=True))
    assert v.verdict == "unverifiable" and "internal" not in v.reason and "axes" in v.reason
