"""Writing criteria as a criteria file (spec 1): the inverse of :func:`asnmerit.loads`.

:func:`dumps` gives the YAML text of loaded criteria, :func:`dump` writes it to a file.
``asnmerit.loads(dumps(c))`` is equal to ``c`` (same models, same ``digest``), and
dumping that again gives the same text. What is written is the checked source data that
``c`` was built from (``Criteria.document``), key order kept, comments and layout not:

* numbers are written as exact decimals in plain notation (``22.50``, never ``2.25E+1``,
  never through a binary float); a decimal always keeps a decimal point, so it is read back
  as a decimal, not as an integer;
* texts that a YAML reader could take for something else are quoted (codes such as
  ``'2'``, ``'1.0'``, ``'1e3'``, ``'true'``, ``'yes'``, ``'null'``); line breaks other than
  ``\n`` are escaped in double quotes; dates are written plain (``2020-01-01``), as in
  hand-written files;
* mapping keys are quoted by the same rule, except ``true`` and ``false``, the codes of a
  boolean input in lookups and switches (asnmerit always reads a key as text);
* short mappings and lists of plain values are written in flow style (``{id: .., en: ..}``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from .._decimal import plain
from ..errors import DumpError
from ..files.atomic import write_atomic
from ..model import Criteria
from .loader import kept_data

_CORE = "tag:yaml.org,2002:"
_STR, _BOOL, _FLOAT, _TIMESTAMP = (_CORE + t for t in ("str", "bool", "float", "timestamp"))
# What asnmerit's reader (YAML 1.2 core) takes for something other than a text when plain;
# see asnmerit.parse.
_NOT_TEXT = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_ODD_BREAKS = re.compile("[\r\x85\u2028\u2029]")
"""Line breaks other than ``\\n``: PyYAML writes them raw in other styles, and reads a raw
``\\x85`` (next line) back as a space."""
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_FLOW_WIDTH = 72
"""The longest mapping or list of plain values written on one line."""


def dumps(criteria: Criteria) -> str:
    """``criteria`` as the text of a standalone criteria file that :func:`asnmerit.loads`
    reads back into equal criteria with the same ``digest``.

    Criteria that extend another scheme (``extends``), and scenarios made with
    :func:`asnmerit.with_overrides`, are written merged: the file holds everything itself,
    has no ``extends`` key, and its criteria read back with ``extends=None``. Inputs and
    references the merged criteria dropped (nothing used them any more) are left out.
    Raises :class:`DumpError` for criteria that were not loaded from a document (built by
    hand).
    """
    from .._version import __version__

    doc = criteria.document
    if doc is None:
        raise DumpError(
            f"criteria {criteria.id} {criteria.version} were not loaded from a document; "
            "only loaded criteria (asnmerit.load, loads, with_overrides) can be written"
        )
    data = standalone(doc.data, criteria)
    head = (
        f"# {criteria.id} {_one_line(criteria.version)}, written by asnmerit {__version__} "
        f"({criteria.digest})\n"
    )
    return head + to_yaml(data)


def dump(criteria: Criteria, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps` of ``criteria`` to ``path`` atomically (a reader never sees half
    a file)."""
    write_atomic(path, dumps(criteria))


def standalone(data: dict[str, Any], criteria: Criteria) -> dict[str, Any]:
    """The checked source ``data`` of ``criteria`` as a file of its own: without
    ``extends``/``replace``, and without the inputs and references the criteria dropped."""
    kept = kept_data(data, criteria)
    return {k: v for k, v in kept.items() if k not in ("extends", "replace")}


def to_yaml(data: Any) -> str:
    """Plain criteria data (mappings, lists, texts, numbers, booleans, ``None``, dates) as
    YAML text that asnmerit reads back into the same data."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return text


def _one_line(text: str) -> str:
    """``text`` with every character that is not printable (line breaks included) escaped."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper with asnmerit's scalars and flow style for short collections."""

    def ignore_aliases(self, data: Any) -> bool:
        """Anchor only mappings and lists that the data shares (as the source's aliases
        did); a shared number or date is written again."""
        return not isinstance(data, dict | list)

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key, as hand-written files do."""
        super().increase_indent(flow, False)


def _text_node(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _ODD_BREAKS.search(value):  # only double quotes keep them (escaped) as they are
        return dumper.represent_scalar(_STR, value, style='"')
    if _NOT_TEXT.match(value):
        return dumper.represent_scalar(_STR, value, style="'")
    if "\n" in value.rstrip("\n"):
        return dumper.represent_scalar(_STR, value, style="|")  # falls back to quotes if needed
    # A date stays plain: asnmerit reads it as a text (YAML 1.1 would take it for a date).
    return dumper.represent_scalar(_TIMESTAMP if _DATE.match(value) else _STR, value)


def _decimal_node(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if not value.is_finite():
        raise DumpError(f"{value} is not a finite number")
    text = plain(value)
    return dumper.represent_scalar(_FLOAT, text if "." in text else text + ".0")


def _date_node(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar(_TIMESTAMP, value.isoformat())


def _key_node(dumper: yaml.SafeDumper, key: Any) -> yaml.Node:
    if key in ("true", "false"):
        return dumper.represent_scalar(_BOOL, key)
    node: yaml.Node = dumper.represent_data(key)
    return node


def _short(nodes: list[yaml.Node]) -> bool:
    if not all(isinstance(n, yaml.ScalarNode) and n.style in (None, "'") for n in nodes):
        return False
    return sum(len(str(n.value)) + 2 for n in nodes) <= _FLOW_WIDTH


def _mapping_node(dumper: yaml.SafeDumper, value: Mapping[Any, Any]) -> yaml.MappingNode:
    node = yaml.MappingNode(_CORE + "map", [], flow_style=False)
    if dumper.alias_key is not None:
        dumper.represented_objects[dumper.alias_key] = node
    pairs = [(_key_node(dumper, k), dumper.represent_data(v)) for k, v in value.items()]
    node.value.extend(pairs)
    node.flow_style = bool(pairs) and _short([n for pair in pairs for n in pair])
    return node


def _list_node(dumper: yaml.SafeDumper, value: list[Any] | tuple[Any, ...]) -> yaml.SequenceNode:
    node = yaml.SequenceNode(_CORE + "seq", [], flow_style=False)
    if dumper.alias_key is not None:
        dumper.represented_objects[dumper.alias_key] = node
    node.value.extend(dumper.represent_data(v) for v in value)
    node.flow_style = bool(node.value) and _short(node.value)
    return node


_Dumper.add_representer(str, _text_node)
_Dumper.add_representer(Decimal, _decimal_node)
_Dumper.add_representer(dt.date, _date_node)
_Dumper.add_representer(dict, _mapping_node)
_Dumper.add_representer(list, _list_node)
_Dumper.add_representer(tuple, _list_node)
