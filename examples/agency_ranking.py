"""The best agency of each BKN regional office by its IP ASN, as the news reports it
("Kabupaten Batang's IP ASN of 84 was the best among the agencies of BKN's regional office
for Jawa Tengah and DIY"), on a synthetic population: every employee scored with the
columnar engine, the agencies' means aggregated from that table, and the agencies ranked
within the regional office (Kantor Regional) that serves their province.

Run it: ``python examples/agency_ranking.py [agencies] [seed]``. The population is made
up; only the method is real. Needs the ``pandas`` extra.
"""

from __future__ import annotations

import random
import sys
import warnings

import pandas as pd

import asnmerit
from asnmerit.analysis.lookups import lookup


def population(agencies: int, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Employees of ``agencies`` regional governments, each in a province."""
    rng = random.Random(seed)
    provinces = [row["provinsi"] for row in lookup("kanreg").rows]
    where = {f"Pemda {n:03}": rng.choice(provinces) for n in range(agencies)}
    where["Kabupaten Batang"] = "Jawa Tengah"
    rows = []
    for agency in where:
        strong = agency == "Kabupaten Batang"
        for _ in range(rng.randint(20, 60)):
            rows.append(
                {
                    "instansi": agency,
                    "status": rng.choice(["PNS", "PNS", "PPPK"]),
                    "jenis_jabatan": rng.choice(["pelaksana", "fungsional", "struktural"]),
                    "pendidikan": rng.choice(["SLTA", "D3", "S1", "S2"] + ["S2", "S3"] * strong),
                    "diklat_kepemimpinan": rng.random() < (0.9 if strong else 0.6),
                    "diklat_fungsional": rng.random() < (0.9 if strong else 0.6),
                    "diklat_teknis_20jp": rng.random() < (0.9 if strong else 0.5),
                    "seminar": rng.random() < (0.9 if strong else 0.4),
                    "predikat_kinerja": rng.choice(["sangat_baik", "baik", "baik", "cukup"]),
                    "hukuman_disiplin": rng.choice(["tidak_ada"] * 8 + ["ringan"]),
                }
            )
    return pd.DataFrame(rows), where


def main(agencies: int = 120, seed: int = 2024) -> asnmerit.Ranking:
    """Score, aggregate and rank; print the winner of each regional office."""
    ip = asnmerit.get("ip-asn")
    employees, where = population(agencies, seed)
    scored = asnmerit.evaluate_frame(ip, employees, components=True, keep=["instansi", "status"])
    scored["provinsi"] = scored["instansi"].map(where)
    refused = int(scored["error"].notna().sum())
    print(f"{len(scored):,} employees of {len(where)} agencies scored; {refused} rows refused")
    agencies_index = asnmerit.aggregate(scored, ["provinsi", "instansi"], criteria=ip)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rows of the shipped table of low confidence
        ranking = asnmerit.rank(agencies_index, group_by="kanreg", top=1)
    for group in ranking.groups:
        best = group.winners[0]
        print(
            f"Kanreg {group.key['kanreg']:>4}: {best.identifiers['instansi']}"
            f" ({best.identifiers['provinsi']}), IP ASN {best.score}"
            f" of {len(group.placings)} agencies"
        )
    return ranking


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
