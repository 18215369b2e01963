"""verify/precise.py: a network claim's candidate "correct" confirmed in 1200-bit arithmetic (issue 19, item 3)."""
import numpy as np
import pytest

from symderiv.engine.network import NetFlags
from symderiv.verify import verify
from symderiv.verify import mpeval as M, precise as P
from symderiv.verify.instances import make_instance


@pytest.mark.parametrize("claim, flags", [
    (r"\delta^{(L)} = a^{(L)} - y + 10^{-300}", {}),
    (r"\delta^{(L)} = (1 + 10^{-13})(a^{(L)} - y)", {}),
    (r"\delta^{(L)} = (1 - 10^{-15})(a^{(L)} - y)", {}),
    (r"a^{(1)} = 1 \quad \text{if } z^{(1)} > 50", {}),
    (r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T + 10^{-40}", {"depth": 3}),
    (r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot (1 - (a^{(1)})^2) (1 + 10^{-14})", {"hidden": "tanh"}),
    (r"\frac{\partial z^{(2)}_j}{\partial a^{(1)}_i} = W^{(2)}_{ji} (1 + 10^{-8})", {}),
])
def test_a_network_claim_off_below_float64_is_incorrect_with_the_difference_shown(claim, flags):
    v = verify(claim, NetFlags(**flags))
    assert v.verdict == "incorrect", v.reason
    assert "differ by" in v.reason and "they agree in float64" in v.reason and "mpmath at" in v.reason
    assert v.counterexample["confirmation"].startswith("mpmath at")
    assert v.counterexample["claim"] != v.counterexample["truth"]


@pytest.mark.parametrize("claim, flags", [
    (r"\delta^{(L)} = a^{(L)} - y", {}),
    (r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \delta^{(l)}_i a^{(l-1)}_j", {"hidden": "relu"}),
    (r"\delta^{(L)} = a^{(L)} - y", {"output": "softmax"}),
    (r"J = \frac{1}{m} \sum_{i=1}^{m} \frac{1}{2} \|a^{(L)(i)} - y^{(i)}\|^2 + \frac{\lambda}{2m} \sum_l \|W^{(l)}\|_F^2",
     {"output": "identity", "loss": "mse", "reg": "l2", "batch": True}),
])
def test_a_right_network_claim_says_it_was_confirmed_in_high_precision(claim, flags):
    v = verify(claim, NetFlags(**flags))
    assert v.verdict == "correct", v.reason
    assert "confirmed in 320-bit arithmetic" in v.reason and "agree to 66 digits" in v.reason


def test_an_entry_by_central_differences_is_confirmed_to_fewer_digits_and_says_so():
    v = verify(r"\frac{\partial z^{(2)}_j}{\partial a^{(1)}_i} = W^{(2)}_{ji}")
    assert v.verdict == "correct" and "step of 2^-106" in v.reason and "agree to 51 digits" in v.reason


@pytest.mark.parametrize("flags", [{}, {"hidden": "relu", "depth": 3}, {"output": "softmax", "batch": True},
                                   {"output": "identity", "loss": "mse", "reg": "l2"}])
def test_the_precise_truth_is_the_float64_truth_to_float64_precision(flags):
    f = NetFlags(**flags)
    inst = make_instance(f, (3, 4, 5, 2)[:f.depth + 1], 3 if f.batch else 1, np.random.default_rng(0))
    hp = M.precise(inst).trace
    for name in ("z", "a", "delta", "dW", "db"):
        for lo, hi in zip(getattr(inst.trace, name)[1:], getattr(hp, name)[1:]):
            assert hi.dtype == object and np.allclose(lo, hi.astype(float), rtol=1e-12, atol=1e-14)
    assert abs(float(hp.J) - inst.trace.J) < 1e-12 * max(1.0, abs(inst.trace.J))


@pytest.mark.parametrize("flags", [{"depth": 3}, {"hidden": "relu", "output": "softmax", "batch": True, "reg": "l2"},
                                   {"hidden": "identity", "output": "identity", "loss": "mse", "depth": 3}])
def test_the_truth_in_stages_is_the_truth_computed_in_one_function(flags):
    f = NetFlags(**flags)
    inst = make_instance(f, (3, 4, 5, 2)[:f.depth + 1], 3 if f.batch else 1, np.random.default_rng(1))
    hp = M.precise(inst)
    e, L = M.compiled(f).expressions, f.depth
    whole = M.lambdified(M.numeric._Symbols(L).args(),
                         [e["J"], *([e[k][l] for l in range(1, L + 1)] for k in ("z", "a", "delta", "dW", "db"))])
    J, *lists = whole(*[p for l in range(1, L + 1) for p in (hp.W[l], hp.b[l])], hp.X, hp.Y, hp.lam, hp.m)
    tiny = M.MP.ldexp(1, -300)
    assert abs(J - hp.trace.J) <= tiny * abs(J)
    for name, values in zip(("z", "a", "delta", "dW", "db"), lists):
        for one, staged in zip(values, getattr(hp.trace, name)[1:]):
            assert all(abs(x - y) <= tiny * max(1, abs(x)) for x, y in zip(np.ravel(one), np.ravel(staged)))


def test_a_stage_is_computed_only_when_a_claim_reads_it():
    f = NetFlags(depth=3)
    trace = M.precise(make_instance(f, (3, 4, 5, 2), 1, np.random.default_rng(2), kept=False)).trace
    delta = trace.delta[3]              # the output delta: the forward pass and nothing else
    assert delta.shape == (2, 1) and set(trace._done) == {"z1", "a1", "z2", "a2", "z3", "a3", "delta3"}
    assert np.array_equal(trace.dW[2], trace.dW[2]) and "delta1" not in trace._done and "J" not in trace._done


@pytest.mark.parametrize("claim, bits", [(r"\delta^{(L)} = a^{(L)} - y + 10^{-300}", 1216),
                                         (r"\delta^{(L)} = a^{(L)} - y + e^{-1000}", 1662)])
def test_the_precision_covers_the_numbers_the_claim_writes(claim, bits):
    v = verify(claim)
    assert v.verdict == "incorrect" and f"mpmath at {bits} bits" in v.reason, v.reason


def test_a_saturated_sigmoid_is_not_one_in_high_precision():
    act = NetFlags().activation(1)
    assert float(1 - M._activation(act, False)(M.exact(50.0))) == pytest.approx(np.exp(-50.0), rel=1e-12)


def test_float64_leaking_into_the_confirmation_stops_it_and_the_reason_says_so(monkeypatch):
    monkeypatch.setitem(M.PRIMITIVES, "num", lambda ev, n: float(n.value) + 0.1)
    v = verify(r"\delta^{(L)} = 1 (a^{(L)} - y)")
    assert v.verdict == "correct" and "not confirmed beyond float64" in v.reason and "float64 value" in v.reason


# ---------------------------------------------------------------- float64 misses that are rounding alone (#20)
# dL/da^{(L)} (bce) is (1 - y)/(1 - a) - y/a: where a^{(L)} is near 1, 1 - a keeps few digits in float64 (or is 0,
# and the gradient inf), yet times sigma'(z) it is a - y exactly. A right chain-rule line must not be called
# incorrect for that, and a line off by a sign, a scale, a transpose or a dropped factor must stay incorrect.
from symderiv.notation.parse import parse
from symderiv.verify.checker import Checker, agrees
from symderiv.verify.evaluate import Context


def _saturated(claim: str, flags: NetFlags, shift: float):
    """A checker of ``claim`` and one context where the output layer's bias is moved by ``shift``."""
    c = parse(claim)
    checker = Checker(c, flags, 0, 1, 1)
    ctx = checker.contexts[0]
    inst = ctx.inst
    b = [v if v is None else v.copy() for v in inst.b]
    b[flags.depth] = b[flags.depth] + shift
    return checker, c, Context(inst.with_parameters(inst.W, b), ctx.l, dict(ctx.idx), ctx.s)


CHAIN = r"\frac{\partial J}{\partial a^{(L)}} \odot \sigma'(z^{(L)}) = a^{(L)} - y"


@pytest.mark.parametrize("shift", [25.0, 60.0])      # 1 - a about 1e-11 (digits lost); a = 1.0 in float64 (inf)
def test_a_float64_miss_from_cancellation_agrees_in_high_precision(shift):
    checker, c, ctx = _saturated(CHAIN, NetFlags(hidden="relu"), shift)
    (s,) = checker.samples(*c.sides, contexts=[ctx])
    assert agrees(s) is False                          # float64 alone calls it a miss
    assert P.near_miss(s, 1e-12) and P.rounding_only(checker, *c.sides, [s])


@pytest.mark.parametrize("right", [r"-(a^{(L)} - y)", r"(1 + 10^{-20})(a^{(L)} - y)", r"a^{(L)} - y + 10^{-40}",
                                   r"a^{(L)} \odot (a^{(L)} - y)"])
def test_a_wrong_side_at_the_same_saturated_context_is_never_rounding(right):
    checker, c, ctx = _saturated(CHAIN.split("=")[0] + "= " + right, NetFlags(hidden="relu"), 60.0)
    (s,) = checker.samples(*c.sides, contexts=[ctx])
    assert agrees(s) is False
    assert not (P.near_miss(s, 1e-12) and P.rounding_only(checker, *c.sides, [s]))


def test_a_far_miss_is_not_near_and_a_shape_mismatch_is_no_sample_to_round():
    checker, c, ctx = _saturated(CHAIN.split("=")[0] + "= 2 (a^{(L)} - y)", NetFlags(hidden="relu"), 0.0)
    (s,) = checker.samples(*c.sides, contexts=[ctx])
    assert agrees(s) is False and not P.near_miss(s, 1e-12)


@pytest.mark.parametrize("claim, flags, verdict", [
    # the chain rule through a sigmoid output, written as the line of a derivation (ReLU hidden layers, whose
    # wide draws push z^{(L)} far out): element-wise product of the gradient and the derivative
    (r"\frac{\partial J}{\partial a^{(L)}} \cdot \frac{\partial a^{(L)}}{\partial z^{(L)}} = a^{(L)} - y",
     {"hidden": "relu"}, "correct"),
    (r"\frac{\partial J}{\partial a^{(L)}} \cdot \frac{\partial a^{(L)}}{\partial z^{(L)}} = y - a^{(L)}",
     {"hidden": "relu"}, "incorrect"),
    (r"\frac{\partial J}{\partial a^{(L)}} \cdot \frac{\partial a^{(L)}}{\partial z^{(L)}} = 2 (a^{(L)} - y)",
     {"hidden": "relu"}, "incorrect"),
    (r"\frac{\partial J}{\partial a^{(L)}} \cdot \frac{\partial a^{(L)}}{\partial z^{(L)}} = (a^{(L)} - y)^T",
     {"hidden": "relu"}, "incorrect"),
    (r"\frac{\partial J}{\partial a^{(L)}} = a^{(L)} - y", {"hidden": "relu"}, "incorrect"),
    # a course's batch notation: dZ = dA * g'(Z) for every layer, with the output's sigmoid at l = L
    (r"dZ^{[l]} = dA^{[l]} \odot g'(Z^{[l]})", {"hidden": "tanh", "batch": True}, "correct"),
    (r"dZ^{[l]} = -dA^{[l]} \odot g'(Z^{[l]})", {"hidden": "tanh", "batch": True}, "incorrect"),
    (r"dZ^{[l]} = \frac{1}{m} dA^{[l]} \odot g'(Z^{[l]})", {"hidden": "tanh", "batch": True}, "incorrect"),
    (r"dZ^{[l]} = dA^{[l]}", {"hidden": "tanh", "batch": True}, "incorrect"),
    (r"dZ^{[l]} = dA^{[l]T} \odot g'(Z^{[l]})", {"hidden": "tanh", "batch": True}, "incorrect"),
])
def test_right_lines_hold_past_float64_cancellation_and_perturbed_ones_do_not(claim, flags, verdict):
    v = verify(claim, NetFlags(**flags), convention="auto", shapes=3, draws=2)
    assert v.verdict == verdict, v.reason
    if verdict == "correct":           # the draws did cancel: the path past float64 was taken, and said
        assert "lost digits to cancellation" in v.reason and "agree in high precision" in v.reason
