"""Reading subject records from CSV, JSON or YAML files, and writing results.

Rows are numbered from 1 (the first record; in a CSV, the line after the header).
Reading never drops a record: a malformed one is still yielded, and the evaluator
reports what is wrong with it.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

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
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    if suffix == ".csv":
        return list(_csv_records(raw, str(p)))
    if suffix == ".json":
        try:
            data = json.loads(
                raw.decode("utf-8-sig"), parse_float=Decimal, object_pairs_hook=_no_duplicates
            )
        except UnicodeDecodeError as exc:
            raise RecordsError(f"{p}: {_not_utf8(raw, exc)}") from None
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


def _as_records(data: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise RecordsError(f"{source}: expected a list of records, got {type(data).__name__}")
    bad = [i + 1 for i, r in enumerate(data) if not isinstance(r, Mapping)]
    if bad:
        raise RecordsError(
            f"{source}: row(s) {', '.join(map(str, bad[:10]))} are not records (mappings)"
        )
    return [dict(r) for r in data]


def _not_utf8(raw: bytes, exc: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 is, as line and column (in characters)."""
    before = raw[: exc.start]
    line = before.count(b"\n") + 1
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


def _csv_records(raw: bytes, source: str) -> Iterator[dict[str, Any]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordsError(f"{source}: {_not_utf8(raw, exc)}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            return
        # A column without a name (a trailing comma) gets one, so a value under it is
        # reported as an unknown field rather than lost; a blank cell there is ignored.
        names = [h.strip() or f"(column {i})" for i, h in enumerate(header, start=1)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise RecordsError(f"{source}: duplicate column(s) {', '.join(dupes)}")
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
    except csv.Error as exc:
        raise RecordsError(f"{source}: line {reader.line_num}: {exc}") from None


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees a half-written file; the
    file keeps the permissions it had (or gets the usual ones for a new file)."""
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
            fh.write(text)
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
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
