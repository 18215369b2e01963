"""The five study notes, encoded: one module per note, registered by id.

Each module holds the note's model (``FLAGS`` plus the prose ``MODEL``), the
bindings of its symbols to symderiv's default notation, and an ``Entry`` per
displayed equation with the LaTeX copied verbatim. Verdicts are never stored
here: ``symderiv check`` computes them.
"""
from __future__ import annotations

import importlib
import pathlib

MODULES = {
    "000": "n000_ex4_sigmoid_cross_entropy",
    "001": "n001_delta_recursion_textbook",
    "002": "n002_softmax_relu_weight_decay",
    "003": "n003_linear_logistic_regression_backprop",
    "004": "n004_one_hidden_layer_binary_classifier",
}


def load(note: str):
    """The note module for an id ('002'), a module name, or a file path in derivations/."""
    key = str(note).strip()
    path = pathlib.Path(key)
    if path.suffix == ".py":
        key = path.stem
    for nid, name in MODULES.items():
        if key in (nid, name) or (key.isdigit() and int(key) == int(nid)):
            return importlib.import_module(f"{__name__}.{name}")
    raise ValueError(f"unknown note {note!r}; known: {', '.join(MODULES)} (or a file in derivations/)")


def all_notes():
    return [load(nid) for nid in MODULES]
