"""The command line: ``symderiv derive | verify | check | report | train | serve``.

Flags and exit codes are fixed by DESIGN.md (docs/design.md): 0 correct /
success, 1 incorrect claim, 2 input that cannot be used, always with one line
on stderr naming the problem and never a traceback. This module owns the
parsing (every flag has help text and its default), the printing of a
verdict, and the process-level behaviour: ``--version``, a bare ``symderiv``,
misspelt flags, a closed pipe.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import re
import sys

# Only light modules at import time: SymPy and NumPy load inside main()'s try,
# so a Ctrl-C during the first second is reported in one line like any other.
from .bounded import CommandTimedOut, time_limit
from .errors import InputError, UsageError

# Each command's overall time limit in seconds (None: bounded by its own flags, e.g. --epochs).
COMMAND_SECONDS = {"derive": 120, "verify": 120, "check": 600, "report": 900, "train": None, "serve": None,
                   "grade": None}

PROG = "symderiv"
# conventions.CONVENTIONS' names, here so that --help does not import the engine (a test keeps them equal)
CONVENTION_NAMES = ("default", "nielsen", "ufldl", "ng", "deeplearning.ai", "bishop", "goodfellow", "cs231n", "d2l")
# A closed pipe (``symderiv check 002 | head -2``) ends the run as SIGPIPE would.
EXIT_PIPE_CLOSED = 141
PLOT_SUFFIXES = (".png", ".pdf", ".svg")     # formats matplotlib writes without extras


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Appends ``(default: X)`` to every option with a real default not already stated."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.option_strings and action.default not in (None, False, argparse.SUPPRESS)
                and "default" not in text):
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


# ---- network flags -----------------------------------------------------------

def _outputs() -> list[str]:
    """Output activations the CLI offers: those with a default loss."""
    from .engine.activations import ACTIVATIONS
    from .engine.losses import DEFAULT_LOSS
    return [name for name in ACTIVATIONS if name in DEFAULT_LOSS]


def add_net_flags(p: argparse.ArgumentParser, defaults=None) -> None:
    """NET FLAGS (DESIGN.md). Their argparse default is None so a preset can fill them;
    the help states the effective default. ``defaults`` is a command's own default model
    (train: note 000's), used only while no network flag is given."""
    from .engine.activations import ACTIVATIONS
    from .engine.losses import DEFAULT_LOSS, LOSSES, REGULARISERS
    from .engine.network import NetFlags
    from .engine.presets import PRESETS
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
    g.add_argument("--output", choices=_outputs(), help=f"output activation {default('output')}")
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


def net_flags(args):
    """NetFlags from parsed arguments: preset first, explicit flags override it."""
    from .engine.losses import DEFAULT_LOSS
    from .engine.network import NetFlags
    from .engine.presets import PRESETS
    base = PRESETS[args.preset] if getattr(args, "preset", None) else NetFlags()
    given = {name: getattr(args, name) for name in ("depth", "hidden", "output", "loss", "reg", "batch", "layout",
                                                     "bias") if getattr(args, name, None) is not None}
    sizes = getattr(args, "sizes", None)
    if sizes is not None:
        if args.depth is not None and args.depth != len(sizes) - 1:
            raise UsageError(f"--sizes gives {len(sizes)} widths (depth {len(sizes) - 1}) "
                             f"but --depth is {args.depth}")
        given["depth"] = len(sizes) - 1
    flags = dataclasses.replace(base, **given)
    if not 1 <= flags.depth <= 12:
        raise UsageError(f"--depth must be between 1 and 12, got {flags.depth}")
    if flags.loss is None and flags.output not in DEFAULT_LOSS:
        raise UsageError(f"no default loss for output {flags.output}")
    return flags


def _widths(text: str) -> tuple[int, ...]:
    """``--sizes 5,4,3`` -> (5, 4, 3): at least two positive integers."""
    parts = [t.strip() for t in text.split(",")]
    if len(parts) < 2 or not all(re.fullmatch(r"[0-9]{1,4}", t) and int(t) > 0 for t in parts):
        raise argparse.ArgumentTypeError(
            f"expected at least two comma-separated positive widths like 5,4,3, got {text!r}")
    return tuple(int(t) for t in parts)


def _plot_file(path: str) -> str:
    """``--plot``: checked before training, so a bad path never costs a run."""
    if os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"{path!r} is a directory; give a file name such as "
                                         f"{os.path.join(path, 'digits.png')}")
    if os.path.splitext(path)[1].lower() not in PLOT_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{path!r} must end in {', '.join(PLOT_SUFFIXES[:-1])} or {PLOT_SUFFIXES[-1]}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise argparse.ArgumentTypeError(f"directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise argparse.ArgumentTypeError(f"directory {parent} is not writable")
    return path


# ---- the parser --------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .training.train import DEFAULT_FLAGS, TrainConfig

    parser = _Parser(prog=PROG, description="Symbolic derivation checker for backpropagation.",
                     epilog=f"'{PROG} COMMAND --help' lists a command's flags and their defaults.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    parser.commands = {}

    def command(name, help_text, **kw):
        p = sub.add_parser(name, help=help_text, description=help_text, **kw)
        parser.commands[name] = p
        return p

    p = command("derive", "print the derivation of a network's gradients, step by step")
    add_net_flags(p)
    p.add_argument("--sizes", type=_widths, metavar="N0,N1,...",
                   help="layer widths, input first, e.g. 5,4,3 (depth = count - 1; must match --depth) "
                        "(default: small distinct widths)")
    p.add_argument("--format", choices=["latex", "markdown", "text"], default="text", help="output format")

    p = command("verify", "check one formula against the derived truth (exit 0 correct, 1 incorrect, "
                          "2 cannot check)")
    add_net_flags(p)
    p.add_argument("--convention", default="auto",
                   help="notation convention: auto (default: the formula's signals pick), or one of "
                        + ", ".join(CONVENTION_NAMES))
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--note", help="check under an encoded note's model and readings (000..004) "
                                  "(default: none, the default notation)")
    p.add_argument("--entry", help="with --note: the line whose model and readings apply, e.g. 9.19 "
                                   "(default: the note's own)")
    p.add_argument("--define", action="append", default=[], metavar="'LHS = RHS'",
                   help="a forward-pass line stating the model for this formula, read as a document's "
                        "(repeatable; default: none, the NET FLAGS' network)")
    p.add_argument("claim", help='the formula in LaTeX, quoted as one argument, e.g. "\\delta^{(L)} = a^{(L)} - y"')

    p = command("check", "check every line of an encoded note or of your own .md/.tex file "
                         "(exit 0 all correct, 1 any incorrect, 2 unusable)")
    p.add_argument("note", help="a note id (000..004) or a FILE.md / FILE.tex "
                                "(see docs/documents.md)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--front", metavar="FILE", help="a sidecar file of settings (the front matter's key: value "
                                                   "lines) for a document that has none (default: none)")
    add_net_flags(p)
    p.add_argument("--convention", default="auto", choices=["auto", *CONVENTION_NAMES],
                   help="the textbook convention the document's symbols are read in (default: auto, the "
                        "document's own: its front matter's convention, else the default notation)")

    p = command("report", "write LaTeX and Markdown reports of encoded notes")
    p.add_argument("notes", nargs="*", help="note ids (000..004) or FILE.md / FILE.tex")
    p.add_argument("--all", action="store_true", help="every encoded note")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (required)")
    p.add_argument("--pdf", action="store_true", help="also compile PDFs (needs pdflatex)")
    p.add_argument("--force", action="store_true", help="write into a folder that holds other files")

    cfg = TrainConfig()
    p = command("train", "train a network with the lambdified gradients")
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
    from .engine.backends import BACKENDS
    p.add_argument("--backend", choices=list(BACKENDS), default="numpy",
                   help="array library of the compiled gradients: jax and torch are optional extras "
                        "(default: numpy)")
    p = command("serve", "the web page and the HTTP API (symderiv/web; stop with Ctrl-C)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--workers", type=int, default=4, metavar="N", help="worker processes that run the checks")

    from .grade.command import add_arguments
    add_arguments(command("grade", "grade a class's submissions against an assignment: gradebook, feedback, "
                                   "class summary"))
    return parser


def usage_line(parser: argparse.ArgumentParser) -> str:
    """One line: the commands, and where to read more."""
    return (f"usage: {PROG} {{{','.join(parser.commands)}}} ... | --help | --version   "
            f"('{PROG} COMMAND --help' for a command's flags)")


# ---- flags given but unknown -------------------------------------------------

_FLAG = re.compile(r"--?[A-Za-z][\w-]*(=.*)?")


def _known(parser: argparse.ArgumentParser, name: str) -> bool:
    options = parser._option_string_actions   # argparse exposes no public list
    # argparse accepts unambiguous abbreviations of long flags (and reports ambiguous ones)
    return name in options or (name.startswith("--") and any(o.startswith(name) for o in options))


def refuse_unknown_flags(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Name a misspelt flag before any positional is read: in ``verify --hiden relu "..."``
    argparse alone would take ``relu`` as the claim and report the claim as unrecognised."""
    current, where = parser, PROG
    for token in argv:
        if token == "--":
            return
        if current is parser and token in parser.commands:
            current, where = parser.commands[token], f"{PROG} {token}"
            continue
        if " " in token or not _FLAG.fullmatch(token):
            continue
        name = token.split("=", 1)[0]
        if not _known(current, name):
            close = difflib.get_close_matches(name, list(current._option_string_actions), n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (see '{where} --help')"
            raise UsageError(f"unknown flag {name} for '{where}'{hint}")


# ---- commands ----------------------------------------------------------------

def cmd_derive(args) -> int:
    net = net_flags(args).network(args.sizes)
    d = net.derivation()
    print({"latex": d.latex, "markdown": d.markdown, "text": d.text}[args.format]())
    return 0


def cmd_verify(args) -> int:
    """``symderiv verify``: the verdict (or one JSON object) on stdout; exit 0/1/2.

    An unverifiable claim also gets exactly one line on stderr (the reason)."""
    from .notation.conventions import resolve
    from .verify import verify
    if args.define:    # the formula's own model: its forward pass, read as a document's
        from .documents.graph import verify_defined
        v = verify_defined(args.claim, args.define)
    elif args.note:    # the note's readings say how to read its symbols: its own model, the default notation
        flags, readings = _note_setting(args)
        v = verify(args.claim, flags, readings=readings, batch=flags.batch, convention=args.convention,
                   bias=args.bias)
    else:              # the convention's model is the base; a preset and explicit flags override it
        conv = resolve(args.claim, args.convention)
        flags = net_flags(args) if args.preset else dataclasses.replace(conv.model(args.claim), **{
            k: v for k, v in vars(net_flags(args)).items() if getattr(args, k, None) is not None})
        v = verify(args.claim, flags, batch=flags.batch, convention=conv.name, bias=args.bias,
                   fit_depth=args.depth is None)
    if args.json:
        print(json.dumps(v.to_json(), ensure_ascii=False))
    else:
        print(v.text())
    if v.verdict == "unverifiable":
        print(f"{PROG}: cannot check: {_one_line(v.reason)}", file=sys.stderr)
    return v.exit_code


def _note_setting(args):
    """The model and readings of a note (and of one of its lines, with --entry): verify a fix of a line
    exactly as the checker read the line."""
    note = load_note_or_document(args.note)
    entry = None
    if args.entry is not None:
        entry = note.entry(args.entry)          # an entry's id, or one of its links' (9.21.2)
        if entry is None:
            ids = ", ".join(e.id for e in note.entries)
            raise UsageError(f"note {note.id} has no line {args.entry!r}; its lines: {ids}")
    flags = (entry.flags if entry is not None and entry.flags else None) or note.flags
    readings = {**note.readings, **(entry.readings if entry is not None else {})}
    return flags, readings


def cmd_check(args) -> int:
    from .documents.check import cli_check
    return cli_check(args, load_note_or_document(args.note, args))


def cmd_report(args) -> int:
    from .documents.notes import all_notes
    from .report.report import cli_report
    if args.all and args.notes:
        raise UsageError("give note ids or --all, not both")
    notes = all_notes() if args.all or not args.notes else [load_note_or_document(n) for n in args.notes]
    ids = [str(note.id) for note in notes]
    twice = next((i for i in ids if ids.count(i) > 1), None)
    if twice is not None:
        raise UsageError(f"two of the given files would both write the report note{twice}.*; "
                         "report them into different folders")
    return cli_report(args, notes)


def load_note_or_document(name: str, args=None):
    """An encoded note by id, or a user's .md/.tex file (documents.py) with the NET FLAGS given on
    the command line over its front matter."""
    from .documents.reader import is_document, load_document
    given = {flag: getattr(args, flag) for flag in ("depth", "hidden", "output", "loss", "reg", "batch", "layout",
                                                   "bias") if getattr(args, flag, None) is not None}
    sidecar = getattr(args, "front", None)
    preset = getattr(args, "preset", None)
    if not 1 <= given.get("depth", 1) <= 12:
        raise UsageError(f"--depth must be between 1 and 12, got {given['depth']}")
    from .documents.notes import is_note, load_note
    if not is_note(name):          # a file, or refused in one line (no such file, not a document)
        if not is_document(name) and not os.path.exists(name) and os.sep not in name and "." not in name:
            return load_note(name)         # "007": unknown note, and the known ones
        return load_document(name, preset=preset, overrides=given, sidecar=sidecar)
    if given or preset or sidecar:
        raise UsageError(f"NET FLAGS and --front apply to a .md/.tex document; note {name} states its own model")
    return load_note(name)


def cmd_train(args) -> int:
    from .training.train import cli_train
    return cli_train(args, net_flags(args))


def cmd_serve(args) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    try:
        from .web import serve
        return serve(args.host, args.port, args.workers)
    except ImportError as exc:          # the server's libraries are dependencies, but a trimmed install may lack them
        raise UsageError(f"symderiv serve needs {exc.name}: pip install fastapi uvicorn") from None


def cmd_grade(args) -> int:
    from .grade.command import cli_grade
    return cli_grade(args)


COMMANDS = {"derive": cmd_derive, "verify": cmd_verify, "check": cmd_check,
            "report": cmd_report, "train": cmd_train, "serve": cmd_serve, "grade": cmd_grade}


# ---- the process -------------------------------------------------------------

def main(argv=None) -> int:
    """Run one command; the exit code. A closed stdout pipe ends the run quietly."""
    _watch_ctrl_c()
    try:
        try:
            code = _run(sys.argv[1:] if argv is None else list(argv))
        except SystemExit as exc:   # --help and --version print, then exit 0
            code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 2
        sys.stdout.flush()          # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        _detach_stdout()
        return EXIT_PIPE_CLOSED


def _run(argv: list[str]) -> int:
    try:
        parser = build_parser()
        if not argv:
            print(usage_line(parser), file=sys.stderr)
            return 2
        refuse_unknown_flags(parser, argv)
        args, extra = parser.parse_known_args(argv)
        if extra:
            quote = " (quote the claim as one argument)" if args.command == "verify" else ""
            raise UsageError(f"unexpected argument {extra[0]!r} for '{PROG} {args.command}'{quote}")
        import warnings

        import numpy as np
        # One line on stderr: NumPy's and Python's warnings are not part of any answer.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return time_limit(lambda: COMMANDS[args.command](args), COMMAND_SECONDS.get(args.command))
    except BrokenPipeError:
        raise
    except InputError as exc:     # the user's input (errors.py); any other exception is a bug of ours
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except CommandTimedOut:
        print(f"symderiv: error: gave up: {args.command} ran longer than its limit of "
              f"{COMMAND_SECONDS[args.command]} s", file=sys.stderr)
        return 2
    except RecursionError:
        print(f"{PROG}: error: input nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print("symderiv: error: not enough memory for this input", file=sys.stderr)
        return 2
    except ImportError as exc:
        if _interrupted(exc):      # Ctrl-C while NumPy loads its C core surfaces as NumPy's ImportError
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130
        _internal_error(exc)
        return 3
    except Exception as exc:  # a bug of ours: one line, the traceback only when asked for
        _internal_error(exc)
        return 3


DEBUG_VARIABLE = "SYMDERIV_DEBUG"   # =1: an internal error also prints its traceback, for a bug report


def _internal_error(exc: BaseException) -> None:
    if os.environ.get(DEBUG_VARIABLE) == "1":
        import traceback
        traceback.print_exception(exc, file=sys.stderr)
    print(f"{PROG}: internal error ({type(exc).__name__}): {_one_line(exc)}", file=sys.stderr)


_CTRL_C = {"seen": False}


def _watch_ctrl_c() -> None:
    """Ctrl-C raises KeyboardInterrupt as usual, and is remembered: C code that swallows it (NumPy's
    import of ``datetime`` while its core loads) turns it into an ImportError that no longer says so."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return

    def on_ctrl_c(signum, frame):
        _CTRL_C["seen"] = True
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, on_ctrl_c)


def _interrupted(exc: BaseException) -> bool:
    """Was ``exc`` raised because of a Ctrl-C (remembered, or a KeyboardInterrupt in its chain)?"""
    if _CTRL_C["seen"]:
        return True
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _detach_stdout() -> None:
    """Point stdout at devnull, so the interpreter's final flush cannot fail again
    (the recipe of Python's signal module documentation, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests): nothing to detach
        pass


MESSAGE_CHARS = 400  # a message quoting user input stays one readable line


def _one_line(exc) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 3] + "..."


if __name__ == "__main__":
    sys.exit(main())
