"""Training with the lambdified gradients: ``symderiv train`` and its Python twin.

Owns the optimiser (mini-batch gradient descent), the per-epoch history
(loss and accuracy on the training and the held-out test split), the progress
bar and the plot. The gradients are ``Network.lambdify().gradients``, i.e. the
derived formulas compiled to NumPy; nothing here differentiates anything.

The objective is the network's own ``J`` (mean per-sample loss plus the
regulariser) over the whole training set. The penalty is meant over that set
(``l2``: ``lambda/(2m) sum W^2`` with m the training-set size, as in note 000 /
ex4), so each mini-batch gets the lambda that makes its penalty equal the
full-set one (``lambda * b / m`` for ``l2``, ``lambda`` for ``l2-sum``, read off
the regulariser's definition): a batch gradient is then an unbiased estimate of
the full-set gradient, and ``--lam`` means the same at every batch size.

``backend`` (``--backend``) picks the array library the compiled gradients run
on (backends.py): the data and parameters are moved there once, the loop is
the same for all of them, and the history holds plain floats.

>>> from symderiv.training import data
>>> result = fit(data.load("digits"), TrainConfig(epochs=2), progress=False)
>>> len(result.history.test_acc)   # epoch 0 (initial weights) + 2 epochs
3
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..engine import backends
from . import data as datasets
from ..engine.network import NetFlags, Network, mlp
from ..engine.presets import PRESETS
from ..errors import DataError, OutputError, TrainingDiverged, UsageError  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters. The defaults reach >= 95% test accuracy on digits (see tests)."""

    epochs: int = 40
    lr: float = 1.0
    lam: float = 1.0
    batch_size: int = 32
    hidden_units: int = 25
    seed: int = 0
    test_fraction: float = 0.2


# field -> (is it valid?, what it must be): one table instead of an if-chain.
_CHECKS = {
    "epochs": (lambda v: v >= 1, "at least 1"),
    "lr": (lambda v: np.isfinite(v) and v > 0, "a positive number"),
    "lam": (lambda v: np.isfinite(v) and v >= 0, "a number >= 0"),
    "batch_size": (lambda v: v >= 1, "at least 1"),
    "hidden_units": (lambda v: v >= 1, "at least 1"),
    "test_fraction": (lambda v: 0 < v < 1, "between 0 and 1"),
    "seed": (lambda v: v >= 0, "an integer >= 0"),
}


def validated(config: TrainConfig) -> TrainConfig:
    """The config itself, or an InputError naming the first option out of range."""
    for name, (ok, what) in _CHECKS.items():
        value = getattr(config, name)
        if not ok(value):
            raise UsageError(f"--{name.replace('_', '-')} must be {what}, got {value}")
    return config


@dataclass
class History:
    """Per-epoch curves; index 0 is the initial weights, before any step.

    ``*_loss`` is the data term of J (mean per-sample loss, no regulariser), so
    train and test curves are comparable; ``objective`` is the full J that is
    minimised, on the training set.
    """

    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    objective: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss) - 1


@dataclass
class Result:
    net: Network
    params: list
    history: History
    seconds: float


class Problem:
    """A dataset made ready for one network: scaled, one-hot, in the network's layout."""

    def __init__(self, net: Network, split: datasets.Dataset, scaler: datasets.Scaler):
        rows_X = scaler(split.X)
        rows_Y = datasets.one_hot(split.y, net.sizes[-1])
        # The compiled functions take samples as columns; a rows-layout net takes rows.
        as_layout = (lambda A: A) if net.layout == "rows" else (lambda A: np.ascontiguousarray(A.T))
        self.X, self.Y, self.labels = as_layout(rows_X), as_layout(rows_Y), split.y
        self.sample_axis = 0 if net.layout == "rows" else 1

    @property
    def m(self) -> int:
        return len(self.labels)

    def batch(self, rows):
        index = (slice(None),) * self.sample_axis + (rows,)   # indexing means the same in every backend
        return self.X[index], self.Y[index]

    def on(self, rt: backends.Runtime) -> "Problem":
        """The same problem with X and Y as the backend's arrays (labels stay NumPy)."""
        self.X, self.Y = rt.asarray(self.X), rt.asarray(self.Y)
        return self


def batch_order(m: int, batch_size: int, rng: np.random.Generator) -> list:
    """One epoch's mini-batches: a fresh permutation cut into pieces of ``batch_size``."""
    order = rng.permutation(m)
    return [order[k:k + batch_size] for k in range(0, m, batch_size)]


def batch_lambda(net: Network):
    """``f(lam, b, m)``: the lambda that gives a batch of b samples the penalty of the full set of m.

    Regularisers are linear in lambda, so the factor is r(m) / r(b) with r the
    definition at lambda = w = 1 (1 when the penalty does not depend on m).
    """
    import sympy as sp
    from ..engine.losses import lam, m, w
    per_weight = sp.lambdify(m, net.reg.expr.subs({lam: 1, w: 1}), "math")
    if net.reg.expr == 0:
        return lambda value, b, total: value
    return lambda value, b, total: value * per_weight(total) / per_weight(b)


def sgd_epoch(num, params, problem: Problem, config: TrainConfig, rng) -> list:
    """One pass of mini-batch gradient descent; returns the new parameters."""
    share = batch_lambda(num.net)
    for rows in batch_order(problem.m, config.batch_size, rng):
        X, Y = problem.batch(rows)
        lam = share(config.lam, len(rows), problem.m)
        grads = num.gradients(params, X, Y, lam)
        params = [(W - config.lr * dW, b - config.lr * db) for (W, b), (dW, db) in zip(params, grads)]
    return params


def _accuracy(num, net, params, problem: Problem) -> float:
    out = backends.runtime(num.backend).to_numpy(num.predict(params, problem.X))
    predicted = out.argmax(axis=1 if net.layout == "rows" else 0)
    return float(np.mean(predicted == problem.labels))


def _record(history: History, num, net, params, train: Problem, test: Problem, lam: float):
    history.train_loss.append(float(num.loss(params, train.X, train.Y, 0.0)))
    history.test_loss.append(float(num.loss(params, test.X, test.Y, 0.0)))
    history.train_acc.append(_accuracy(num, net, params, train))
    history.test_acc.append(_accuracy(num, net, params, test))
    history.objective.append(float(num.loss(params, train.X, train.Y, lam)))


def network_for(dataset: datasets.Dataset, flags: NetFlags, hidden_units: int) -> Network:
    sizes = [dataset.n_features] + [hidden_units] * (flags.depth - 1) + [dataset.n_classes]
    return mlp(sizes, hidden=flags.hidden, output=flags.output, loss=flags.loss, reg=flags.reg,
               layout=flags.layout, bias=flags.bias)


def fit(dataset: datasets.Dataset, config: TrainConfig = TrainConfig(), flags: NetFlags | None = None,
        progress: bool = True, params=None, backend: str = "numpy") -> Result:
    """Split, scale, build the network, and train it; ``params`` overrides the initial weights.

    With ``backend`` "jax" or "torch" the returned parameters are that library's arrays.
    """
    config = validated(config)
    flags = flags or DEFAULT_FLAGS
    train_set, test_set = datasets.split(dataset, config.test_fraction, config.seed)
    scaler = datasets.Scaler.fit(train_set.X)
    net = network_for(dataset, flags, config.hidden_units)
    check_memory(net, len(dataset.y), config.batch_size)
    num = net.lambdify(backend)
    train, test = Problem(net, train_set, scaler), Problem(net, test_set, scaler)
    params = params if params is not None else net.init_params(seed=config.seed)
    if backend != "numpy":
        rt = backends.runtime(backend)
        train, test = train.on(rt), test.on(rt)
        params = [(rt.asarray(W), rt.asarray(b)) for W, b in params]
    rng = np.random.default_rng(config.seed)
    history = History()
    _record(history, num, net, params, train, test, config.lam)
    start = time.perf_counter()
    bar = _Progress(config.epochs, progress)
    try:
        params = _train_loop(num, net, params, train, test, config, rng, history, bar)
    finally:
        bar.close()
    return Result(net, params, history, time.perf_counter() - start)


def _train_loop(num, net, params, train: Problem, test: Problem, config: TrainConfig, rng, history, bar):
    # Overflow in a diverging run is reported once, below, not as a stream of NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, config.epochs + 1):
            params = sgd_epoch(num, params, train, config, rng)
            _record(history, num, net, params, train, test, config.lam)
            check_diverged(history, epoch)
            bar.update(history)
    return params


# The objective may rise for a while, but never by this factor over its start (or over 1).
EXPLODED = 1e3


def check_diverged(history: History, epoch: int) -> None:
    """Stop at the first epoch whose objective is not finite or has exploded."""
    latest, start = history.objective[-1], history.objective[0]
    if not np.isfinite(latest):
        raise TrainingDiverged(f"training diverged at epoch {epoch} (loss is not finite): lower --lr")
    if latest > EXPLODED * max(start, 1.0):
        raise TrainingDiverged(f"training diverged at epoch {epoch} (loss rose from {start:.3g} to "
                               f"{latest:.3g}): lower --lr")


# Float64 arrays alive at once, per parameter (weights, gradients, the updated copy,
# temporaries) and per unit and sample of an evaluation (z, a, delta and temporaries).
_PER_PARAMETER, _PER_ACTIVATION = 4, 4


def memory_needed(net: Network, samples: int, batch_size: int) -> int:
    """A rough upper estimate, in bytes, of the memory training ``net`` on ``samples`` takes.

    The loss and accuracy are evaluated on the whole training and test sets at
    once, so activations scale with the number of samples, not the batch; a batch
    larger than the training set is the whole set (``batch_order``), never more.
    """
    sizes = net.sizes
    parameters = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    activations = sum(sizes) * samples
    return 8 * (_PER_PARAMETER * parameters + _PER_ACTIVATION * activations)


def available_memory() -> int:
    """Bytes this machine can still give (MemAvailable), else its physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62  # unknown: do not refuse


def check_memory(net: Network, samples: int, batch_size: int) -> None:
    """Refuse, before allocating anything, a network too large to train on this machine."""
    need, have = memory_needed(net, samples, batch_size), available_memory()
    if need > 0.8 * have:
        raise DataError(f"a {'-'.join(map(str, net.sizes))} network on {samples} samples needs about "
                        f"{need / 2**30:.3g} GiB, more than the {have / 2**30:.1f} GiB available: "
                        f"lower --hidden-units")


class _Progress:
    """A tqdm bar over epochs showing the latest metrics; silent when disabled."""

    def __init__(self, epochs: int, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=epochs, desc="training", unit="epoch")

    def update(self, history: History) -> None:
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{history.train_loss[-1]:.4g}", test_acc=f"{history.test_acc[-1]:.3f}")
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---- the plot ---------------------------------------------------------------

def plot(history: History, path: str, title: str = "", loss_name: str = "loss") -> None:
    """Two panels: loss (log scale) and accuracy per epoch, training and test curves in each."""
    import matplotlib
    matplotlib.use("Agg")  # files only: never needs a display
    import matplotlib.pyplot as plt

    epochs = np.arange(len(history.train_loss))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    panels = [(left, f"{loss_name} per sample (log scale)", history.train_loss, history.test_loss),
              (right, "accuracy", history.train_acc, history.test_acc)]
    for ax, ylabel, train_curve, test_curve in panels:
        ax.plot(epochs, train_curve, "-", color="tab:blue", label="train")
        ax.plot(epochs, test_curve, "--", color="tab:orange", label="test")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend()
    # The first epoch drops the loss by an order of magnitude: a log axis keeps the rest visible.
    left.set_yscale("log")
    fig.suptitle(title)
    fig.tight_layout()
    try:
        _save_figure(fig, path)
    finally:
        plt.close(fig)


PLOT_FORMATS = (".png", ".pdf", ".svg")


def check_plot_path(path: str) -> str:
    """The --plot target, checked before training (so a bad path never costs a run): a file name with
    a known image suffix, not a symbolic link, in a folder that exists and can be written."""
    import os
    if os.path.islink(path):
        raise OutputError(f"{path!r} is a symbolic link: refusing to write through it "
                          "(remove it or choose another name)")
    if os.path.isdir(path):
        raise OutputError(f"{path!r} is a directory; give a file name such as {os.path.join(path, 'digits.png')}")
    if os.path.splitext(path)[1].lower() not in PLOT_FORMATS:
        raise OutputError(f"{path!r} must end in {', '.join(PLOT_FORMATS[:-1])} or {PLOT_FORMATS[-1]}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise OutputError(f"directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"directory {parent} is not writable")
    return path


def _save_figure(fig, path: str) -> None:
    """Render in memory, then write atomically (never through a symlink)."""
    import io
    from ..report.files import write_atomic
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, dpi=110, format=path.rsplit(".", 1)[-1].lower())
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write plot {path!r}: {exc}") from None
    write_atomic(path, buffer.getvalue())


# Without NET FLAGS, ``symderiv train`` uses note 000's model (ex4: sigmoid, sigmoid, bce, l2).
DEFAULT_FLAGS = PRESETS["ex4"]
