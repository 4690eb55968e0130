"""Criteria files that build on another: ``extends`` and ``replace``.

An extending file names its base (a bundled scheme and version, or a path relative to
the file) and gives only what changes:

* header keys, ``rounding``, ``bands``, ``eligibility``, ``award`` and ``score``
  replace the base's;
* ``inputs``, ``references`` and ``identifiers`` are merged by name (the file's entry
  wins);
* ``replace`` swaps score nodes of the base (in the tree or an award category's score),
  by id, for new ones;
* ``examples`` are never inherited: they test the base's rules, not the new ones.

Inputs and references of the base that no node uses any more are dropped. The merged
document is checked like any other; problems in what came from the base are reported at
the ``extends`` key of the extending file.

A ``path`` base must lie, symbolic links followed, in the folder tree of the file that names
it or under one of the ``roots`` the caller allows; anything else is refused before it is
opened. Bases are read :func:`~asnmerit.spec.parse.unquoted`: their problems say where and
what was expected, never what the base holds (the user did not name that file).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import CriteriaError, Problem
from .parse import Document, Limits, Path, Position, quoting, shown, unquoted
from .source import digest, parse_document, read_bytes

FindBase = Callable[[str, str], str]
"""``find_base(scheme, version)``: the path of a named base, or :class:`LookupError` saying
what there is instead (:func:`asnmerit.spec.bundled.find_base` for the bundled schemes)."""

Folders = Sequence[str | os.PathLike[str]]
"""Folders whose trees a base named by path may come from, besides the extending file's."""

MERGED = ("inputs", "references", "identifiers")
"""Sections merged entry by entry; every other key replaces the base's."""

MAX_DEPTH = 8
"""How many bases a chain of extending files may stack."""


@attrs.frozen
class Extended:
    """An extending document merged onto its base."""

    doc: Document
    base: str
    """The base scheme: id, version and content digest."""
    inherited: frozenset[tuple[str, str]]
    """(section, name) of the inputs, references and identifiers taken from the base."""


def resolve(
    doc: Document,
    limits: Limits,
    find_base: FindBase,
    *,
    roots: Folders = (),
    chain: tuple[str, ...] = (),
) -> Extended:
    """Merge ``doc`` (which has ``extends``) onto its base, loading bases recursively;
    ``find_base`` finds a base named by scheme and version, and a ``path`` base may also lie
    under one of ``roots`` (folders).

    Raises :class:`CriteriaError` when the base cannot be found or loaded, or a
    ``replace`` names a node the base does not have."""
    spec: Mapping[str, Any] = doc.data["extends"]
    where: Path = ("extends",)
    if len(chain) >= MAX_DEPTH:
        raise CriteriaError([doc.problem("extends.depth", f"more than {MAX_DEPTH} bases", where)])
    base_source = _base_source(doc, spec, find_base, roots)
    if os.path.realpath(base_source) in {os.path.realpath(s) for s in (*chain, doc.source)}:
        raise CriteriaError(
            [
                doc.problem(
                    "extends.cycle", f"{base_source} extends itself (through its bases)", where
                )
            ]
        )
    try:
        with unquoted():
            base = parse_document(read_bytes(base_source, limits), base_source, limits)
    except CriteriaError as err:
        note = doc.problem("extends.base", f"the base {base_source} cannot be used", where)
        raise CriteriaError([note, *err.problems]) from None
    if "extends" in base.data:
        with unquoted():
            base = resolve(base, limits, find_base, roots=roots, chain=(*chain, doc.source)).doc
    name = f"{base.data['id']} {base.data['version']} ({digest(base.data)})"
    merged, inherited, problems = _merge(base.data, doc)
    if problems:
        raise CriteriaError(problems)
    return Extended(merged, name, inherited)


BASE_SUFFIXES = (".yaml", ".yml", ".json")
"""What a base path must end with: a criteria file, never a device, a pipe or a secret."""


def _base_source(
    doc: Document,
    spec: Mapping[str, Any],
    find_base: FindBase,
    roots: Folders,
) -> str:
    if "path" in spec:
        return _base_path(doc, spec["path"], roots)
    try:
        return find_base(spec["scheme"], str(spec["version"]))
    except LookupError as missing:
        why = str(missing.args[0]) if quoting() else "no bundled scheme has that id and version"
        raise CriteriaError([doc.problem("extends.unknown", why, ("extends",))]) from None


def _base_path(doc: Document, path: str, roots: Folders) -> str:
    """The file a ``path`` base names, relative to the extending file; refused unless it is
    a relative path to a regular criteria file that lies, symbolic links followed, in the
    folder tree of the extending file or under one of ``roots`` (a stranger's criteria must
    not make the loader read ``/etc/passwd`` or a secret into an error message, or wait on
    a pipe)."""
    why = None
    if os.path.isabs(path) or path.startswith("~"):
        why = "is an absolute path"
    elif not path.lower().endswith(BASE_SUFFIXES):
        why = f"is not a criteria file (a base ends with {', '.join(BASE_SUFFIXES)})"
    elif not os.path.isfile(doc.source):
        why = "is relative to nothing: the extending criteria are not a file (load them from one)"
    if why:
        raise CriteriaError([_path_problem(doc, "extends.path", path, why)])
    folder = os.path.dirname(doc.source) or os.curdir
    found = os.path.normpath(os.path.join(folder, path))
    if not any(_inside(found, root) for root in (folder, *roots)):
        why = "lies outside the folder of the file naming it (allow more with bases=, --allow-base)"
        raise CriteriaError([_path_problem(doc, "extends.outside", path, why)])
    if os.path.exists(found) and not os.path.isfile(found):
        raise CriteriaError([_path_problem(doc, "extends.path", path, "is not a regular file")])
    return found


def _inside(path: str, folder: str | os.PathLike[str]) -> bool:
    """Whether ``path`` lies in the tree of ``folder``, both with symbolic links followed."""
    real, top = (os.path.normcase(os.path.realpath(p)) for p in (path, folder))
    return real == top or real.startswith(os.path.join(top, ""))


def _path_problem(doc: Document, code: str, path: str, why: str) -> Problem:
    return doc.problem(code, f"base {shown(repr(path))} {why}", ("extends", "path"))


def _merge(
    base: Mapping[str, Any], doc: Document
) -> tuple[Document, frozenset[tuple[str, str]], list[Problem]]:
    at: Position = doc.position(("extends",), key=True) or (1, 1)
    data = {k: v for k, v in base.items() if k != "examples"}
    positions: dict[Path, Position] = {(k,): at for k in data}
    keys: dict[Path, Position] = dict(positions)
    inherited: set[tuple[str, str]] = set()
    for section in MERGED:
        for name in base.get(section) or {}:
            inherited.add((section, name))
            positions[(section, name)] = keys[(section, name)] = at
    for key, value in doc.data.items():
        if key in ("extends", "replace"):
            continue
        if key in MERGED and isinstance(data.get(key), Mapping):
            data[key] = {**data[key], **value}
            inherited -= {(key, name) for name in value}
        else:
            data[key] = value
    mine = {
        p: pos for p, pos in doc.positions.items() if not p or p[0] not in ("extends", "replace")
    }
    positions.update(mine)
    keys.update(
        (p, pos) for p, pos in doc.key_positions.items() if p and p[0] not in ("extends", "replace")
    )
    replace: Mapping[str, Any] = doc.data.get("replace") or {}
    problems = _apply_replace(data, doc, replace, positions, keys) if replace else []
    merged = Document(data, doc.source, positions, keys)
    return merged, frozenset(inherited), problems


def _apply_replace(
    data: dict[str, Any],
    doc: Document,
    replace: Mapping[str, Any],
    positions: dict[Path, Position],
    keys: dict[Path, Position],
) -> list[Problem]:
    """Swap the nodes ``replace`` names in ``data`` (the tree and the award categories'
    scores), moving their positions to where they land; a problem per id not found."""
    problems: list[Problem] = []
    found: dict[str, Path] = {}
    data["score"] = _replace(data["score"], ("score",), replace, found)
    award = data.get("award")
    if isinstance(award, Mapping) and isinstance(award.get("categories"), list):
        cats = [
            {
                **c,
                "score": _replace(c["score"], ("award", "categories", i, "score"), replace, found),
            }
            if isinstance(c, Mapping) and "score" in c
            else c
            for i, c in enumerate(award["categories"])
        ]
        data["award"] = {**award, "categories": cats}
    for node_id in replace:
        path = found.get(node_id)
        if path is None:
            problems.append(
                doc.problem(
                    "extends.unknown-node",
                    f"the base has no score node {shown(repr(node_id))} to replace",
                    ("replace", node_id),
                    key=True,
                )
            )
            continue
        for table, source in ((positions, doc.positions), (keys, doc.key_positions)):
            for p, pos in source.items():
                if p[:2] == ("replace", node_id):
                    table[(*path, *p[2:])] = pos
    return problems


def _replace(node: Any, path: Path, new: Mapping[str, Any], found: dict[str, Path]) -> Any:
    """``node`` with every descendant whose id is in ``new`` swapped (copies, no mutation)."""
    if not isinstance(node, Mapping):
        return node
    node_id = node.get("id")
    if isinstance(node_id, str) and node_id in new and node_id not in found:
        found[node_id] = path
        return new[node_id]
    out = dict(node)
    for kind in ("sum", "weighted", "mean"):
        body = node.get(kind)
        if isinstance(body, Mapping) and isinstance(body.get("of"), list):
            of = [_replace(k, (*path, kind, "of", i), new, found) for i, k in enumerate(body["of"])]
            out[kind] = {**body, "of": of}
    body = node.get("switch")
    if isinstance(body, Mapping):
        switched = dict(body)
        if isinstance(body.get("branches"), Mapping):
            switched["branches"] = {
                code: _replace(k, (*path, "switch", "branches", code), new, found)
                for code, k in body["branches"].items()
            }
        if "otherwise" in body:
            switched["otherwise"] = _replace(
                body["otherwise"], (*path, "switch", "otherwise"), new, found
            )
        out["switch"] = switched
    return out
