from pathlib import Path

from sqlalchemy import func, select

from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import loader, service
from tsunagu.registry.addresses.models import Town

SAMPLE = Path(__file__).parent / "data" / "towns_sample.csv.gz"


class CountingProgress:
    def __init__(self) -> None:
        self.total: int | None = None
        self.done = 0

    def start(self, description: str, total: int | None) -> None:
        self.total, self.done = total, 0

    def advance(self, units: int = 1) -> None:
        self.done += units


def test_sample_plan_resolves_every_town(sample_plan: loader.Plan) -> None:
    report = sample_plan.report
    assert report.unresolved_municipalities == []
    assert report.towns == 2096
    assert report.towns_with_listed_postcode + report.towns_with_default_postcode == report.towns
    assert report.towns_with_listed_postcode > 0.9 * report.towns


def test_name_mismatches_are_joined(sample_plan: loader.Plan) -> None:
    names = {code: name for code, (_, name, _) in sample_plan.municipalities.items()}
    assert names["122297"] == "袖ケ浦市"  # 袖ヶ浦市 in the towns file
    assert names["082082"] == "龍ケ崎市"
    assert names["011002"] == "札幌市" and sample_plan.municipalities["011011"][2] == "011002"
    renamed = {
        str(t["municipality_code"])
        for t in sample_plan.towns
        if str(t["municipality_code"]).startswith("2213")
    }
    assert renamed <= {"221384", "221392", "221406"}  # 浜松市中区 → 中央区 (2024), never a stale code
    assert renamed


def test_load_is_complete_and_idempotent(database: Database) -> None:
    progress = CountingProgress()
    with database.session() as db:
        report = service.load(db, progress, towns_file=SAMPLE)
    assert report is not None
    assert progress.total == progress.done and progress.done > report.towns
    with database.session() as db:
        assert service.load(db, SilentProgress(), only_if_empty=True, towns_file=SAMPLE) is None
        assert db.scalar(select(func.count()).select_from(Town)) == 2096
        chiyoda = service.towns_in(db, "131016")
    assert len(chiyoda) == 115
    kasumigaseki = next(t for t in chiyoda if t.town == "霞が関二丁目")
    assert kasumigaseki.postcodes == ("1000013",)
    assert kasumigaseki.lat is not None and 35.6 < kasumigaseki.lat < 35.7
