"""A Jupyter notebook (.ipynb) read as a document: its Markdown cells, each read as Markdown.

The notebook is JSON (nbformat 4: ``{"cells": [{"cell_type", "source"}, ...]}``); only its
Markdown cells are read, code and raw cells are not. A line of maths is named by its cell (counted
from 1 over all cells, as Jupyter shows them) and its line in that cell: ``C3L5``. The first
Markdown cell may open with a ``---`` front matter, as a Markdown file does. JSON is parsed by the
standard library's ``json`` (data only; nothing is evaluated).
"""
from __future__ import annotations

import json

from .settings import DocumentError


def markdown_cells(text: str, path) -> list[tuple[int, str]]:
    """(cell number from 1, its text) for every Markdown cell of the notebook in ``text``."""
    try:
        notebook = json.loads(text)
    except RecursionError:
        raise DocumentError(f"{path}: not a notebook (its JSON is nested too deeply)") from None
    except ValueError as exc:
        raise DocumentError(f"{path}: not a notebook (JSON error at line {getattr(exc, 'lineno', '?')}: "
                            f"{getattr(exc, 'msg', exc)})") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise DocumentError(f"{path}: not a notebook (no list of cells; nbformat 4 is read)")
    out = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(piece, str) for piece in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise DocumentError(f"{path}: cell {number}: its source is neither text nor a list of lines")
        out.append((number, source))
    return out
