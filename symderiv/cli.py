"""The command line: ``symderiv derive | verify | check | report | train``.

Flags and exit codes are fixed by DESIGN.md: 0 correct / success, 1 incorrect
claim, 2 input that cannot be used, always with one line on stderr naming the
problem and never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from .activations import ACTIVATIONS
from .backends import BACKENDS, BackendUnavailable
from .losses import LOSSES, REGULARISERS
from .network import NetFlags
from .presets import PRESETS


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


def add_net_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("network")
    g.add_argument("--preset", choices=sorted(PRESETS), help="a named convention (sets several flags)")
    g.add_argument("--depth", type=int, help="number of weight layers L (default 2)")
    g.add_argument("--hidden", choices=[n for n, a in ACTIVATIONS.items() if a.elementwise],
                   help="hidden activation (default sigmoid)")
    g.add_argument("--output", choices=["sigmoid", "softmax", "identity"], help="output activation (default sigmoid)")
    g.add_argument("--loss", choices=sorted(LOSSES), help="loss (default: bce/ce/mse for sigmoid/softmax/identity)")
    g.add_argument("--reg", choices=sorted(REGULARISERS), help="regulariser (default none)")
    g.add_argument("--batch", action="store_true", default=None, help="J is the mean over m samples")
    g.add_argument("--layout", choices=["columns", "rows"], help="samples as columns (default) or rows")


def net_flags(args) -> NetFlags:
    """NetFlags from parsed arguments: preset first, explicit flags override it."""
    fields = dict(PRESETS[args.preset]) if getattr(args, "preset", None) else {}
    for name in ("depth", "hidden", "output", "loss", "reg", "batch", "layout"):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    flags = NetFlags(**fields)
    if not 1 <= flags.depth <= 12:
        raise UsageError(f"--depth must be between 1 and 12, got {flags.depth}")
    if flags.loss is None and flags.output not in ("sigmoid", "softmax", "identity"):
        raise UsageError(f"no default loss for output {flags.output}")
    return flags


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symderiv", description="Symbolic derivation checker for backpropagation.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("derive", help="print the derivation of a network's gradients")
    add_net_flags(p)
    p.add_argument("--format", choices=["latex", "markdown", "text"], default="text")

    p = sub.add_parser("verify", help="check one formula against the derived truth")
    add_net_flags(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("claim", help='the formula, e.g. "\\delta^{(L)} = a^{(L)} - y"')

    p = sub.add_parser("check", help="check every line of an encoded note")
    p.add_argument("note", help="a note id (000..004) or a file in derivations/")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("report", help="write LaTeX and Markdown reports of encoded notes")
    p.add_argument("notes", nargs="*", help="note ids or files")
    p.add_argument("--all", action="store_true", help="every encoded note")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--pdf", action="store_true", help="also compile PDFs (needs pdflatex)")

    p = sub.add_parser("train", help="train with the lambdified gradients")
    add_net_flags(p)
    p.add_argument("--dataset", required=True, help="'digits' or a FILE.npz with arrays X and y")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--lam", type=float, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--hidden-units", type=int, default=None, help="width of each hidden layer")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", help="write a PNG of loss and accuracy per epoch")
    p.add_argument("--backend", choices=list(BACKENDS), default="numpy",
                   help="array library of the compiled gradients (jax, torch: optional extras)")
    return parser


def cmd_derive(args) -> int:
    net = net_flags(args).network()
    d = net.derivation()
    print({"latex": d.latex, "markdown": d.markdown, "text": d.text}[args.format]())
    return 0


def cmd_verify(args) -> int:
    from .verify import cli_verify
    return cli_verify(args, net_flags(args))


def cmd_check(args) -> int:
    from .check import cli_check
    return cli_check(args)


def cmd_report(args) -> int:
    from .report import cli_report
    return cli_report(args)


def cmd_train(args) -> int:
    from .train import cli_train
    try:
        return cli_train(args, net_flags(args))
    except BackendUnavailable as exc:   # a missing optional library is a usage problem: exit 2
        raise UsageError(str(exc)) from None


COMMANDS = {"derive": cmd_derive, "verify": cmd_verify, "check": cmd_check,
            "report": cmd_report, "train": cmd_train}


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, ValueError) as exc:
        print(f"symderiv: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symderiv: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print("symderiv: error: input nested too deeply", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        print(f"symderiv: internal error ({type(exc).__name__}): {_one_line(exc)}", file=sys.stderr)
        return 3


def _one_line(exc) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
