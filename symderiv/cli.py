"""The command line: ``symderiv derive | verify | check | report | train``.

Flags and exit codes are fixed by DESIGN.md: 0 correct / success, 1 incorrect
claim, 2 input that cannot be used, always with one line on stderr naming the
problem and never a traceback.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys

from .activations import ACTIVATIONS
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
    base = PRESETS[args.preset] if getattr(args, "preset", None) else NetFlags()
    given = {name: getattr(args, name) for name in ("depth", "hidden", "output", "loss", "reg", "batch", "layout")
             if getattr(args, name, None) is not None}
    flags = dataclasses.replace(base, **given)
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
    p.add_argument("--no-bias", dest="bias", action="store_false", default=None,
                   help="a network without bias terms (d2l's backprop section)")
    p.add_argument("--convention", default="auto",
                   help="notation convention: auto (default: the formula's signals pick), or one of "
                        "default, nielsen, ufldl, ng, deeplearning.ai, bishop, goodfellow, cs231n, d2l")
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
    return parser


def cmd_derive(args) -> int:
    net = net_flags(args).network()
    d = net.derivation()
    print({"latex": d.latex, "markdown": d.markdown, "text": d.text}[args.format]())
    return 0


def cmd_verify(args) -> int:
    """Print the verdict (or one JSON object); exit 0/1/2."""
    import json
    from .conventions import resolve
    from .verify import verify
    conv = resolve(args.claim, args.convention)      # its model is the base; preset and flags override it
    flags = net_flags(args) if args.preset else dataclasses.replace(conv.model(args.claim), **{
        k: v for k, v in vars(net_flags(args)).items() if getattr(args, k, None) is not None})
    v = verify(args.claim, flags, convention=conv.name, bias=args.bias, fit_depth=args.depth is None)
    if getattr(args, "json", False):
        print(json.dumps(v.to_json(), ensure_ascii=False))
    else:
        print(v.text())
    if v.verdict == "unverifiable":
        caret = v.evidence.get("caret") if v.evidence else ""
        if caret and not getattr(args, "json", False):
            print(caret)  # with the verdict on stdout: stderr stays one line
        print(f"symderiv: cannot check: {' '.join(v.reason.split())}", file=sys.stderr)
    return v.exit_code


def cmd_check(args) -> int:
    import derivations          # the encoded notes: an application layer above the package
    from .check import cli_check
    return cli_check(args, derivations.load(args.note))


def cmd_report(args) -> int:
    import derivations
    from .report import cli_report
    if args.all and args.notes:
        raise UsageError("give note ids or --all, not both")
    notes = derivations.all_notes() if args.all or not args.notes else [derivations.load(n) for n in args.notes]
    return cli_report(args, notes)


def cmd_train(args) -> int:
    from .train import cli_train
    return cli_train(args, net_flags(args))


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
