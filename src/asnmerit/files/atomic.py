"""Writing files atomically: a reader sees the old file or the whole new one, never a part.

Through a symlink the file it names is replaced; the file keeps its permissions; after a
failure or an interrupt no temporary file is left. A device or a pipe (``/dev/null``) is
written directly: it has no old content to keep. An error names the file as given, never a
temporary one. :func:`check_outputs` refuses the outputs of a run that would overwrite its
inputs or each other."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError

_PathLike = str | os.PathLike[str]


def write_atomic(path: _PathLike, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees a half-written file; the
    file keeps the permissions it had (or gets the usual ones for a new file)."""
    with atomic_writer(path) as fh:
        fh.write(text)


@contextlib.contextmanager
def atomic_writer(path: _PathLike) -> Iterator[IO[str]]:
    """A text file (UTF-8) that replaces ``path`` when the ``with`` block ends without an
    exception; until then (and after a failure or an interrupt) ``path`` is untouched, and
    no temporary file is left. The file keeps the permissions it had."""
    with _atomic_file(path, binary=False) as fh:
        yield fh


@contextlib.contextmanager
def atomic_binary_writer(path: _PathLike) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` as :func:`atomic_writer` does."""
    with _atomic_file(path, binary=True) as fh:
        yield fh


def check_outputs(inputs: Iterable[_PathLike | None], outputs: Iterable[_PathLike | None]) -> None:
    """Refuse (:class:`~asnmerit.errors.UsageError`, for the command line) an output that
    is one of the ``inputs``, or two ``outputs`` that are one file: the same path once
    resolved, or the same file on disk (a hard link). A device or a pipe (``/dev/null``)
    may be named more than once. ``None`` (an output not asked for) is left out."""
    ins = [p for p in inputs if p is not None]
    seen: list[_PathLike] = []
    for out in (p for p in outputs if p is not None):
        if _stream(out):
            continue
        for given in ins:
            if _same(out, given):
                raise UsageError(
                    f"output {os.fspath(out)} is the input file {os.fspath(given)}: "
                    "write the results elsewhere"
                )
        for other in seen:
            if _same(out, other):
                raise UsageError(
                    f"two outputs name one file: {os.fspath(other)} and {os.fspath(out)}"
                )
        seen.append(out)


def _same(a: _PathLike, b: _PathLike) -> bool:
    """Whether ``a`` and ``b`` name one file (by their resolved paths, or on disk)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet)
        return False


def _stream(path: _PathLike) -> bool:
    """Whether ``path`` is an existing device or pipe (through symlinks): written directly."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _named(exc: OSError, path: _PathLike) -> OSError:
    """``exc`` about ``path`` (the file as given)."""
    return OSError(exc.errno, exc.strerror or str(exc), os.fspath(path))


@contextlib.contextmanager
def _atomic_file(path: _PathLike, binary: bool) -> Iterator[IO[Any]]:
    mode, encoding, newline = ("wb", None, None) if binary else ("w", "utf-8", "")
    direct = _stream(path)  # a device or a pipe: no old content to keep
    if direct:
        fd: int | _PathLike = path
    else:
        target = Path(os.path.realpath(path))  # through a symlink, to the file it names
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "not a regular file", os.fspath(path))
        try:
            perms = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            perms = 0o666 & ~umask
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    done = False  # the caller wrote everything: what fails now is this file's
    try:
        with open(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            done = True
            if not direct:
                fh.flush()
                os.fsync(fh.fileno())
        if not direct:
            os.chmod(tmp, perms)
            os.replace(tmp, target)
    except BaseException as exc:
        if not direct:
            Path(tmp).unlink(missing_ok=True)
        if done and isinstance(exc, OSError):
            raise _named(exc, path) from exc
        raise
