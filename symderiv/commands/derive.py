"""``symderiv derive``: the derivation of a network's gradients, step by step."""
from __future__ import annotations

import argparse
import re

from .net import add_net_flags, net_flags

FORMATS = ("latex", "markdown", "text")


def _widths(text: str) -> tuple[int, ...]:
    """``--sizes 5,4,3`` -> (5, 4, 3): at least two positive integers."""
    parts = [t.strip() for t in text.split(",")]
    if len(parts) < 2 or not all(re.fullmatch(r"[0-9]{1,4}", t) and int(t) > 0 for t in parts):
        raise argparse.ArgumentTypeError(
            f"expected at least two comma-separated positive widths like 5,4,3, got {text!r}")
    return tuple(int(t) for t in parts)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_net_flags(p)
    p.add_argument("--sizes", type=_widths, metavar="N0,N1,...",
                   help="layer widths, input first, e.g. 5,4,3 (depth = count - 1; must match --depth) "
                        "(default: small distinct widths)")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")


def run(args) -> int:
    d = net_flags(args).network(args.sizes).derivation()
    print(getattr(d, args.format)())
    return 0
