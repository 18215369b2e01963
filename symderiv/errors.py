"""The exceptions that mean "the user's input cannot be used", under one root.

The command line maps exactly ``InputError`` (and its own usage errors, which are
``InputError`` too) to exit 2 with one line on stderr; every other exception is a
bug of ours and is reported as an internal error (exit 3). So a ``ValueError``
raised deep inside SymPy or NumPy, or by a slip in our own code, is never shown
as the user's mistake.

Every class here is a ``ValueError`` as well, so code written against the
earlier API (``except ValueError``) keeps working. The modules that raise them
re-export the ones they always had (``notation.tokens.NotationError``,
``documents.settings.DocumentError``, ...). This module imports nothing of the
package: any module may import it.
"""
from __future__ import annotations


class InputError(ValueError):
    """Input that cannot be used: the message is one line naming the problem (and where)."""


class UsageError(InputError):
    """A command line that cannot be run: an unknown command or flag, flags that contradict."""


class NotationError(InputError):
    """A formula that cannot be read: one line naming the problem, with the position when known."""

    def __init__(self, message: str, text: str | None = None, pos: int | None = None):
        self.message, self.text, self.pos = message, text, pos
        super().__init__(self.one_line())

    def one_line(self) -> str:
        if self.text is None or self.pos is None:
            return self.message
        return f"{self.message} at column {self.pos + 1}"

    def caret(self) -> str:
        """Two lines: the (clipped) input and a caret under the problem."""
        if self.text is None or self.pos is None:
            return ""
        start = max(0, self.pos - 40)
        snippet = self.text[start:self.pos + 40].replace("\n", " ")
        return snippet + "\n" + " " * (self.pos - start) + "^"


class DocumentError(InputError):
    """An unusable document: one line naming the file, the line when known, and the problem."""


class ModelError(InputError):
    """A network setting that cannot be built: an unknown activation, loss, regulariser, layout,
    convention or backend name, widths that do not make a network, a loss that does not fit the output."""


class DataError(InputError):
    """Arrays or a data set that do not fit: shapes, dtypes, non-finite values, an unreadable .npz."""


class OutputError(InputError):
    """An output path symderiv will not or cannot write; the message names it."""


class UnsafeTeX(InputError):
    """A piece of LaTeX that must not reach pdflatex; the message names why."""


class TeXError(InputError):
    """pdflatex is missing, failed, or ran out of time; the message is one line.

    ``line`` is the line of the .tex source pdflatex stopped at, when its log names one.
    """

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class TrainingDiverged(InputError):
    """The objective became non-finite or exploded: the learning rate is too large."""


class BackendUnavailable(InputError, ImportError):
    """The backend's library is not installed; the message names the extra. An ImportError too,
    as it always was, so ``except ImportError`` around an optional backend keeps working."""
