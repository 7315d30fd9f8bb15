"""Fixtures of the 公金受取口座 tests: one resident (サトウ ハナコ) and the test bank's accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.registry.residents.conftest import CHIYODA, insert_towns, person

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.registry.accounts import testbank
from tsunagu.registry.residents import service as residents

MIZUHO, TOKYO_EIGYOBU = "0001", "001"  # real codes of the 全銀協 list: みずほ銀行 東京営業部
MUFG, HONTEN = "0005", "001"  # 三菱ＵＦＪ銀行 本店
ACCOUNTS = (  # her own at two banks (written the ways banks write), her husband's, a closed one
    (MIZUHO, TOKYO_EIGYOBU, "futsu", "1234567", "ｻﾄｳ ﾊﾅｺ"),
    (MUFG, HONTEN, "futsu", "0007654", "サトウ　ハナコ"),
    (MUFG, HONTEN, "futsu", "0000001", "ｻﾄｳ ｼﾞﾛｳ"),
    (MUFG, HONTEN, "toza", "0000002", "ｻﾄｳ ﾊﾅｺ"),
)


@pytest.fixture
def resident_id(database: Database, fixed_clock: clock.FixedClock) -> str:
    """サトウ ハナコ of 千代田区, and her accounts at the test bank (one closed, one her husband's)."""
    insert_towns(database)
    with database.session() as db:
        record = residents.register_move_in(
            db,
            CHIYODA,
            person(),
            residents.Residence(town_id=1001, banchi="1"),
            moved_in_on=date(2020, 4, 1),
            actor="test",
        )
        for bank_code, branch_code, account_type, account_number, holder in ACCOUNTS:
            testbank.open_account(
                db,
                bank_code=bank_code,
                branch_code=branch_code,
                account_type=account_type,
                account_number=account_number,
                holder=holder,
            )
        testbank.close_account(
            db, bank_code=MUFG, branch_code=HONTEN, account_type="toza", account_number="0000002"
        )
        return record.id


@pytest.fixture
def resident_client(app: FastAPI, database: Database, resident_id: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        login_as(
            client, database, Principal(kind="resident", subject_id=resident_id, display_name="佐藤 花子")
        )
        yield client
