"""NET FLAGS (DESIGN.md): the network flags ``derive``, ``verify``, ``check`` and ``train`` share."""
from __future__ import annotations

import argparse
import dataclasses

from ..engine.activations import ACTIVATIONS
from ..engine.losses import DEFAULT_LOSS, LOSSES, REGULARISERS
from ..engine.network import NetFlags
from ..engine.presets import PRESETS
from ..errors import UsageError

MAX_DEPTH = 12
FLAG_NAMES = ("depth", "hidden", "output", "loss", "reg", "batch", "layout", "bias")


def outputs() -> list[str]:
    """Output activations the CLI offers: those with a default loss."""
    return [name for name in ACTIVATIONS if name in DEFAULT_LOSS]


def add_net_flags(p: argparse.ArgumentParser, defaults: NetFlags | None = None) -> None:
    """Their argparse default is None so a preset can fill them; the help states the effective default.
    ``defaults`` is a command's own default model (train: note 000's), used only while no network
    flag is given."""
    base = NetFlags()
    own = defaults or base

    def default(name: str, shown=None) -> str:
        show = shown or (lambda v: str(v))
        text = f"default: {show(getattr(own, name))}"
        if getattr(own, name) != getattr(base, name):
            text += f"; {show(getattr(base, name))} once any other network flag is given"
        return f"({text})"

    def loss_default(v):
        return v if v else "/".join(f"{l} for {o}" for o, l in DEFAULT_LOSS.items()) + " output"

    g = p.add_argument_group("network (NET FLAGS)")
    g.add_argument("--preset", choices=sorted(PRESETS), metavar="NAME",
                   help=f"a named convention that sets several flags: {', '.join(PRESETS)} (default: none; "
                        "flags given with it override it)")
    g.add_argument("--depth", type=int, metavar="L", help=f"number of weight layers {default('depth')}")
    g.add_argument("--hidden", choices=[n for n, a in ACTIVATIONS.items() if a.elementwise],
                   help=f"hidden activation {default('hidden')}")
    g.add_argument("--output", choices=outputs(), help=f"output activation {default('output')}")
    g.add_argument("--loss", choices=sorted(LOSSES), help=f"loss {default('loss', loss_default)}")
    g.add_argument("--reg", choices=list(REGULARISERS),
                   help=f"regulariser {default('reg')}: l2 = lambda/(2m) sum W^2, l2-sum = lambda sum W^2; "
                        "biases are never regularised")
    g.add_argument("--batch", action="store_true", default=None,
                   help="J is the mean over m samples " + default("batch", lambda v: "on" if v else "off"))
    g.add_argument("--layout", choices=["columns", "rows"],
                   help=f"samples as columns or rows {default('layout')}")
    g.add_argument("--no-bias", dest="bias", action="store_false", default=None,
                   help="a network without bias terms, as in d2l's backprop section (default: with biases)")


def given_flags(args) -> dict:
    """The NET FLAGS given on the command line (name -> value)."""
    return {name: getattr(args, name) for name in FLAG_NAMES if getattr(args, name, None) is not None}


def check_depth(given: dict) -> None:
    if not 1 <= given.get("depth", 1) <= MAX_DEPTH:
        raise UsageError(f"--depth must be between 1 and {MAX_DEPTH}, got {given['depth']}")


def net_flags(args) -> NetFlags:
    """NetFlags from parsed arguments: preset first, explicit flags override it."""
    base = PRESETS[args.preset] if getattr(args, "preset", None) else NetFlags()
    given = given_flags(args)
    sizes = getattr(args, "sizes", None)
    if sizes is not None:
        if args.depth is not None and args.depth != len(sizes) - 1:
            raise UsageError(f"--sizes gives {len(sizes)} widths (depth {len(sizes) - 1}) "
                             f"but --depth is {args.depth}")
        given["depth"] = len(sizes) - 1
    flags = dataclasses.replace(base, **given)
    check_depth({"depth": flags.depth})
    if flags.loss is None and flags.output not in DEFAULT_LOSS:
        raise UsageError(f"no default loss for output {flags.output}")
    return flags
