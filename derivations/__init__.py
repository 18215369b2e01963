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
    shown = repr(key if len(key) <= 40 else key[:40] + "...")
    path = pathlib.Path(key)
    if path.suffix == ".py":
        if len(path.parts) > 1 and not path.is_file():  # a path, not a bare module file name
            raise ValueError(f"{shown}: no such file")
        if len(path.parts) > 1 and path.resolve().parent != pathlib.Path(__file__).resolve().parent:
            raise ValueError(f"{shown} is not a note file of derivations/")
        key = path.stem
    for nid, name in MODULES.items():
        if key in (nid, name) or (key.isdigit() and len(key) <= 6 and int(key) == int(nid)):
            return importlib.import_module(f"{__name__}.{name}")
    raise ValueError(f"unknown note {shown}; known: {', '.join(MODULES)} (or a file in derivations/)")


def all_notes():
    return [load(nid) for nid in MODULES]
