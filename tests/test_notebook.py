"""The example notebook runs from top to bottom in a real kernel and shows what it promises:
HTML tables from ``_repr_html_`` and PNG plots, with no error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).parent.parent / "docs" / "notebooks" / "tour.ipynb"
CELL_TIMEOUT = 120  # seconds; the slowest cell (kernel start, first plot) takes a few
QUESTIONS = (
    "What if?",
    "Part 2: four research questions",
    "1. How are the bands spread over the units?",
    "2. Which single action lifts the most employees?",
    "3. How does a change of weight move a ranking?",
    "4. One agency's merit results over three periods",
    "the best agency of each BKN regional office",
)
"""The headings of the tour's sections (the first line of their markdown cells)."""


def outputs(cell: Any, kind: str) -> list[Any]:
    """The data of ``kind`` (a MIME type) in a code cell's outputs."""
    return [o["data"][kind] for o in cell.get("outputs", []) if kind in o.get("data", {})]


def test_the_stored_notebook_is_clean() -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    for heading in QUESTIONS:
        assert any(h.startswith("#") and heading in h for h in headings), heading


@pytest.mark.slow
def test_the_notebook_runs_and_displays_tables_and_plots() -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel (the python3 kernel) is not installed")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails

    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    html = [h for c in code for h in outputs(c, "text/html")]
    assert any("<table>" in h and "<caption>" in h for h in html)  # the aggregate
    assert any("Indeks Profesionalitas ASN" in h and "<table>" in h for h in html)
    plotting = [c for c in code if "plot." in c.source or "plt." in c.source]
    assert plotting and all(len(outputs(c, "image/png")) == 1 for c in plotting)
    printed = "".join(o.get("text", "") for c in code for o in c.outputs if o.get("name"))
    assert "Qualification" in printed  # the explanation, in English
    assert "(320, 320)" in "".join(t for c in code for t in outputs(c, "text/plain"))
    assert "Reachable score: 46.0 .. 90.0 / 100" in printed  # what if: a partial record
    assert any("<table><caption>ip-asn 2019:" in h for h in html)  # the next-band plan

    # Part 2: the four questions and the agencies ranked by regional office
    assert any("sangat_rendah" in h and "sangat_tinggi" in h for h in html)  # the crosstab
    assert "ip-asn 2019, one change: 314 below the top band, 6 in the top band" in printed
    assert "stands in the mean node kat_perencanaan" in printed  # BKN award: no weights
    assert "7 cities moved" in printed  # the weight change's shift
    assert "327 / 410 (+47)" in printed  # the illustrative merit assessment, 2023
    assert "not confirmed by an official source" in printed  # the kanreg table warns
    frames = "".join(t for c in code for t in outputs(c, "text/plain"))
    for column in ("subject", "before", "after", "comparable", "kanreg"):
        assert column in frames
