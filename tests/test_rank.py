"""Ranking: tie policies against the published JPT 2021 list, groups, winners, exclusions
with reasons, tie breakers, rows that could not be scored, and the command line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import asnmerit
from asnmerit import AsnmeritError, Evaluation
from asnmerit.cli import main
from asnmerit.engine.batch import evaluate_records
from asnmerit.model import Criteria

from .helpers import DATA

# The published 2021 list (nusabali.com): ranks 1-6 and 10, 12. The agencies at ranks 7-9
# and 11 are not named in the source; these placeholders only fill the places between.
JPT_2021 = [
    ("Pemprov Bali", "97.00"),
    ("Kementerian PANRB", "96.00"),
    ("Kementerian Luar Negeri", "95.00"),
    ("Kementerian Hukum dan HAM", "93.00"),
    ("Pemprov Jawa Timur", "92.50"),
    ("Kota Yogyakarta", "92.50"),
    ("(rank 7)", "91.00"),
    ("(rank 8)", "90.50"),
    ("(rank 9)", "90.00"),
    ("Kabupaten Badung", "89.20"),
    ("(rank 11)", "88.00"),
    ("Kota Denpasar", "87.40"),
]


@pytest.fixture(scope="module")
def jpt() -> Criteria:
    return asnmerit.get("jpt", as_of="2021-06-30")


def jpt_record(jpt: Criteria, name: str, total: str, **changes: Any) -> dict[str, Any]:
    """Equal dimension values give that value as the total (the weights add up to 1)."""
    record: dict[str, Any] = dict.fromkeys(jpt.inputs, total)
    record.update(instansi=name, **changes)
    return record


@pytest.fixture(scope="module")
def jpt_2021(jpt: Criteria) -> list[Evaluation]:
    return [asnmerit.evaluate(jpt, jpt_record(jpt, n, s)) for n, s in JPT_2021]


def ranks(ranking: asnmerit.Ranking) -> dict[str, str]:
    return {p.identifiers["instansi"]: str(p.rank) for g in ranking.groups for p in g.placings}


def test_competition_ranking_reproduces_the_published_list(jpt_2021: list[Evaluation]) -> None:
    got = ranks(asnmerit.rank(jpt_2021))  # competition is the default
    assert got["Pemprov Bali"] == "1"
    assert got["Kementerian Hukum dan HAM"] == "4"
    assert got["Pemprov Jawa Timur"] == got["Kota Yogyakarta"] == "5"
    assert got["(rank 7)"] == "7"  # the tie at 5 takes places 5 and 6
    assert got["Kabupaten Badung"] == "10"
    assert got["Kota Denpasar"] == "12"


def test_dense_and_average_tie_policies(jpt_2021: list[Evaluation]) -> None:
    dense = ranks(asnmerit.rank(jpt_2021, ties="dense"))
    assert (dense["Kota Yogyakarta"], dense["(rank 7)"], dense["Kota Denpasar"]) == ("5", "6", "11")
    average = ranks(asnmerit.rank(jpt_2021, ties="average"))
    assert average["Pemprov Jawa Timur"] == average["Kota Yogyakarta"] == "5.5"
    assert (average["Kementerian Hukum dan HAM"], average["(rank 7)"]) == ("4", "7")


def test_tied_is_reported_and_ties_at_the_last_place_all_win(
    jpt_2021: list[Evaluation],
) -> None:
    ranking = asnmerit.rank(jpt_2021, top=5)
    placings = ranking.groups[0].placings
    assert [p.tied for p in placings[:7]] == [False] * 4 + [True, True, False]
    winners = [p.identifiers["instansi"] for p in ranking.winners()]
    assert winners[-2:] == ["Pemprov Jawa Timur", "Kota Yogyakarta"] and len(winners) == 6
    assert len(asnmerit.rank(jpt_2021, top=4).winners()) == 4
    assert asnmerit.rank(jpt_2021).winners() == []  # no award, no limit: nobody "wins"
    assert len(asnmerit.rank(jpt_2021, top=6).winners()) == 6


def test_tie_breakers_settle_a_tie_and_prefer_either_end(jpt: Criteria) -> None:
    # Same total 92.50, but Yogyakarta scores higher on innovation (and lower on reporting).
    evs = [
        asnmerit.evaluate(jpt, jpt_record(jpt, "Pemprov Jawa Timur", "92.50")),
        asnmerit.evaluate(
            jpt,
            jpt_record(
                jpt, "Kota Yogyakarta", "92.50", nilai_inovasi="95.00", nilai_pelaporan="90.00"
            ),
        ),
    ]
    higher = asnmerit.rank(evs, tie_breakers=["nilai_inovasi"])
    assert [
        (p.identifiers["instansi"], str(p.rank), p.tied) for p in higher.groups[0].placings
    ] == [
        ("Kota Yogyakarta", "1", False),
        ("Pemprov Jawa Timur", "2", False),
    ]
    lower = asnmerit.rank(evs, tie_breakers=[("nilai_inovasi", "lower")])
    assert lower.groups[0].placings[0].identifiers["instansi"] == "Pemprov Jawa Timur"
    # A breaker that does not separate them leaves the tie, and says so.
    same = asnmerit.rank(evs, tie_breakers=["nilai_persiapan"])
    assert [p.tied for p in same.groups[0].placings] == [True, True]


def test_groups_rank_separately_in_order_of_first_appearance(jpt: Criteria) -> None:
    rows = [
        ("A", "Kota", "90"),
        ("B", "Provinsi", "80"),
        ("C", "Kota", "95"),
        ("D", "Provinsi", "85"),
    ]
    evs = [asnmerit.evaluate(jpt, jpt_record(jpt, n, s, kelompok_instansi=g)) for n, g, s in rows]
    ranking = asnmerit.rank(evs, group_by="kelompok_instansi")
    assert [g.key for g in ranking.groups] == [
        {"kelompok_instansi": "Kota"},
        {"kelompok_instansi": "Provinsi"},
    ]
    assert [
        p.identifiers["instansi"] for p in ranking.group(kelompok_instansi="Kota").placings
    ] == [
        "C",
        "A",
    ]
    assert [str(p.rank) for p in ranking.group(kelompok_instansi="Provinsi").placings] == ["1", "2"]


@pytest.fixture(scope="module")
def award() -> Criteria:
    return asnmerit.load(DATA / "award.yaml")


def agency(name: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"instansi": name, "tingkat": "kota", "jumlah_asn": 100}
    record.update({"syarat": True, "a": 80, "b": 80, "c": 80}, **fields)
    return record


def test_exclusions_give_every_reason_and_lose_nobody(award: Criteria) -> None:
    evs = [
        asnmerit.evaluate(award, agency("ok", a=90)),
        asnmerit.evaluate(award, agency("no files", syarat=False)),
        asnmerit.evaluate(award, agency("low", a=10, b=10, c=10)),  # band D, below A
        asnmerit.evaluate(award, agency("both", syarat=False, a=10, b=10, c=10)),
    ]
    ranking = asnmerit.rank(evs)
    group = ranking.groups[0]
    assert [p.identifiers["instansi"] for p in group.placings] == ["ok"]
    why = {x.identifiers["instansi"]: [r.get("en") for r in x.reasons] for x in group.excluded}
    assert why["no files"] == ["Files incomplete"]
    assert why["low"] == ["D is below A, the minimum for Test award"]
    assert len(why["both"]) == 2
    assert len(ranking.rows()) == len(evs)


def test_min_band_excludes_below_it(jpt_2021: list[Evaluation], jpt: Criteria) -> None:
    bands = [b.code for b in jpt.bands.table]
    top_band = bands[-1]
    ranking = asnmerit.rank(jpt_2021, min_band=top_band)
    placed = sum(len(g.placings) for g in ranking.groups)
    excluded = sum(len(g.excluded) for g in ranking.groups)
    assert placed + excluded == len(jpt_2021)
    assert all(
        ev.band.code == top_band
        for g in ranking.groups
        for ev in [p.evaluation for p in g.placings]
    )
    assert all("below" in x.reasons[0].get("en") for g in ranking.groups for x in g.excluded)


def test_a_category_ranks_its_own_score_and_skips_the_unassessed(award: Criteria) -> None:
    evs = [
        asnmerit.evaluate(award, agency("x", a=90, b=80, khusus=70)),
        asnmerit.evaluate(award, agency("y", a=80, b=90, khusus=40)),
        asnmerit.evaluate(award, agency("z", a=70, b=70)),
        asnmerit.evaluate(award, agency("big", a=99, b=99, jumlah_asn=9000)),
    ]
    ab = asnmerit.rank(evs, "ab")
    assert ab.label.get("en") == "A and B" and ab.top == 2
    small = ab.group(tingkat="kota", ukuran="kecil")
    assert [(p.identifiers["instansi"], str(p.score), str(p.rank)) for p in small.placings] == [
        ("x", "85.00", "1"),
        ("y", "85.00", "1"),
        ("z", "70.00", "3"),
    ]
    assert [p.identifiers["instansi"] for p in ab.group(ukuran="besar").placings] == ["big"]
    special = asnmerit.rank(evs, "khusus")
    assert special.top is None and not special.ranked
    group = special.group(ukuran="kecil")
    assert [p.identifiers["instansi"] for p in group.winners] == ["x"]
    why = {x.identifiers["instansi"]: x.reasons[0].get("en") for x in group.excluded}
    assert why == {
        "y": "score 40 is below the minimum 50 for Special",
        "z": "not assessed in Special",
    }


def test_rows_that_failed_are_kept_as_rejected(award: Criteria) -> None:
    records = [agency("fine"), agency("broken", a="lots"), agency("also fine", a=95, b=95)]
    results = evaluate_records(award, records)
    overall = asnmerit.rank(results)  # an award with categories has no overall winners
    assert overall.top is None and not overall.winners()
    assert overall.label.get("en") == "Index"  # the total is shown as what it is
    ranking = asnmerit.rank(results, top=2)
    assert [x.row for x in ranking.rejected] == [2]
    assert ranking.rejected[0].reasons[0].get("en").startswith("could not be scored: a: expected")
    rows = ranking.rows("en")
    assert len(rows) == 3 and rows[-1]["row"] == 2 and rows[-1]["winner"] == "false"
    assert [p.row for p in ranking.winners()] == [3, 1]


def test_to_dict_is_json_and_render_marks_winners(jpt_2021: list[Evaluation]) -> None:
    ranking = asnmerit.rank(jpt_2021, top=3)
    data = json.loads(json.dumps(ranking.to_dict()))
    assert data["format"] == "asnmerit.ranking/1" and data["ties"] == "competition"
    first = data["groups"][0]["placings"][0]
    assert first == {
        "rank": "1",
        "score": "97.00",
        "tied": False,
        "winner": True,
        "row": None,
        "identifiers": {"instansi": "Pemprov Bali"},
    }
    text = ranking.render("en")
    assert "5=" in text and "Pemprov Bali *" in text and "Kota Yogyakarta *" not in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "nothing"}, "cannot rank by 'nothing'"),
        ({"group_by": "nothing"}, "cannot group by nothing"),
        ({"ties": "olympic"}, "unknown tie policy 'olympic'"),
        ({"top": 0}, "top must be at least 1"),
        ({"min_band": "gold"}, "no band 'gold'"),
        ({"tie_breakers": ["instansi"]}, "cannot break ties by 'instansi'"),
        ({"tie_breakers": [("nilai_inovasi", "sideways")]}, "prefer 'higher' or 'lower'"),
    ],
)
def test_bad_options_are_refused(
    jpt_2021: list[Evaluation], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(AsnmeritError, match=message):
        asnmerit.rank(jpt_2021, **kwargs)


def test_results_of_two_schemes_are_not_ranked_together(
    jpt_2021: list[Evaluation], award: Criteria
) -> None:
    other = asnmerit.evaluate(award, agency("x"))
    with pytest.raises(AsnmeritError, match="not on one scale"):
        asnmerit.rank([*jpt_2021, other])
    with pytest.raises(TypeError, match="evaluations or row results"):
        asnmerit.rank([{"score": 1}])  # type: ignore[list-item]


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=12))
def test_rank_policies_agree_with_their_definitions(scores: list[int]) -> None:
    criteria = asnmerit.load(DATA / "award.yaml")
    evs = [
        asnmerit.evaluate(criteria, agency(str(i), a=60 + s, b=60 + s, c=60 + s))
        for i, s in enumerate(scores)
    ]
    by_policy = {
        policy: {
            p.identifiers["instansi"]: p.rank
            for g in asnmerit.rank(evs, ties=policy, group_by=()).groups
            for p in g.placings
        }
        for policy in ("competition", "dense", "average")
    }
    for i, s in enumerate(scores):
        ahead = sum(t > s for t in scores)
        level = sum(t == s for t in scores)
        assert by_policy["competition"][str(i)] == ahead + 1
        assert by_policy["dense"][str(i)] == len({t for t in scores if t > s}) + 1
        assert by_policy["average"][str(i)] == Decimal(2 * ahead + level + 1) / 2


def test_cli_rank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        "instansi,nilai_persiapan,nilai_pelaksanaan,nilai_pelaporan,nilai_inovasi,nilai_pelanggaran_sistem_merit"
    ]
    rows += [f"{n},{s},{s},{s},{s},{s}" for n, s in JPT_2021[:7]]
    rows.append("Broken,x,1,1,1,1")
    path = tmp_path / "jpt.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code = main(["rank", "jpt", str(path), "--as-of", "2021-06-30", "--top", "5", "--lang", "en"])
    out, err = capsys.readouterr()
    assert code == 1  # a row failed: reported, and the exit code says so
    assert "5=" in out and "rejected: Broken" in out
    assert "rows: 8, scored: 7, errors: 1" in err
    out_csv = tmp_path / "ranking.csv"
    assert main(["rank", "jpt", str(path), "--format", "csv", "-o", str(out_csv)]) == 1
    lines = out_csv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("instansi,row,rank,tied,winner,score,excluded")
    assert len(lines) == 1 + 8  # every row of the input, rejected ones too
    assert main(["rank", "jpt", str(path), "--by", "nothing"]) == 2
    capsys.readouterr()
    assert main(["rank", "jpt", str(path), "--format", "json", "--ties", "dense"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [p["rank"] for p in data["groups"][0]["placings"]] == ["1", "2", "3", "4", "5", "5", "6"]


def test_equal_numbers_share_a_group(award: Criteria) -> None:
    evs = [
        asnmerit.evaluate(award, agency(n, jumlah_asn=j)) for n, j in (("a", "100"), ("b", "100.0"))
    ]
    assert len(asnmerit.rank(evs, group_by="jumlah_asn").groups) == 1


def test_cli_csv_keeps_every_identifier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "jpt.json"
    fields = dict.fromkeys(asnmerit.get("jpt").inputs, 90)
    path.write_text(
        json.dumps([fields, {**fields, "instansi": "Kota X", "kelompok_instansi": "Kota"}]),
        encoding="utf-8",
    )
    assert main(["rank", "jpt", str(path), "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith("row,rank") and "instansi" in header and "kelompok_instansi" in header


def test_a_blank_group_identifier_excludes_with_a_reason(jpt_2021: list[Evaluation]) -> None:
    ranking = asnmerit.rank(jpt_2021, group_by="kelompok_instansi")  # nobody gave it
    assert all(not g.placings for g in ranking.groups)
    reasons = {x.reasons[0].get("en") for g in ranking.groups for x in g.excluded}
    assert reasons == {"no value for kelompok_instansi, which decides the group"}


ODD_GROUPS: list[Any] = [
    ["a", {"b": 1}],
    {"b": 1, "c": [2]},
    ["a", {"b": 1}],
    Decimal("1e400"),
    Decimal("1.0E+400"),
    1,
    True,
    "1",
    Decimal("1.00"),
    {"c": [2], "b": 1},
]


def test_lists_mappings_and_huge_numbers_group_by_their_value(jpt: Criteria) -> None:
    evs = [
        asnmerit.evaluate(jpt, jpt_record(jpt, f"i{n}", str(50 + n), kelompok_instansi=v))
        for n, v in enumerate(ODD_GROUPS)
    ]
    ranking = asnmerit.rank(evs, group_by="kelompok_instansi")
    members = [[p.identifiers["instansi"] for p in g.placings] for g in ranking.groups]
    # equal lists, mappings (whatever their key order) and numbers group together; the
    # number 1, the boolean true and the text "1" never do
    assert members == [["i2", "i0"], ["i9", "i1"], ["i4", "i3"], ["i8", "i5"], ["i6"], ["i7"]]
    shown = [r["kelompok_instansi"] for r in ranking.rows()]
    assert shown[:2] == ['["a", {"b": 1}]'] * 2 and shown[4] == "1" + "0" * 400
    assert shown[-2:] == ["true", "1"]
    assert ranking.group(kelompok_instansi=["a", {"b": 1}]) is ranking.groups[0]
    assert ranking.group(kelompok_instansi=True) is ranking.groups[4]
    assert ranking.group(kelompok_instansi="1") is ranking.groups[5]
    data = json.loads(json.dumps(ranking.to_dict()))
    assert data["groups"][0]["key"] == {"kelompok_instansi": ["a", {"b": 1}]}
    assert '["a", {"b": 1}]' in ranking.render()


def test_cli_ranks_groups_of_any_json_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fields = dict.fromkeys(asnmerit.get("jpt").inputs, 90)
    values = ["1e400", '["x", {"y": 1}]', "true", "1", '"1"', '{"y": [1e400]}']
    path = tmp_path / "jpt.json"
    records = [f'{{"instansi": "i{n}", "kelompok_instansi": {v}}}' for n, v in enumerate(values)]
    path.write_text(
        "[" + ",".join(r[:-1] + ", " + json.dumps(fields)[1:] for r in records) + "]",
        encoding="utf-8",
    )
    for form in ("text", "csv", "json"):
        code = main(["rank", "jpt", str(path), "--group-by", "kelompok_instansi", "--format", form])
        out, err = capsys.readouterr()
        assert code == 0, err
    assert len(json.loads(out)["groups"]) == len(values)
