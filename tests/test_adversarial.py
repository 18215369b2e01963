"""Adversarial claims (issue 19): wrong formulas built to slip past the checker must never be called
correct, and right formulas next to them must never be called incorrect.

The families are generated around each way a claim can be wrong (sign, scale, transpose, index swap, layer
shift, dropped factor, dropped sum, precision, thresholds, vacuous conditions, derivative operators). The
default run checks a fixed sample of each family; ``-m exhaustive`` checks all of them.
"""
from __future__ import annotations

import pytest

from symderiv import verify
from symderiv.engine.network import NetFlags


def verdict(latex, **flags):
    return verify(latex, NetFlags(**flags) if flags else None)


# ---------------------------------------------------------------- 1. derivative operators
OPERATOR_WRONG = [
    r"\frac{d}{dz} 3 z^2 = 0",
    r"\frac{d}{dz}\frac{1}{2}(z - y)^2 = 0",
    r"\frac{\partial}{\partial W^{(2)}_{ij}} 2 J = 0",
    r"\partial_z 3 z^2 = 0",
    r"\partial_{z} 3 z^2 = 3",
    r"\frac{d}{dz} 3 z^2 = 6",
    r"\frac{d}{dz} z \sigma(z) = \sigma(z)",
]
OPERATOR_RIGHT = [
    r"\frac{d}{dz} 3 z^2 = 6 z",
    r"\frac{d}{dz}\frac{1}{2}(z - y)^2 = z - y",
    r"\frac{\partial}{\partial W^{(2)}_{ij}} 2 J = 2 \frac{\partial J}{\partial W^{(2)}_{ij}}",
    r"\partial_z 3 z^2 = 6 z",
    r"\partial_{z} \frac{1}{2} z^2 = z",
    r"\frac{d}{dz} \sigma(z) + 1 = \sigma(z)(1 - \sigma(z)) + 1",
    r"\delta^L = \nabla_a C \odot \sigma'(z^L)",
]


@pytest.mark.parametrize("latex", OPERATOR_WRONG)
def test_a_derivative_operator_takes_the_whole_term_so_a_wrong_derivative_is_rejected(latex):
    v = verdict(latex)
    assert v.verdict == "incorrect", (latex, v.verdict, v.reason)


@pytest.mark.parametrize("latex", OPERATOR_RIGHT)
def test_a_derivative_operator_takes_the_whole_term_so_the_right_derivative_is_accepted(latex):
    v = verdict(latex)
    assert v.verdict == "correct", (latex, v.verdict, v.reason)


def test_the_reason_states_how_the_operator_was_read():
    assert "d/dz applies to the whole term 3 z^{2}" in verdict(r"\frac{d}{dz} 3 z^2 = 6 z").reason


def test_a_document_of_operator_slips_is_not_passed_by_check(tmp_path, capsys):
    from symderiv.cli import main
    doc = tmp_path / "slips.md"
    doc.write_text("Derivatives.\n\n$$\\frac{d}{dz} 3 z^2 = 0$$\n\n$$\\frac{d}{dz}\\frac{1}{2}(z - y)^2 = 0$$\n")
    code = main(["check", str(doc), "--json"])
    import json
    entries = json.loads(capsys.readouterr().out)["entries"]
    assert code == 1 and [e["verdict"] for e in entries] == ["incorrect", "incorrect"]


# ---------------------------------------------------------------- 2. symbolic layers at a generic depth
LAYER_WRONG = [
    r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(L)} \odot \sigma'(z^{(l)})",
    r"\delta^{(l)} = (W^{(L)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})",
    r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(L-1)})^T",
    r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(1)})^T",
]


@pytest.mark.parametrize("latex", LAYER_WRONG)
@pytest.mark.parametrize("depth", [2, 3])
def test_a_claim_in_l_is_checked_where_no_layer_coincides_whatever_the_depth(latex, depth):
    v = verdict(latex, depth=depth)
    assert v.verdict == "incorrect", (latex, depth, v.verdict, v.reason)


def test_a_right_claim_in_l_says_at_which_depths_it_was_checked():
    v = verdict(r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})")
    assert v.verdict == "correct" and "checked at depth 2 and at depth 4" in v.reason


# ---------------------------------------------------------------- 3./6. beyond float64, and only in the reals
PRECISION_WRONG = [
    r"\frac{d}{dz}\sigma(z) = \sigma(z)(1-\sigma(z))(1 + 10^{-6})",
    r"\frac{d}{dz}\tanh(z) = (1 - \tanh(z)^2)(1 - 10^{-7})",
    r"10^{-13} z = 0",
    r"e^{-10^{4} z^2} = 2 e^{-10^{4} z^2}",
    r"\sigma(z) = \sigma(z) + 10^{-300} z",
    r"e^{\log z} = z",
    r"(\sqrt{z})^2 = z",
    r"\log(e^{z}) = z + 10^{-20}",
]


@pytest.mark.parametrize("latex", PRECISION_WRONG)
def test_a_pure_claim_is_confirmed_beyond_float64_and_in_the_reals(latex):
    v = verdict(latex)
    assert v.verdict == "incorrect", (latex, v.verdict, v.reason)


def test_the_confirmation_shows_the_difference_and_says_which_confirmation_was_used():
    v = verdict(r"\frac{d}{dz}\sigma(z) = \sigma(z)(1-\sigma(z))(1 + 10^{-6})")
    assert "at 60 digits" in v.reason and v.counterexample["claim"] != v.counterexample["truth"]
    ok = verdict(r"\frac{d}{dz}\sigma(z) = \sigma(z)(1-\sigma(z))")
    assert ok.verdict == "correct" and "confirmed in exact arithmetic" in ok.reason
