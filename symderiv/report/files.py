"""Writing output files without surprises: atomic, never through a symlink, never over foreign files.

Owns every file symderiv writes into a user's folder (reports, plots):

* ``write_atomic``: the bytes go to a fresh temporary name in the target
  folder and are ``os.replace``d into place, so a reader (or a concurrent run)
  sees the old file or the new one, never half of either. An existing symlink
  at the target is refused: nothing is ever written through a link.
* ``claim_folder``: an output folder is symderiv's only if every entry in it is
  listed in its manifest (``.symderiv-report``, the names symderiv wrote
  there); a folder holding anything else is refused unless ``force``. The
  check and the manifest update happen under an exclusive lock on the folder
  (``flock`` on the directory itself), so concurrent runs into one folder see
  each other's names and not each other's half-written files.

Every problem is an ``OutputError`` (a ValueError: exit 2 at the CLI) whose
message is one line naming the path.
"""
from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import tempfile

from ..errors import OutputError  # noqa: F401 (re-exported)

MANIFEST = ".symderiv-report"
TMP_PREFIX = ".symderiv-tmp-"


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def write_atomic(path, data) -> pathlib.Path:
    """Write ``data`` (str or bytes) to ``path`` via a temporary name and an atomic rename."""
    path = pathlib.Path(path)
    if path.is_symlink():
        raise OutputError(f"refusing to write {path}: it is a symbolic link (remove it or choose another folder)")
    if path.exists() and not path.is_file():
        raise OutputError(f"cannot write {path}: it exists and is not a regular file")
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + path.name + ".", dir=path.parent or ".")
    except OSError as exc:
        raise OutputError(f"cannot write to folder {path.parent}: {_why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is an ordinary readable file
        os.replace(tmp, path)  # replaces a link or file at path itself, never its target
    except OSError as exc:
        _remove(tmp)
        raise OutputError(f"cannot write {path}: {_why(exc)}") from None
    except BaseException:
        _remove(tmp)
        raise
    return path


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _open_folder(folder: pathlib.Path) -> int:
    """A descriptor of ``folder``, created if needed; refuses files, links and unwritable folders."""
    if folder.is_symlink():
        raise OutputError(f"refusing to use {folder}: it is a symbolic link (give the real folder)")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise OutputError(f"cannot create or open folder {folder}: {_why(exc)}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        os.close(fd)
        raise OutputError(f"cannot write to folder {folder}: permission denied")
    return fd


@contextlib.contextmanager
def _locked(fd: int):
    try:
        import fcntl
    except ImportError:  # no flock (Windows): the atomic renames still keep files whole
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:  # a file system without locks: carry on, the renames are still atomic
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise OutputError(f"cannot lock the output folder: {_why(exc)}") from None
        yield
        return
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def read_manifest(folder: pathlib.Path) -> set[str]:
    """The names symderiv wrote into ``folder`` (empty when there is no manifest)."""
    path = folder / MANIFEST
    if path.is_symlink():
        raise OutputError(f"refusing to read {path}: it is a symbolic link")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"cannot read {path}: {exc}") from None
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def claim_folder(folder, names, force: bool = False) -> pathlib.Path:
    """Make ``folder`` ready for files ``names``: created, symderiv's own, and the names recorded.

    Raises OutputError when the folder cannot be used, or holds entries that
    symderiv did not write (unless ``force``); ``names`` must be plain file names.
    """
    folder = pathlib.Path(folder)
    for name in names:
        if name != pathlib.Path(name).name or name in (MANIFEST, "", ".", ".."):
            raise OutputError(f"not a plain file name: {name!r}")
    fd = _open_folder(folder)
    try:
        with _locked(fd):
            ours = read_manifest(folder)
            try:
                entries = os.listdir(folder)
            except OSError as exc:
                raise OutputError(f"cannot list folder {folder}: {_why(exc)}") from None
            foreign = sorted(entry for entry in entries
                             if entry not in ours and entry != MANIFEST and not entry.startswith(TMP_PREFIX))
            links = [name for name in names if (folder / name).is_symlink()]
            if links:  # refused before anything is written, not half-way through
                raise OutputError(f"refusing to write {folder / links[0]}: it is a symbolic link "
                                  f"(remove it or choose another folder)")
            if foreign and not force:
                shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
                raise OutputError(f"{folder} holds files symderiv did not write ({shown}): "
                                  f"choose an empty folder or pass --force")
            listed = sorted(ours | set(names))
            write_atomic(folder / MANIFEST, "# files written by symderiv into this folder\n"
                         + "".join(f"{name}\n" for name in listed))
    finally:
        os.close(fd)
    return folder
