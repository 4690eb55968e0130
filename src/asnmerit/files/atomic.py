"""Writing files atomically: a reader sees the old file or the whole new one, never a part.

Through a symlink the file it names is replaced; the file keeps its permissions; after a
failure or an interrupt no temporary file is left."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees a half-written file; the
    file keeps the permissions it had (or gets the usual ones for a new file)."""
    with atomic_writer(path) as fh:
        fh.write(text)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A text file (UTF-8) that replaces ``path`` when the ``with`` block ends without an
    exception; until then (and after a failure or an interrupt) ``path`` is untouched, and
    no temporary file is left. The file keeps the permissions it had."""
    with _atomic_file(path, binary=False) as fh:
        yield fh


@contextlib.contextmanager
def atomic_binary_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` as :func:`atomic_writer` does."""
    with _atomic_file(path, binary=True) as fh:
        yield fh


@contextlib.contextmanager
def _atomic_file(path: str | os.PathLike[str], binary: bool) -> Iterator[IO[Any]]:
    target = Path(os.path.realpath(path))  # through a symlink, to the file it names
    if target.exists() and not target.is_file():
        raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
    try:
        perms = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        perms = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        mode, encoding, newline = ("wb", None, None) if binary else ("w", "utf-8", "")
        with open(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, perms)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
