"""The command line's commands, one module each: ``add_arguments(parser)`` declares a command's flags
and ``run(args) -> exit code`` runs it and prints its answer. ``cli.py`` keeps the table of commands,
the process (exit codes, one-line errors, Ctrl-C, closed pipes) and imports a command's module only
when that command is asked for, so ``symderiv --help`` and ``--version`` load neither SymPy nor NumPy.

The domain modules they call (documents/, report/, training/, verify/) return results; only these
modules print.
"""
from __future__ import annotations

PROG = "symderiv"
MESSAGE_CHARS = 400  # a message quoting user input stays one readable line


def one_line(message) -> str:
    """A message (or an exception) as one line of at most MESSAGE_CHARS characters."""
    text = " ".join(str(message).split()) or type(message).__name__
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 3] + "..."
