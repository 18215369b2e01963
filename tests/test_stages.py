"""verify/stages.py: the derived truth in stages, computed when a claim reads it (issue 25), in float64."""
import numpy as np
import pytest

from symderiv.engine.network import NetFlags
from symderiv.verify.instances import compiled, make_instance


@pytest.mark.parametrize("flags", [{}, {"hidden": "relu", "output": "softmax", "loss": "ce", "batch": True, "reg": "l2"},
                                   {"hidden": "tanh", "depth": 3, "reg": "l2-sum"},
                                   {"hidden": "identity", "output": "identity", "loss": "mse", "depth": 3, "batch": True},
                                   {"bias": False, "batch": True}])
def test_the_staged_truth_is_the_compiled_trace(flags):
    f = NetFlags(**flags)
    inst = make_instance(f, (3, 4, 5, 2)[:f.depth + 1], 4 if f.batch else 1, np.random.default_rng(0))
    one = compiled(f).trace([(inst.W[l], inst.b[l]) for l in range(1, f.depth + 1)], inst.X, inst.Y, inst.lam)
    for name in ("z", "a", "delta", "dW", "db"):
        for whole, staged in zip(getattr(one, name)[1:], getattr(inst.trace, name)[1:]):
            assert staged.shape == whole.shape and np.allclose(staged, whole, rtol=1e-15, atol=0)
    assert isinstance(inst.trace.J, float) and inst.trace.J == pytest.approx(one.J, rel=1e-15)


def test_a_perturbed_network_whose_cost_alone_is_read_runs_no_backward_pass():
    f = NetFlags(depth=3)
    inst = make_instance(f, (3, 4, 5, 2), 1, np.random.default_rng(1))
    W = [w if w is None else w + 1e-6 for w in inst.W]
    moved = inst.with_parameters(W, inst.b)
    assert moved.trace.J != inst.trace.J
    assert set(moved.trace._done) == {"z1", "a1", "z2", "a2", "z3", "J"}     # the stable loss reads z^{(L)}
