"""Named conventions: ``--preset NAME`` sets several NET FLAGS at once.

Each preset is a dict of NetFlags fields. The notes' conventions live here so
that ``symderiv verify --preset note002 ...`` checks a line under the note's
own definitions.
"""
PRESETS: dict[str, dict] = {
    # Andrew Ng's ex4: 400-25-10, sigmoid everywhere, cross-entropy, lambda/(2m) sum W^2.
    "ex4": dict(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="l2", batch=True),
    # Nielsen, "Neural networks and deep learning", chapter 2: quadratic cost, sigmoid.
    "nielsen": dict(depth=2, hidden="sigmoid", output="sigmoid", loss="mse", reg="none"),
    # CS231n style: ReLU hidden, softmax cross-entropy, samples as rows, lambda sum W^2.
    "cs231n": dict(depth=2, hidden="relu", output="softmax", loss="ce", reg="l2-sum", batch=True,
                   layout="rows"),
}
