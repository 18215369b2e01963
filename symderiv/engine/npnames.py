"""The names ``sympy.lambdify(..., "numpy")`` compiles against, gathered without NumPy's test tools.

SymPy fills its "numpy" namespace once per process by running ``from numpy import *``. NumPy 2 lists
submodules it loads only when first touched (``f2py``, ``testing``, ``ma``, ``ctypeslib``, ``typing``, ...)
in ``numpy.__all__``, so that star import loads them all, and f2py brings ``unittest``, ``subprocess``,
``email`` and every text codec with it: 0.17 s of CPU in every process that lambdifies anything (every
``symderiv verify``, ``check``, ``train``), for modules no generated function names. ``prepare()`` fills
the same namespace SymPy would, the same objects under the same names, leaving out only those submodules
NumPy has not loaded yet (a generated function calls ``exp(...)``, ``matmul(...)``, never ``f2py``).
SymPy then finds its namespace filled and does not run the star import (``lambdify._import``).
"""
from __future__ import annotations

import importlib
import sys
import threading

_LOCK = threading.Lock()


def prepare() -> None:
    """Fill SymPy's "numpy" lambdify namespace, once, as ``_import("numpy")`` would (see the module doc)."""
    try:
        lam = importlib.import_module("sympy.utilities.lambdify")   # the module (the package's name is the function)
        namespace, default, translations, commands = lam.MODULES["numpy"]
    except (ImportError, AttributeError, KeyError, ValueError):      # another SymPy: it does it its own way
        return
    if commands != ("import numpy; from numpy import *; from numpy.linalg import *",):
        return                                                       # not the recipe this copies
    with _LOCK:
        if namespace != default:       # filled already (by us or by SymPy)
            return
        import numpy
        import numpy.linalg
        names = {"numpy": numpy}
        loaded = vars(numpy)
        for name in numpy.__all__:     # from numpy import *, less the submodules not loaded yet
            if name in loaded or f"numpy.{name}" in sys.modules:
                names[name] = getattr(numpy, name)
        for name in numpy.linalg.__all__:                            # from numpy.linalg import *
            names[name] = getattr(numpy.linalg, name)
        for sympy_name, translation in translations.items():
            names[sympy_name] = names[translation]
        names.setdefault("Abs", abs)
        namespace.update(names)
