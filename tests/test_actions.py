"""Which changes lift the most subjects into their next band (``asnmerit.whatif.actions``).

The definition is per row: every subject below the top band asks ``next_band`` (with
``max_changes``), and each of its options is counted once for that subject. ``actions``
computes it once per distinct profile, in bulk through the columnar plan; here it is
compared with that per-row definition on a few hundred rows of every bundled scheme that
has a band to reach, and of the test schemes with dates, derived inputs and awards.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import asnmerit
from asnmerit import Evaluation, RowResult, evaluate, evaluate_records
from asnmerit.errors import AsnmeritError, UnreadColumnsWarning, WhatIfError
from asnmerit.model import Criteria, Input
from asnmerit.whatif import Actions, actions, next_band
from asnmerit.whatif import lifts as lifts_module
from asnmerit.whatif.domains import shape, valid

from .helpers import DATA, data_criteria, pelaksana, scheme

# -- records and the per-row definition ---------------------------------------------------


def _draw(criteria: Criteria, inp: Input, rng: random.Random, level: float) -> Any:
    """One valid-looking value of ``inp``: a code, a yes/no, or a number or date near a
    value a condition compares it with, or around ``level`` of its range (so that the
    records of a scheme of many numbers spread over its bands)."""
    if inp.type == "enum":
        return rng.choice(list(inp.code_names))
    if inp.type == "boolean":
        return rng.random() < 0.5
    near = [t for t in shape(criteria).thresholds.get(inp.name, ()) if t is not None]
    if inp.type == "date":
        first = inp.min if isinstance(inp.min, dt.date) else dt.date(2000, 1, 1)
        last = inp.max if isinstance(inp.max, dt.date) else dt.date(2030, 12, 31)
        if near and rng.random() < 0.5:
            return rng.choice(near) + dt.timedelta(days=rng.randint(-3, 3))
        return first + dt.timedelta(days=rng.randint(0, (last - first).days))
    step = inp.step or (Decimal(1) if inp.type == "integer" else Decimal("0.5"))
    lo = inp.min if isinstance(inp.min, Decimal) else Decimal(-20)
    hi = inp.max if isinstance(inp.max, Decimal) else Decimal(120)
    span = int((hi - lo) / step)
    if near and rng.random() < 0.3:
        return rng.choice(near) + rng.randint(-2, 2) * step
    k = round((level + rng.uniform(-0.15, 0.15)) * span)
    return lo + min(max(k, 0), span) * step


def records(criteria: Criteria, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` random records of ``criteria`` (inputs with a default or a derivation are
    left out half of the time)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        level = rng.random()
        record = {}
        for name, inp in criteria.inputs.items():
            if (inp.default is not None or inp.derive is not None) and rng.random() < 0.5:
                continue
            value = _draw(criteria, inp, rng, level)
            for _ in range(20):
                if valid(inp, value):
                    break
                value = _draw(criteria, inp, rng, level)
            record[name] = value
        out.append(record)
    return out


Tally = dict[tuple[tuple[str, Any, Any], ...], tuple[int, Decimal]]


def key_of(change: Any) -> tuple[str, Any, Any]:
    """A change of a next_band option as ``actions`` names it: a number or date by its
    direction (as the HTML report always showed it), any other value as it is."""
    after = change.after
    if isinstance(after, Decimal | dt.date):
        rising = change.before is None or after > change.before
        return (change.input, None, "raise" if rising else "lower")
    return (change.input, after, None)


def per_row(evaluations: list[Evaluation], max_changes: int) -> Tally:
    """The definition: next_band on every subject below the top band, options tallied."""
    lifted: Counter[tuple[tuple[str, Any, Any], ...]] = Counter()
    gains: dict[tuple[tuple[str, Any, Any], ...], Decimal] = {}
    for ev in evaluations:
        plan = next_band(ev, max_changes=max_changes, limit=10**9)
        assert plan.exhaustive
        for option in plan.options:
            key = tuple(key_of(c) for c in option.changes)
            lifted[key] += 1
            gains[key] = gains.get(key, Decimal(0)) + option.gain
    return {k: (n, gains[k]) for k, n in lifted.items()}


def tallied(found: Actions) -> Tally:
    return {
        tuple((a.input, a.value, a.direction) for a in action.adjustments): (
            action.lifted,
            action.gain,
        )
        for action in found.actions
    }


def scored(criteria: Criteria, n: int, seed: int = 0) -> list[Evaluation]:
    rows = evaluate_records(criteria, records(criteria, n, seed))
    return [r.evaluation for r in rows if r.evaluation is not None]


def check_against_rows(evaluations: list[Evaluation], max_changes: int) -> Actions:
    found = actions(evaluations, max_changes=max_changes)
    expected = per_row(evaluations, max_changes)
    assert tallied(found) == expected
    top = evaluations[0].criteria.bands.table[-1]
    assert found.in_top == sum(ev.band == top for ev in evaluations)
    assert found.below == len(evaluations) - found.in_top
    return found


VERSIONS = [
    "anugerah-asn@2019",
    "anugerah-asn@2023",
    "asn-berprestasi@template",
    "asn-berprestasi-contoh@2025",
    "bkn-award@2020",
    "bkn-award@2021",
    "bkn-award@2022",
    "bkn-award@2023",
    "ip-asn@2019",
    "jpt@2021",
    "nspk@2022",
    "sistem-merit@2019",
    "sistem-merit@2025",
]
"""Every bundled scheme version."""

HEAVY = {"nspk@2022", "bkn-award@2022", "bkn-award@2023"}
"""Schemes of 22 actionable inputs, most of them numbers: next_band takes 40-60 ms a row."""


def bundled(name: str) -> Criteria:
    """The bundled scheme version ``id@version``."""
    scheme_id, _, version = name.partition("@")
    info = next(i for i in asnmerit.catalog() if i.id == scheme_id and i.version == version)
    return scheme(scheme_id, info.valid_from.isoformat())


def test_every_bundled_scheme_version_is_checked() -> None:
    assert [f"{i.id}@{i.version}" for i in asnmerit.catalog()] == VERSIONS


@pytest.mark.parametrize("name", VERSIONS)
def test_one_change_agrees_with_next_band_on_every_row(name: str) -> None:
    criteria = bundled(name)
    evaluations = scored(criteria, 200 if name in HEAVY else 300)
    found = check_against_rows(evaluations, 1)
    assert found.max_changes == 1
    assert all(len(a.adjustments) == 1 for a in found.actions)
    if len(criteria.bands.table) == 1:  # one band: everyone is in it, nothing to reach
        assert found.in_top == len(evaluations) and not found.actions
    else:
        assert found.actions, "the records should leave something to lift"


@pytest.mark.parametrize(
    ("name", "rows"),
    [("ip-asn@2019", 150), ("jpt@2021", 60), ("sistem-merit@2025", 30), ("nspk@2022", 4)],
)
def test_two_changes_agree_with_next_band_on_every_row(name: str, rows: int) -> None:
    found = check_against_rows(scored(bundled(name), rows, seed=1), 2)
    assert {len(a.adjustments) for a in found.actions} <= {1, 2}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bkn-award@2023", "sistem-merit@2019"])
def test_two_changes_agree_on_awards_with_derived_inputs(name: str) -> None:
    check_against_rows(scored(bundled(name), 5 if name in HEAVY else 30, seed=2), 2)


@pytest.mark.parametrize("name", ["kitchen-sink.yaml", "award.yaml", "falling.yaml"])
@pytest.mark.parametrize("max_changes", [1, 2])
def test_test_schemes_agree_dates_derived_inputs_awards(name: str, max_changes: int) -> None:
    criteria = data_criteria(name)
    check_against_rows(scored(criteria, 120 if max_changes == 1 else 30, seed=3), max_changes)


def test_pairs_leave_the_single_changes_as_they_were() -> None:
    # a pair is an option only where neither of its changes alone is enough, so allowing
    # pairs adds actions and changes none of the single ones
    evs = scored(scheme("ip-asn"), 200, seed=4)
    singles = actions(evs).actions
    both = actions(evs, max_changes=2).actions
    assert [a for a in both if len(a.adjustments) == 1] == list(singles)
    assert any(len(a.adjustments) == 2 for a in both)


def test_dates_are_moved_later_or_earlier() -> None:
    sink = data_criteria("kitchen-sink.yaml")
    found = actions(scored(sink, 120, seed=3))
    dated = [a for a in found.actions if a.inputs == ("tanggal",)]
    assert dated and all(a.adjustments[0].direction in ("raise", "lower") for a in dated)
    assert all(a.adjustments[0].value is None for a in dated)
    words = {a.adjustments[0].shown(sink, "en") for a in dated}
    assert words <= {"later", "earlier"}
    assert {a.adjustments[0].shown(sink, "id") for a in dated} <= {"lebih lambat", "lebih awal"}


def test_band_policies_of_the_evaluations_are_kept_apart() -> None:
    jpt = scheme("jpt")
    recs = records(jpt, 60, seed=5)
    evs = [evaluate(jpt, r) for r in recs[:30]]
    evs += [evaluate(jpt, r, band_policy="upper_bounds") for r in recs[30:]]
    check_against_rows(evs, 1)


def test_the_same_answer_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = ((scheme("ip-asn"), 100, 2), (data_criteria("kitchen-sink.yaml"), 40, 1))
    for criteria, n, most in cases:
        rows = evaluate_records(criteria, records(criteria, n, seed=6))
        bulk = actions(rows, max_changes=most)
        with monkeypatch.context() as m:
            m.setattr(lifts_module, "_numpy", lambda: None)
            assert actions(rows, max_changes=most) == bulk


def test_evaluations_need_no_numpy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None\n"
        "import asnmerit\n"
        "from asnmerit.cli.demo import sample_path\n"
        "ip = asnmerit.get('ip-asn')\n"
        "rows = asnmerit.evaluate_records(ip, asnmerit.read_records(sample_path()))\n"
        "print(asnmerit.whatif.actions(rows, top=1).render('en'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Highest formal education: S3: 131 (41.7%), +9.20 on average" in done.stdout


# -- tables --------------------------------------------------------------------------------


def agency(n: int, seed: int) -> list[dict[str, Any]]:
    from asnmerit.cli.demo import synthetic_agency

    rows = synthetic_agency(n=n, seed=seed)
    rows[3]["pendidikan"] = "bagus"  # refused: counted as failed
    rows[5]["nip"] = "123"  # an NIP its format refuses: failed, as evaluate_frame says
    rows[8]["nip"] = rows[9]["nip"]  # two rows of one NIP: both failed
    rows[11]["predikat_kinerja"] = ""  # a blank a scored row needs: failed
    return rows


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_a_table_gives_what_its_rows_give(kind: str) -> None:
    pd = pytest.importorskip("pandas")
    ip = scheme("ip-asn")
    recs = agency(600, seed=11)
    expected = actions(evaluate_records(ip, recs))
    assert expected.failed == 5
    frame = pd.DataFrame(recs)
    if kind == "polars":
        pl = pytest.importorskip("polars")
        frame = pl.from_pandas(frame)
    elif kind == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        frame = pa.Table.from_pandas(frame)
    assert actions(frame, criteria=ip) == expected
    assert actions(frame, criteria=ip, max_changes=2) == actions(
        evaluate_records(ip, recs), max_changes=2
    )


def test_a_table_of_numbers_and_derived_inputs_gives_what_its_rows_give() -> None:
    pd = pytest.importorskip("pandas")
    for criteria in (data_criteria("award.yaml"), data_criteria("kitchen-sink.yaml")):
        recs = records(criteria, 150, seed=12)
        frame = pd.DataFrame(recs)
        assert actions(frame, criteria=criteria) == actions(evaluate_records(criteria, recs))


def test_a_table_is_read_by_the_column_rules() -> None:
    pd = pytest.importorskip("pandas")
    ip = scheme("ip-asn")
    recs = agency(200, seed=13)
    frame = pd.DataFrame(recs).rename(columns={"jenis_jabatan": "Jenis Jabatan"})
    frame["catatan"] = "x"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = actions(frame, criteria=ip)
    unread = [w for w in caught if issubclass(w.category, UnreadColumnsWarning)]
    assert len(unread) == 1 and unread[0].filename == __file__  # said where it was called
    assert found == actions(evaluate_records(ip, recs))
    mapped = actions(frame, criteria=ip, profile=asnmerit.ReadingProfile(columns={"catatan": None}))
    assert mapped == found


def test_a_table_needs_criteria_and_results_need_no_profile() -> None:
    pd = pytest.importorskip("pandas")
    ip = scheme("ip-asn")
    frame = pd.DataFrame([pelaksana()])
    with pytest.raises(TypeError, match="criteria="):
        actions(frame)
    with pytest.raises(TypeError, match="a table of records"):
        actions(frame["pendidikan"], criteria=ip)
    with pytest.raises(TypeError, match="profile="):
        actions([evaluate(ip, pelaksana())], profile="hr-export-id")


# -- the result -------------------------------------------------------------------------------


def small() -> tuple[Criteria, list[RowResult]]:
    """IP ASN: 75 (SLTA, pelaksana), twice; 65 (the same, rated cukup); 85 (S1,
    fungsional); a row in the top band (100); a failed row."""
    ip = scheme("ip-asn")
    fungsional = pelaksana(
        jenis_jabatan="fungsional",
        pendidikan="S1",
        diklat_fungsional=True,
        predikat_kinerja="baik",
    )
    top = {**fungsional, "pendidikan": "S3", "predikat_kinerja": "sangat_baik"}
    cukup = pelaksana(predikat_kinerja="cukup")
    failed = pelaksana(predikat_kinerja="bagus")
    rows = evaluate_records(ip, [pelaksana(), pelaksana(), cukup, fungsional, top, failed])
    return ip, rows


def test_counts_shares_and_mean_gains_of_a_small_batch() -> None:
    _, rows = small()
    assert [r.evaluation.score if r.evaluation else None for r in rows] == [
        Decimal("75.0"),
        Decimal("75.0"),
        Decimal("65.0"),
        Decimal("85.0"),
        Decimal("100.0"),
        None,
    ]
    found = actions(rows)
    assert (found.below, found.in_top, found.failed, found.subjects) == (4, 1, 1, 5)
    # 75 (SLTA): D4, the nearest code that reaches, gives 85 (tinggi; a sangat_baik rating
    # gives 80, still sedang); 65: D4 or a baik rating give 75 (sedang); 85: S3 gives 95
    summary = [(str(a.adjustments[0]), a.lifted, a.share, a.mean_gain) for a in found.actions]
    assert summary == [
        ("pendidikan: D4", 3, Decimal("75.0"), Decimal("10.00")),
        ("pendidikan: S3", 1, Decimal("25.0"), Decimal("10.00")),
        ("predikat_kinerja: baik", 1, Decimal("25.0"), Decimal("10.00")),
    ]
    assert found.actions[0].gain == Decimal("30.0")
    assert actions(rows, top=2).actions == found.actions[:2]
    assert actions(rows, top=0).actions == ()


def test_rows_render_repr_and_json_in_both_languages() -> None:
    _, rows = small()
    found = actions(rows)
    assert found.rows()[0] == {
        "action": "Pendidikan formal tertinggi: D4",
        "inputs": "pendidikan",
        "lifted": "3",
        "share": "75.0%",
        "mean_gain": "+10.00",
    }
    assert found.rows("en")[0]["action"] == "Highest formal education: D4"
    assert all(isinstance(v, str) for row in found.rows() for v in row.values())
    text = found.render("en").splitlines()
    assert text[0] == (
        "ip-asn 2019, one change: 4 below the top band, 1 in the top band, 1 not scored"
    )
    assert text[1] == "  Highest formal education: D4: 3 (75.0%), +10.00 on average"
    assert found.render().splitlines()[0].startswith("ip-asn 2019, satu perubahan: 4 di bawah")
    assert str(found) == found.render()
    assert repr(found) == (
        "<Actions ip-asn 2019: 3 for 4 below the top band; best pendidikan: D4 lifts 3>"
    )
    html = found._repr_html_()
    assert html.startswith("<table><caption>ip-asn 2019, satu perubahan") and "D4" in html
    data = found.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["format"] == "asnmerit.actions/1"
    assert (data["below"], data["in_top"], data["failed"], data["max_changes"]) == (4, 1, 1, 1)
    assert data["actions"][0] == {
        "changes": [{"input": "pendidikan", "to": "D4"}],
        "lifted": 3,
        "share": "75.0",
        "gain": "30.0",
        "mean_gain": "10.00",
    }


def test_numbers_are_raised_or_lowered() -> None:
    jpt = scheme("jpt")
    found = actions(scored(jpt, 100))
    assert found.actions
    for action in found.actions:
        (adjustment,) = action.adjustments
        assert adjustment.value is None and adjustment.direction in ("raise", "lower")
        assert action.text(jpt, "en").endswith((": raise", ": lower"))
        assert action.text(jpt, "id").endswith((": naikkan", ": turunkan"))
    assert found.to_dict()["actions"][0]["changes"][0].keys() == {"input", "direction"}


def test_ordered_by_subjects_then_mean_gain_then_input() -> None:
    found = actions(scored(scheme("ip-asn"), 300, seed=7), max_changes=2)
    keys = [
        (
            -a.lifted,
            -a.gain / a.lifted,
            [(x.input, x.direction or "", str(x.value)) for x in a.adjustments],
        )
        for a in found.actions
    ]
    assert keys == sorted(keys)


def test_nothing_to_lift() -> None:
    ip, rows = small()
    found = actions([rows[4]])
    assert (found.actions, found.below, found.in_top) == ((), 0, 1)
    assert "No change lifts" in found.render("en")
    assert actions([rows[5]], criteria=ip).failed == 1
    with pytest.raises(AsnmeritError, match="criteria="):
        actions([rows[5]])
    assert actions([], criteria=ip).subjects == 0
    one_band = scheme("anugerah-asn")
    assert actions([], criteria=one_band).actions == ()


def test_wrong_arguments() -> None:
    _, rows = small()
    for bad in (0, -1, True, 1.5):
        with pytest.raises(WhatIfError, match="max_changes"):
            actions(rows, max_changes=bad)  # type: ignore[arg-type]
    with pytest.raises(WhatIfError, match="top"):
        actions(rows, top=-1)
    with pytest.raises(TypeError, match="evaluations or row results"):
        actions([pelaksana()])
    jpt = evaluate(scheme("jpt"), records(scheme("jpt"), 1)[0])
    with pytest.raises(AsnmeritError, match="not on one scale"):
        actions([rows[0], jpt])


def test_the_result_is_immutable() -> None:
    _, rows = small()
    found = actions(rows)
    with pytest.raises(AttributeError):
        found.below = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        found.actions[0].lifted = 0  # type: ignore[misc]


def test_exported_from_whatif() -> None:
    assert asnmerit.whatif.actions is actions
    assert asnmerit.whatif.Actions is Actions
    assert "actions" in asnmerit.whatif.__all__ and "Actions" in asnmerit.whatif.__all__
    assert DATA.exists()


def test_actions_as_a_table_and_a_scored_table_refused() -> None:
    import pandas as pd

    from asnmerit.cli.demo import synthetic_agency

    ip = asnmerit.get("ip-asn")
    df = pd.DataFrame(synthetic_agency(120, seed=3))
    found = asnmerit.whatif.actions(df, criteria=ip)
    out = found.to_frame()
    assert out["lifted"].tolist() == [a.lifted for a in found.actions]
    assert str(out["lifted"].dtype) == "Int64"
    assert out["mean_gain"].tolist() == [a.mean_gain for a in found.actions]
    scored = asnmerit.evaluate_frame(ip, df)
    with pytest.raises(
        asnmerit.errors.WhatIfError, match=r"table of records given to evaluate_frame"
    ):
        asnmerit.whatif.actions(scored, criteria=ip)
    import polars as pl
    import pyarrow as pa

    for table in (pl.from_pandas(scored.astype({"band": "string"})), pa.Table.from_pandas(scored)):
        with pytest.raises(asnmerit.errors.WhatIfError, match=r"this one is its result"):
            asnmerit.whatif.actions(table, criteria=ip)
