"""The shape of the package: parts that depend downwards only, no import cycle, a small and
deliberate top level, old paths that still work for one release (with a warning).

The import graph is read from the source, imports inside functions included; imports under
``if TYPE_CHECKING:`` are left out (they never run)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import asnmerit

SRC = Path(asnmerit.__file__).parent

LAYERS: dict[str, int] = {
    "asnmerit.errors": 0,
    "asnmerit._decimal": 0,
    "asnmerit._version": 0,
    "asnmerit.files.atomic": 0,  # a file written whole or not at all needs nothing else
    "asnmerit._values": 1,
    "asnmerit._render": 2,
    "asnmerit._subject": 2,
    "asnmerit.model": 3,
    "asnmerit.results": 4,
    "asnmerit.engine": 5,
    "asnmerit.spec": 6,
    "asnmerit.files.profile": 6,  # how a table is read, and what its columns hold: used
    "asnmerit.files.columns": 6,  # by the files and by the columnar engine alike
    "asnmerit.columnar": 7,
    "asnmerit.files": 8,
    "asnmerit.analysis": 9,
    "asnmerit.whatif": 9,
    "asnmerit.conformance": 9,
    "asnmerit.present": 10,
    "asnmerit.plot": 10,
    "asnmerit.cli": 11,
    "asnmerit._compat": 12,
    "asnmerit.__main__": 12,
    "asnmerit": 12,
}
"""Each module's layer (the longest prefix given here decides): a module imports only from
its own layer or below. The order is the one of docs/architecture.md."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


class _Imports(ast.NodeVisitor):
    """The asnmerit modules one module imports, at any depth but under TYPE_CHECKING."""

    def __init__(self, name: str, package: bool) -> None:
        self.name, self.package, self.found = name, package, set[str]()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.name.split(".") if self.package else self.name.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        if module.split(".")[0] != "asnmerit":
            return
        subs = [f"{module}.{a.name}" for a in node.names]
        self.found.update(s for s in subs if s in MODULES)
        if not all(s in MODULES for s in subs):
            self.found.add(module)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(a.name for a in node.names if a.name in MODULES)


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        visitor = _Imports(name, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text("utf-8")))
        graph[name] = visitor.found - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer(name: str) -> int:
    prefix = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(import_graph()) == []


def test_a_cycle_is_found_when_there_is_one() -> None:
    graph = import_graph()
    graph["asnmerit.model"] = graph["asnmerit.model"] | {"asnmerit.engine.evaluator"}
    assert any("asnmerit.model" in c for c in cycles(graph))


def test_every_module_imports_downwards_only() -> None:
    upwards = [
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
        for a, targets in import_graph().items()
        for b in sorted(targets)
        if layer(b) > layer(a)
    ]
    assert upwards == []


def test_the_model_imports_no_engine_and_the_engine_no_files_faces_or_analysis() -> None:
    graph = import_graph()
    below_model = ("asnmerit.engine", "asnmerit.spec", "asnmerit.columnar", "asnmerit.results")
    assert not {t for t in graph["asnmerit.model"] if t.startswith(below_model)}
    above_engine = ("asnmerit.files", "asnmerit.present", "asnmerit.analysis", "asnmerit.cli")
    engine = {m: t for m, t in graph.items() if m.startswith("asnmerit.engine")}
    assert not {t for ts in engine.values() for t in ts if t.startswith(above_engine)}


def test_every_exception_is_defined_in_errors() -> None:
    # Only private signals inside one module (a parser's fatal stop, a search's limit) stay.
    outside = [
        f"{name}.{cls.__name__}"
        for name in MODULES
        if name not in ("asnmerit.errors", "asnmerit.__main__")
        for cls in vars(importlib.import_module(name)).values()
        if isinstance(cls, type)
        and issubclass(cls, BaseException)
        and cls.__module__ == name
        and not cls.__name__.startswith("_")
    ]
    assert outside == []


def test_the_top_level_holds_at_most_twelve_modules() -> None:
    top = sorted(p.name for p in SRC.glob("*.py"))
    assert len(top) <= 12, top


def test_no_module_shares_its_name_with_a_function_it_holds() -> None:
    clashes = []
    for name, path in MODULES.items():
        leaf = name.rpartition(".")[2]
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name == leaf:
                clashes.append(name)
    assert clashes == []


def test_the_top_level_is_the_public_surface() -> None:
    public = set(asnmerit.__all__)
    for needed in ("evaluate_records", "read_records", "RowResult", "evaluate_frame", "load"):
        assert needed in public
    assert not {"Any", "TYPE_CHECKING", "bulk", "domains", "columnar"} & public
    for name in asnmerit.__all__:
        assert getattr(asnmerit, name) is not None
    for verb in ("sweep", "next_band", "evaluate_partial", "with_overrides"):
        assert verb not in public
        assert callable(getattr(asnmerit.whatif, verb))
    assert callable(asnmerit.conformance.export) and callable(asnmerit.conformance.check)


def test_a_star_import_works_without_numpy(tmp_path: Path) -> None:
    # numpy made unimportable: `from asnmerit import *` still works, and evaluate_frame
    # says what to install when it is called.
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None\n"
        "from asnmerit import *\n"
        "ip = get('ip-asn')\n"
        "try:\n"
        "    evaluate_frame(ip, None)\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'asnmerit[frame]'" in done.stdout


def test_import_asnmerit_module_gives_the_module() -> None:
    import asnmerit.analysis.ranking as ranking
    import asnmerit.engine.evaluator as evaluator

    assert evaluator.__name__ == "asnmerit.engine.evaluator"
    assert ranking.rank is asnmerit.rank


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("asnmerit.batch", "evaluate_records", asnmerit.evaluate_records),
        ("asnmerit.records", "read_records", asnmerit.read_records),
        ("asnmerit.batch", "RowResult", asnmerit.RowResult),
        ("asnmerit.frame", "evaluate_frame", asnmerit.evaluate_frame),
    ],
)
def test_old_module_paths_warn_and_lead_to_the_new_home(old: str, name: str, new: object) -> None:
    module = __import__(old, fromlist=[name])
    with pytest.warns(DeprecationWarning, match=name):
        found = getattr(module, name)
    assert found is new


def test_old_module_paths_of_the_docs_still_import() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from asnmerit.batch import brief  # noqa: F401
        from asnmerit.demo import sample_path, synthetic_agency  # noqa: F401
        from asnmerit.docgen import reference_pages  # noqa: F401
        from asnmerit.report import report  # noqa: F401
    with pytest.raises(ImportError):
        from asnmerit.batch import no_such_name  # noqa: F401


def test_old_top_level_names_warn_and_lead_to_their_namespace() -> None:
    with pytest.warns(DeprecationWarning, match=r"asnmerit\.whatif\.sweep"):
        assert asnmerit.sweep is asnmerit.whatif.sweep  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match=r"asnmerit\.conformance\.export"):
        assert asnmerit.export_conformance is asnmerit.conformance.export  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = asnmerit.no_such_name  # type: ignore[attr-defined]
