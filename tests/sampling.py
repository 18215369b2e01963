"""Which points of a test grid the default run checks; the others carry the ``exhaustive`` marker.

The README's ``python -m pytest`` must stay fast (under two minutes on two
cores) without leaving any behaviour untested. So from each large grid the
default run takes a fixed pseudo-random sample in which every value of every
axis (each activation, loss, regulariser, depth, layout, note flags, ...)
appears at least once; every other point is marked ``exhaustive`` and runs
under ``python -m pytest -m exhaustive``. ``.ci/run`` runs both commands, so
between them every point of every grid runs exactly once.
"""
from __future__ import annotations

import random

import pytest

EXHAUSTIVE = pytest.mark.exhaustive


def covering_sample(grid, seed, axes=lambda point: point, extra=0):
    """A fixed subset of ``grid`` in which each value of each axis appears at least once.

    ``axes(point)`` gives the values that must each be covered (by default the
    point's own fields). The grid is walked in a seeded shuffled order and a
    point is kept when it brings a value not yet covered, then ``extra`` more
    points of that order are added. Returned in grid order, so ids are stable.
    """
    order = list(grid)
    random.Random(seed).shuffle(order)
    missing = {(n, value) for point in grid for n, value in enumerate(axes(point))}
    chosen = []
    for point in order:
        brings = set(enumerate(axes(point))) & missing
        if brings:
            chosen.append(point)
            missing -= brings
    chosen += [point for point in order if point not in chosen][:extra]
    return [point for point in grid if point in chosen]


def split_grid(grid, sample, ids=None):
    """One ``pytest.param`` per grid point (a tuple of argument values); points outside ``sample`` are exhaustive.

    ``ids(point)``, when given, names each point; otherwise ``parametrize``'s own ``ids`` apply.
    """
    return [pytest.param(*point, marks=() if point in sample else EXHAUSTIVE, id=ids(point) if ids else None)
            for point in grid]
