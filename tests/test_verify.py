"""verify(): verdict object, diagnoses, counterexamples, CLI exit codes and JSON, layouts, presets."""
import json

import pytest

import symderiv
from symderiv.cli import main
from symderiv.network import NetFlags
from symderiv.verify import Verdict, verify, verify_chain

KEYS = {"verdict", "claim", "expected", "diagnosis", "counterexample", "reason", "convention", "model"}


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


def test_softmax_derivative_is_refused_not_guessed():
    v = verify(r"\delta^{(L)} = (a^{(L)} - y) \odot f'(z^{(L)})", NetFlags(output="softmax"))
    assert v.verdict == "unverifiable" and "softmax" in v.reason


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
