"""The demo: a synthetic agency of a few hundred employees, scored with IP ASN.

The sample ``data/demo-agency.csv`` is made by :func:`synthetic_agency` (deterministic:
same seed, same rows) and shipped with the package; nothing in it is a real person.
Run ``python -m asnmerit.demo`` to regenerate it.
"""

from __future__ import annotations

import random
from decimal import Decimal
from importlib import resources
from pathlib import Path

import attrs

from .. import _decimal as D
from ..engine.bands import band_counts
from ..model import Criteria
from ..results import RowResult

SAMPLE = "data/demo-agency.csv"
COLUMNS = [
    "nip",
    "nama",
    "instansi",
    "unit_kerja",
    "status",
    "jenis_jabatan",
    "pendidikan",
    "diklat_kepemimpinan",
    "diklat_fungsional",
    "diklat_teknis_20jp",
    "seminar",
    "predikat_kinerja",
    "hukuman_disiplin",
]
_UNITS = [
    "Sekretariat Daerah",
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Badan Kepegawaian",
    "Dinas Pekerjaan Umum",
]


_EDUCATION = {
    "S3": 1,
    "S2": 12,
    "S1": 52,
    "D4": 6,
    "D3": 11,
    "D2": 1,
    "D1": 2,
    "SLTA": 13,
    "SLTP": 1,
    "SD": 1,
}
"""The weights of each level of education drawn."""
_PERFORMANCE = {
    "sangat_baik": 20,
    "baik": 68,
    "cukup": 8,
    "kurang": 2,
    "buruk": 1,
    "butuh_perbaikan": 1,
}
"""The weights of each performance rating drawn."""


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synthetic_agency(n: int = 320, seed: int = 2019) -> list[dict[str, str]]:
    """``n`` synthetic employee records as CSV-style text cells (blank where not asked)."""
    rng = random.Random(seed)
    rows = []
    nips: set[str] = set()
    for i in range(1, n + 1):
        job = _pick(rng, {"struktural": 12, "fungsional": 46, "pelaksana": 42})
        status = "PPPK" if job != "struktural" and rng.random() < 0.22 else "PNS"
        edu = _pick(rng, _EDUCATION)
        born = f"{rng.randint(1966, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        hired = f"{max(int(born[:4]) + 22, rng.randint(1990, 2024))}{rng.randint(1, 12):02d}"
        head = f"{born}{hired}{rng.randint(1, 2)}"
        seq = i % 1000  # three digits; past 999 rows, the next free number of that head
        while f"{head}{seq:03d}" in nips or seq == 0:
            seq = seq % 999 + 1
        nip = f"{head}{seq:03d}"
        nips.add(nip)

        def yes(p: float) -> str:
            return "true" if rng.random() < p else "false"

        rows.append(
            {
                "nip": nip,
                "nama": f"Pegawai Sintetis {i:03d}",
                "instansi": "Pemerintah Kabupaten Contoh (sintetis)",
                "unit_kerja": rng.choice(_UNITS),
                "status": status,
                "jenis_jabatan": job,
                "pendidikan": edu,
                "diklat_kepemimpinan": yes(0.85) if job == "struktural" else "",
                "diklat_fungsional": yes(0.8) if job == "fungsional" else "",
                "diklat_teknis_20jp": yes(0.75),
                "seminar": yes(0.7),
                "predikat_kinerja": _pick(rng, _PERFORMANCE),
                "hukuman_disiplin": _pick(
                    rng, {"tidak_ada": 95, "ringan": 3, "sedang": 1, "berat": 1}
                ),
            }
        )
    return rows


def sample_path() -> Path:
    """Where the shipped sample CSV is."""
    return Path(str(resources.files("asnmerit").joinpath(SAMPLE)))


@attrs.frozen
class Summary:
    """Counts per band, and the mean total and per-dimension means (exact, then rounded)."""

    rows: int
    scored: int
    failed: int
    bands: dict[str, int]
    mean: Decimal | None
    dimension_means: dict[str, Decimal]


def summarize(criteria: Criteria, results: list[RowResult], places: int = 2) -> Summary:
    """The distribution over bands and the means of the scored rows."""
    from ..analysis.aggregation import aggregate
    from ..model import Rounding

    evs = [r.evaluation for r in results if r.evaluation is not None]
    bands = dict(reversed(band_counts(criteria, evs).items()))
    whole = aggregate(results, criteria=criteria, rounding=Rounding(places)).groups[-1]
    return Summary(
        len(results),
        whole.count,
        whole.rejected,
        bands,
        whole.score,
        dict(whole.components),
    )


def render(criteria: Criteria, summary: Summary, lang: str = "id") -> str:
    """The summary as a small text report."""
    en = lang == "en"
    lines = [
        f"{criteria.title.get(lang)} ({criteria.id} {criteria.version}): "
        + ("synthetic agency" if en else "instansi sintetis"),
        f"{'rows' if en else 'baris'}: {summary.rows}, {'scored' if en else 'dinilai'}: {summary.scored}, "
        f"{'errors' if en else 'galat'}: {summary.failed}",
        "",
    ]
    width = max(len(criteria.bands.get(c).label.get(lang)) for c in summary.bands)
    for code, count in summary.bands.items():
        share = count * 100 / summary.scored if summary.scored else 0
        label = criteria.bands.get(code).label.get(lang)
        lines.append(f"  {label:<{width}}  {count:>5}  {share:5.1f}%  {'#' * round(share / 2)}")
    if summary.mean is not None:
        band = criteria.band_for(summary.mean)
        lines += [
            "",
            f"{'Mean' if en else 'Rata-rata'}: {D.plain(summary.mean)} ({band.label.get(lang)})",
        ]
        for node in criteria.score.children:
            value = summary.dimension_means[node.id]
            lines.append(
                f"  {node.label.get(lang)}: {D.plain(value)} / {D.plain(node.max or node.bounds[1])}"
            )
    return "\n".join(lines)


def write_sample(path: Path | None = None) -> Path:
    """Regenerate the shipped sample CSV (deterministic)."""
    from ..files.atomic import write_atomic
    from ..files.tables import to_csv

    target = path or sample_path()
    write_atomic(target, to_csv(synthetic_agency(), COLUMNS))
    return target


def main() -> None:  # pragma: no cover - a maintainer's tool
    print(write_sample())


if __name__ == "__main__":  # pragma: no cover
    main()
