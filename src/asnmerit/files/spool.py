"""Records that arrive through a pipe (``<(...)``, a named pipe, a device): read once,
kept in a temporary file as they are read, so that a table can be read again from its
start (a CSV file is read in more than one pass: its format, its header, its rows).

A CSV file is scored while it arrives; an Excel or Parquet file, which can only be read
from a whole file, is kept whole first.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import RecordsError


class Spool:
    """A pipe read once into a temporary file (deleted when the spool is)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._pipe: IO[bytes] | None = open(path, "rb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise RecordsError(f"{path}: {exc.strerror or exc}", code="records.missing") from None
        self._file = tempfile.NamedTemporaryFile(prefix="asnmerit-", suffix=path.suffix)  # noqa: SIM115
        self._view = open(self._file.name, "rb")  # noqa: SIM115 - closed with the spool
        self.size = 0

    def __del__(self) -> None:
        self._view.close()

    def _more(self, n: int) -> bytes:
        """Up to ``n`` more bytes of the pipe (kept); empty at its end."""
        if self._pipe is None:
            return b""
        data = self._pipe.read(n) or b""
        if not data:
            self._pipe.close()
            self._pipe = None
            return b""
        self._file.seek(self.size)
        self._file.write(data)
        self.size += len(data)
        return data

    def whole(self, limit: int | None = None) -> Path:
        """The whole of what the pipe gives, as a file (read no further than ``limit``
        bytes past which the caller refuses it)."""
        while self._more(1 << 20) and (limit is None or self.size <= limit):
            pass
        self._file.flush()
        return Path(self._file.name)

    def reader(self) -> IO[bytes]:
        """A reader of the pipe's bytes from the start (those kept, then new ones)."""
        return io.BufferedReader(_Reader(self), buffer_size=1 << 16)

    def read_at(self, at: int, n: int) -> bytes:
        """Up to ``n`` bytes from offset ``at`` (reading the pipe on when needed)."""
        if at >= self.size and not self._more(max(n, 1 << 16)):
            return b""
        self._file.flush()
        self._view.seek(at)
        return self._view.read(min(n, self.size - at))


class _Reader(io.RawIOBase):
    def __init__(self, spool: Spool) -> None:
        self.spool, self.at = spool, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.spool.read_at(self.at, len(buffer))
        buffer[: len(data)] = data
        self.at += len(data)
        return len(data)


Source = Path | Spool
"""A records file: a regular file, or a pipe being spooled."""


def name(src: Source) -> Path:
    """The path ``src`` was named by."""
    return src if isinstance(src, Path) else src.path


_SESSION: contextvars.ContextVar[dict[str, Spool] | None] = contextvars.ContextVar(
    "asnmerit_spools", default=None
)
"""The pipes of the reading in progress (see :func:`spools`), by path."""


@contextlib.contextmanager
def spools() -> Iterator[None]:
    """One reading of records: a pipe named more than once in it (its format looked at,
    then its rows read) is opened once, and its spool kept for that reading only."""
    if _SESSION.get() is not None:  # within a reading already
        yield
        return
    token = _SESSION.set({})
    try:
        yield
    finally:
        _SESSION.reset(token)


def source(p: Path) -> Source:
    """``p`` as a source of records: a regular file as it is, a pipe or device as a
    :class:`Spool` (within one reading, the same one each time it is named: see
    :func:`spools`); :class:`RecordsError` for a missing file or a folder."""
    try:
        mode = os.stat(p).st_mode
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}", code="records.missing") from None
    if stat.S_ISREG(mode):
        return p
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        session = _SESSION.get()
        if session is None:
            return Spool(p)
        if str(p) not in session:
            session[str(p)] = Spool(p)
        return session[str(p)]
    raise RecordsError(f"{p}: not a file of records (a folder?)", code="records.not-a-file")


def suffix_of(p: Path) -> str:
    """The format of ``p`` as an extension: its own; for a file without one (``<(...)``,
    ``/dev/stdin``), what its first bytes say: ``.xlsx`` (a zip), ``.parquet``, ``.json``
    (``[`` or ``{``), ``.yaml`` (``- `` or ``---``), else ``.csv``."""
    if p.suffix or not p.exists() or p.is_dir():  # (call it within spools() for a pipe)
        return p.suffix.lower()
    src = source(p)
    if isinstance(src, Spool):
        head = src.read_at(0, 1 << 16)
    else:
        with open(src, "rb") as fh:
            head = fh.read(1 << 16)
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"PK"):
        return ".xlsx"
    if head.startswith(b"PAR1"):
        return ".parquet"
    if text[:1] in (b"[", b"{"):
        return ".json"
    return ".yaml" if text.startswith((b"- ", b"-\n", b"---", b"%YAML")) else ".csv"


def whole_file(src: Source, limit: int | None = None) -> Path:
    """A regular file holding all of ``src`` (of a pipe, no more than ``limit`` and a
    chunk: enough to tell it is too long)."""
    return src if isinstance(src, Path) else src.whole(limit)
