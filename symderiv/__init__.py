"""symderiv: derive backprop symbolically, check hand derivations, train with the result.

>>> import symderiv
>>> net = symderiv.mlp([64, 25, 10], hidden="sigmoid", output="sigmoid", loss="bce", reg="l2")
>>> num = net.lambdify()          # NumPy loss and gradients, from the derived formulas
"""
from .network import Network, NetFlags, mlp
from .verify import Verdict, verify_chain
from .verify import verify as _verify

# The package symderiv.verify and the function symderiv.verify share a name: the attribute is the
# function (DESIGN.md's API); the package stays importable as ``symderiv.verify`` in import statements.
verify = _verify

__version__ = "0.1.0"
__all__ = ["mlp", "Network", "NetFlags", "verify", "verify_chain", "Verdict", "__version__"]

