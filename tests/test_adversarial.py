"""Adversarial claims (issue 19): wrong formulas built to slip past the checker must never be called
correct, and right formulas next to them must never be called incorrect.

The families are generated around each way a claim can be wrong (sign, scale, transpose, index swap, layer
shift, dropped factor, dropped sum, precision, thresholds, vacuous conditions, derivative operators). The
default run checks a fixed sample of each family; ``-m exhaustive`` checks all of them.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sampling import EXHAUSTIVE

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


# ---------------------------------------------------------------- 4./5. domains, thresholds, vacuous conditions
def test_a_condition_that_never_holds_is_unverifiable_and_says_so():
    v = verdict(r"\delta^{(1)} = 1 \quad \text{if } a^{(1)} > 2")
    assert v.verdict == "unverifiable" and "the condition a^{(1)} > 2 never holds" in v.reason


@pytest.mark.parametrize("flags", [{}, {"hidden": "tanh"}])
def test_a_condition_on_an_activation_is_met_by_sampling_inside_its_region(flags):
    c = "0.99999999"
    right = verdict(rf"a^{{(1)}} = f(z^{{(1)}}) \quad \text{{if }} a^{{(1)}} > {c}", **flags)
    wrong = verdict(rf"a^{{(1)}} = 1 \quad \text{{if }} a^{{(1)}} > {c}", **flags)
    assert right.verdict == "correct" and wrong.verdict == "incorrect", (right.reason, wrong.reason)


def test_a_condition_the_draws_miss_is_met_by_resampling_inside_its_region():
    v = verdict(r"\delta^{(1)} = 1 \quad \text{if } z^{(1)} > 10")
    assert v.verdict == "incorrect", v.reason


def test_a_saturated_value_is_not_its_limit():
    assert verdict(r"a^{(1)} = 1 \quad \text{if } z^{(1)} > 50").verdict != "correct"


@pytest.mark.parametrize("latex, flags", [
    (r"\operatorname{relu}(z - 3) = 0", {}),
    (r"\operatorname{relu}(W^{(1)}_{ij} - 1) = 0", {}),
    (r"f'(z^{(1)}) = 1 \quad \text{if } z^{(1)} > -0.01", {"hidden": "relu"}),
    (r"\sqrt{a^2} = a", {"hidden": "tanh"}),
    (r"\operatorname{relu}(z + 0.01) = \operatorname{relu}(z)", {}),
])
def test_draws_cross_the_thresholds_the_claim_contains(latex, flags):
    v = verdict(latex, **flags)
    assert v.verdict == "incorrect", (latex, v.verdict, v.reason)


# ---------------------------------------------------------------- 7. the other defects
def test_the_softmax_targets_sum_to_one_and_a_bounded_sum_is_no_internal_error():
    for latex in (r"\sum_k y_k = 1", r"\sum_{k=1}^{K} y_k = 1"):
        assert verdict(latex, output="softmax").verdict == "correct"
        assert verdict(r"\sum_{k=1}^{K} y_k = 2", output="softmax").verdict == "incorrect"


def test_a_lone_derivative_is_the_truth_against_a_product_of_derivatives():
    v = verdict(r"\frac{\partial J}{\partial W^{(2)}} = 42 \frac{\partial J}{\partial z^{(2)}} "
                r"\frac{\partial z^{(2)}}{\partial W^{(2)}}")
    assert v.verdict == "incorrect" and "42" in v.diagnosis[0] and "0.0238" not in " ".join(v.diagnosis)
    truth, claim = (np.array(v.counterexample[k]["top_left"]) for k in ("truth", "claim"))
    assert np.allclose(claim, 42 * truth, rtol=1e-3)


def test_a_negative_seed_and_a_huge_number_are_no_internal_errors():
    assert verify(r"\delta^{(L)} = a^{(L)} - y", seed=-5).verdict == "correct"
    v = verify("z^{(1)} = " + "9" * 400)
    assert v.verdict == "unverifiable" and "beyond float64" in v.reason


# ---------------------------------------------------------------- generated families
# (LHS = RHS, model flags, [(category, old, new)]): each edit of the right claim makes a wrong one.
NETWORK = [
    (r"\delta^{(L)} = a^{(L)} - y", [("sign", "a^{(L)} - y", "y - a^{(L)}"), ("dropped term", " - y", ""),
                                     ("layer shift", "a^{(L)}", "a^{(L-1)}_{1}")]),
    (r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})",
     [("transpose", ")^T", ")"), ("layer shift", r"\delta^{(l+1)}", r"\delta^{(l)}"),
      ("dropped factor", r" \odot \sigma'(z^{(l)})", ""), ("layer shift", "z^{(l)}", "z^{(l+1)}"),
      ("layer shift", "W^{(l+1)}", "W^{(l)}")]),
    (r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T",
     [("transpose", r"\delta^{(l)} (a^{(l-1)})^T", r"a^{(l-1)} (\delta^{(l)})^T"),
      ("layer shift", "a^{(l-1)}", "a^{(l)}"), ("layer shift", r"\delta^{(l)}", r"\delta^{(l+1)}")]),
    (r"\frac{\partial J}{\partial b^{(l)}} = \delta^{(l)}", [("layer shift", r"\delta^{(l)}", r"\delta^{(l+1)}")]),
    (r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \delta^{(l)}_i a^{(l-1)}_j",
     [("index swap", r"\delta^{(l)}_i a^{(l-1)}_j", r"\delta^{(l)}_j a^{(l-1)}_i"),
      ("layer shift", "a^{(l-1)}_j", "a^{(l)}_j")]),
    (r"\delta^{(l)}_j = \sum_k W^{(l+1)}_{kj} \delta^{(l+1)}_k \sigma'(z^{(l)}_j)",
     [("index swap", "W^{(l+1)}_{kj}", "W^{(l+1)}_{jk}"), ("dropped sum", r"\sum_k W^{(l+1)}_{kj} \delta^{(l+1)}_k",
                                                          r"W^{(l+1)}_{jj} \delta^{(l+1)}_j"),
      ("dropped factor", r" \sigma'(z^{(l)}_j)", "")]),
    (r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}", [("dropped term", " + b^{(l)}", ""),
                                                ("layer shift", "a^{(l-1)}", "a^{(l)}")]),
    (r"a^{(l)} = \sigma(z^{(l)})", [("layer shift", "z^{(l)}", "z^{(l-1)}")]),
    (r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} (a^{(1)})^T",
     [("transpose", r"(a^{(1)})^T", r"a^{(1)}"), ("layer shift", "a^{(1)}", "a^{(2)}")]),
    (r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot \sigma'(z^{(1)})",
     [("dropped factor", r" \odot \sigma'(z^{(1)})", ""), ("layer shift", "z^{(1)}", "z^{(2)}")]),
    (r"\frac{\partial J}{\partial a^{(1)}} = (W^{(2)})^T \delta^{(2)}", [("transpose", ")^T", ")")]),
    (r"\frac{\partial J}{\partial z^{(2)}} = \delta^{(2)}", [("layer shift", r"\delta^{(2)}", r"\delta^{(1)}_{1}")]),
]
PURE = [
    (r"\frac{d}{dz}\sigma(z) = \sigma(z)(1 - \sigma(z))", [("dropped factor", r"(1 - \sigma(z))", "")]),
    (r"\frac{d}{dz}\tanh(z) = 1 - \tanh(z)^2", [("dropped factor", "^2", "")]),
    (r"\tanh(z) = 2\sigma(2z) - 1", [("scale", r"2\sigma(2z)", r"2\sigma(z)")]),
    (r"\frac{d}{dz} \log(1 + e^{z}) = \sigma(z)", [("sign", r"\sigma(z)", r"\sigma(-z)")]),
    (r"\sigma(-z) = 1 - \sigma(z)", [("sign", "1 - ", "1 + ")]),
    (r"\frac{d}{dz} \frac{1}{2} z^2 = z", [("scale", r"\frac{1}{2} z^2", "z^2")]),
    (r"\frac{d}{dz} e^{2z} = 2 e^{2z}", [("dropped factor", "= 2 e", "= e")]),
    (r"\frac{d}{dz} \log \sigma(z) = 1 - \sigma(z)", [("sign", "= 1 - ", "= 1 + ")]),
    (r"\operatorname{relu}(z) - \operatorname{relu}(-z) = z", [("sign", "- \\operatorname{relu}(-z)",
                                                                   "+ \\operatorname{relu}(-z)")]),
    (r"\frac{d}{dp}\left(-y\ln p - (1-y)\ln(1-p)\right) = \frac{p - y}{p(1-p)}",
     [("sign", "= \\frac{p - y}", "= \\frac{y - p}")]),
    (r"\sigma(z) = \frac{e^{z}}{1 + e^{z}}", [("dropped term", "1 + e^{z}", "e^{z}")]),
    (r"\frac{d}{dz} z \sigma(z) = \sigma(z) + z \sigma(z)(1 - \sigma(z))", [("dropped term", r"\sigma(z) + ", "")]),
]
MODELS = [{}, {"depth": 3}, {"hidden": "tanh"}, {"hidden": "relu"}, {"depth": 4, "hidden": "tanh"}]
WRAPS = [("sign", "-\\left({}\\right)"), ("scale", "2 \\left({}\\right)"), ("scale", "\\frac{{1}}{{2}} \\left({}\\right)"),
         ("precision", "(1 + 10^{{-9}}) \\left({}\\right)")]
# below float64's tolerance: a scale 1 +- 10^{-k} (k = 6..15) and additive constants no draw can see
NETWORK_WRAPS = WRAPS + [("tiny scale", f"(1 {'+' if k % 2 else '-'} 10^{{{{-{k}}}}}) \\left({{}}\\right)")
                         for k in range(6, 16)] + [("tiny constant", f"{{}} + 10^{{{{-{k}}}}}") for k in (20, 100, 300)]
PURE_WRAPS = WRAPS + [("precision", "(1 + 10^{{-7}}) \\left({}\\right)"), ("precision", "{} + 10^{{-20}}"),
                      ("threshold", "{} + \\operatorname{{relu}}(z - 4)")]


def _wrong(base, edits, wraps):
    lhs, rhs = base.split(" = ", 1)
    out = [(cat, f"{lhs} = {form.format(rhs)}") for cat, form in wraps]
    out += [(cat, base.replace(old, new, 1)) for cat, old, new in edits if old in base]
    return out


def _families():
    wrong, right = [], []
    for base, edits in NETWORK:
        for k, flags in enumerate(MODELS):
            if "a^{(L)} - y" in base and flags.get("hidden") is None and k:
                continue
            right.append((flags, base))
            if k == 0 or flags.get("depth"):
                wrong += [(flags, cat, claim) for cat, claim in _wrong(base, edits, NETWORK_WRAPS)]
    for base, edits in PURE:
        right += [({}, base), ({"hidden": "tanh"}, base)]
        wrong += [({}, cat, claim) for cat, claim in _wrong(base, edits, PURE_WRAPS)]
    wrong += [({}, "vacuous", rf"{lhs} = 1 \quad \text{{if }} {cond}")
              for lhs in (r"\delta^{(1)}", r"a^{(1)}", r"\frac{\partial J}{\partial W^{(1)}}")
              for cond in ("a^{(1)} > 2", "a^{(1)} < -1", "z^{(1)} > 20")]
    wrong += [({}, "operator", c) for c in OPERATOR_WRONG] + [({}, "precision", c) for c in PRECISION_WRONG]
    wrong += [(f, "layer shift", c) for f in ({"depth": 2}, {"depth": 3}) for c in LAYER_WRONG]
    wrong += [(flags, "redteam", claim) for flags, claim in REDTEAM]
    return wrong, right


def _redteam():
    out = []
    for line in (Path(__file__).parent / "redteam.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        flags_text, claim = line.split("|", 1)
        flags = dict(kv.split("=") for kv in flags_text.replace(" ", "").split(",") if kv)
        out.append(({k: (int(v) if v.isdigit() else v) for k, v in flags.items()}, claim.strip()))
    return out


REDTEAM = _redteam()
WRONG, RIGHT = _families()
DEFAULT_WRONG = set(random.Random(19).sample(range(len(WRONG)), 24))
DEFAULT_RIGHT = set(random.Random(19).sample(range(len(RIGHT)), 10))


def _cases(items, default):
    return [pytest.param(*item, id=f"{k}", marks=() if k in default else EXHAUSTIVE) for k, item in enumerate(items)]


def test_the_families_are_as_large_as_promised():
    assert len(WRONG) >= 200 and len(RIGHT) >= 80
    assert {cat for _, cat, _ in WRONG} >= {"sign", "scale", "transpose", "index swap", "layer shift",
                                            "dropped factor", "dropped sum", "precision", "threshold", "vacuous",
                                            "tiny scale", "tiny constant"}


@pytest.mark.parametrize("flags, category, latex", _cases(WRONG, DEFAULT_WRONG))
def test_no_generated_wrong_claim_is_called_correct(flags, category, latex):
    v = verdict(latex, **flags)
    assert v.verdict != "correct", (category, latex, flags, v.reason)


@pytest.mark.parametrize("flags, latex", _cases(RIGHT, DEFAULT_RIGHT))
def test_no_generated_right_claim_is_called_incorrect(flags, latex):
    v = verdict(latex, **flags)
    assert v.verdict != "incorrect", (latex, flags, v.reason, v.diagnosis)


@pytest.mark.parametrize("flags, latex", REDTEAM)
def test_the_red_team_list_stays_rejected(flags, latex):
    v = verdict(latex, **flags)
    assert v.verdict != "correct", (latex, flags, v.reason)
