"""Staff reads of the registry as use cases (service.read_record / search_records): the rule
"staff of another municipality cannot read a resident here" and "every read is recorded" hold
for every caller, not only for the HTTP routes that used to carry them."""

from __future__ import annotations

import pytest

from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden
from tsunagu.registry.residents import service
from tsunagu.registry.residents.errors import ResidentNotFound

from .conftest import CHIYODA, YOKOSUKA, staff


def test_a_read_by_staff_of_the_municipality_is_recorded_with_role_and_purpose(
    database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db:
        record = service.read_record(db, staff(CHIYODA, "閲覧"), resident.id, purpose="児童手当の審査")
        assert record.id == resident.id
        [access] = service.accesses_of(db, resident.id)
    assert (access.actor, access.organization_code, access.purpose, access.role) == (
        f"staff-{CHIYODA}",
        CHIYODA,
        "児童手当の審査",
        "閲覧",
    )


@pytest.mark.parametrize("municipality_code", [None, CHIYODA])
def test_staff_of_another_municipality_cannot_read_and_nothing_is_recorded(
    database: Database, resident: service.ResidentRecord, municipality_code: str | None
) -> None:
    with database.session() as db, pytest.raises(Forbidden):
        service.read_record(
            db, staff(YOKOSUKA, "閲覧", "住基"), resident.id, purpose="x", municipality_code=municipality_code
        )
    with database.session() as db:
        assert service.accesses_of(db, resident.id) == []


def test_through_ones_own_municipality_anothers_resident_is_unknown(
    database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db, pytest.raises(ResidentNotFound):
        service.read_record(db, staff(YOKOSUKA, "閲覧"), resident.id, purpose="x", municipality_code=YOKOSUKA)


def test_a_role_that_does_not_read_the_registry_is_refused_before_any_lookup(
    database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db:
        with pytest.raises(Forbidden, match="needs one of the roles"):
            service.read_record(db, staff(CHIYODA, "審査", "決裁"), "no-such-id", purpose="x")
        with pytest.raises(Forbidden):
            service.search_records(
                db,
                staff(CHIYODA, "管理"),
                CHIYODA,
                service.SearchQuery(name="佐藤"),
                purpose="x",
                limit=10,
                offset=0,
            )


def test_a_search_is_not_a_read_of_everyone_it_lists(
    database: Database, resident: service.ResidentRecord
) -> None:
    """On 30f2d71 every listed resident got a 閲覧 entry; only opening a record is one."""
    with database.session() as db:
        found, total = service.search_records(
            db,
            staff(CHIYODA, "住基"),
            CHIYODA,
            service.SearchQuery(kana="さとう"),
            purpose="住民基本台帳事務",
            limit=10,
            offset=0,
        )
        assert [r.id for r in found] == [resident.id] and total == 1
        assert service.accesses_of(db, resident.id) == []
        service.read_record(db, staff(CHIYODA, "住基"), resident.id, purpose="住民基本台帳事務")
        accesses = service.accesses_of(db, resident.id)
    assert [(a.role, a.purpose) for a in accesses] == [("住基", "住民基本台帳事務")]
