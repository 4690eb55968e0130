"""Reading subject records from CSV, JSON or YAML files, and writing results.

Rows are numbered from 1 (the first record; in a CSV, the line after the header).
Reading never drops a record: a malformed one is still yielded, and the evaluator
reports what is wrong with it.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from .errors import AsnmeritError
from .parse import Limits, parse_yaml

_RECORD_LIMITS = Limits(
    max_bytes=1 << 30, max_depth=16, max_nodes=200_000_000, bounded_numbers=False
)


class RecordsError(AsnmeritError):
    """A file of subject records cannot be read at all."""


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """All records of a CSV, JSON (a list of objects) or YAML (a list of mappings) file."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return list(iter_records(p))
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    if suffix == ".json":
        try:
            data = json.loads(
                raw.decode("utf-8-sig"), parse_float=Decimal, object_pairs_hook=_no_duplicates
            )
        except UnicodeDecodeError as exc:
            raise RecordsError(f"{p}: {not_utf8(raw, exc)}") from None
        except RecursionError:
            raise RecordsError(f"{p}: JSON nested too deeply to be a list of records") from None
        except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
            raise RecordsError(f"{p}: not valid JSON: {exc}") from None
        return _as_records(data, str(p))
    if suffix in (".yaml", ".yml"):
        doc, problems = parse_yaml(raw, str(p), _RECORD_LIMITS)
        if doc is None or problems:
            raise RecordsError("\n".join(str(x) for x in problems))
        return _as_records(doc.data, str(p))
    raise RecordsError(f"{p}: unknown record format {suffix or '(none)'}; use .csv, .json or .yaml")


def iter_records(
    path: str | os.PathLike[str], columns: Mapping[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """The records of a file one at a time. A CSV file is read as a stream (memory does not
    grow with its length), its header renamed by ``columns`` (``{header: field}``); JSON
    and YAML files are read whole. The checks are those of :func:`read_records`."""
    p = Path(path)
    if p.suffix.lower() != ".csv":
        if columns:
            raise RecordsError(f"{p}: a column mapping applies to CSV files only")
        yield from read_records(p)
        return
    with _csv_reader(p) as reader:
        names = _header(reader, columns or {}, str(p))
        if names is None:
            return
        unnamed = {n for n in names if n.startswith("(column ")}
        for row in reader:
            if not row:
                continue  # a blank line is not a record
            record: dict[str, Any] = {
                n: v
                for n, v in zip(names, row, strict=False)
                if not (n in unnamed and not v.strip())
            }
            if len(row) > len(names):
                extra = [v for v in row[len(names) :] if v.strip()]
                if extra:
                    record["(extra cells)"] = extra
            yield record


def csv_header(path: str | os.PathLike[str], columns: Mapping[str, str] | None = None) -> list[str]:
    """The column names of a CSV file as its records use them (a column without a name is
    ``(column N)``; renamed by ``columns``); empty for a file without a header."""
    with _csv_reader(Path(path)) as reader:
        return _header(reader, columns or {}, str(path)) or []


@contextlib.contextmanager
def _csv_reader(p: Path) -> Iterator[Iterator[list[str]]]:
    """A CSV reader over ``p`` decoded as it is read; a byte that is not UTF-8 and a
    malformed row raise :class:`RecordsError` naming the line."""
    try:
        fh = open(p, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    reader = csv.reader(fh)
    try:
        yield reader
    except UnicodeDecodeError:
        raise RecordsError(f"{p}: {_first_bad_byte(p)}") from None
    except csv.Error as exc:
        raise RecordsError(f"{p}: line {reader.line_num}: {exc}") from None
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    finally:
        fh.close()


def _header(
    reader: Iterator[list[str]], columns: Mapping[str, str], source: str
) -> list[str] | None:
    header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    if header is None:
        return None
    # A column without a name (a trailing comma) gets one, so a value under it is
    # reported as an unknown field rather than lost; a blank cell there is ignored.
    names = [h.strip() or f"(column {i})" for i, h in enumerate(header, start=1)]
    names = [columns.get(n, n) for n in names]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RecordsError(f"{source}: duplicate column(s) {', '.join(dupes)}")
    return names


def _first_bad_byte(p: Path) -> str:
    """Where the first byte of ``p`` that is not UTF-8 is (read line by line)."""
    with open(p, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return not_utf8(line, exc, number)
    return "not UTF-8 (save the file as UTF-8)"  # pragma: no cover - the decoder said so


def _as_records(data: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise RecordsError(f"{source}: expected a list of records, got {type(data).__name__}")
    bad = [i + 1 for i, r in enumerate(data) if not isinstance(r, Mapping)]
    if bad:
        raise RecordsError(
            f"{source}: row(s) {', '.join(map(str, bad[:10]))} are not records (mappings)"
        )
    return [dict(r) for r in data]


def not_utf8(raw: bytes, exc: UnicodeDecodeError, first_line: int = 1) -> str:
    """Where the first byte that is not UTF-8 is, as line and column (in characters);
    ``raw`` starts at line ``first_line``."""
    before = raw[: exc.start]
    line = before.count(b"\n") + first_line
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return (
        f"line {line}, column {column}: byte 0x{raw[exc.start]:02x} is not UTF-8 "
        "(save the file as UTF-8)"
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        keys = [k for k, _ in pairs]
        raise ValueError(
            f"duplicate key {next(k for k in keys if keys.count(k) > 1)!r} in an object"
        )
    return record


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
    target = Path(os.path.realpath(path))  # through a symlink, to the file it names
    if target.exists() and not target.is_file():
        raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """``rows`` as CSV text with ``columns`` in order (missing cells empty)."""
    out = io.StringIO()
    csv_writer(out, columns).writerows(rows)
    return out.getvalue()


def csv_writer(out: Any, columns: list[str]) -> csv.DictWriter[str]:
    """A writer of rows (mappings) as CSV to the text file ``out``, its header written."""
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    return writer
