"""``symderiv train``: a network trained with its lambdified gradients; the result in four lines."""
from __future__ import annotations

import argparse
import dataclasses
import sys

from .net import add_net_flags, given_flags, net_flags
from ..engine.backends import BACKENDS
from ..training.train import DEFAULT_FLAGS, TrainConfig

OPTIONS = ("epochs", "lr", "lam", "batch_size", "hidden_units", "seed")


def _plot_file(path: str) -> str:
    """``--plot``: checked while the arguments are read (``train.check_plot_path``)."""
    from ..training.train import check_plot_path
    try:
        return check_plot_path(path)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    cfg = TrainConfig()
    add_net_flags(p, defaults=DEFAULT_FLAGS)
    p.add_argument("--dataset", required=True, metavar="NAME|FILE.npz",
                   help="'digits' (scikit-learn's 8x8 digits) or a FILE.npz with arrays X (m x n) and y (required)")
    # None = not given (TrainConfig fills it); the help shows TrainConfig's value.
    options = [("--epochs", int, "N", "passes over the training set", cfg.epochs),
               ("--lr", float, "LR", "learning rate of mini-batch gradient descent", cfg.lr),
               ("--lam", float, "LAMBDA", "regularisation strength lambda", cfg.lam),
               ("--batch-size", int, "B", "samples per mini-batch", cfg.batch_size),
               ("--hidden-units", int, "H", "width of each hidden layer", cfg.hidden_units),
               ("--seed", int, "S", "seed of the weights, the split and the batch order", cfg.seed)]
    for flag, kind, metavar, text, value in options:
        p.add_argument(flag, type=kind, metavar=metavar, help=f"{text} (default: {value})")
    p.add_argument("--plot", type=_plot_file, metavar="FILE.png",
                   help="write a plot of loss and accuracy per epoch; the path is checked before training "
                        "(default: no plot)")
    p.add_argument("--backend", choices=list(BACKENDS), default="numpy",
                   help="array library of the compiled gradients: jax and torch are optional extras "
                        "(default: numpy)")


def run(args) -> int:
    from ..engine import backends
    from ..training import data as datasets
    from ..training.train import fit, plot, validated
    flags = net_flags(args) if given_flags(args) or args.preset else DEFAULT_FLAGS
    config = validated(dataclasses.replace(TrainConfig(), **{
        name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None}))
    dataset = datasets.load(args.dataset)
    backends.runtime(args.backend).prefer_float64()   # the command trains in float64 on every backend
    # The bar is for a person watching; in a log or a pipe it would be noise on stderr.
    result = fit(dataset, config, flags, progress=sys.stderr.isatty(), backend=args.backend)
    h = result.history
    print(f"{result.net.describe()}")
    print(f"dataset {dataset.name}: {len(dataset.y)} samples, {dataset.n_classes} classes, "
          f"test split {config.test_fraction:.0%}")
    print(f"after {h.epochs} epochs ({result.seconds:.1f} s): train loss {h.train_loss[-1]:.4f}, "
          f"train accuracy {h.train_acc[-1]:.2%}")
    print(f"final test accuracy: {h.test_acc[-1]:.2%} (test loss {h.test_loss[-1]:.4f})")
    if args.plot:
        plot(h, args.plot, title=f"{dataset.name}: {result.net.describe()}", loss_name=result.net.loss.title)
        print(f"plot written to {args.plot}")
    return 0
