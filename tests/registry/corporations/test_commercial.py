"""商業・法人登記: the documented CSV extract, registered matters with history, change events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.types.corporate_number import InvalidCorporateNumber
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service

DATA = Path(__file__).parent / "data"
TSUNAGU = "6010001000001"  # つなぐ商事株式会社 in full_13_tokyo.csv
MINATO = "5020001000001"
TOWNS = Path(__file__).parents[1] / "addresses" / "data" / "towns_sample.csv.gz"


@pytest.fixture
def registered(database: Database) -> Database:
    with database.session() as db:
        addresses.load(db, SilentProgress(), towns_file=TOWNS)
        service.import_file(db, DATA / "full_13_tokyo.csv")
        report = service.import_commercial_file(db, DATA / "commercial_extract.csv")
    assert (report.registrations, report.officers, report.branches) == (2, 4, 1)
    return database


def test_extract_gives_the_registered_matters(registered: Database) -> None:
    with registered.session() as db:
        matters = service.registered_matters(db, TSUNAGU)
        assert matters is not None
        assert matters.name == "つなぐ商事株式会社" and matters.registry_office == "東京法務局"
        assert matters.purposes == (
            "各種商品の輸出入及び販売",
            "日用品雑貨の卸売",
            "前各号に附帯関連する一切の事業",
        )
        assert matters.capital_yen == 10_000_000 and matters.established_on == date(2009, 4, 1)
        assert [(o.title, o.name) for o in matters.representatives] == [("代表取締役", "商事　花子")]
        retired = [o for o in matters.officers if not o.current]
        assert [(o.name, o.resigned_on) for o in retired] == [("繋　一郎", date(2024, 6, 27))]
        assert [b.address for b in matters.branches] == ["大阪府大阪市北区梅田一丁目３番１号"]
        # the 国の機関 has a 法人番号 but no commercial registration
        assert service.registered_matters(db, "1000011000005") is None


def test_a_bad_extract_is_rejected_line_by_line_and_nothing_is_written(database: Database) -> None:
    with database.session() as db:
        service.import_file(db, DATA / "full_13_tokyo.csv")
        with pytest.raises(service.CommercialImportRejected) as rejected:
            service.import_commercial_file(db, DATA / "commercial_bad.csv")
        lines = {e["location"][1]: e["message"] for e in rejected.value.errors}
        assert "check digit" in lines[2]  # 6010001000002: bad check digit
        assert "must come before" in lines[3]  # an officer before the corporation's 登記 row
        assert "capital_yen" in lines[4]
        assert "address" in lines[5]  # a representative without 住所
        assert "record is one of" in lines[6]
        assert not service.has_registration(db, TSUNAGU)


def test_changes_keep_history_and_go_to_the_outbox(registered: Database) -> None:
    with registered.session() as db:
        old_head = service.current_representatives(db, TSUNAGU)[0]
        service.change_name(
            db,
            TSUNAGU,
            name="つなぐホールディングス株式会社",
            furigana="ツナグホールディングス",
            on=date(2026, 11, 2),
        )
        service.move_head_office(
            db,
            TSUNAGU,
            municipality_code="131016",
            street_number="霞が関三丁目１番１号",
            post_code="100-0013",
            on=date(2026, 11, 3),
        )
        service.change_representative(
            db,
            TSUNAGU,
            resigning=old_head.id,
            title="代表取締役",
            name="継承　三郎",
            address="東京都中央区日本橋一丁目１番１号",
            on=date(2026, 11, 4),
        )
        service.dissolve(
            db,
            MINATO,
            on=date(2026, 11, 5),
            liquidator_name="港　次郎",
            liquidator_address="神奈川県横須賀市小川町１１番地",
        )
    with registered.session() as db:
        matters = service.registered_matters(db, TSUNAGU)
        assert matters is not None and matters.name == "つなぐホールディングス株式会社"
        assert [p.value for p in matters.past_names] == ["つなぐ商事株式会社"]
        assert matters.past_names[0].until == date(2026, 11, 2)
        assert matters.head_office.endswith("霞が関三丁目１番１号")
        assert [p.value for p in matters.past_head_offices] == ["東京都千代田区丸の内１丁目１－１"]
        assert [o.name for o in matters.representatives] == ["継承　三郎"]
        minato = service.registered_matters(db, MINATO)
        assert minato is not None and minato.status == "dissolved"
        assert [(o.title, o.name) for o in minato.representatives] == [("代表清算人", "港　次郎")]
        events = service.pending_events(db)
        assert [(e.number, e.kind) for e in events] == [
            (TSUNAGU, "trade_name_changed"),
            (TSUNAGU, "head_office_moved"),
            (TSUNAGU, "representative_changed"),
            (MINATO, "dissolved"),
        ]
        assert events[0].payload == {"effective_date": "2026-11-02", "name": "つなぐホールディングス株式会社"}
        with pytest.raises(service.CorporationDissolved):
            service.change_name(db, MINATO, name="別名合同会社", furigana="", on=date(2026, 11, 6))
        assert service.mark_delivered(db, [e.event_id for e in events]) == 4
        assert service.pending_events(db) == []


def test_numbers_are_checked_before_any_look_up(registered: Database) -> None:
    with registered.session() as db, pytest.raises(InvalidCorporateNumber):
        service.registered_matters(db, "6010001000002")


def test_synthetic_registrations_follow_the_legal_form(database: Database) -> None:
    with database.session() as db:
        service.load_synthetic(db, 30, seed=3)
        chosen, _ = service.search(db, closed=False, limit=1)
        chosen_head = {chosen[0].number: ("代表　一子", "東京都千代田区")}
        made = service.seed_commercial(db, 3, representatives=chosen_head)
        assert made == 30
        assert service.seed_commercial(db, 3) == 0  # only companies without a 登記記録
        matters = service.registered_matters(db, chosen[0].number)
        assert matters is not None
        assert [(o.name, o.address) for o in matters.representatives] == [("代表　一子", "東京都千代田区")]
        assert matters.purposes[-1] == "前各号に附帯関連する一切の事業"
