"""No false "correct" from floating point: tolerance, undefined draws, overflow, sub-ulp constants."""
import pytest

from symderiv.verify import verify


@pytest.mark.parametrize("claim", [
    r"\delta^{(L)} = (a^{(L)} - y) \cdot (1 + 10^{-7})",     # a written factor below the old tolerance
    r"\log(z^2) = 2\log(z)",                                # false for z < 0: NaN on one side only
    r"z = z + 10^{-300}",                                   # below any float64 draw: found symbolically
    r"\delta^{(L)} = (a^{(L)} - y) \cdot (1 - 10^{-9})",
])
def test_near_identities_are_never_correct(claim):
    assert verify(claim).verdict == "incorrect"


def test_an_overflowing_claim_is_unverifiable_not_correct():
    v = verify(r"\delta^{(L)} = a^{(L)} - y + \tanh(e^{e^{99}}) - 1")
    assert v.verdict == "unverifiable" and "overflows" in v.reason


def test_a_pure_identity_is_proved_symbolically_and_says_so():
    v = verify(r"\frac{d}{dp}\left(-y\ln p - (1-y)\ln(1-p)\right) = \frac{p - y}{p(1-p)}")
    assert v.verdict == "correct" and v.reason.startswith("proved symbolically")
    assert v.evidence["proof"] == "proved"


def test_the_reason_states_the_precision_used():
    v = verify(r"\delta^{(L)} = a^{(L)} - y")
    assert v.verdict == "correct" and "1e-12" in v.reason and "float64" in v.reason
