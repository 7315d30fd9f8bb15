"""Statistics with small counts suppressed: the rule on cells written by hand (each case of it),
then the file of a synthetic register as frictionless reads it."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import frictionless
from fastapi.testclient import TestClient
from tests.catalog.test_opendata import _download

from tsunagu.catalog import statistics
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.residents import statistics as population
from tsunagu.registry.residents.synthetic import service as synthetic


def _cell(band: int, sex: str = "1", town: str = "丸の内一丁目") -> population.Cell:
    return population.Cell("131016", 1, town, band, sex)


def _shown(counts: dict[population.Cell, int]) -> dict[tuple[str, int, str], int | None]:
    return {(r.cell.town, r.cell.band, r.cell.sex): r.count for r in statistics.suppress(counts.items())}


def test_cells_of_one_to_four_are_suppressed_and_zero_is_not_listed() -> None:
    shown = _shown({_cell(0): 5, _cell(5): 4, _cell(10): 1, _cell(15): 0, _cell(20): 12})
    assert shown == {
        ("丸の内一丁目", 0, "1"): 5,
        ("丸の内一丁目", 5, "1"): None,
        ("丸の内一丁目", 10, "1"): None,
        ("丸の内一丁目", 20, "1"): 12,
    }


def test_a_lone_suppressed_cell_takes_the_smallest_shown_cell_with_it() -> None:
    """Otherwise the town total (published elsewhere) minus the shown cells gives it away."""
    shown = _shown(
        {_cell(0): 3, _cell(5): 7, _cell(10): 6, _cell(20, "2"): 40, _cell(0, town="大手町一丁目"): 9}
    )
    assert shown[("丸の内一丁目", 0, "1")] is None and shown[("丸の内一丁目", 10, "1")] is None
    assert shown[("丸の内一丁目", 5, "1")] == 7 and shown[("丸の内一丁目", 20, "2")] == 40
    assert shown[("大手町一丁目", 0, "1")] == 9  # another town is judged on its own
    # a town of one small cell has nothing else to hide
    assert _shown({_cell(0): 2}) == {("丸の内一丁目", 0, "1"): None}


def test_ages_and_bands() -> None:
    assert population.age_on(date(2000, 12, 5), date(2026, 12, 4)) == 25
    assert population.age_on(date(2000, 12, 4), date(2026, 12, 4)) == 26
    assert population.band_of(4) == 0 and population.band_of(85) == 85 and population.band_of(103) == 85
    assert statistics.band_label(85) == "85歳以上" and statistics.band_label(20) == "20〜24歳"


def test_the_file_of_a_register_is_valid_and_hides_small_counts(
    loaded: Database, client: TestClient, tmp_path: Path
) -> None:
    with loaded.session() as db:
        synthetic.seed(db, 400, 11, SilentProgress(), municipalities=("131016",))
    _download(client, "population", tmp_path / "population")
    report = frictionless.validate(str(tmp_path / "population" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO((tmp_path / "population" / "population.csv").read_text("utf-8"))))
    assert rows and all(r["全国地方公共団体コード"] == "131016" for r in rows)
    for row in rows:
        if row["秘匿（1=秘匿）"] == "1":
            assert row["人数（人）"] == ""
        else:
            assert int(row["人数（人）"]) >= statistics.SMALLEST_SHOWN
    by_town: dict[str, list[str]] = {}
    for row in rows:
        by_town.setdefault(row["町字ID"], []).append(row["秘匿（1=秘匿）"])
    assert all(flags.count("1") != 1 or len(flags) == 1 for flags in by_town.values())
    # what is shown never exceeds the register, and what is hidden is there
    with loaded.session() as db:
        total = sum(population.population(db, clock.today_jst().date()).values())
    assert sum(int(r["人数（人）"] or 0) for r in rows) <= total == 400
