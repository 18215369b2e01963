"""The command line: ``symderiv derive | verify | check | report | train | serve | grade``.

Flags and exit codes are fixed by DESIGN.md (docs/design.md): 0 correct /
success, 1 incorrect claim, 2 input that cannot be used (an ``errors.InputError``
or a usage error, one line on stderr naming the problem), 3 an internal error
(one line; its traceback with SYMDERIV_DEBUG=1), never a traceback otherwise.

This module owns the process: the table of commands, the parser (every flag has
help text and its default), misspelt commands and flags, ``--version``, a bare
``symderiv``, Ctrl-C and a closed pipe. Each command lives in its own module
(``symderiv/commands/``, ``add_arguments`` and ``run``), imported only when that
command is asked for: ``symderiv --help`` and ``--version`` load neither SymPy
nor NumPy.
"""
from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import sys
from dataclasses import dataclass

from .bounded import CommandTimedOut, time_limit
from .commands import PROG, one_line
from .errors import InputError, UsageError

# A closed pipe (``symderiv check 002 | head -2``) ends the run as SIGPIPE would.
EXIT_PIPE_CLOSED = 141
EXIT_INTERNAL = 3
DEBUG_VARIABLE = "SYMDERIV_DEBUG"   # =1: an internal error also prints its traceback, for a bug report


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, the module that declares its flags (``add``) and runs it
    (``run``), and its overall time limit in seconds (None: bounded by its own flags, e.g. --epochs)."""
    help: str
    module: str
    seconds: float | None
    add: str = "add_arguments"
    run: str = "run"

    def function(self, name: str):
        return getattr(importlib.import_module(self.module), name)


# The commands, in the order --help lists them. A new command is one row here and one module.
COMMANDS: dict[str, Command] = {
    "derive": Command("print the derivation of a network's gradients, step by step",
                      "symderiv.commands.derive", 120),
    "verify": Command("check one formula against the derived truth (exit 0 correct, 1 incorrect, 2 cannot check)",
                      "symderiv.commands.verify", 120),
    "check": Command("check every line of an encoded note or of your own .md/.tex file "
                     "(exit 0 all correct, 1 any incorrect, 2 unusable)", "symderiv.commands.check", 600),
    "report": Command("write LaTeX and Markdown reports of encoded notes", "symderiv.commands.report", 900),
    "train": Command("train a network with the lambdified gradients", "symderiv.commands.train", None),
    "serve": Command("the web page and the HTTP API (symderiv/web; stop with Ctrl-C)",
                     "symderiv.commands.serve", None),
    "grade": Command("grade a class's submissions against an assignment: gradebook, feedback, class summary",
                     "symderiv.grade.command", None, run="cli_grade"),
}


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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``only`` the flags of that one command alone (the
    others are listed by name and help line, their modules not imported; "" for none)."""
    from . import __version__
    parser = _Parser(prog=PROG, description="Symbolic derivation checker for backpropagation.",
                     epilog=f"'{PROG} COMMAND --help' lists a command's flags and their defaults.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    parser.commands = {}
    for name, command in COMMANDS.items():
        p = sub.add_parser(name, help=command.help, description=command.help)
        if only is None or only == name:
            command.function(command.add)(p)
        parser.commands[name] = p
    return parser


def usage_line() -> str:
    """One line: the commands, and where to read more."""
    return (f"usage: {PROG} {{{','.join(COMMANDS)}}} ... | --help | --version   "
            f"('{PROG} COMMAND --help' for a command's flags)")


# ---- what was asked ------------------------------------------------------------

_FLAG = re.compile(r"--?[A-Za-z][\w-]*(=.*)?")


def command_asked(argv: list[str]) -> str | None:
    """The command word (the first argument that is not a flag), None when there is none; a word that
    names no command is refused, with the closest command when one is close."""
    word = next((token for token in argv if not token.startswith("-")), None)
    if word is None or word in COMMANDS:
        return word
    close = difflib.get_close_matches(word, list(COMMANDS), n=1)
    hint = f" (did you mean {close[0]}?)" if close else f" (commands: {', '.join(COMMANDS)})"
    raise UsageError(f"unknown command {word[:40]!r}{hint}")


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
    name = None
    try:
        if not argv:
            print(usage_line(), file=sys.stderr)
            return 2
        name = command_asked(argv)
        parser = build_parser(only=name or "")
        refuse_unknown_flags(parser, argv)
        args, extra = parser.parse_known_args(argv)
        if extra:
            quote = " (quote the claim as one argument)" if args.command == "verify" else ""
            raise UsageError(f"unexpected argument {extra[0]!r} for '{PROG} {args.command}'{quote}")
        command = COMMANDS[args.command]
        return _quietly(lambda: time_limit(lambda: command.function(command.run)(args), command.seconds))
    except BrokenPipeError:
        raise
    except InputError as exc:     # the user's input (errors.py); any other exception is a bug of ours
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except CommandTimedOut:
        print(f"{PROG}: error: gave up: {name} ran longer than its limit of {COMMANDS[name].seconds} s",
              file=sys.stderr)
        return 2
    except RecursionError:
        print(f"{PROG}: error: input nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{PROG}: error: not enough memory for this input", file=sys.stderr)
        return 2
    except ImportError as exc:
        if _interrupted(exc):      # Ctrl-C while NumPy loads its C core surfaces as NumPy's ImportError
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130
        _internal_error(exc)
        return EXIT_INTERNAL
    except Exception as exc:  # a bug of ours: one line, the traceback only when asked for
        _internal_error(exc)
        return EXIT_INTERNAL


def _quietly(run):
    """Run a command with NumPy's and Python's warnings off: one line on stderr is all a user gets."""
    import warnings

    import numpy as np
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return run()


def _internal_error(exc: BaseException) -> None:
    if os.environ.get(DEBUG_VARIABLE) == "1":
        import traceback
        traceback.print_exception(exc, file=sys.stderr)
    print(f"{PROG}: internal error ({type(exc).__name__}): {one_line(exc)}", file=sys.stderr)


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


if __name__ == "__main__":
    sys.exit(main())
