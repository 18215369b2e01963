"""backends.py: the JAX and PyTorch backends compute what the NumPy backend computes.

The NumPy backend is checked against finite differences and SymPy in
test_numeric.py; here each other backend must equal it to 1e-10 in float64
(gradients, loss, trace, predict), take and return its own arrays, and fail
in one line naming the extra when its library is missing. The fast suite
runs a few representative networks; the whole activation x loss x
regulariser grid (both layouts) runs with ``pytest -m exhaustive``.
"""
import itertools
import sys

import numpy as np
import pytest
import sympy as sp

import symderiv
from oracles import relative_error
from symderiv.engine import backends
from symderiv import cli
from symderiv.training import data, train
from symderiv.engine.network import NetFlags

t = sp.Symbol("t")
SOFTPLUS = sp.Lambda(t, sp.log(1 + sp.exp(t)))                # in no table: its derivative is derived
HIDDEN = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "identity": "identity", "softplus": SOFTPLUS}
PAIRS = [("sigmoid", "bce"), ("softmax", "ce"), ("identity", "mse"), ("sigmoid", "mse")]
REGS = ["none", "l2", "l2-sum"]
LAM = 0.3


# ---- the two libraries, each as: import it, and turn a NumPy array into its array ------------

def _jax():
    jax = pytest.importorskip("jax")
    return jax, jax.numpy.asarray


def _torch():
    torch = pytest.importorskip("torch")
    return torch, torch.from_numpy


LIBRARIES = {"jax": _jax, "torch": _torch}


@pytest.fixture(autouse=True)
def float64_jax():
    """Float64 in JAX for these tests only (JAX's default is float32)."""
    try:
        import jax
    except ImportError:
        yield
        return
    with jax.enable_x64(True):
        yield


def instance(hidden, output, loss, reg, depth=2, layout="columns", m=6, seed=0):
    """A network, random parameters away from relu's kink, and data, in the network's layout."""
    rng = np.random.default_rng(seed)
    sizes = [3, 5, 4, 6][:depth] + [3]
    net = symderiv.mlp(sizes, hidden=HIDDEN[hidden], output=output, loss=loss, reg=reg, layout=layout)
    params = [(rng.normal(size=W.shape), rng.normal(scale=0.5, size=b.shape)) for W, b in net.init_params()]
    params = [(W, b + 0.05 * np.sign(b)) for W, b in params]
    X = rng.normal(size=(sizes[0], m))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)] if output == "softmax" \
        else rng.uniform(size=(sizes[-1], m))
    if layout == "rows":
        X, Y = X.T, Y.T
    return net, params, X, Y


def to_numpy(A):
    return A.detach().cpu().numpy() if hasattr(A, "detach") else np.asarray(A)


def assert_backend_equals_numpy(backend, net, params, X, Y):
    lib, convert = LIBRARIES[backend]()
    ref = net.lambdify()
    num = net.lambdify(backend=backend)
    p = [(convert(W), convert(b)) for W, b in params]
    Xb, Yb = convert(X), convert(Y)
    grads = num.gradients(p, Xb, Yb, lam=LAM)
    want = ref.gradients(params, X, Y, lam=LAM)
    got = [(to_numpy(dW), to_numpy(db)) for dW, db in grads]
    assert [g.shape for pair in got for g in pair] == [w.shape for pair in want for w in pair]
    assert relative_error(got, want) < 1e-10
    array_type = type(Xb)
    assert all(isinstance(g, array_type) and g.dtype == Xb.dtype for pair in grads for g in pair)
    assert float(num.loss(p, Xb, Yb, lam=LAM)) == pytest.approx(ref.loss(params, X, Y, lam=LAM), rel=1e-12)
    assert np.allclose(to_numpy(num.predict(p, Xb)), ref.predict(params, X), rtol=1e-12, atol=1e-14)
    return num, p, Xb, Yb


REPRESENTATIVE = [
    ("sigmoid", "sigmoid", "bce", "l2", 2, "columns"),      # note 000 / ex4
    ("relu", "softmax", "ce", "l2-sum", 3, "rows"),         # CS231n style, samples as rows
    ("softplus", "identity", "mse", "none", 2, "columns"),  # a custom SymPy activation
    ("tanh", "sigmoid", "mse", "l2", 2, "rows"),
]


@pytest.mark.parametrize("backend", LIBRARIES)
@pytest.mark.parametrize("case", REPRESENTATIVE, ids=lambda c: "-".join(map(str, c)))
def test_gradients_loss_and_predict_equal_numpy(backend, case):
    hidden, output, loss, reg, depth, layout = case
    assert_backend_equals_numpy(backend, *instance(hidden, output, loss, reg, depth, layout))


@pytest.mark.parametrize("backend", LIBRARIES)
def test_trace_equals_numpy_layer_by_layer(backend):
    net, params, X, Y = instance("tanh", "softmax", "ce", "l2", depth=3)
    num, p, Xb, Yb = assert_backend_equals_numpy(backend, net, params, X, Y)
    got, want = num.trace(p, Xb, Yb, lam=LAM), net.lambdify().trace(params, X, Y, lam=LAM)
    assert float(got.J) == pytest.approx(want.J, rel=1e-12)
    for name in ("z", "a", "delta", "fprime", "dW", "db"):
        for l, (g, w) in enumerate(zip(getattr(got, name), getattr(want, name))):
            assert (g is None) == (w is None), (name, l)
            if w is not None:
                assert np.allclose(to_numpy(g), w, rtol=1e-10, atol=1e-13), (name, l)


# ---- JAX: jit-compiled, JAX arrays through and through --------------------------------------

def test_jax_functions_compose_with_jit_and_grad():
    """No NumPy round trip: the functions run on tracers inside the user's own jit and grad."""
    jax, convert = _jax()
    net, params, X, Y = instance("sigmoid", "softmax", "ce", "l2")
    num = net.lambdify(backend="jax")
    p = [(convert(W), convert(b)) for W, b in params]
    derived = num.gradients(p, X, Y, lam=LAM)                      # NumPy data is accepted as input
    inside = jax.jit(lambda p, X, Y: num.gradients(p, X, Y, LAM))(p, X, Y)
    autodiff = jax.grad(lambda p: num.loss(p, X, Y, LAM))(p)      # autodiff of the lambdified J
    as_np = lambda g: [(np.asarray(dW), np.asarray(db)) for dW, db in g]  # noqa: E731
    assert relative_error(as_np(inside), as_np(derived)) < 1e-14
    assert relative_error(as_np(autodiff), as_np(derived)) < 1e-12
    assert isinstance(num.loss(p, X, Y, LAM), jax.Array) and num.loss(p, X, Y, LAM).shape == ()


# ---- PyTorch: tensors on their own device, no autograd bookkeeping ---------------------------

def test_torch_keeps_the_tensors_device_and_dtype():
    """On the 'meta' device (shapes only, no data) every result stays there: nothing assumes CPU."""
    torch, _ = _torch()
    net, params, X, Y = instance("relu", "softmax", "ce", "l2", depth=3, layout="rows")
    num = net.lambdify(backend="torch")
    meta = lambda A: torch.empty(A.shape, dtype=torch.float32, device="meta")  # noqa: E731
    p = [(meta(W), meta(b)) for W, b in params]
    grads = num.gradients(p, meta(X), meta(Y), lam=LAM)
    assert [(g.device.type, g.dtype, tuple(g.shape)) for pair in grads for g in pair] == \
        [("meta", torch.float32, P.shape) for pair in params for P in pair]
    tr = num.trace(p, meta(X), meta(Y), lam=LAM)
    assert {x.device.type for xs in (tr.z[1:], tr.fprime[1:], tr.delta[1:]) for x in xs} == {"meta"}
    assert num.predict(p, meta(X)).device.type == "meta"


def test_torch_gradients_ignore_requires_grad():
    """Parameters that are nn.Parameters still get plain derived gradients, no autograd graph."""
    torch, convert = _torch()
    net, params, X, Y = instance("sigmoid", "sigmoid", "bce", "l2")
    p = [(torch.nn.Parameter(convert(W)), torch.nn.Parameter(convert(b))) for W, b in params]
    grads = net.lambdify(backend="torch").gradients(p, convert(X), convert(Y), lam=LAM)
    assert not any(g.requires_grad for pair in grads for g in pair)
    want = net.lambdify().gradients(params, X, Y, lam=LAM)
    assert relative_error([(dW.numpy(), db.numpy()) for dW, db in grads], want) < 1e-10


# ---- the missing library, and the command line -----------------------------------------------

@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_missing_library_is_one_line_naming_the_extra(backend, monkeypatch):
    monkeypatch.setitem(sys.modules, backend, None)     # import now raises ImportError
    with pytest.raises(backends.BackendUnavailable) as info:
        symderiv.mlp([2, 3]).lambdify(backend=backend)
    message = str(info.value)
    assert f"pip install 'symderiv[{backend}]'" in message and "\n" not in message


def test_unknown_backend_is_a_value_error():
    with pytest.raises(ValueError, match="unknown backend 'tensorflow'; known: numpy, jax, torch"):
        symderiv.mlp([2, 3]).lambdify(backend="tensorflow")


def test_train_backend_flag_without_the_library_exits_2(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "jax", None)
    assert cli.main(["train", "--dataset", "digits", "--backend", "jax", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "symderiv[jax]" in err


@pytest.mark.parametrize("backend", LIBRARIES)
def test_training_on_a_backend_follows_the_numpy_run(backend):
    """Same data, weights and batch order: the curves agree to float64 round-off."""
    LIBRARIES[backend]()
    dataset = data.load("digits")
    config = train.TrainConfig(epochs=2, hidden_units=8)
    flags = NetFlags(hidden="relu", output="softmax", reg="l2", layout="rows")
    ref = train.fit(dataset, config, flags, progress=False).history
    got = train.fit(dataset, config, flags, progress=False, backend=backend).history
    assert np.allclose(got.objective, ref.objective, rtol=1e-10)
    assert got.test_acc == ref.test_acc and got.train_acc == ref.train_acc


# ---- the whole grid, behind the marker ---------------------------------------------------------

GRID = [(h, *pair, reg, 1 + n % 3, layout) for n, (h, pair, reg, layout) in
        enumerate(itertools.product(HIDDEN, PAIRS, REGS, ["columns", "rows"]))]


@pytest.mark.exhaustive
@pytest.mark.parametrize("backend", LIBRARIES)
@pytest.mark.parametrize("case", GRID, ids=lambda c: "-".join(map(str, c)))
def test_every_combination_equals_numpy(backend, case):
    hidden, output, loss, reg, depth, layout = case
    assert_backend_equals_numpy(backend, *instance(hidden, output, loss, reg, depth, layout))


@pytest.mark.parametrize("hidden, output, loss", [("sigmoid", "sigmoid", "bce"), ("relu", "softmax", "ce"),
                                                  ("tanh", "identity", "mse")])
def test_numpy_keeps_float32_and_agrees_with_float64(hidden, output, loss):
    """float32 in: computed and returned in float32 (no silent upcast), equal to float64 to float32 precision."""
    net, params, X, Y = instance(hidden, output, loss, "l2", depth=3, layout="columns")
    num = net.lambdify()
    f32 = lambda A: A.astype(np.float32)  # noqa: E731
    p32 = [(f32(W), f32(b)) for W, b in params]
    g32, g64 = num.gradients(p32, f32(X), f32(Y), lam=LAM), num.gradients(params, X, Y, lam=LAM)
    assert {a.dtype for pair in g32 for a in pair} == {np.dtype(np.float32)}
    assert {a.dtype for pair in g64 for a in pair} == {np.dtype(np.float64)}
    for (dW32, db32), (dW, db) in zip(g32, g64):
        assert relative_error(dW32, dW) < 1e-5 and relative_error(db32, db) < 1e-5
    tr = num.trace(p32, f32(X), f32(Y), lam=LAM)
    assert {x.dtype for xs in (tr.z[1:], tr.delta[1:]) for x in xs} == {np.dtype(np.float32)}
    assert num.predict(p32, f32(X)).dtype == np.float32


def test_numpy_mixed_precision_computes_in_float64():
    net, params, X, Y = instance("sigmoid", "sigmoid", "bce", "none", depth=2, layout="columns")
    grads = net.lambdify().gradients(params, X.astype(np.float32), Y, lam=LAM)
    assert {a.dtype for pair in grads for a in pair} == {np.dtype(np.float64)}
