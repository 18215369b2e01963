"""Named conventions: ``--preset NAME`` sets several NET FLAGS at once.

Each preset is a NetFlags: the one description of a network setting. The notes' conventions live here so
that ``symderiv verify --preset note002 ...`` checks a line under the note's
own definitions.
"""
from .network import NetFlags

PRESETS: dict[str, NetFlags] = {
    # Andrew Ng's ex4: 400-25-10, sigmoid everywhere, cross-entropy, lambda/(2m) sum W^2.
    "ex4": NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="l2", batch=True),
    # Nielsen, "Neural networks and deep learning", chapter 2: quadratic cost, sigmoid.
    "nielsen": NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="mse", reg="none"),
    # CS231n style: ReLU hidden, softmax cross-entropy, samples as rows, lambda sum W^2.
    "cs231n": NetFlags(depth=2, hidden="relu", output="softmax", loss="ce", reg="l2-sum", batch=True,
                   layout="rows"),
    # The notes' own conventions (their symbols still need bindings: see docs/notation.md).
    # note 000: the ex4 network (400-25-10 sigmoid, cross-entropy, lambda/(2m) sum W^2, batch mean).
    "note000": NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="l2", batch=True),
    # note 001: a general L-layer network, one sample, squared error (eq. 9.22).
    "note001": NetFlags(depth=3, hidden="sigmoid", output="sigmoid", loss="mse", reg="none"),
    # note 002: ReLU hidden layer, softmax cross-entropy over N samples, lambda(|w1|^2 + |w2|^2).
    "note002": NetFlags(depth=2, hidden="relu", output="softmax", loss="ce", reg="l2-sum", batch=True),
    # note 003: linear regression form (identity output, squared error), one sample.
    "note003": NetFlags(depth=3, hidden="sigmoid", output="identity", loss="mse", reg="none"),
    # note 004: one tanh hidden layer, sigmoid output, mean binary cross-entropy.
    "note004": NetFlags(depth=2, hidden="tanh", output="sigmoid", loss="bce", reg="none", batch=True),
}
