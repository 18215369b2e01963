"""symderiv: derive backprop symbolically, check hand derivations, train with the result.

>>> import symderiv
>>> net = symderiv.mlp([64, 25, 10], hidden="sigmoid", output="sigmoid", loss="bce", reg="l2")
>>> num = net.lambdify()          # NumPy loss and gradients, from the derived formulas

The public names load on first use (PEP 562), so ``import symderiv`` (and the
command line, which imports it first) costs nothing until SymPy is needed,
and a Ctrl-C during that loading is caught by the CLI like any other.
"""
from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"
__all__ = ["mlp", "Network", "NetFlags", "verify", "verify_chain", "Verdict", "__version__"]

# public name -> the submodule that defines it
_LAZY = {"mlp": "engine.network", "Network": "engine.network", "NetFlags": "engine.network", "verify": "verify", "Verdict": "verify",
         "verify_chain": "verify"}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # bound once, as the function, not the submodule of the same name
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


class _Package(types.ModuleType):
    """Keeps ``symderiv.verify`` the function: importing the submodule ``symderiv.verify``
    later would otherwise rebind the package attribute to the module."""

    def __setattr__(self, name, value):
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
