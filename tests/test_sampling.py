"""tests/sampling.py: the default run's sample of a grid holds every axis value; the rest is exhaustive."""
import itertools

from sampling import covering_sample, split_grid

GRID = list(itertools.product(["sigmoid", "tanh", "relu"], ["bce", "ce", "mse", "hinge"], [1, 2, 3, 4, 5]))


def test_sample_covers_every_value_of_every_axis_and_is_fixed():
    sample = covering_sample(GRID, seed=8)
    for axis in range(3):
        assert {point[axis] for point in sample} == {point[axis] for point in GRID}
    assert len(sample) < len(GRID) // 4
    assert sample == covering_sample(GRID, seed=8)          # the same points on every run
    assert sample == [p for p in GRID if p in sample]        # in grid order, so ids are stable


def test_axes_choose_what_must_be_covered_and_extra_adds_points():
    by_loss = covering_sample(GRID, seed=3, axes=lambda p: (p[1],))
    assert sorted(p[1] for p in by_loss) == ["bce", "ce", "hinge", "mse"]
    assert len(covering_sample(GRID, seed=3, axes=lambda p: (p[1],), extra=5)) == 9


def test_split_marks_exactly_the_points_outside_the_sample():
    sample = covering_sample(GRID, seed=8)
    params = split_grid(GRID, sample, ids=lambda p: "-".join(map(str, p)))
    assert [tuple(p.values) for p in params] == GRID
    marked = [tuple(p.values) for p in params if any(m.name == "exhaustive" for m in p.marks)]
    assert sorted(marked + sample) == sorted(GRID) and not set(marked) & set(sample)
    assert params[0].id == "sigmoid-bce-1"
