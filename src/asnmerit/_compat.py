"""Old import paths and names, kept for one release: each use warns (``DeprecationWarning``)
and leads to the new home.

Before the package was laid out in parts, its modules sat side by side (``asnmerit.batch``,
``asnmerit.records``, ``asnmerit.demo``, ...) and the top level exported the what-if and
conformance verbs. ``import asnmerit.batch`` still gives a module whose attributes are
looked up in the new homes; ``asnmerit.sweep`` still gives :func:`asnmerit.whatif.sweep`.
Old modules whose name is now a public function (``asnmerit.load``, ``asnmerit.evaluate``,
``asnmerit.rank``, ...) are not kept: importing them would hide the function.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from typing import Any

MODULES: dict[str, tuple[str, ...]] = {
    "bands": ("engine.bands", "model", "errors"),
    "batch": ("engine.batch", "results", "_values"),
    "build": ("spec.build",),
    "bulk": ("columnar.identifiers",),
    "decimals": ("_decimal",),
    "demo": ("cli.demo",),
    "docgen": ("present.docgen",),
    "domains": ("whatif.domains", "errors"),
    "explain": ("_render",),
    "extend": ("spec.extend",),
    "frame": ("columnar.frame", "columnar"),
    "html": ("_render", "results"),
    "inputs": ("_values", "engine.intake", "model", "_subject"),
    "nextband": ("whatif.nextband",),
    "parse": ("spec.parse",),
    "partial": ("whatif.partial",),
    "records": ("files.records", "files.atomic", "files.tables", "errors"),
    "report": ("present.reports",),
    "scenario": ("whatif.scenarios", "errors"),
    "selection": ("analysis.selection",),
    "show": ("present.show",),
    "stream": ("files.stream", "errors"),
    "svg": ("present.svg",),
    "tables": ("files.tables",),
}
"""Old module -> the modules its names now live in, searched in order."""

NAMES: dict[str, str] = {
    "ConformanceError": "conformance",
    "check_conformance": "conformance.check",
    "export_conformance": "conformance.export",
    "DumpError": "spec",
    "Limits": "spec",
    "criteria_dir": "spec",
    "dump": "spec",
    "dumps": "spec",
}
"""Old top-level name -> its namespace (``namespace.name`` when it was renamed). The what-if
names that left the top level are those of ``asnmerit.whatif.__all__``."""


def moved_name(name: str) -> Any:
    """``asnmerit.<name>`` for a name that moved (with a warning), or an old module."""
    if MODULES.get(name):
        return importlib.import_module(f"asnmerit.{name}")
    home = NAMES.get(name)
    if home is None and not name.startswith("_"):  # inspection tools probe for _names
        home = "whatif" if name in importlib.import_module("asnmerit.whatif").__all__ else None
    if home is None:
        raise AttributeError(f"module 'asnmerit' has no attribute {name!r}")
    where, _, new = home.partition(".")
    new = new or name
    warnings.warn(
        f"asnmerit.{name} is deprecated: use asnmerit.{where}.{new}",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(f"asnmerit.{where}"), new)


class _OldModule(types.ModuleType):
    """An old module: each attribute is looked up in the new homes, with a warning."""

    def __getattr__(self, name: str) -> Any:
        old = self.__name__
        if name.startswith("__"):  # what inspection tools look for: not a moved name
            raise AttributeError(name)
        for home in MODULES[old.rpartition(".")[2]]:
            module = importlib.import_module(f"asnmerit.{home}")
            if hasattr(module, name):
                warnings.warn(
                    f"{old}.{name} is deprecated: use asnmerit.{home}.{name}",
                    DeprecationWarning,
                    stacklevel=2,
                )
                return getattr(module, name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old modules of :data:`MODULES`, and only those."""

    def find_spec(
        self, fullname: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, old = fullname.partition(".")
        if package == "asnmerit" and MODULES.get(old):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _OldModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__doc__ = f"Deprecated: the names of {module.__name__} live in " + ", ".join(
            f"asnmerit.{home}" for home in MODULES[module.__name__.rpartition(".")[2]]
        )


if not any(isinstance(f, _Finder) for f in sys.meta_path):
    sys.meta_path.append(_Finder())
