"""Random and hostile strings: every one ends 0, 1 or 2, cleanly, within seconds."""
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symderiv.network import NetFlags
from symderiv.verify import verify

PIECES = [r"\delta", "^{(l)}", "^{(L)}", "_{ij}", "_i", "W", "a", "z", "y", "b", "x", "J", "=", "+", "-", r"\odot",
          r"\frac{", r"\partial", "}{", "}", "{", "(", ")", "^T", "'", r"\sigma", "f'", r"\sum_{j=1}^{m}", "1", "2",
          r"\left(", r"\right)", r"\mathbf{1}", " ", r"\end{document}", "__import__", "\x00", "é", "∂", "^", "_"]

HOSTILE = ["{" * 5000, "(" * 3000 + ")" * 3000, "x" * 10000, "__import__('os').system('echo hi')",
           r"\end{document}", "\x00", "a = b\x00", r"\input{/etc/passwd}", r"\def\x{1}", "ñ = ü",
           r"\frac{\partial J}{\partial W^{(9999999999999)}} = 0", "= = =", r"\sum_{j=1}^{99999999} j = 0",
           r"\delta^{(L)} = " + r"\left(" * 30 + "a^{(L)}" + r"\right)" * 30 + " - y",
           r"J = " + " + ".join(["a^{(L)}"] * 600)]


def run(text):
    v = verify(text, NetFlags(batch=True))
    assert v.verdict in ("correct", "incorrect", "unverifiable")
    assert v.exit_code in (0, 1, 2)
    assert "\n" not in v.reason
    return v


@settings(max_examples=120, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_random_token_soup(text):
    run(text)


@settings(max_examples=60, deadline=5000)
@given(st.text(max_size=200))
def test_random_text(text):
    run(text)


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile{k}" for k in range(len(HOSTILE))])
def test_hostile_strings_api(text):
    v = run(text)
    assert v.verdict != "correct" or text.startswith(r"\delta")


@pytest.mark.parametrize("text", ["{" * 5000, "__import__('os').system('echo hi')", "a\x01b"], ids=["braces", "import", "ctrl"])
def test_hostile_strings_cli(text):
    p = subprocess.run([sys.executable, "-m", "symderiv", "verify", text], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "hi\n" not in p.stdout
    assert len(p.stderr.strip().splitlines()[-1]) < 300
