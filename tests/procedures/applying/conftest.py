"""A small real world for applying: two municipalities, one resident, the demo mesh embedded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.identity.proxies import service as proxies
from tsunagu.mesh import demo
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.migrations.schema import metadata
from tsunagu.procedures.onestop import service as onestop
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.accounts import testbank
from tsunagu.registry.residents import service as residents

CHIYODA, YOKOSUKA = "131016", "142018"


@dataclass(frozen=True)
class World:
    resident_id: str
    other_resident_id: str
    secret: str

    def resident(self) -> Principal:
        return Principal(kind="resident", subject_id=self.resident_id, display_name="佐藤 花子")

    def log_in_proxy(self, client: TestClient, database: Database) -> None:
        """The other resident, registered as the resident's proxy for 転出届, logged in."""
        with database.session() as db:
            proxies.register_proxy(
                db,
                self.resident_id,
                self.other_resident_id,
                procedures=["tenshutsu"],
                ends_on=date(2027, 3, 31),
            )
        login_as(client, database, Principal(kind="resident", subject_id=self.other_resident_id))

    def move_out(self, database: Database) -> None:
        """The resident moves out (to 大阪市) and can no longer apply here."""
        with database.session() as db:
            residents.move_out(
                db,
                self.resident_id,
                destination="大阪府大阪市",
                effective_date=date(2026, 11, 1),
                actor="test",
            )

    @staticmethod
    def staff(organization: str = CHIYODA, roles: frozenset[str] = frozenset({"審査", "住基"})) -> Principal:
        return Principal(
            kind="staff", subject_id=f"staff-{organization}", organization_code=organization, roles=roles
        )


def _places(database: Database) -> None:
    tables = metadata.tables
    with database.engine.begin() as connection:
        connection.execute(
            tables["addresses_prefectures"].insert(),
            [{"code": "13", "name": "東京都"}, {"code": "14", "name": "神奈川県"}],
        )
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [
                {"code": CHIYODA, "prefecture_code": "13", "name": "千代田区", "designated_city_code": None},
                {"code": YOKOSUKA, "prefecture_code": "14", "name": "横須賀市", "designated_city_code": None},
            ],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": 1001,
                    "municipality_code": CHIYODA,
                    "town": "飯田橋三丁目",
                    "koaza": "",
                    "lat": 35.7,
                    "lng": 139.7,
                },
                {
                    "id": 2001,
                    "municipality_code": YOKOSUKA,
                    "town": "小川町",
                    "koaza": "",
                    "lat": 35.28,
                    "lng": 139.67,
                },
            ],
        )


def _person(
    db: object, family: str, given: str, kana: tuple[str, str], number: str
) -> residents.ResidentRecord:
    return residents.register_move_in(
        db,
        CHIYODA,
        residents.NewResident(
            name=PersonName(family, given, *kana),
            birth_date=date(1990, 4, 1),  # type: ignore[arg-type]
            sex="2",
            individual_number=IndividualNumber(number),
        ),
        residents.Residence(town_id=1001, banchi="1", go="2"),
        moved_in_on=date(2020, 4, 1),
        actor="test",
    )


@pytest.fixture
def world(app: FastAPI, database: Database, settings: Settings, fixed_clock: clock.FixedClock) -> World:
    _places(database)
    secret = settings.resolved_secret_key()
    with database.session() as db:
        person = _person(db, "佐藤", "花子", ("さとう", "はなこ"), "123456789018")
        other = _person(db, "鈴木", "一郎", ("すずき", "いちろう"), "234567890121")
        residents.mark_delivered(db, [e.event_id for e in residents.pending_events(db)])
        demo.register(db, secret, lambda code: endpoint_of(settings.base_url, code))
        demo.seed_people(db, [(person.id, CHIYODA, 1990), (other.id, CHIYODA, 1990)], seed=1)
        onestop.prepare_directory(db, demo.MUNICIPALITIES, "test")
    return World(person.id, other.id, secret)


@pytest.fixture
def resident_client(client: TestClient, database: Database, world: World) -> TestClient:
    login_as(client, database, world.resident())
    return client


#: 佐藤 花子's 公金受取口座 (三菱ＵＦＪ銀行 本店 普通): the test bank holds it in her name
ACCOUNT = accounts.AccountIn("0005", "001", "futsu", "0007654")


@pytest.fixture
def public_money_account(database: Database, world: World) -> accounts.AccountIn:
    """The resident's account opened at the test bank and registered as her 公金受取口座 (the bank
    confirmed it is hers)."""
    with database.session() as db:
        testbank.open_account(
            db,
            bank_code=ACCOUNT.bank_code,
            branch_code=ACCOUNT.branch_code,
            account_type=ACCOUNT.account_type,
            account_number=ACCOUNT.account_number,
            holder="ｻﾄｳ ﾊﾅｺ",
        )
    with database.session() as db:
        accounts.register(db, testbank.TestBank(database), world.resident_id, ACCOUNT)
    return ACCOUNT


def register_child(database: Database, world: World, given: str, kana: str, born: date, number: str) -> str:
    """A child of the resident registered at the counter (出生届) in her household; the child's id."""
    with database.session() as db:
        mother = residents.require_resident(db, world.resident_id)
        child = residents.register_birth(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("佐藤", given, "さとう", kana),
                birth_date=born,
                sex="2",
                individual_number=IndividualNumber(number),
                household_id=mother.household_id,
                relationship="子",
            ),
            actor="counter",
        )
    return child.id
