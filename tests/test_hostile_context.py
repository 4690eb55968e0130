"""The caller's decimal context never reaches a result: the whole public API, run under
hostile contexts (3 digits rounding down, 1 digit, traps on every rounding, no traps, a
tiny exponent range), gives exactly what it gives under the default context."""

from __future__ import annotations

import decimal
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

import asnmerit
from asnmerit.analysis.examples import run_examples
from asnmerit.engine.batch import evaluate_records
from asnmerit.present.reports import report
from asnmerit.present.show import describe_criteria, render_criteria
from asnmerit.whatif import evaluate_partial, next_band, sensitivity, sweep, with_overrides

from .helpers import DATA, data_criteria, pelaksana, scheme

HOSTILE = {
    "prec=3 floor": decimal.Context(prec=3, rounding=decimal.ROUND_FLOOR),
    "prec=1": decimal.Context(prec=1),
    "traps on rounding": decimal.Context(traps=[decimal.Inexact, decimal.Rounded]),
    "no traps": decimal.Context(traps=[]),
    "tiny exponents": decimal.Context(prec=5, Emax=2, Emin=-2, rounding=decimal.ROUND_UP),
}

KITCHEN = {
    "golongan": "I",
    "nilai": 80,
    "jam": 0,
    "lulus": False,
    "tanggal": "2026-01-01",
    "unit": "pusat",
}


def jpt_records() -> list[dict[str, Any]]:
    """Scores 3 digits cannot tell apart (56.76 and 56.73), in two groups."""
    jpt = scheme("jpt")
    marks = [("A", "56.76", "Kota"), ("B", "56.73", "Kota"), ("C", "91.55", "Kota")]
    marks += [("D", "77.13", "Provinsi"), ("E", "77.12", "Provinsi")]
    return [
        {**dict.fromkeys(jpt.inputs, m), "instansi": n, "kelompok_instansi": k} for n, m, k in marks
    ]


def text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def outputs() -> dict[str, Callable[[], Any]]:
    """Every public operation, each giving something comparable (JSON, text or HTML)."""
    ip, jpt, sink = scheme("ip-asn"), scheme("jpt"), data_criteria("kitchen-sink.yaml")
    award = asnmerit.load(DATA / "award.yaml")
    ip_records = [
        {"nip": f"1980010120050110{n:02d}", "instansi": i, **pelaksana(**c)}
        for n, (i, c) in enumerate(
            [
                ("A", {}),
                ("A", {"pendidikan": "S1", "hukuman_disiplin": "ringan"}),
                ("B", {"pendidikan": "S2", "predikat_kinerja": "sangat_baik"}),
                ("B", {"pendidikan": "S9"}),
                ("A", {"pendidikan": "D3", "seminar": False}),
            ],
            start=1,
        )
    ]
    weights = {"persiapan.weight": "0.3", "inovasi.weight": "0.1"}
    candidates = [
        {"instansi": n, "tingkat": t, "jumlah_asn": 100, "syarat": True}
        | {"a": m, "b": m, "c": m, "tahap2": s}
        for n, t, m, s in [
            ("p", "kota", "80.33", "70.5"),
            ("q", "kota", "80.31", "71.5"),
            ("r", "provinsi", "45.125", "60"),
        ]
    ]

    def ip_rows() -> list[asnmerit.RowResult]:
        return evaluate_records(ip, ip_records)

    def jpt_evs() -> list[asnmerit.Evaluation]:
        return [asnmerit.evaluate(jpt, r) for r in jpt_records()]

    def scored(rows: list[asnmerit.RowResult]) -> list[asnmerit.Evaluation]:
        return [r.evaluation for r in rows if r.evaluation is not None]

    return {
        "evaluate": lambda: [ev.to_dict() for ev in jpt_evs()],
        "evaluate kitchen sink": lambda: asnmerit.evaluate(sink, KITCHEN).to_dict(),
        "evaluate_records": lambda: [
            r.evaluation.to_dict() if r.evaluation else str(r.error) for r in ip_rows()
        ],
        "rank": lambda: asnmerit.rank(jpt_evs()).to_dict(),
        "rank render": lambda: asnmerit.rank(jpt_evs(), ties="average", top=1).render(),
        "rank by group": lambda: asnmerit.rank(jpt_evs(), group_by="kelompok_instansi").rows(),
        "rank award": lambda: asnmerit.rank(evaluate_records(award, candidates)).to_dict(),
        "select": lambda: asnmerit.select(evaluate_records(award, candidates)).to_dict(),
        "aggregate": lambda: asnmerit.aggregate(ip_rows(), by="instansi").to_dict(),
        "compare": lambda: asnmerit.compare(dict(zip("abcde", jpt_evs(), strict=True))).render(),
        "verify": lambda: asnmerit.verify([ev.to_dict() for ev in jpt_evs()], jpt).to_dict(),
        "next_band": lambda: [next_band(ev).to_dict() for ev in scored(ip_rows())],
        "next_band kitchen sink": lambda: next_band(asnmerit.evaluate(sink, KITCHEN)).to_dict(),
        "next_band jpt": lambda: [next_band(ev).render() for ev in jpt_evs()],
        "evaluate_partial": lambda: evaluate_partial(ip, {"jenis_jabatan": "pelaksana"}).to_dict(),
        "with_overrides": lambda: with_overrides(jpt, weights).digest,
        "sweep": lambda: sweep(jpt, [weights], jpt_records()).rows(),
        "sensitivity": lambda: sensitivity(jpt, jpt_records(), weights).rows(),
        "report": lambda: report(ip_rows(), ip),
        "report jpt": lambda: report(evaluate_records(jpt, jpt_records()), jpt),
        "explain": lambda: [ev.explain(lang) for ev in jpt_evs() for lang in ("id", "en")],
        "html": lambda: [ev._repr_html_() for ev in jpt_evs()],
        "gaps": lambda: [ev.gaps() for ev in scored(ip_rows())],
        "band_for": lambda: [jpt.band_for(s).code for s in ("56.76", "90.995", "100")],
        "examples": lambda: [(r.example, r.failures) for r in run_examples(award)],
        "show": lambda: (describe_criteria(jpt), render_criteria(ip)),
    }


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    with decimal.localcontext(decimal.Context()):
        return {name: text(run()) for name, run in outputs().items()}


def test_ranking_tells_apart_what_three_digits_cannot() -> None:
    with decimal.localcontext(HOSTILE["prec=3 floor"]):
        ranking = asnmerit.rank([asnmerit.evaluate(scheme("jpt"), r) for r in jpt_records()])
    got = {p.identifiers["instansi"]: (p.rank, p.tied) for p in ranking.groups[0].placings}
    assert got["A"] == (Decimal(4), False) and got["B"] == (Decimal(5), False)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_public_api_ignores_the_callers_context(name: str, expected: dict[str, str]) -> None:
    context = HOSTILE[name]
    differ = []
    for operation, run in outputs().items():
        with decimal.localcontext(context) as ctx:
            try:
                got = text(run())
            except (ArithmeticError, asnmerit.AsnmeritError) as exc:
                got = f"raised {exc!r}"
            assert decimal.getcontext() is ctx and ctx.prec == context.prec
        if got != expected[operation]:
            differ.append(f"{operation}: {got[:300]}")
    assert not differ, "\n".join(differ)
