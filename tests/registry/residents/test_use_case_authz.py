"""A 届出 is checked by its use case (core.authz: 住基 of the municipality), whatever the route allows."""

from __future__ import annotations

from datetime import date

import pytest

from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.registry.residents import service
from tsunagu.registry.residents.schemas import BirthIn, DeathIn

from .conftest import CHIYODA, staff

SHINJUKU = "131041"


def _birth(household_id: str) -> BirthIn:
    return BirthIn.model_validate(
        {
            "family_name": "佐藤",
            "given_name": "一郎",
            "family_kana": "さとう",
            "given_kana": "いちろう",
            "birth_date": "2026-11-01",
            "sex": "1",
            "household_id": household_id,
        }
    )


def test_only_registrars_of_the_municipality_record_a_birth_or_a_death(
    towns: Database, resident: service.ResidentRecord
) -> None:
    refused: list[Principal] = [
        staff(CHIYODA, "閲覧"),
        staff(CHIYODA, "管理", "審査", "決裁"),
        staff(SHINJUKU, "住基"),
        Principal("resident", "r-1", roles=frozenset({"住基"})),
    ]
    death = DeathIn.model_validate(
        {
            "date_of_death": "2026-11-20",
            "informant_qualification": "landlord-or-manager",
            "informant_name": "大家 太郎",
            "informant_address": "東京都千代田区一番町1",
        }
    )
    with towns.session() as db:
        for caller in refused:
            with pytest.raises(Forbidden):
                _birth(resident.household_id).register_once(db, CHIYODA, caller, "key-00000001")
            with pytest.raises(Forbidden):
                death.rehearse(db, resident.id, caller)
            with pytest.raises(Forbidden):
                death.register_once(db, resident.id, caller, None)
        assert service.require_resident(db, resident.id).status == "resident"  # nothing recorded
        registrar = staff(CHIYODA, "住基")
        death.rehearse(db, resident.id, registrar)  # tried, rolled back
        assert service.require_resident(db, resident.id).status == "resident"
        change, created = _birth(resident.household_id).register_once(db, CHIYODA, registrar, None)
        assert created and change.record.birth_date == date(2026, 11, 1)
