"""data.py: the digits set, .npz files and their errors, splits, scaling, one-hot targets."""
import re

import numpy as np
import pytest

from symderiv import cli

from symderiv.training import data


@pytest.fixture(scope="module")
def digits():
    return data.load("digits")


def test_digits_is_the_bundled_8x8_set(digits):
    assert digits.X.shape == (1797, 64)
    assert digits.classes == tuple(range(10))
    assert sorted(set(digits.y.tolist())) == list(range(10))
    assert digits.X.min() == 0 and digits.X.max() == 16


def test_split_is_stratified_disjoint_and_complete(digits):
    train, test = data.split(digits, test_fraction=0.2, seed=3)
    assert len(train.y) + len(test.y) == 1797
    assert len(test.y) == pytest.approx(0.2 * 1797, abs=10)
    # no sample in both parts: compare rows as bytes
    train_rows = {r.tobytes() + bytes([c]) for r, c in zip(train.X, train.y)}
    both = [r for r, c in zip(test.X, test.y) if r.tobytes() + bytes([c]) in train_rows]
    assert len(both) <= 1  # digits has a handful of duplicate images; splits must not copy rows
    for label in range(10):
        share = np.mean(test.y == label) / np.mean(digits.y == label)
        assert 0.9 < share < 1.1, label


def test_split_depends_on_the_seed_only(digits):
    a, b = data.split(digits, 0.2, seed=1), data.split(digits, 0.2, seed=1)
    c = data.split(digits, 0.2, seed=2)
    assert np.array_equal(a[1].X, b[1].X) and np.array_equal(a[1].y, b[1].y)
    assert not np.array_equal(a[1].X, c[1].X)


def test_every_class_reaches_both_parts_even_when_rare():
    X = np.arange(22.0).reshape(11, 2)
    y = np.array([0] * 9 + [1, 1])
    train, test = data.split(data._labelled("tiny", X, y), test_fraction=0.1, seed=0)
    assert set(train.y.tolist()) == {0, 1} and set(test.y.tolist()) == {0, 1}


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5])
def test_split_rejects_a_fraction_outside_0_1(digits, fraction):
    with pytest.raises(ValueError, match="test fraction"):
        data.split(digits, fraction)


def test_scaler_uses_training_statistics_and_keeps_constant_features_finite(digits):
    train, test = data.split(digits, 0.2, seed=0)
    scale = data.Scaler.fit(train.X)
    Xs = scale(train.X)
    assert np.allclose(Xs.mean(axis=0), 0.0, atol=1e-12)
    varying = train.X.std(axis=0) > 0
    assert np.allclose(Xs[:, varying].std(axis=0), 1.0)
    assert np.all(Xs[:, ~varying] == 0.0)          # the always-blank pixels
    assert np.all(np.isfinite(scale(test.X)))


def test_one_hot_has_a_single_one_at_the_label():
    Y = data.one_hot(np.array([2, 0, 2]), 3)
    assert Y.tolist() == [[0, 0, 1], [1, 0, 0], [0, 0, 1]]
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        data.one_hot(np.array([3]), 3)


def test_npz_with_string_labels_loads(tmp_path):
    path = tmp_path / "ok.npz"
    np.savez(path, X=np.arange(12.0).reshape(6, 2), y=np.array(["b", "a", "b", "c", "a", "c"]))
    d = data.load(str(path))
    assert d.classes == ("a", "b", "c")
    assert d.y.tolist() == [1, 0, 1, 2, 0, 2]
    assert d.X.dtype == float and d.name == "ok.npz"


def _save(path, **arrays):
    np.savez(path, **arrays)
    return str(path)


BAD_FILES = {
    "missing y": (lambda p: _save(p, X=np.ones((4, 2))), "missing array(s) y"),
    "missing both": (lambda p: _save(p, Z=np.ones(3)), "missing array(s) X, y"),
    "X 1-D": (lambda p: _save(p, X=np.ones(4), y=np.arange(4)), "X must be a 2-D array"),
    "y 2-D": (lambda p: _save(p, X=np.ones((4, 2)), y=np.ones((4, 2))), "y must be a 1-D array"),
    "lengths": (lambda p: _save(p, X=np.ones((4, 2)), y=np.arange(3)), "X has 4 samples but y has 3"),
    "NaN": (lambda p: _save(p, X=np.array([[np.nan, 1.0], [0, 1]]), y=np.arange(2)), "NaN or infinite"),
    "text X": (lambda p: _save(p, X=np.array([["a", "b"], ["c", "d"]]), y=np.arange(2)), "real numbers"),
    "one class": (lambda p: _save(p, X=np.ones((4, 2)), y=np.zeros(4)), "2 classes"),
    "objects": (lambda p: _save(p, X=np.ones((2, 2)), y=np.array([{}, {}], dtype=object)), "without pickle"),
    "not a zip": (lambda p: (p.write_text("hello"), str(p))[1], "not an .npz archive"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_malformed_npz_gives_a_one_line_error_naming_the_file(tmp_path, case):
    make, message = BAD_FILES[case]
    path = make(tmp_path / "bad.npz")
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        data.load(path)
    assert "bad.npz" in str(err.value) and "\n" not in str(err.value)


def test_missing_file_and_unknown_names_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        data.load(str(tmp_path / "nope.npz"))
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        data.load("mnist")


def test_cli_reports_a_bad_dataset_in_one_line_with_exit_2(tmp_path, capsys):
    path = _save(tmp_path / "noy.npz", X=np.ones((4, 2)))
    assert cli.main(["train", "--dataset", path]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("symderiv: error:") and "missing array(s) y" in err and "\n" not in err
