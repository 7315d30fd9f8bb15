"""The registry's rules: registrations, history and "as of" reads, 個人番号 at rest, outbox, accesses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.registry.residents import errors, service
from tsunagu.registry.residents.models import Resident

from .conftest import CHIYODA, YOKOSUKA, person

CLERK = "staff-1"


def _move_in(
    db: object,
    number: str = "123456789018",
    town_id: int = 1001,
    on: date = date(2020, 4, 1),
    **kwargs: object,
) -> service.ResidentRecord:
    return service.register_move_in(
        db,
        CHIYODA,
        person(number, **kwargs),  # type: ignore[arg-type]
        service.Residence(town_id, "3", "5", "飯田橋ハイツ 101"),
        moved_in_on=on,
        actor=CLERK,
    )


def test_move_in_registers_the_structured_address_and_a_household(towns: Database) -> None:
    with towns.session() as db:
        record = _move_in(db)
    with towns.session() as db:
        found = service.get_resident(db, record.id)
        members = service.household_members(db, record.household_id)
    assert found == record
    assert found.status == "resident" and found.relationship == service.HEAD
    assert found.name.full_kana == "サトウ ハナコ"
    assert found.address.label() == "東京都千代田区飯田橋三丁目3-5 飯田橋ハイツ 101"
    assert (found.address.chome, found.address.municipality_code, found.town_id) == (3, CHIYODA, 1001)
    assert [m.id for m in members] == [record.id]


def test_individual_number_is_encrypted_and_found_only_by_keyed_hash(towns: Database) -> None:
    with towns.session() as db:
        record = _move_in(db)
    with towns.session() as db:
        row = db.get(Resident, record.id)
        assert row is not None
        assert b"123456789018" not in row.number_ciphertext and "123456789018" not in row.number_hash
        assert service.individual_number_of(db, record.id) == "123456789018"
        found = service.find_by_individual_number(db, CHIYODA, IndividualNumber("123456789018"))
        assert found is not None and found.id == record.id
        assert service.find_by_individual_number(db, YOKOSUKA, IndividualNumber("123456789018")) is None


def test_the_same_number_cannot_be_registered_twice_in_a_municipality(towns: Database) -> None:
    with towns.session() as db:
        _move_in(db)
    with towns.session() as db, pytest.raises(errors.AlreadyRegistered):
        _move_in(db)


def test_birth_joins_the_household_at_the_heads_address(towns: Database) -> None:
    with towns.session() as db:
        head = _move_in(db)
        baby = service.register_birth(
            db,
            CHIYODA,
            person(
                "987654321093",
                name=("佐藤", "陽翔", "サトウ", "ハルト"),
                born=date(2026, 10, 1),
                sex="1",
                household_id=head.household_id,
                relationship="子",
            ),
            actor=CLERK,
        )
    assert baby.address == head.address
    assert (baby.household_id, baby.relationship, baby.sex) == (head.household_id, "子", "1")
    with towns.session() as db:
        history = service.history_of(db, baby.id)
    assert [(c.kind, c.effective_date, c.legal_basis) for c in history] == [
        ("birth", date(2026, 10, 1), "住民基本台帳法第8条")
    ]


def test_birth_date_in_the_future_is_refused(towns: Database) -> None:
    with towns.session() as db, pytest.raises(errors.BirthDateInFuture) as caught:
        _move_in(db, born=date(2026, 11, 23))
    assert caught.value.status == 422 and caught.value.errors[0]["location"] == ["birth_date"]


def test_address_change_keeps_history_and_as_of_reads(towns: Database) -> None:
    with towns.session() as db:
        record = _move_in(db)
        moved = service.change_address(
            db, record.id, service.Residence(1002, "10", "2"), effective_date=date(2024, 6, 1), actor=CLERK
        )
    assert moved.address.town == "一番町" and moved.address.chome is None and moved.address.building == ""
    with towns.session() as db:
        before = service.get_resident_as_of(db, record.id, date(2024, 5, 31))
        after = service.get_resident_as_of(db, record.id, date(2024, 6, 1))
        not_yet = service.get_resident_as_of(db, record.id, date(2020, 3, 31))
        history = service.history_of(db, record.id)
    assert before is not None and before.address.town == "飯田橋三丁目"
    assert after == moved
    assert not_yet is None
    assert [(c.kind, c.actor, c.legal_basis) for c in history] == [
        ("move_in", CLERK, "住民基本台帳法第22条"),
        ("address_change", CLERK, "住民基本台帳法第23条"),
    ]


@pytest.mark.parametrize(
    ("town_id", "error"), [(9999, errors.UnknownTown), (2001, errors.TownOutsideMunicipality)]
)
def test_address_change_needs_a_town_of_the_municipality(
    towns: Database, town_id: int, error: type[Exception]
) -> None:
    with towns.session() as db:
        record = _move_in(db)
    with towns.session() as db, pytest.raises(error):
        service.change_address(
            db, record.id, service.Residence(town_id), effective_date=date(2025, 1, 1), actor=CLERK
        )


def test_changes_must_not_be_in_the_future_or_before_the_last_change(towns: Database) -> None:
    with towns.session() as db:
        record = _move_in(db)
    with towns.session() as db, pytest.raises(errors.EffectiveDateInFuture):
        service.change_address(
            db, record.id, service.Residence(1002), effective_date=date(2026, 12, 1), actor=CLERK
        )
    with towns.session() as db, pytest.raises(errors.EffectiveDateTooEarly):
        service.change_address(
            db, record.id, service.Residence(1002), effective_date=date(2019, 1, 1), actor=CLERK
        )


def test_moved_out_and_deceased_records_are_closed(towns: Database) -> None:
    with towns.session() as db:
        leaving = _move_in(db)
        dying = _move_in(db, "987654321093")
        gone = service.move_out(
            db,
            leaving.id,
            destination="神奈川県横須賀市本町一丁目1",
            effective_date=date(2026, 3, 31),
            actor=CLERK,
        )
        dead = service.register_death(db, dying.id, date_of_death=date(2026, 5, 1), actor=CLERK)
    assert (gone.status, gone.status_date, gone.destination) == (
        "moved_out",
        date(2026, 3, 31),
        "神奈川県横須賀市本町一丁目1",
    )
    assert dead.status == "deceased"
    residence = service.Residence(1002)
    with towns.session() as db, pytest.raises(errors.ResidentMovedOut):
        service.change_address(db, leaving.id, residence, effective_date=date(2026, 6, 1), actor=CLERK)
    with towns.session() as db, pytest.raises(errors.ResidentDeceased) as caught:
        service.change_address(db, dying.id, residence, effective_date=date(2026, 6, 1), actor=CLERK)
    assert caught.value.status == 409 and caught.value.code == "resident-deceased"


def test_name_change_is_searchable_under_the_new_name(towns: Database) -> None:
    with towns.session() as db:
        record = _move_in(db)
        service.change_name(
            db,
            record.id,
            PersonName("鈴木", "花子", "スズキ", "ハナコ"),
            effective_date=date(2025, 6, 1),
            actor=CLERK,
        )
    with towns.session() as db:
        found, total = service.find_residents(db, CHIYODA, service.SearchQuery(kana="すずき"))
        old, _ = service.find_residents(db, CHIYODA, service.SearchQuery(kana="サトウ"))
        was = service.get_resident_as_of(db, record.id, date(2025, 5, 31))
    assert total == 1 and found[0].name.family == "鈴木" and old == []
    assert was is not None and was.name.family == "佐藤"


def test_search_by_name_kana_and_birth_date_within_one_municipality(towns: Database) -> None:
    with towns.session() as db:
        _move_in(db)
        _move_in(
            db, "987654321093", name=("佐藤", "太郎", "サトウ", "タロウ"), born=date(1985, 1, 2), sex="1"
        )
        service.register_move_in(
            db,
            YOKOSUKA,
            person("111222333446"),
            service.Residence(2001),
            moved_in_on=date(2021, 1, 1),
            actor=CLERK,
        )
    with towns.session() as db:
        by_name, total = service.find_residents(db, CHIYODA, service.SearchQuery(name="佐藤　太"))
        by_kana, _ = service.find_residents(db, CHIYODA, service.SearchQuery(kana="ｻﾄｳ"))
        by_birth, _ = service.find_residents(db, CHIYODA, service.SearchQuery(birth_date=date(1990, 4, 1)))
        page, all_total = service.find_residents(db, CHIYODA, service.SearchQuery(), limit=1, offset=1)
    assert total == 1 and by_name[0].name.given == "太郎"
    assert len(by_kana) == 2 and all(r.municipality_code == CHIYODA for r in by_kana)
    assert [r.name.given for r in by_birth] == ["花子"]
    assert all_total == 2 and len(page) == 1


def test_every_change_writes_an_outbox_event_without_the_number(towns: Database) -> None:
    with towns.session() as db:
        record = _move_in(db)
        service.change_address(
            db, record.id, service.Residence(1002), effective_date=date(2024, 6, 1), actor=CLERK
        )
    with towns.session() as db:
        events = service.pending_events(db)
        later = service.pending_events(db, after_id=events[0].sequence)
    assert [e.kind for e in events] == ["move_in", "address_change"]
    assert [e.kind for e in later] == ["address_change"]
    assert events[1].payload["record"]["town"] == "一番町"
    assert "123456789018" not in repr(events)
    with towns.session() as db:
        assert service.mark_delivered(db, [events[0].event_id]) == 1
        assert service.mark_delivered(db, [events[0].event_id]) == 0
    with towns.session() as db:
        assert [e.event_id for e in service.pending_events(db)] == [events[1].event_id]


def test_accesses_are_kept_for_the_person(towns: Database) -> None:
    with towns.session() as db:
        record = _move_in(db)
        service.record_access(db, record.id, "staff-1", CHIYODA, "児童手当の審査")
    with towns.session() as db:
        accesses = service.accesses_of(db, record.id)
    assert [(a.actor, a.organization_code, a.purpose) for a in accesses] == [
        ("staff-1", CHIYODA, "児童手当の審査")
    ]


@pytest.mark.parametrize(
    ("town", "chome"),
    [("飯田橋三丁目", 3), ("一番町", None), ("本町十丁目", 10), ("大通二十一丁目", 21), ("西十九丁目", 19)],
)
def test_chome_of_reads_the_kanji_number(town: str, chome: int | None) -> None:
    assert service.chome_of(town) == chome


def test_rows_are_stored_in_the_current_record(towns: Database) -> None:
    with towns.session() as db:
        _move_in(db)
        assert db.scalar(select(Resident.search_kana)) == "サトウハナコ"
