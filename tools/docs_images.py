"""Draw the gallery of docs/notebooks.md: each plot of ``asnmerit.plot`` as an SVG file.

    python tools/docs_images.py [FOLDER]     (default: docs/images)

The data are the bundled synthetic agency (scored with IP ASN), an illustrative merit
assessment over four periods, and a small synthetic set of agencies scored with the JPT
scheme (fixed seed). The files are reproducible: the Agg backend, one font and size,
text kept as text (``svg.fonttype: none``), a fixed ``svg.hashsalt`` for the ids and no
date in the metadata, so drawing them again with the same matplotlib gives the same
bytes. The matplotlib version stays in the metadata (``dc:creator``): the test of the
gallery compares bytes only when it is the one installed.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt

import asnmerit
from asnmerit import plot
from asnmerit.cli.demo import sample_path
from asnmerit.whatif import sensitivity

FOLDER = Path(__file__).resolve().parent.parent / "docs" / "images"
"""Where the documentation looks for the images."""

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib: the same metrics everywhere
    "font.size": 10,
    "svg.fonttype": "none",  # text as text: small files, searchable, the page's font
    "svg.hashsalt": "asnmerit-docs",  # the same ids on every run
    "svg.image_inline": True,
    "path.simplify": True,
    "axes.unicode_minus": True,
}
"""The settings every image is drawn with."""

SEED = 2021
"""The seed of the synthetic JPT agencies."""

ASPECTS = tuple(c.id for c in asnmerit.get("sistem-merit", as_of="2024-06-01").score.children)
"""The eight aspects of the 2019 merit-system assessment, in order."""


def _agency() -> list[asnmerit.RowResult]:
    ip = asnmerit.get("ip-asn")
    return asnmerit.evaluate_records(ip, asnmerit.read_records(sample_path()))


def _periods() -> asnmerit.Comparison:
    """An agency's merit assessment 2021-2023 (2019 instrument), then 2025 (new one)."""
    merit = asnmerit.get("sistem-merit", as_of="2024-06-01")
    framework = asnmerit.get("sistem-merit", as_of="2026-01-01")

    def old(*scores: str) -> asnmerit.Evaluation:
        return asnmerit.evaluate(merit, dict(zip(ASPECTS, scores, strict=True)))

    return asnmerit.compare(
        {
            "2021": old("25", "25", "70", "20", "45", "20", "10", "15"),
            "2022": old("30", "30", "80", "25", "60", "25", "12", "18"),
            "2023": old("37.5", "38", "75", "25", "77.5", "35", "15", "24"),
            "2025": asnmerit.evaluate(framework, dict.fromkeys(framework.inputs, "0.7")),
        }
    )


def _jpt_shift() -> Any:
    """Fourteen synthetic agencies ranked on the JPT scheme, before and after a change of
    two weights (preparation 0.1, innovation 0.3)."""
    jpt = asnmerit.get("jpt")
    rng = random.Random(SEED)
    records = [
        {**{k: rng.randint(45, 95) for k in jpt.inputs}, "instansi": f"Instansi {chr(65 + i)}"}
        for i in range(14)
    ]
    return sensitivity(jpt, records, {"persiapan.weight": "0.1", "inovasi.weight": "0.3"}, top=3)


def gallery() -> dict[str, Callable[[], Any]]:
    """Each image's file name (without ``.svg``) and the call that draws it (returning its
    Axes), as docs/notebooks.md shows them."""
    rows = _agency()
    agg = asnmerit.aggregate(rows, by="unit_kerja")
    ranking = asnmerit.rank(rows, group_by="unit_kerja", top=3)
    comparison = _periods()
    moved = _jpt_shift()
    return {
        "bands": lambda: plot.bands(rows),
        "bands-by-unit": lambda: plot.bands(rows, "unit_kerja"),
        "bands-share": lambda: plot.bands(rows, "unit_kerja", share=True),
        "distribution": lambda: plot.distribution(rows),
        "components": lambda: plot.components(rows),
        "ranking": lambda: plot.ranking(ranking, "Dinas Kesehatan", name="nama", limit=15),
        "compare": lambda: plot.compare(agg),
        "periods": lambda: plot.periods(comparison, lines=["pengembangan_karier", "pengadaan"]),
        "shift": lambda: plot.shift(moved),
    }


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(STYLE):
        yield


def draw(folder: Path) -> list[Path]:
    """Draw every image of :func:`gallery` into ``folder`` (made if need be); the paths
    written, in order."""
    matplotlib.use("Agg")  # files only: never a window
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with _style():
        for name, call in gallery().items():
            ax = call()
            path = folder / f"{name}.svg"
            ax.figure.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
            plt.close(ax.figure)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Draw the gallery into the folder given (default: docs/images)."""
    if len(argv) > 1:
        print("usage: python tools/docs_images.py [FOLDER]", file=sys.stderr)
        return 2
    folder = Path(argv[0]) if argv else FOLDER
    for path in draw(folder):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
