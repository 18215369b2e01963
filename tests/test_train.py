"""train.py: the documented default command reaches 95% on digits; the optimiser's bookkeeping."""
import re

import numpy as np
import pytest

import symderiv
from symderiv import cli
from symderiv.training import data, train
from symderiv.engine.network import NetFlags


@pytest.fixture(scope="module")
def digits():
    return data.load("digits")


def test_documented_default_command_reaches_95_percent_and_plots(tmp_path, capsys):
    """``symderiv train --dataset digits --plot FILE`` exactly as the docs give it."""
    import matplotlib.image
    png = tmp_path / "digits.png"
    assert cli.main(["train", "--dataset", "digits", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert float(re.search(r"final test accuracy: ([\d.]+)%", out).group(1)) >= 95.0
    # note 000's model adapted to digits, chosen because no NET FLAGS were given
    assert "64-25-10 network, hidden sigmoid, output sigmoid, loss bce, regulariser l2" in out
    image = matplotlib.image.imread(png)
    height, width = image.shape[:2]
    assert width > 2 * height > 600               # two panels side by side
    assert image[..., :3].std() > 0.05            # not blank


def test_history_has_one_entry_per_epoch_plus_the_start(digits):
    h = train.fit(digits, train.TrainConfig(epochs=3), progress=False).history
    for curve in (h.train_loss, h.test_loss, h.train_acc, h.test_acc, h.objective):
        assert len(curve) == 4
    assert h.train_loss[-1] < h.train_loss[0] / 3
    assert h.objective[-1] > h.train_loss[-1]        # l2 penalty is included in the objective only


def test_training_is_deterministic_given_the_seed(digits):
    a = train.fit(digits, train.TrainConfig(epochs=2, seed=5), progress=False).history
    b = train.fit(digits, train.TrainConfig(epochs=2, seed=5), progress=False).history
    c = train.fit(digits, train.TrainConfig(epochs=2, seed=6), progress=False).history
    assert a.train_loss == b.train_loss
    assert a.train_loss != c.train_loss


def test_rows_layout_trains_exactly_like_columns(digits):
    config = train.TrainConfig(epochs=2, hidden_units=7)
    cols = train.fit(digits, config, NetFlags(reg="l2"), progress=False)
    rows = train.fit(digits, config, NetFlags(reg="l2", layout="rows"), progress=False)
    assert np.allclose(cols.history.train_loss, rows.history.train_loss, rtol=1e-12)
    for (Wc, bc), (Wr, br) in zip(cols.params, rows.params):
        assert np.allclose(Wc, Wr.T, rtol=1e-10, atol=1e-13)


def test_batches_cover_every_sample_once():
    batches = train.batch_order(103, 10, np.random.default_rng(0))
    assert [len(b) for b in batches] == [10] * 10 + [3]
    assert sorted(np.concatenate(batches).tolist()) == list(range(103))


@pytest.mark.parametrize("reg, factor", [("l2", 32 / 1000), ("l2-sum", 1.0), ("none", 1.0)])
def test_batch_lambda_gives_each_batch_the_full_set_penalty(reg, factor):
    net = symderiv.mlp([3, 2], reg=reg)
    assert train.batch_lambda(net)(2.0, 32, 1000) == pytest.approx(2.0 * factor)


def test_one_full_batch_epoch_is_one_gradient_step(digits):
    """With batch = training set, an epoch is W <- W - lr dJ/dW on the whole set."""
    net = train.network_for(digits, train.DEFAULT_FLAGS, 6)
    num = net.lambdify()
    tr, _ = data.split(digits, 0.2, seed=0)
    problem = train.Problem(net, tr, data.Scaler.fit(tr.X))
    config = train.TrainConfig(batch_size=10_000, lr=0.3, lam=2.0)
    params = net.init_params(seed=1)
    got = train.sgd_epoch(num, params, problem, config, np.random.default_rng(0))
    grads = num.gradients(params, problem.X, problem.Y, 2.0)
    for (W, b), (dW, db), (W2, b2) in zip(params, grads, got):
        assert np.allclose(W2, W - 0.3 * dW, rtol=1e-12) and np.allclose(b2, b - 0.3 * db, rtol=1e-12)


BAD_OPTIONS = [(["--epochs", "0"], "--epochs must be at least 1"),
               (["--lr", "-1"], "--lr must be a positive number"),
               (["--lam", "-0.1"], "--lam must be a number >= 0"),
               (["--batch-size", "0"], "--batch-size must be at least 1"),
               (["--hidden-units", "0"], "--hidden-units must be at least 1")]


@pytest.mark.parametrize("options, message", BAD_OPTIONS)
def test_bad_options_are_one_line_errors_with_exit_2(options, message, capsys):
    assert cli.main(["train", "--dataset", "digits", *options]) == 2
    assert message in capsys.readouterr().err


def test_divergence_is_reported_not_trained_through(digits):
    with pytest.raises(ValueError, match="diverged at epoch .*lower --lr"):
        train.fit(digits, train.TrainConfig(epochs=5, lr=1e6), progress=False)


def test_net_flags_replace_the_ex4_defaults(capsys):
    assert cli.main(["train", "--dataset", "digits", "--epochs", "1", "--output", "softmax"]) == 0
    out = capsys.readouterr().out
    assert "output softmax, loss ce, regulariser none" in out


def test_npz_dataset_trains_end_to_end(tmp_path, capsys):
    rng = np.random.default_rng(0)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    labels = rng.integers(0, 3, 300)
    path = tmp_path / "blobs.npz"
    np.savez(path, X=centres[labels] + 0.5 * rng.normal(size=(300, 2)), y=np.array(["a", "b", "c"])[labels])
    assert cli.main(["train", "--dataset", str(path), "--epochs", "20", "--hidden-units", "8"]) == 0
    out = capsys.readouterr().out
    assert "2-8-3 network" in out
    assert float(re.search(r"final test accuracy: ([\d.]+)%", out).group(1)) >= 90.0


def test_a_plot_path_that_is_a_symbolic_link_is_refused_before_training(tmp_path):
    (tmp_path / "link.png").symlink_to(tmp_path / "elsewhere.png")
    with pytest.raises(ValueError, match="symbolic link"):
        train.check_plot_path(str(tmp_path / "link.png"))


def test_a_batch_larger_than_the_data_needs_no_more_memory_than_the_whole_set():
    net = NetFlags().network([64, 25, 10])
    assert train.memory_needed(net, 1797, 10**12) == train.memory_needed(net, 1797, 1797)
