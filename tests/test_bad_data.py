"""Bad data and settings are refused with one clear line (data.py, train.py, network.py, activations.py)."""
import io
import zipfile

import numpy as np
import pytest
import sympy as sp

import symderiv
from symderiv import cli
from symderiv.training import data, train
from symderiv.engine.network import NetFlags

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4))
TWO_CLASSES = np.arange(60) % 2


@pytest.mark.parametrize("X_, y, message", [
    (X, np.r_[np.zeros(59), np.nan], "labels contain NaN or infinite values"),
    (X, np.r_[np.zeros(59), np.inf], "labels contain NaN or infinite values"),
    (np.r_[X[:59], [[np.nan] * 4]], TWO_CLASSES, "X contains NaN or infinite values"),
    (np.r_[X[:59], [[-np.inf] * 4]], TWO_CLASSES, "X contains NaN or infinite values"),
    (X, RNG.normal(size=60) * 60, "labels must be integer class ids"),   # 60 distinct float labels
    (X, TWO_CLASSES + 0.5, "labels must be integer class ids, got 0.5"),
    (X, TWO_CLASSES.astype(complex), "labels must be integer class ids"),
    (X * 1e300, TWO_CLASSES, "too large to standardise"),
])
def test_bad_arrays_are_refused_naming_the_problem(X_, y, message):
    with pytest.raises(ValueError, match=message):
        data._labelled("set", X_, y)


def test_whole_number_float_labels_are_classes():
    d = data._labelled("set", X, (np.arange(60) % 3).astype(float))
    assert d.classes == (0.0, 1.0, 2.0) and sorted(set(d.y.tolist())) == [0, 1, 2]


def test_the_scaler_refuses_features_whose_variance_overflows():
    with pytest.raises(ValueError, match="too large to standardise"):
        data.Scaler.fit(np.array([[1e200], [-1e200], [3.0]]))


def test_a_class_per_sample_is_named_as_such():
    d = data._labelled("set", X[:5], np.arange(5))
    with pytest.raises(ValueError, match="every one of the 5 classes has a single sample"):
        data.split(d)


# ---- .npz over the size limit ------------------------------------------------------

def _npz_with_header(path, shape, dtype="<f8", payload=b""):
    """An .npz whose X header declares ``shape`` but holds only ``payload``: a bomb without the bytes."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": dtype, "fortran_order": False, "shape": shape})
    y = io.BytesIO()
    np.save(y, np.zeros(2, dtype=np.int64))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("X.npy", b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + payload)
        zf.writestr("y.npy", y.getvalue())


def test_npz_declaring_more_than_the_limit_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "bomb.npz"
    _npz_with_header(path, (1_000_000, 100_000))  # 800 GB of float64 declared, a few bytes stored
    assert path.stat().st_size < 2000
    with pytest.raises(ValueError, match=r"would take 745\.1 GiB decompressed; the limit is 1 GiB"):
        data.load(str(path))


def test_npz_limit_counts_the_decompressed_size(tmp_path, monkeypatch):
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, X=np.zeros((2000, 100), dtype=np.uint8), y=np.arange(2000) % 2)
    assert path.stat().st_size < 20_000
    monkeypatch.setattr(data, "MAX_NPZ_BYTES", 1_000_000)
    with pytest.raises(ValueError, match=r"GiB decompressed"):
        data.load(str(path))
    monkeypatch.setattr(data, "MAX_NPZ_BYTES", 2_000_000)  # 1.6 MB of X as float64 + 16 kB of y fits
    assert data.load(str(path)).X.shape == (2000, 100)


# ---- the network spec ------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [[2.7, 3.9], "32", [3], [3, 0], [4, -1, 2], [True, 2], None, [2, "3"]])
def test_sizes_must_be_positive_integers(sizes):
    with pytest.raises(ValueError, match="sizes must be"):
        symderiv.mlp(sizes)


def test_integer_sizes_of_any_integer_type_are_accepted():
    assert symderiv.mlp(np.array([4, 5, 3])).sizes == (4, 5, 3)
    assert symderiv.mlp((np.int64(2), 3)).sizes == (2, 3)


@pytest.mark.parametrize("output, loss, valid", [
    ("sigmoid", "ce", "bce or mse"), ("identity", "bce", "mse"), ("identity", "ce", "mse"),
    ("softmax", "bce", "ce or mse"), ("tanh", "bce", "mse"),
])
def test_a_loss_that_does_not_fit_the_output_is_refused_naming_the_valid_ones(output, loss, valid):
    with pytest.raises(ValueError, match=f"loss {loss} does not fit output {output}: .*--loss {valid}$"):
        symderiv.mlp([3, 4, 2], output=output, loss=loss)


@pytest.mark.parametrize("output, loss", [("sigmoid", "bce"), ("sigmoid", "mse"), ("softmax", "ce"),
                                          ("softmax", "mse"), ("identity", "mse"), ("tanh", "mse")])
def test_fitting_losses_are_accepted(output, loss):
    assert symderiv.mlp([3, 4, 2], output=output, loss=loss).loss.name == loss


def test_a_custom_activation_must_return_a_sympy_expression(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="returned str, not a SymPy expression"):
        symderiv.mlp([3, 4, 2], hidden=lambda t: "__import__('os').system('touch pwned') or z")
    assert not (tmp_path / "pwned").exists()
    net = symderiv.mlp([3, 4, 2], hidden=lambda t: sp.log(1 + sp.exp(t)), output="identity", loss="mse")
    assert net.hidden.name == "softplus"


# ---- training -------------------------------------------------------------------------

def history(*objective):
    h = train.History()
    h.objective.extend(objective)
    return h


def test_divergence_stops_at_the_first_non_finite_or_exploding_objective():
    train.check_diverged(history(2.3, 5.0, 900.0), 2)  # rose, but less than 1000x
    with pytest.raises(train.TrainingDiverged, match="epoch 3 .*rose from 2.3 to 2.4e\\+03.*lower --lr"):
        train.check_diverged(history(2.3, 5.0, 2400.0), 3)
    with pytest.raises(train.TrainingDiverged, match="epoch 1 .*not finite"):
        train.check_diverged(history(0.7, np.nan), 1)
    with pytest.raises(train.TrainingDiverged, match="not finite"):
        train.check_diverged(history(0.7, np.inf), 1)


def test_a_huge_learning_rate_stops_training_in_the_first_epoch():
    d = data._labelled("set", X, TWO_CLASSES)
    with pytest.raises(train.TrainingDiverged, match="diverged at epoch 1 "):
        train.fit(d, train.TrainConfig(epochs=30, lr=1e6, hidden_units=5), progress=False)


def test_memory_estimate_counts_parameters_and_activations():
    net = symderiv.mlp([64, 25, 10])
    params = 64 * 25 + 25 + 25 * 10 + 10
    assert train.memory_needed(net, 1000, 32) == 8 * (4 * params + 4 * (64 + 25 + 10) * 1000)


def test_a_network_too_large_for_memory_is_refused_before_allocating():
    d = data._labelled("set", X, TWO_CLASSES)
    with pytest.raises(ValueError, match=r"4-10000000-2 network on 60 samples needs about .* lower --hidden-units"):
        train.fit(d, train.TrainConfig(hidden_units=10_000_000), progress=False)


@pytest.mark.parametrize("options, message", [
    (["--seed", "-1"], "--seed must be an integer >= 0, got -1"),
    (["--plot", "."], "--plot: '.' is a directory"),
    (["--plot", "curves"], "--plot: 'curves' must end in .png"),
    (["--plot", "/nonexistent/x.png"], "directory /nonexistent does not exist"),
])
def test_train_options_are_checked_before_training(options, message, capsys):
    assert cli.main(["train", "--dataset", "digits", *options]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_loss_output_mismatch_is_exit_2_from_the_cli(capsys):
    assert cli.main(["train", "--dataset", "digits", "--output", "sigmoid", "--loss", "ce"]) == 2
    assert "with output sigmoid use --loss bce or mse" in capsys.readouterr().err


def test_nan_labels_in_an_npz_are_exit_2(tmp_path, capsys):
    path = tmp_path / "nan.npz"
    np.savez(path, X=X, y=np.r_[np.zeros(59), np.nan])
    assert cli.main(["train", "--dataset", str(path), "--epochs", "1"]) == 2
    assert "labels contain NaN" in capsys.readouterr().err


def test_depth_defaults_cover_the_documented_maximum():
    for depth in range(1, 13):
        sizes = NetFlags(depth=depth).network().sizes
        assert len(sizes) == depth + 1 and len(set(sizes[:-1])) == depth


# ---- the gradients API -------------------------------------------------------------------

@pytest.fixture(scope="module")
def softmax_net():
    net = symderiv.mlp([4, 5, 3], output="softmax")
    return net, net.lambdify(), net.init_params(seed=1)


@pytest.mark.parametrize("make_Y", [lambda Y: Y.argmax(axis=0), lambda Y: Y[:, :1], lambda Y: np.float64(1.0),
                                    lambda Y: Y.T], ids=["labels", "one column", "scalar", "transposed"])
def test_targets_of_the_wrong_shape_are_refused_not_broadcast(softmax_net, make_Y):
    net, num, params = softmax_net
    Xs = RNG.normal(size=(4, 6))
    Y = np.eye(3)[:, [0, 1, 2, 0, 1, 2]]
    with pytest.raises(ValueError, match=r"Y has shape .* needs Y of shape \(3, m\)|X holds 6 samples but Y holds"):
        num.gradients(params, Xs, make_Y(Y))


def test_softmax_ce_targets_must_sum_to_one(softmax_net):
    net, num, params = softmax_net
    Xs = RNG.normal(size=(4, 6))
    Y = np.eye(3)[:, [0, 1, 2, 0, 1, 2]]
    Y[:, 4] = [0.5, 0.0, 0.0]
    with pytest.raises(ValueError, match="column 4 sums to 0.5"):
        num.gradients(params, Xs, Y)
    Y[:, 4] = [0.2, 0.3, 0.5]  # a probability vector is fine: sum_k y_k = 1 holds
    assert num.gradients(params, Xs, Y)[0][0].shape == (5, 4)


def test_parameters_of_the_wrong_shape_are_refused(softmax_net):
    net, num, params = softmax_net
    Y = np.eye(3)[:, [0, 1, 2]]
    with pytest.raises(ValueError, match=r"W1 has shape \(4, 5\)"):
        num.gradients([(params[0][0].T, params[0][1]), params[1]], RNG.normal(size=(4, 3)), Y)
    with pytest.raises(ValueError, match="params has 1 \\(W, b\\) pairs but the network has 2 weight layers"):
        num.gradients(params[:1], RNG.normal(size=(4, 3)), Y)


def test_one_output_unit_takes_a_row_of_targets():
    net = symderiv.mlp([3, 2, 1])
    num, params = net.lambdify(), net.init_params()
    Xs, y = RNG.normal(size=(3, 5)), (np.arange(5) % 2).astype(float)
    assert num.loss(params, Xs, y) == pytest.approx(num.loss(params, Xs, y.reshape(1, -1)), rel=1e-15)


@pytest.mark.parametrize("change, message", [
    (lambda X, Y, lam: (X + 1j, Y, lam), "got complex numbers"),
    (lambda X, Y, lam: (X.astype(str), Y, lam), "dtype <U"),
    (lambda X, Y, lam: (X.astype(object), Y, lam), "dtype object"),
    (lambda X, Y, lam: (X, Y, 0.1 + 1j), "lam must be a real number"),
    (lambda X, Y, lam: (X, Y, "0.1"), "lam must be a real number"),
], ids=["complex X", "numeric strings", "objects", "complex lam", "string lam"])
def test_values_that_would_be_silently_coerced_are_refused(softmax_net, change, message):
    net, num, params = softmax_net
    X, Y, lam = change(RNG.normal(size=(4, 6)), np.eye(3)[:, [0, 1, 2, 0, 1, 2]], 0.1)
    with pytest.raises(TypeError, match=message):
        num.gradients(params, X, Y, lam)


def test_no_samples_is_refused_not_divided_by(softmax_net):
    net, num, params = softmax_net
    with pytest.raises(ValueError, match="X holds no samples"):
        num.gradients(params, np.zeros((4, 0)), np.zeros((3, 0)))
    with pytest.raises(ValueError, match="X holds no samples"):
        num.loss(params, np.zeros((4, 0)), np.zeros((3, 0)))
