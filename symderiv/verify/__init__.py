"""Checking a claim against the derived truth: the ``verify`` package.

One job per module, in pipeline order:

* ``instances``: random networks at shapes where every width differs, and the truth (the lambdified trace);
* ``evaluate``: a claim tree's value in one context, through the construct registry;
* ``partials``: the model's partial derivatives (matrix forms, layer Jacobians, single entries);
* ``checker``: every context of a link, and whether both sides agree in all of them;
* ``diagnose``: what kind of slip explains a disagreement, and a counterexample;
* ``repair``: the smallest edit in the claim's own notation that makes it true;
* ``symbolic``: a proof (or refutation) of a claim with no network, with SymPy, bounded in time;
* ``verdict``: the verdict object (DESIGN.md's JSON fields);
* ``api``: ``verify`` and ``verify_chain``.

>>> from symderiv.verify import verify
>>> verify(r"\\delta^{(L)} = a^{(L)} - y").verdict
'correct'
"""
from .api import verify, verify_chain
from .verdict import Unverifiable, Verdict

__all__ = ["verify", "verify_chain", "Verdict", "Unverifiable"]
