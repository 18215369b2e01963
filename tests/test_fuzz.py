"""Random and hostile strings: every one ends 0, 1 or 2, cleanly, within seconds.

The default run fuzzes fewer examples and calls the CLI in-process; the
full-size fuzzing and the real subprocesses are marked ``exhaustive``.
"""
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symderiv.cli import main
from symderiv.network import NetFlags
from symderiv.verify import verify
from sampling import EXHAUSTIVE

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


TOKEN_SOUP = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
ANY_TEXT = st.text(max_size=200)


# The default run fuzzes a quarter as many examples; the full-size runs are marked exhaustive.
@settings(max_examples=30, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(TOKEN_SOUP)
def test_random_token_soup(text):
    run(text)


@settings(max_examples=15, deadline=5000)
@given(ANY_TEXT)
def test_random_text(text):
    run(text)


@EXHAUSTIVE
@settings(max_examples=120, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(TOKEN_SOUP)
def test_random_token_soup_full_size(text):
    run(text)


@EXHAUSTIVE
@settings(max_examples=60, deadline=5000)
@given(ANY_TEXT)
def test_random_text_full_size(text):
    run(text)


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile{k}" for k in range(len(HOSTILE))])
def test_hostile_strings_api(text):
    v = run(text)
    assert v.verdict != "correct" or text.startswith(r"\delta")


def cli_in_process(text, capfd):
    """(exit code, stdout, stderr) of ``symderiv verify TEXT`` run by ``cli.main``; capfd also sees child processes."""
    code = main(["verify", text])
    out, err = capfd.readouterr()
    return code, out, err


def cli_subprocess(text, capfd):
    """The same through a fresh interpreter (about a second of imports each, so exhaustive only)."""
    p = subprocess.run([sys.executable, "-m", "symderiv", "verify", text], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("runner", [pytest.param(cli_in_process, id="in-process"),
                                    pytest.param(cli_subprocess, id="subprocess", marks=EXHAUSTIVE)])
@pytest.mark.parametrize("text", ["{" * 5000, "__import__('os').system('echo hi')", "a\x01b"], ids=["braces", "import", "ctrl"])
def test_hostile_strings_cli(text, runner, capfd):
    code, out, err = runner(text, capfd)
    assert code == 2
    assert "Traceback" not in err and "hi\n" not in out
    assert len(err.strip().splitlines()[-1]) < 300
