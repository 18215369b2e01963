"""symderiv: derive backprop symbolically, check hand derivations, train with the result.

>>> import symderiv
>>> net = symderiv.mlp([64, 25, 10], hidden="sigmoid", output="sigmoid", loss="bce", reg="l2")
>>> num = net.lambdify()          # NumPy loss and gradients, from the derived formulas
"""
from .network import Network, NetFlags, mlp
# Bound after the submodule import, so the name is the function, not the module.
from .verify import Verdict, verify

__version__ = "0.1.0"
__all__ = ["mlp", "Network", "NetFlags", "verify", "Verdict", "__version__"]

