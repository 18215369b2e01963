"""documents/lead_ins.py: the model a sentence states for the display it introduces (issue 20)."""
import pytest

from symderiv.documents.check import check_note
from symderiv.documents.lead_ins import model_for, said_model
from symderiv.documents.reader import read_document
from symderiv.engine.network import NetFlags


@pytest.mark.parametrize("sentence, fields", [
    ("For MSE loss and Sigmoid activation", {"loss": "mse", "hidden": "sigmoid", "output": "sigmoid"}),
    ("For a ReLU hidden layer", {"hidden": "relu"}),
    ("With a softmax output layer and cross-entropy loss", {"output": "softmax", "loss": "cross-entropy"}),
    ("For the last layer with logistic activation and binary cross entropy",
     {"output": "sigmoid", "loss": "bce"}),
    ("For Cross-Entropy loss and Softmax/Sigmoid activation", {}),       # two activations: no one model
    ("For softmax hidden layers", {}),                                  # not a hidden layer's activation
    ("For the second term", {}),
])
def test_a_lead_in_names_the_loss_and_activations_by_role(sentence, fields):
    assert said_model(sentence) == fields


def test_cross_entropy_is_the_output_s_own_and_a_misfit_or_no_change_is_no_model():
    base = NetFlags(hidden="relu")
    assert model_for({"output": "softmax", "loss": "cross-entropy"}, base).loss == "ce"
    assert model_for({"loss": "cross-entropy"}, base) is None            # sigmoid + bce: what it already is
    assert model_for({"output": "relu"}, base) is None                   # a ReLU output has no loss of its own
    assert model_for({"hidden": "tanh"}, base).hidden == "tanh"


DOC = r"""# Output and hidden errors

*With squared-error loss and a tanh activation:*

$$\delta^{(L)} = @OUTPUT@$$

*For cross-entropy loss with a softmax output layer:*

$$\delta^{(L)} = @SOFTMAX@$$

For a @HIDDEN@ hidden layer:

$$\frac{\partial a^{(1)}}{\partial z^{(1)}} = \text{ReLU}'(z^{(1)})$$
"""


def _verdicts(output="(a^{(L)} - y) \\odot (1 - (a^{(L)})^2)", softmax="a^{(L)} - y", hidden="ReLU"):
    text = DOC.replace("@OUTPUT@", output).replace("@SOFTMAX@", softmax).replace("@HIDDEN@", hidden)
    results = check_note(read_document(text, "markdown", path="leads.md"))
    return [r.verdict for r in results], results


def test_each_display_is_checked_under_the_model_its_sentence_states_and_says_so():
    verdicts, results = _verdicts()
    assert verdicts == ["correct", "correct", "correct"], [r.reason for r in results]
    assert "the sentence before it states ('With squared-error loss and a tanh activation'" in results[0].reason
    assert "hidden tanh, output tanh, loss mse" in results[0].reason
    assert "output softmax, loss ce" in results[1].reason and "hidden relu" in results[2].reason


@pytest.mark.parametrize("change, at", [
    ({"output": "(y - a^{(L)}) \\odot (1 - (a^{(L)})^2)"}, 0),            # sign
    ({"output": "2 (a^{(L)} - y) \\odot (1 - (a^{(L)})^2)"}, 0),          # scale
    ({"output": "a^{(L)} - y"}, 0),                                       # dropped factor f'(z)
    ({"output": "(a^{(L)} - y)^T \\odot (1 - (a^{(L)})^2)"}, 0),          # transpose
    ({"output": "(a^{(L)} - y) \\odot a^{(L)} \\odot (1 - a^{(L)})"}, 0),  # the sigmoid's derivative, not tanh's
    ({"softmax": "y - a^{(L)}"}, 1),
    ({"hidden": "tanh"}, 2),                                              # ReLU' where the sentence says tanh
])
def test_a_perturbed_line_stays_incorrect_under_its_stated_model(change, at):
    verdicts, results = _verdicts(**change)
    assert verdicts[at] == "incorrect", results[at].reason


def test_a_sentence_naming_two_activations_states_no_model():
    text = "For cross-entropy loss and softmax/sigmoid activation:\n\n$$\\delta^{(L)} = a^{(L)} - y$$\n"
    doc = read_document(text, "markdown", path="two.md")
    assert doc.entries[0].said == "" and doc.entries[0].flags is None
