"""Safe, bounded YAML parsing that remembers where every value came from.

Criteria files may come from strangers, so this reader builds plain data straight from
the YAML event stream (no object construction, no recursion) and enforces:

* UTF-8 text without a byte-order mark, at most ``Limits.max_bytes`` long;
* one document; nesting at most ``Limits.max_depth`` deep;
* at most ``Limits.max_nodes`` values *after* alias expansion (an alias bomb fails fast:
  aliased values are shared, only their size is counted);
* only the core tags; ``!!python/...`` and every other language-specific tag is refused;
* a conservative resolver (YAML 1.2 core, not 1.1): ``no``/``yes``/``on`` stay strings,
  ``2019-05-15`` stays a string, decimal numbers become exact :class:`~decimal.Decimal`,
  ``.nan``/``.inf`` are refused;
* duplicate keys are errors, never silently overwritten.

Positions are kept per path (a tuple of keys and indexes), 1-based line and column. Problems
quote what they found, except while :func:`unquoted`: a file the user did not name (the base
of an extending file) must not leak its values (or its key names) into error messages.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

import attrs
import yaml

from .._decimal import bounded
from ..errors import Problem

Path = tuple[str | int, ...]
Position = tuple[int, int]

# libyaml's parser when PyYAML has it (20x faster: a hostile file is refused in
# milliseconds), with PyYAML's pure-Python parser as the fallback for anything libyaml
# refuses, so that both accept the same documents and report the same syntax errors.
_FAST: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML counts as a line break."""
_NONFINITE = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
_QUOTING: ContextVar[bool] = ContextVar("asnmerit_quoting", default=True)
WITHHELD = "<withheld>"
"""What a problem shows instead of a value found in a file the user did not name."""


def quoting() -> bool:
    """Whether problems may quote what they found (false inside :func:`unquoted`)."""
    return _QUOTING.get()


@contextlib.contextmanager
def unquoted() -> Iterator[None]:
    """Within the block, problems withhold the values and key names they find (read a base
    that way): they still say where, and what was expected."""
    token = _QUOTING.set(False)
    try:
        yield
    finally:
        _QUOTING.reset(token)


def shown(text: str) -> str:
    """``text`` (a value found, as a message shows it), or :data:`WITHHELD` inside
    :func:`unquoted`."""
    return text if _QUOTING.get() else WITHHELD


@attrs.frozen
class Limits:
    """Bounds on what one criteria file may cost to read."""

    max_bytes: int = 2 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 50_000
    bounded_numbers: bool = True
    """Refuse numbers outside :func:`asnmerit.decimals.bounded` while parsing (records files
    leave that to the row-by-row checks, so one odd value does not sink the file)."""


@attrs.frozen
class Document:
    """Parsed data plus where each value (and each mapping key) stands in the source."""

    data: Any
    source: str
    positions: dict[Path, Position]
    key_positions: dict[Path, Position]

    def position(self, path: Path, *, key: bool = False) -> Position | None:
        """Where ``path`` stands; an unknown path falls back to its nearest ancestor."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        if key and p in table:
            return table[p]
        while True:
            if p in self.positions:
                return self.positions[p]
            if not p:
                return None
            p = p[:-1]

    def problem(self, code: str, message: str, path: Path, *, key: bool = False) -> Problem:
        """A :class:`Problem` located at ``path``."""
        pos = self.position(path, key=key)
        line, col = pos if pos else (None, None)
        return Problem(code, message, self.source, line, col, _problem_path(path))


def format_path(path: Path) -> str:
    """``("score", "sum", "of", 0)`` -> ``score.sum.of[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem_path(path: Path) -> str:
    """The path a problem names: none inside :func:`unquoted` (its keys are the file's own)."""
    return format_path(path) if _QUOTING.get() else ""


class _Fatal(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


@attrs.define
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    size: int = 1
    key: str | None = None  # for mappings: the key waiting for its value
    duplicate: bool = False  # that key was seen before: its value is parsed, then dropped
    key_mark: Position | None = None
    anchor: str | None = None


def parse_yaml(
    raw: bytes | str, source: str = "<string>", limits: Limits | None = None, *, fast: bool = True
) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML (or JSON) document; return it (or ``None`` when unusable) and the
    problems. ``fast`` (the default) uses libyaml when available, falling back to the
    pure-Python parser for anything libyaml refuses; ``fast=False`` uses only the latter."""
    limits = limits or Limits()
    problems: list[Problem] = []
    text = _decode(raw, source, limits)
    if isinstance(text, Problem):
        return None, [text]
    builder = _Builder(source, limits, problems, text)
    try:
        try:
            data = builder.run(yaml.parse(text, Loader=_FAST if fast else yaml.SafeLoader))
        except yaml.YAMLError:
            if not fast or _FAST is yaml.SafeLoader:
                raise
            # libyaml refuses some valid input (JSON surrogate-pair escapes): read it again,
            # and report any real error, with the pure-Python parser.
            problems.clear()
            builder = _Builder(source, limits, problems, text)
            data = builder.run(yaml.parse(text, Loader=yaml.SafeLoader))
    except _Fatal as fatal:
        return None, [*problems, fatal.problem]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = min((mark.line + 1, mark.column + 1), builder.end) if mark else (None, None)
        what = " ".join(s for s in (exc.context, exc.problem) if s)
        return None, [*problems, Problem("yaml.syntax", what, source, line, col)]
    except yaml.YAMLError as exc:  # ReaderError: non-printable characters
        line, col = _line_col(text, getattr(exc, "position", 0))
        reason = getattr(exc, "reason", str(exc))
        return None, [*problems, Problem("yaml.syntax", str(reason), source, line, col)]
    doc = Document(data, source, builder.positions, builder.key_positions)
    return doc, problems


def _decode(raw: bytes | str, source: str, limits: Limits) -> str | Problem:
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > limits.max_bytes:
        return Problem(
            "yaml.too-large",
            f"file is {size} bytes; the limit is {limits.max_bytes} bytes",
            source,
            1,
            1,
        )
    if isinstance(raw, bytes):
        if raw.startswith(b"\xef\xbb\xbf"):
            return _bom(source)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start].decode("utf-8", "replace")
            line, col = _line_col(before, len(before))
            return Problem(
                "yaml.encoding",
                f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                source,
                line,
                col,
            )
    if raw.startswith("\ufeff"):
        return _bom(source)
    return raw


def _bom(source: str) -> Problem:
    return Problem(
        "yaml.bom", "file starts with a byte-order mark; save it as UTF-8 without BOM", source, 1, 1
    )


def _line_col(text: str, index: int) -> Position:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _mark(event: yaml.Event) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class _Builder:
    """Turns the event stream into plain data, iteratively, with positions and limits."""

    def __init__(self, source: str, limits: Limits, problems: list[Problem], text: str) -> None:
        self.source = source
        self.limits = limits
        self.problems = problems
        self.positions: dict[Path, Position] = {}
        self.key_positions: dict[Path, Position] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.text = text
        lines = _BREAKS.split(text)
        self.end: Position = (len(lines), len(lines[-1]) + 1)
        """Just after the last character: where PyYAML may place what ends the stream."""

    def mark(self, event: yaml.Event) -> Position:
        """Where ``event`` starts, at most just after the text (a value left empty at the
        very end, as in ``---``, is placed on the line PyYAML would open next)."""
        return min(_mark(event), self.end)

    def fatal(self, code: str, message: str, pos: Position) -> _Fatal:
        return _Fatal(Problem(code, message, self.source, pos[0], pos[1]))

    def run(self, events: Iterator[yaml.Event]) -> Any:
        stack: list[_Frame] = []
        root: Any = None
        have_root = False
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.fatal(
                        "yaml.multiple-documents",
                        "a criteria file holds exactly one YAML document",
                        self.mark(event),
                    )
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent):
                continue
            if isinstance(event, yaml.DocumentEndEvent):
                continue
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frame = stack.pop()
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (frame.container, frame.size)
                if stack:
                    stack[-1].size += frame.size
                continue
            # A key of a mapping?
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is None:
                self._key(stack[-1], event)
                continue
            path = self._child_path(stack)
            value, size, opened = self._value(event, path, len(stack))
            if stack:
                self._attach(stack[-1], value, path)
                stack[-1].size += size if opened is None else 0
            else:
                root, have_root = value, True
            if opened is not None:
                stack.append(opened)
        if documents == 0 or not have_root:
            raise self.fatal("yaml.empty", "the file holds no YAML document", (1, 1))
        return root

    def _child_path(self, stack: list[_Frame]) -> Path:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.container, dict):
            assert top.key is not None
            # A duplicate's value gets a path no value has (-1), so it moves no position.
            return (*top.path, -1 if top.duplicate else top.key)
        return (*top.path, len(top.container))

    def _key(self, frame: _Frame, event: yaml.Event) -> None:
        if not isinstance(event, yaml.ScalarEvent):
            kind = "an alias" if isinstance(event, yaml.AliasEvent) else "a list or mapping"
            raise self.fatal(
                "yaml.key", f"a mapping key must be a plain string, not {kind}", self.mark(event)
            )
        self._check_tag(event)
        key = self._text(event)
        assert isinstance(frame.container, dict)
        if key in frame.container:
            first = self.key_positions.get((*frame.path, key))
            where = f" (first at line {first[0]})" if first else ""
            self.problems.append(
                Problem(
                    "yaml.duplicate-key",
                    f"duplicate key {shown(repr(key))}{where}",
                    self.source,
                    *self.mark(event),
                    _problem_path((*frame.path, key)),
                )
            )
        frame.key = key
        frame.duplicate = key in frame.container
        frame.key_mark = self.mark(event)

    def _attach(self, frame: _Frame, value: Any, path: Path) -> None:
        if isinstance(frame.container, dict):
            assert frame.key is not None
            if not frame.duplicate:
                frame.container[frame.key] = value
                if frame.key_mark:
                    self.key_positions[path] = frame.key_mark
            frame.key, frame.duplicate = None, False
        else:
            frame.container.append(value)

    def _count(self, n: int, event: yaml.Event) -> None:
        self.nodes += n
        if self.nodes > self.limits.max_nodes:
            raise self.fatal(
                "yaml.too-many-nodes",
                f"more than {self.limits.max_nodes} values after alias expansion "
                "(an alias bomb, or a file far larger than any criteria file)",
                self.mark(event),
            )

    def _value(self, event: yaml.Event, path: Path, depth: int) -> tuple[Any, int, _Frame | None]:
        pos = self.mark(event)
        self.positions[path] = pos
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise self.fatal(
                    "yaml.alias",
                    f"alias {shown(f'*{event.anchor}')} refers to no complete anchor "
                    "(undefined, or itself)",
                    pos,
                )
            value, size = self.anchors[event.anchor]
            self._count(size, event)
            return value, size, None
        self._count(1, event)
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            return value, 1, None
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if depth + 1 > self.limits.max_depth:
                raise self.fatal(
                    "yaml.too-deep", f"nesting deeper than {self.limits.max_depth} levels", pos
                )
            self._check_tag(event)
            container: dict[str, Any] | list[Any] = (
                {} if isinstance(event, yaml.MappingStartEvent) else []
            )
            return container, 1, _Frame(container, path, anchor=event.anchor)
        raise self.fatal("yaml.syntax", f"unexpected {type(event).__name__}", pos)

    def _check_tag(self, event: yaml.NodeEvent) -> None:
        tag = getattr(event, "tag", None)
        if tag in (None, "!") or tag in _ALLOWED_TAGS:
            return
        raise self.fatal(
            "yaml.tag",
            f"tag {shown(repr(tag))} is not allowed: criteria files hold plain data only",
            self.mark(event),
        )

    def _number(self, text: str, event: yaml.ScalarEvent) -> Decimal:
        if len(text) > 1000:
            raise self.fatal(
                "value.number",
                f"{shown(text[:40] + '...')} is too long for a number",
                self.mark(event),
            )
        if not self.limits.bounded_numbers:
            return Decimal(text)
        try:
            return bounded(Decimal(text))
        except ValueError as exc:
            raise self.fatal(
                "value.number", f"{shown(text[:40])} is not {exc}", self.mark(event)
            ) from None

    def _text(self, event: yaml.ScalarEvent) -> str:
        text = str(event.value)
        if not _SURROGATE.search(text):
            return text
        # JSON writes characters beyond U+FFFF as escaped surrogate pairs: join them.
        try:
            return text.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            raise self.fatal(
                "yaml.encoding", "an unpaired surrogate escape (\\uD800-\\uDFFF)", self.mark(event)
            ) from None

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        self._check_tag(event)
        text = self._text(event)
        tag = event.tag
        if tag in (_CORE + "str", "!") or (tag is None and (event.style or not event.implicit[0])):
            return text  # quoted, block or explicitly a string
        forced = tag  # an explicit core tag, or None for plain scalars
        if _NONFINITE.match(text):
            raise self.fatal("yaml.non-finite", f"{text} is not a finite number", self.mark(event))
        if forced in (None, _CORE + "null") and _NULL.match(text):
            return None
        if forced in (None, _CORE + "bool") and text in _BOOL:
            return _BOOL[text]
        if forced in (None, _CORE + "int") and _INT.match(text):
            return int(self._number(text, event))
        if forced in (None, _CORE + "float") and _FLOAT.match(text):
            return self._number(text, event)
        if forced is not None:
            raise self.fatal(
                "yaml.tag", f"{shown(repr(text))} does not fit its tag {forced!r}", self.mark(event)
            )
        return text
