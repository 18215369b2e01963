"""The CLI's fixed contract: exit codes and one-line errors (DESIGN.md)."""
import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True, timeout=120)


def test_derive_text_names_the_output_delta_of_sigmoid_bce():
    r = run("derive", "--depth", "2", "--format", "text")
    assert r.returncode == 0
    assert r"\delta_k^{(L)} = a - y" in r.stdout


def test_bad_flag_exits_2_with_one_line():
    r = run("derive", "--hidden", "nope")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
