"""A document's forward pass as its model: a computational graph in SymPy over the document's own symbols.

A document that defines its quantities (``h = \\sigma(W_1 x + b_1)``, ``o = W_2 h``,
``J = L + s``) is its own model. The pipeline, one module per step:

* ``lines``: each equation read in the document's own names, a definition or a claim;
* ``symbols``: the model as data, its symbols (roles: parameter, data, scalar, defined, cost, decided by
  names: ``x``/``X`` data in, ``y``/``Y``/``t`` targets, ``\\lambda``, ``m``... scalars) in a ``Graph``;
* ``shapes``: every dimension inferred from how symbols combine (a matrix product joins two dimensions,
  a sum or Hadamard product makes shapes equal, a bias broadcasts), each given its own small size, all
  different, so a missing transpose cannot hide;
* ``build``: the graph (definitions in order, symbolic layers instantiated, the cost found);
* ``draws``: one random instance, numbers for the leaves and a random smooth function for each generic
  name (``g``, ``f``, ``\\phi``, an undefined loss ``l(o, y)``), so a line that holds is shown to hold
  for every activation, not only the sigmoid;
* ``values``: a tree's value on a draw (``draw_of`` runs the forward pass once per seed), derivatives
  by SymPy (each definition's local Jacobian by ``sympy.diff``, chained backwards over the document's named quantities); a cost the document never
  defines is an arbitrary function of the outputs, its upstream gradient a free random quantity;
* ``linecheck``: a claim's sides compared at several draws, link by link, with the assumptions it was read
  under;
* ``document``: a whole document (or ``verify --define``) checked on its own model.
"""
