"""symderiv: derive backprop symbolically, check hand derivations, train with the result.

>>> import symderiv
>>> net = symderiv.mlp([64, 25, 10], hidden="sigmoid", output="sigmoid", loss="bce", reg="l2")
>>> num = net.lambdify()          # NumPy loss and gradients, from the derived formulas
"""
from .network import Network, NetFlags, mlp

__version__ = "0.1.0"
__all__ = ["mlp", "Network", "NetFlags", "verify", "__version__"]


def verify(claim: str, net, **options):
    """Check one LaTeX formula against ``net``'s derived truth (see symderiv.verify)."""
    from .verify import verify as _verify
    return _verify(claim, net, **options)
