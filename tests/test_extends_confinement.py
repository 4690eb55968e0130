"""Bases named by ``extends: {path: ...}`` stay in the folder tree of the file that names them
(or under a folder allowed with ``bases=`` / ``--allow-base``), and the problems of a base,
a file the user did not name, never quote what it holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import asnmerit
from asnmerit.cli import main
from asnmerit.spec import criteria_dir

from .test_extend import BASE

SECRET = "hunter2-db-password"


def refused(path: Path, **kwargs: list[Path]) -> list[asnmerit.Problem]:
    """The problems loading ``path`` reports."""
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.load(path, **kwargs)
    return list(err.value.problems)


def extending(folder: Path, base: str, name: str = "mine.yaml") -> Path:
    """A file in ``folder`` that extends ``base`` and changes only its version."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"spec: 1\nextends: {{path: {base}}}\nversion: '2'\n")
    return path


def symlink(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except OSError:  # pragma: no cover - Windows without the privilege
        pytest.skip("this system cannot make symbolic links")


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A secrets file outside the folder of the files that try to extend it."""
    path = tmp_path / "secret" / "secrets.yaml"
    path.parent.mkdir()
    path.write_text(f"db_password: {SECRET}\nspec: {SECRET}\n")
    return path


def assert_outside(problems: list[asnmerit.Problem], mine: Path) -> None:
    """One ``extends.outside`` at the path of ``mine``'s ``extends``, telling nothing read."""
    assert [(p.code, p.source, p.line, p.column) for p in problems] == [
        ("extends.outside", str(mine), 2, 17)
    ]
    assert SECRET not in str(problems[0]) and "bases=" in problems[0].message


def test_dot_dot_out_of_the_folder_is_refused(tmp_path: Path, secret: Path) -> None:
    mine = extending(tmp_path / "mine", "../secret/secrets.yaml")
    assert_outside(refused(mine), mine)
    # Whether the file exists makes no difference: nothing outside is even looked at.
    gone = extending(tmp_path / "mine", "../secret/nothing.yaml", "gone.yaml")
    assert_outside(refused(gone), gone)


def test_absolute_path_is_refused(tmp_path: Path, secret: Path) -> None:
    mine = extending(tmp_path / "mine", str(secret))
    (problem,) = refused(mine)
    assert (problem.code, problem.line, problem.column) == ("extends.path", 2, 17)
    assert SECRET not in str(problem) and "absolute" in problem.message


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path, secret: Path) -> None:
    mine = extending(tmp_path / "mine", "base.yaml")
    symlink(tmp_path / "mine" / "base.yaml", secret)
    assert_outside(refused(mine), mine)


def test_symlinked_folder_out_of_the_folder_is_refused(tmp_path: Path, secret: Path) -> None:
    mine = extending(tmp_path / "mine", "shared/secrets.yaml")
    symlink(tmp_path / "mine" / "shared", secret.parent)
    assert_outside(refused(mine), mine)


def test_symlink_that_stays_inside_is_allowed(tmp_path: Path) -> None:
    real = tmp_path / "mine" / "real" / "base.yaml"
    real.parent.mkdir(parents=True)
    real.write_text(BASE)
    mine = extending(tmp_path / "mine", "base.yaml")
    symlink(tmp_path / "mine" / "base.yaml", real)
    assert asnmerit.load(mine).version == "2"


def test_a_file_reached_through_a_symlinked_folder_extends_its_neighbour(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "base.yaml").write_text(BASE)
    extending(tmp_path / "real", "base.yaml")
    symlink(tmp_path / "link", tmp_path / "real")
    assert asnmerit.load(tmp_path / "link" / "mine.yaml").version == "2"


def test_bases_allow_another_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "a").mkdir(parents=True)
    (shared / "common.yaml").write_text(BASE)
    # Within an allowed folder, a base may climb to another file of that folder.
    (shared / "a" / "base.yaml").write_text("spec: 1\nextends: {path: ../common.yaml}\n")
    mine = extending(tmp_path / "mine", "../shared/a/base.yaml")
    assert_outside(refused(mine), mine)
    assert asnmerit.load(mine, bases=[shared]).version == "2"
    assert asnmerit.load(mine, bases=[str(shared / "a"), shared]).version == "2"
    # An allowed folder does not open its neighbours.
    (problem,) = refused(mine, bases=[shared / "a"])
    assert (problem.code, problem.source) == ("extends.outside", str(shared / "a" / "base.yaml"))
    with pytest.raises(TypeError, match="list of folders"):
        asnmerit.load(mine, bases=str(shared))  # type: ignore[arg-type]


def test_loads_confines_to_the_folder_of_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    mine = extending(tmp_path / "mine", "../base.yaml")
    text = mine.read_text()
    monkeypatch.chdir(tmp_path)  # the current folder, where the base is, allows nothing
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.loads(text, source=str(mine))
    assert err.value.codes == ("extends.outside",)
    assert asnmerit.loads(text, source=str(mine), bases=[tmp_path]).version == "2"
    with pytest.raises(asnmerit.CriteriaError) as err:  # text without a file: no path at all
        asnmerit.loads("spec: 1\nextends: {path: base.yaml}\n", bases=[tmp_path])
    assert err.value.codes == ("extends.path",)


def test_allow_base_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "base.yaml").write_text(BASE)
    mine = extending(tmp_path / "mine", "../shared/base.yaml")
    assert main(["validate", str(mine)]) == 1
    assert f"{mine}:2:17 extends.outside " in capsys.readouterr().out
    assert (
        main(
            [
                "validate",
                "--allow-base",
                str(tmp_path / "x"),
                "--allow-base",
                str(shared),
                str(mine),
            ]
        )
        == 2
    )
    assert "--allow-base" in capsys.readouterr().err  # a folder that does not exist
    (tmp_path / "x").mkdir()
    assert (
        main(
            [
                "validate",
                "--allow-base",
                str(tmp_path / "x"),
                "--allow-base",
                str(shared),
                str(mine),
            ]
        )
        == 0
    )
    capsys.readouterr()
    with mine.open("a") as fh:  # an example for 'asnmerit test' to run
        fh.write(
            "examples:\n  - {id: one, provenance: derived, inputs: {a: 1, b: 2}, expect: {score: 3}}\n"
        )
    assert main(["test", str(mine)]) == 1
    assert "extends.outside" in capsys.readouterr().out
    assert main(["test", "--allow-base", str(shared), str(mine)]) == 0
    assert "examples: 1 passed, 0 failed" in capsys.readouterr().out


# A base's content -> a code of its problems; every base holds "hunter2" (or the digits
# 98765432109876543210) where a message could quote it.
BROKEN_BASES = {
    "unknown-key": (f"spec: 1\n{SECRET}: 1\n", "schema.unknown-key"),
    "enum": (f"spec: {SECRET}\n", "schema.enum"),
    "type": (f"spec: 1\nid: [{SECRET}]\ntitle: {SECRET}\n", "schema.type"),
    "not-a-mapping": (f"root:x:0:0:{SECRET}:/root:/bin/bash\n", "schema.type"),
    "duplicate-key": (f"spec: 1\n{SECRET}: 1\n{SECRET}: 2\n", "yaml.duplicate-key"),
    "tag": (f"spec: !{SECRET} 1\n", "yaml.tag"),
    "tag-mismatch": (f"spec: !!int {SECRET}\n", "yaml.tag"),
    "alias": (f"spec: *{SECRET}\n", "yaml.alias"),
    "number": ("spec: 98765432109876543210\n", "value.number"),
    "escaping-base": (f"spec: 1\nextends: {{path: ../{SECRET}.yaml}}\n", "extends.outside"),
    "unknown-scheme": (
        f"spec: 1\nextends: {{scheme: {SECRET}, version: '1'}}\n",
        "extends.unknown",
    ),
    "unknown-node": (
        "spec: 1\nextends: {path: base.yaml}\nreplace:\n"
        "  hunter2_node: {id: hunter2_node, label: {id: X}, max: 10, direct: {input: a}}\n",
        "extends.unknown-node",
    ),
}


@pytest.mark.usefixtures("each_yaml_parser")
@pytest.mark.parametrize("case", list(BROKEN_BASES))
def test_a_base_s_problems_withhold_its_values(tmp_path: Path, case: str) -> None:
    content, code = BROKEN_BASES[case]
    folder = tmp_path / "mine"
    (folder / "lib").mkdir(parents=True)
    (folder / "lib" / "base.yaml").write_text(BASE)  # for the base that extends another
    broken = folder / "lib" / "broken.yaml"
    broken.write_text(content)
    mine = extending(folder, "lib/broken.yaml")
    problems = refused(mine)
    in_base = [p for p in problems if p.source == str(broken)]
    assert code in [p.code for p in in_base], "\n".join(map(str, problems))
    assert all(p.line is not None and p.column is not None for p in in_base)
    for p in problems:
        assert "hunter2" not in str(p) + p.path and "98765" not in str(p)
    assert all(p.path == "" for p in in_base)  # the base's keys are its own too


def test_the_named_file_s_own_problems_still_quote(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(f"spec: {SECRET}\n")
    base_problems = [str(p) for p in refused(extending(tmp_path, "broken.yaml"))]
    assert any("expected one of 1, got a text" in m and SECRET not in m for m in base_problems)
    # After a base's problems, the named file's own are quoted again.
    mine = tmp_path / "own.yaml"
    mine.write_text(f"spec: {SECRET}\nspec: 1\n")
    messages = [str(p) for p in refused(mine)]
    assert any("duplicate key 'spec'" in m for m in messages)
    assert any(f"got a text ('{SECRET}')" in m for m in messages)
    outside = extending(tmp_path / "sub", "../x.yaml")
    assert "base '../x.yaml' lies outside" in str(refused(outside)[0])


def test_bundled_schemes_extending_bundled_ones_still_load() -> None:
    extended = 0
    for info in asnmerit.catalog():
        by_path = asnmerit.load(info.path)  # bkn-award 2022 names ../nspk/2022.yaml
        assert (by_path.id, by_path.version) == (info.id, info.version)
        extended += by_path.extends is not None
    assert extended >= 3


def test_the_bundled_folder_is_always_allowed(tmp_path: Path) -> None:
    nspk = criteria_dir() / "nspk" / "2022.yaml"
    try:
        relative = os.path.relpath(nspk, tmp_path)
    except ValueError:  # pragma: no cover - another drive on Windows
        pytest.skip("the bundled folder is on another drive")
    assert asnmerit.load(extending(tmp_path, relative)).version == "2"
