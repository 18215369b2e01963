"""engine/npnames.py: SymPy's "numpy" lambdify namespace, filled without loading NumPy's test tools."""
import importlib
import subprocess
import sys
import types

import numpy as np
import sympy as sp

from symderiv.engine.npnames import prepare


def test_the_namespace_holds_what_the_star_import_gives_less_unloaded_submodules():
    prepare()
    namespace = importlib.import_module("sympy.utilities.lambdify").MODULES["numpy"][0]
    star = {}
    exec("import numpy; from numpy import *; from numpy.linalg import *", {}, star)
    for name, value in star.items():
        if not isinstance(value, types.ModuleType):
            assert namespace[name] is value, name
    assert namespace["Heaviside"] is np.heaviside and namespace["I"] == 1j
    f = sp.lambdify(sp.Symbol("z"), sp.exp(-sp.Symbol("z")) * sp.Heaviside(sp.Symbol("z"), 0), "numpy")
    assert np.allclose(f(np.array([-1.0, 2.0])), [0.0, np.exp(-2.0)])


def test_a_lambdified_network_does_not_load_f2py_or_unittest():
    code = ("import sys, numpy as np, symderiv\n"
            "num = symderiv.mlp([3, 4, 2]).lambdify()\n"
            "assert num.loss(symderiv.mlp([3, 4, 2]).init_params(seed=0), np.ones((3, 2)), np.ones((2, 2))) > 0\n"
            "print(sorted(m for m in ('numpy.f2py', 'numpy.testing', 'unittest') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "[]"
