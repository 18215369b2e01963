"""verify/instances.py: random instances, and the instances kept by the generator state they come from."""
import numpy as np

from symderiv.engine.network import NetFlags
from symderiv.verify.instances import make_instance


def _after(rng) -> float:
    return float(rng.uniform())      # the generator's next number: equal only if the states are equal


def test_a_kept_draw_is_the_draw_a_fresh_generator_makes_and_moves_it_as_far():
    f = NetFlags(hidden="tanh", batch=True)
    first, again, fresh = (np.random.default_rng(7) for _ in range(3))
    a = make_instance(f, (3, 4, 2), 5, first, scale=3.0)
    b = make_instance(f, (3, 4, 2), 5, again, scale=3.0)            # the same state: the kept instance
    c = make_instance(f, (3, 4, 2), 5, fresh, scale=3.0, kept=False)  # drawn anew
    assert b is a and c is not a
    for x, y in [(a.X, c.X), (a.Y, c.Y), *zip(a.W[1:], c.W[1:]), *zip(a.b[1:], c.b[1:])]:
        assert np.array_equal(x, y)
    assert (a.lam, a.alpha, a.trace.J) == (c.lam, c.alpha, c.trace.J)
    assert _after(first) == _after(again) == _after(fresh)


def test_another_state_shape_or_scale_is_another_draw():
    f = NetFlags()
    a = make_instance(f, (3, 4, 2), 1, np.random.default_rng(8))
    assert make_instance(f, (3, 4, 2), 1, np.random.default_rng(9)) is not a
    assert make_instance(f, (3, 5, 2), 1, np.random.default_rng(8)) is not a
    assert make_instance(f, (3, 4, 2), 1, np.random.default_rng(8), scale=3.0) is not a
    assert make_instance(NetFlags(hidden="relu"), (3, 4, 2), 1, np.random.default_rng(8)) is not a
