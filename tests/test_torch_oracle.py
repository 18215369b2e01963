"""symderiv training equals a PyTorch-autograd run from the same weights, to float64 round-off.

PyTorch is an optional oracle: these tests skip without it (CI installs it).
The torch side shares only the data, the initial weights and the batch order
with symderiv; its loss is written here with torch's own functions
(``binary_cross_entropy_with_logits``, ``cross_entropy``) and differentiated by
autograd.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from symderiv.training import data

from symderiv.training import train  # noqa: E402
from symderiv.engine.network import NetFlags  # noqa: E402


def _bce(Z, Y):
    return F.binary_cross_entropy_with_logits(Z, Y, reduction="sum")


def _ce(Z, Y):  # columns are samples; torch wants samples as rows and class indices
    return F.cross_entropy(Z.T, Y.argmax(dim=0), reduction="sum")


# (output, loss) -> summed data loss from the logits; regulariser -> penalty(W list, lambda, m)
DATA_LOSS = {("sigmoid", "bce"): _bce, ("softmax", "ce"): _ce}
PENALTY = {"l2": lambda Ws, lam, m: lam / (2 * m) * sum((W ** 2).sum() for W in Ws),
           "l2-sum": lambda Ws, lam, m: lam * sum((W ** 2).sum() for W in Ws),
           "none": lambda Ws, lam, m: 0.0}
HIDDEN = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def torch_objective(flags, params, X, Y, lam):
    A = X
    for W, b in params[:-1]:
        A = HIDDEN[flags.hidden](W @ A + b)
    W, b = params[-1]
    m = X.shape[1]
    return DATA_LOSS[(flags.output, flags.loss)](W @ A + b, Y) / m + \
        PENALTY[flags.reg]([W for W, _ in params], lam, m)


def torch_run(flags, config, dataset, init):
    """The same mini-batch gradient descent as train.fit, on torch tensors with autograd."""
    tr, te = data.split(dataset, config.test_fraction, config.seed)
    scale = data.Scaler.fit(tr.X)
    tensor = lambda A: torch.tensor(np.ascontiguousarray(A), dtype=torch.float64)  # noqa: E731
    X, Y = tensor(scale(tr.X).T), tensor(data.one_hot(tr.y, dataset.n_classes).T)
    Xt, Yt = tensor(scale(te.X).T), tensor(data.one_hot(te.y, dataset.n_classes).T)
    params = [(tensor(W).requires_grad_(), tensor(b).requires_grad_()) for W, b in init]
    rng = np.random.default_rng(config.seed)
    m = X.shape[1]
    lam_share = {"l2": lambda b: config.lam * b / m}.get(flags.reg, lambda b: config.lam)

    def losses():
        with torch.no_grad():
            return (torch_objective(flags, params, X, Y, 0.0).item(),
                    torch_objective(flags, params, Xt, Yt, 0.0).item())

    curve = [losses()]
    for _ in range(config.epochs):
        for rows in train.batch_order(m, config.batch_size, rng):
            idx = torch.as_tensor(rows)
            J = torch_objective(flags, params, X[:, idx], Y[:, idx], lam_share(len(rows)))
            grads = torch.autograd.grad(J, [p for pair in params for p in pair])
            with torch.no_grad():
                for p, g in zip([p for pair in params for p in pair], grads):
                    p -= config.lr * g
        curve.append(losses())
    return np.array(curve), [(W.detach().numpy(), b.detach().numpy()) for W, b in params]


CASES = {
    "ex4: sigmoid, bce, l2": NetFlags(hidden="sigmoid", output="sigmoid", loss="bce", reg="l2"),
    "tanh, softmax, ce, l2-sum": NetFlags(hidden="tanh", output="softmax", loss="ce", reg="l2-sum"),
    "relu, 3 layers, sigmoid, bce": NetFlags(depth=3, hidden="relu", output="sigmoid", loss="bce", reg="none"),
}


@pytest.mark.parametrize("name", CASES)
def test_loss_curve_equals_pytorch_autograd_to_round_off(name):
    flags = CASES[name]
    dataset = data.load("digits")
    lam = 0.01 if flags.reg == "l2-sum" else 1.0
    config = train.TrainConfig(epochs=4, lr=0.5, lam=lam, batch_size=64, hidden_units=9, seed=2)
    net = train.network_for(dataset, flags, config.hidden_units)
    init = net.init_params(seed=config.seed)
    ours = train.fit(dataset, config, flags, progress=False, params=init)
    theirs, torch_params = torch_run(flags, config, dataset, init)
    got = np.column_stack([ours.history.train_loss, ours.history.test_loss])
    assert got.shape == theirs.shape == (config.epochs + 1, 2)
    assert theirs[-1, 0] < 0.5 * theirs[0, 0]        # it did train
    assert np.allclose(got, theirs, rtol=1e-11, atol=0)
    for (W, b), (Wt, bt) in zip(ours.params, torch_params):
        assert np.allclose(W, Wt, rtol=1e-9, atol=1e-12) and np.allclose(b, bt, rtol=1e-9, atol=1e-12)
