"""A fast start (issue 25): ``symderiv --version`` and ``--help`` load neither SymPy nor NumPy, and
``import symderiv`` loads them only when a public name that needs them is used."""
import json
import subprocess
import sys

import pytest

HEAVY = ("sympy", "numpy", "scipy", "matplotlib")

PROBE = """
import json, sys
from symderiv.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print("LOADED", json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""


def loaded_after(argv) -> list:
    out = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)], capture_output=True,
                         text=True, timeout=120).stdout
    line = next(l for l in out.splitlines() if l.startswith("LOADED"))
    return json.loads(line[len("LOADED "):])


@pytest.mark.parametrize("argv", [["--version"], ["--help"], [], ["verfy", "x"]])
def test_the_fast_paths_load_no_heavy_library(argv):
    assert loaded_after(argv) == []


def test_a_command_that_needs_them_loads_them():
    # the probe itself must be able to see a heavy import, or the test above could not fail
    assert "sympy" in loaded_after(["derive", "--depth", "1"])


def test_import_symderiv_is_light_until_a_name_is_used():
    code = ("import sys, symderiv; a = 'sympy' in sys.modules; symderiv.mlp; "
            "print(a, 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert out.split() == ["False", "True"]


def test_a_misspelt_command_is_named_with_the_closest(capsys):
    from symderiv import cli
    assert cli.main(["verfy", "x = y"]) == 2
    assert capsys.readouterr().err == "symderiv: error: unknown command 'verfy' (did you mean verify?)\n"
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate' (commands: derive, verify," in capsys.readouterr().err
