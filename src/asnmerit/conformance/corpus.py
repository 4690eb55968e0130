"""The conformance corpus: every bundled scheme with input vectors and the outputs they must
give, as plain JSON, so that another implementation can prove it computes the same, and
so that a corpus exported by one version of asnmerit checks a later one.

:func:`export` writes a folder::

    index.json                      format asnmerit.conformance/1: the schemes, their files
    criteria/<family>/<file>.yaml   the bundled criteria files, byte for byte, where they lie
                                    in the bundle (so a file that extends another finds it)
    cases/<id>/<version>.json       format asnmerit.conformance-cases/1: the cases

Each case gives an input record and what it must give (score, band, eligibility, the
points of every node, ...), or the fields it must be refused for, or a score and the band
it falls in. The cases of a scheme version are its own examples; edge vectors (every
value at and next to each threshold its conditions compare, a base record per branch,
each input changed alone, the smallest changes that reach each next band and the value
one step short of them, the band policies where they disagree, scores at and next to
every band edge); pseudo-random records from a fixed seed; and records to refuse (values
out of bounds, unknown codes, wrong types, missing inputs, unknown fields). Decimal
numbers are JSON texts, never JSON numbers. The output is the same, byte for byte, on
every run and machine. :func:`check` runs this implementation against a corpus.

This module writes the corpus (:func:`export`), holds the JSON Schemas of its files and
reads them; the cases are made in :mod:`.cases`, checked in :mod:`.checking`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from .._version import __version__
from ..errors import ConformanceError
from ..files.atomic import write_atomic
from ..model import Criteria
from ..spec.bundled import criteria_dir
from ..spec.parse import parse_yaml
from ..spec.schema import shipped_schema, validator
from ..spec.versions import bundled_versions, catalog
from .vectors import ORIGINS, PER_SCHEME, cases

FORMAT = "asnmerit.conformance/1"
CASES_FORMAT = "asnmerit.conformance-cases/1"
_CASE_KEYS = ("id", "origin", "note", "band_policy", "input", "score", "expect")
"""The keys of a case, in the order a cases file gives them (inner keys are sorted)."""


def index_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a corpus's ``index.json``, as shipped."""
    return shipped_schema("conformance-index-1.json")


def cases_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a corpus's cases files, as shipped."""
    return shipped_schema("conformance-cases-1.json")


# -- the corpus folder --------------------------------------------------------------------


def _sources(path: Path) -> list[Path]:
    """A criteria file and the files it extends by path, in order."""
    out = [path]
    while True:
        doc, _ = parse_yaml(path.read_bytes(), str(path))
        spec = doc.data.get("extends") if doc is not None and isinstance(doc.data, dict) else None
        if not isinstance(spec, Mapping) or not isinstance(spec.get("path"), str):
            return out
        path = Path(os.path.normpath(path.parent / spec["path"]))
        if path in out:
            return out
        out.append(path)


_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _part(text: str) -> str:
    """``text`` as one safe path component."""
    safe = _SAFE.sub("_", text)
    return "_" + safe if safe.startswith(".") or not safe else safe


def _chosen(schemes: Iterable[str] | None) -> list[Criteria]:
    """The bundled scheme versions to export: every one, or those named (``id`` for all
    its versions, ``id@version`` for one)."""
    if isinstance(schemes, str):
        schemes = [schemes]
    listed = catalog()
    loaded = {(c.id, c.version): c for vs in bundled_versions().values() for c in vs}
    if schemes is None:
        return [loaded[s.id, s.version] for s in listed]
    out: list[str] = []
    for want in schemes:
        sid, _, version = want.partition("@")
        hits = [s.path for s in listed if s.id == sid and (not version or s.version == version)]
        if not hits:
            known = ", ".join(f"{s.id}@{s.version}" for s in listed)
            raise ConformanceError(f"no bundled scheme {want!r}; bundled: {known}")
        out += [p for p in hits if p not in out]
    return [loaded[s.id, s.version] for s in listed if s.path in out]


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _cases_text(criteria: Criteria, found: Sequence[Mapping[str, Any]]) -> str:
    """A cases file: its header, then one case per line."""
    head = {
        "format": CASES_FORMAT,
        "scheme": criteria.id,
        "version": criteria.version,
        "digest": criteria.digest,
    }
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    body = ",\n".join(
        "    {"
        + ", ".join(
            f"{json.dumps(k)}: {json.dumps(case[k], ensure_ascii=False, sort_keys=True)}"
            for k in _CASE_KEYS
            if k in case
        )
        + "}"
        for case in found
    )
    return "{\n" + "\n".join(lines) + '\n  "cases": [\n' + body + "\n  ]\n}\n"


def export(
    directory: str | os.PathLike[str],
    schemes: Iterable[str] | None = None,
    *,
    per_scheme: int = PER_SCHEME,
    force: bool = False,
) -> dict[str, Any]:
    """Write the conformance corpus of the bundled schemes (default: every version of
    every one; else ``id`` or ``id@version`` each) into ``directory``; return its index.

    The folder must be new, empty or hold an earlier corpus (whose files this export no
    longer writes are removed), unless ``force``. Each file is written atomically.
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise ConformanceError(f"{root} is not a folder")
    previous = _previous(root)
    if previous is None and root.exists() and any(root.iterdir()) and not force:
        raise ConformanceError(
            f"{root} is not empty and holds no conformance corpus; choose a new or empty "
            "folder, or force it (--force)"
        )
    files, entries = _contents(_chosen(schemes), per_scheme)
    index = {
        "format": FORMAT,
        "asnmerit": __version__,
        "per_scheme": per_scheme,
        "schemes": entries,
    }
    _write(root, files, index)
    for stale in sorted(set(previous or ()) - set(files)):
        _remove(root, stale)
    return index


def _contents(
    chosen: Sequence[Criteria], per_scheme: int
) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """The files of a corpus of the ``chosen`` scheme versions (path in the folder ->
    bytes), and the index entry of each version."""
    bundle = criteria_dir().resolve()
    files: dict[str, bytes] = {}
    entries = []
    for criteria in chosen:
        sources = _sources(Path(criteria.source).resolve())
        names = []
        for path in sources:
            try:
                rel = str(PurePosixPath("criteria", *path.relative_to(bundle).parts))
            except ValueError:
                raise ConformanceError(f"{path} lies outside the bundled criteria") from None
            files[rel] = path.read_bytes()
            names.append(rel)
        found = cases(criteria, per_scheme=per_scheme)
        where = str(PurePosixPath("cases", _part(criteria.id), _part(criteria.version) + ".json"))
        if where in files:
            raise ConformanceError(f"two bundled versions would share {where}")
        files[where] = _cases_text(criteria, found).encode("utf-8")
        entries.append(_entry(criteria, names, where, found))
    return files, entries


def _write(root: Path, files: Mapping[str, bytes], index: Mapping[str, Any]) -> None:
    """Write ``files`` into ``root``, then its ``index.json``, each atomically."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data.decode("utf-8"))
        write_atomic(root / "index.json", _dump(index))
    except OSError as exc:
        raise ConformanceError(f"cannot write {root}: {exc.strerror or exc}") from None


def _entry(
    criteria: Criteria, names: list[str], where: str, found: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    counts = dict.fromkeys(ORIGINS, 0)
    bands = {b.code: 0 for b in criteria.bands.table}
    for case in found:
        counts[case["origin"]] += 1
        band = case["expect"].get("band")
        if "input" in case and band is not None:
            bands[band] += 1
    return {
        "id": criteria.id,
        "version": criteria.version,
        "digest": criteria.digest,
        "extends": criteria.extends,
        "criteria": names[0],
        "bases": names[1:],
        "cases": where,
        "counts": counts,
        "bands": bands,
    }


def _previous(root: Path) -> list[str] | None:
    """The files an earlier corpus in ``root`` lists, or ``None`` when there is none."""
    try:
        index = json.loads((root / "index.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        return None
    out = []
    for entry in index.get("schemes") or []:
        if isinstance(entry, dict):
            names = [entry.get("criteria"), entry.get("cases"), *(entry.get("bases") or [])]
            out += [n for n in names if isinstance(n, str)]
    return out


def _remove(root: Path, rel: str) -> None:
    """Remove a file an earlier corpus wrote, and the folders it leaves empty."""
    target = (root / rel).resolve()
    base = root.resolve()
    if base not in target.parents or not target.is_file():
        return
    target.unlink()
    for parent in target.parents:
        if parent == base or any(parent.iterdir()):
            break
        parent.rmdir()


# -- reading a corpus ---------------------------------------------------------------------


def read_json(path: Path) -> Any:
    """The JSON in a corpus file."""
    try:
        return json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConformanceError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConformanceError(f"{path}: not UTF-8 JSON: {exc}") from None


def schema_errors(data: Any, schema: str) -> list[str]:
    """The first few errors the shipped JSON Schema ``schema`` finds in ``data``."""
    errors = sorted(validator(schema).iter_errors(data), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors[:5]]
