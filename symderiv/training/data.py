"""Datasets for ``symderiv train``: loading, train/test split, scaling, one-hot targets.

A dataset is a sample-per-row feature matrix ``X`` (m, n) and a vector of m
class labels ``y``. Two sources, one table (``SOURCES``):

* ``digits``: scikit-learn's bundled 8x8 handwritten digits (1797 samples,
  64 features, 10 classes; no download);
* ``FILE.npz``: the user's own arrays ``X`` (m, n) and ``y`` (m,), read with
  ``allow_pickle=False`` so loading a file never executes anything. The
  arrays' headers are read first: a file whose arrays would take more than
  ``MAX_NPZ_BYTES`` once decompressed (as float64 for X) is refused before
  anything is decompressed.

Labels are class ids: integers, or strings naming the classes. Float labels
are accepted only when every one is a whole number; NaN, inf or fractional
labels are refused (they are regression targets, not classes).

Every problem with a file is a ``ValueError`` whose message names the file and
what is wrong with it, in one line.

>>> d = load("digits")
>>> d.X.shape, d.n_classes
((1797, 64), 10)
>>> train, test = split(d, test_fraction=0.2, seed=0)
>>> len(train.y) + len(test.y)
1797
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import numpy as np

from ..errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Features (m, n), integer labels 0..k-1 (m,), and the original class names."""

    name: str
    X: np.ndarray
    y: np.ndarray
    classes: tuple

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    def subset(self, rows) -> "Dataset":
        return Dataset(self.name, self.X[rows], self.y[rows], self.classes)


def _digits(_name: str) -> Dataset:
    from sklearn.datasets import load_digits
    bunch = load_digits()
    return _labelled("digits", bunch.data, bunch.target)


MAX_NPZ_BYTES = 1 << 30  # 1 GiB of X (as float64) and y together, decompressed


def _npz_headers(path: str) -> dict:
    """name -> (shape, dtype) of every array in the archive, read from the .npy headers only."""
    headers = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                read = {(1, 0): np.lib.format.read_array_header_1_0,
                        (2, 0): np.lib.format.read_array_header_2_0}[version]
                shape, _, dtype = read(member, max_header_size=10000)
            headers[info.filename[:-4]] = (shape, dtype, info.file_size)
    return headers


def _check_npz_size(path: str, headers: dict) -> None:
    total = 0
    for key in ("X", "y"):
        if key not in headers:
            continue
        shape, dtype, stored = headers[key]
        count = int(np.prod(shape, dtype=object))
        # X becomes float64; y is at most its stored item size (strings: per character)
        itemsize = 8 if key == "X" else max(dtype.itemsize, 8)
        total += max(count * itemsize, stored)
    if total > MAX_NPZ_BYTES:
        raise DataError(f"{path}: X and y would take {total / 2**30:.1f} GiB decompressed; "
                        f"the limit is {MAX_NPZ_BYTES / 2**30:.0f} GiB")


def _npz(path: str) -> Dataset:
    if not os.path.isfile(path):
        raise DataError(f"dataset file {path!r} not found")
    if not zipfile.is_zipfile(path):  # np.load would otherwise try other formats, pickle among them
        raise DataError(f"{path}: not an .npz archive (save it with numpy.savez)")
    try:
        headers = _npz_headers(path)
    except Exception as exc:  # a damaged archive or .npy header
        raise DataError(f"{path}: not a readable .npz archive ({type(exc).__name__})") from None
    _check_npz_size(path, headers)
    try:
        with np.load(path, allow_pickle=False) as archive:
            # only X and y are decompressed; any other member is never read
            arrays = {key: archive[key] for key in ("X", "y") if key in archive.files}
            found = sorted(archive.files)
    except ValueError as exc:  # object arrays need pickle, which we refuse
        raise DataError(f"{path}: cannot read without pickle ({exc}); save numeric/string arrays") from None
    except Exception as exc:  # zipfile.BadZipFile, OSError, EOFError, ...: all mean "not an .npz"
        raise DataError(f"{path}: not a readable .npz archive ({type(exc).__name__})") from None
    missing = [key for key in ("X", "y") if key not in arrays]
    if missing:
        raise DataError(f"{path}: missing array(s) {', '.join(missing)}; found {found or 'none'}")
    return _labelled(os.path.basename(path), arrays["X"], arrays["y"], where=path)


def _labelled(name: str, X, y, where: str | None = None) -> Dataset:
    """Validate shapes and values, and turn labels of any type into 0..k-1."""
    where = where or name
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2:
        raise DataError(f"{where}: X must be a 2-D array (samples, features), got shape {X.shape}")
    if y.ndim != 1:
        raise DataError(f"{where}: y must be a 1-D array of labels, got shape {y.shape}")
    if len(y) != len(X):
        raise DataError(f"{where}: X has {len(X)} samples but y has {len(y)} labels")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise DataError(f"{where}: X must be real numbers, got dtype {X.dtype}")
    X = X.astype(float)
    if not np.all(np.isfinite(X)):
        raise DataError(f"{where}: X contains NaN or infinite values")
    if X.size and np.abs(X).max() > MAX_FEATURE:
        raise DataError(f"{where}: X has values up to {np.abs(X).max():.3g}, too large to standardise; "
                        f"rescale the features below {MAX_FEATURE:.0e}")
    _check_labels(y, where)
    classes, labels = np.unique(y, return_inverse=True)
    if len(X) < 2 or len(classes) < 2:
        raise DataError(f"{where}: need at least 2 samples and 2 classes, got {len(X)} and {len(classes)}")
    return Dataset(name, X, labels.reshape(-1), tuple(classes.tolist()))


# Above this, the squares in the feature variance overflow float64 (1e308).
MAX_FEATURE = 1e150


def _check_labels(y: np.ndarray, where: str) -> None:
    """Labels must be class ids: integers or strings, or floats that are whole numbers."""
    if y.dtype.kind in "iubUS":
        return
    if y.dtype.kind != "f":
        raise DataError(f"{where}: labels must be integer class ids, got dtype {y.dtype}")
    if not np.all(np.isfinite(y)):
        raise DataError(f"{where}: labels contain NaN or infinite values")
    if np.any(y != np.round(y)):
        example = y[y != np.round(y)][0]
        raise DataError(f"{where}: labels must be integer class ids, got {example:g}")


# name -> loader; anything else is read as a file path.
SOURCES = {"digits": _digits}


def load(spec: str) -> Dataset:
    """``digits`` or the path of a ``.npz`` file with arrays ``X`` and ``y``."""
    loader = SOURCES.get(spec)
    if loader is not None:
        return loader(spec)
    if not spec.endswith(".npz"):
        raise DataError(f"unknown dataset {spec!r}: use {', '.join(SOURCES)} or a FILE.npz with arrays X and y")
    return _npz(spec)


def split(data: Dataset, test_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
    """A stratified train/test split: each class keeps its share in both parts.

    Every class with at least two samples has at least one in each part, so the
    test accuracy never silently ignores a class.
    """
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"test fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    test_rows = []
    for label in range(data.n_classes):
        rows = rng.permutation(np.flatnonzero(data.y == label))
        n_test = int(round(test_fraction * len(rows)))
        n_test = min(max(n_test, 1), len(rows) - 1) if len(rows) > 1 else 0
        test_rows.append(rows[:n_test])
    test = np.sort(np.concatenate(test_rows))
    train = np.setdiff1d(np.arange(len(data.y)), test)
    if len(test) == 0:
        raise DataError(f"{data.name}: too few samples for a test split: every one of the "
                        f"{data.n_classes} classes has a single sample")
    return data.subset(train), data.subset(test)


@dataclass(frozen=True)
class Scaler:
    """Standardise features with the *training* mean and spread (no test leakage)."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Scaler":
        with np.errstate(over="ignore", invalid="ignore"):
            std = X.std(axis=0)
        if not np.all(np.isfinite(std)):
            raise DataError("X values are too large to standardise (their variance overflows): rescale them")
        # A constant feature (digits' always-blank corner pixels) is centred, not blown up.
        return cls(X.mean(axis=0), np.where(std > 1e-12, std, 1.0))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(m, k) rows of 0/1 with a single 1 at each sample's label.

    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise DataError(f"labels must be in 0..{n_classes - 1}")
    out = np.zeros((len(labels), n_classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out
