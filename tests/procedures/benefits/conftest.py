"""Fixtures of the benefit run tests: a small 千代田区 with accounts, a run file, its administrator."""

from __future__ import annotations

from datetime import date

import pytest
from tests.registry.accounts.conftest import HONTEN, MIZUHO, MUFG, TOKYO_EIGYOBU
from tests.registry.residents.conftest import CHIYODA, insert_towns, person

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.accounts import testbank
from tsunagu.registry.residents import service as residents
from tsunagu.registry.residents.numbers import check_digit

REFERENCE = date(2026, 9, 1)
TRANSFER = date(2026, 12, 10)
RUN_YAML = """\
id: chiyoda-test-2026
name: {ja: テスト給付金, en: Test relief payment}
organization: "131016"
amount_yen: 30000
eligibility:
  all:
    - {attribute: status, op: eq, value: resident}
    - {attribute: age, op: gte, value: 18}
payer:
  consignor_code: "1310160001"
  name_kana: ﾁﾖﾀﾞｸ
  bank_code: "0001"
  branch_code: "001"
  account_type: futsu
  account_number: "7654321"
"""
ADMIN = Principal(kind="staff", subject_id="staff-1", organization_code=CHIYODA, roles=frozenset({"管理"}))


def _number(n: int) -> str:
    eleven = f"{n:011d}"
    return eleven + check_digit(eleven)


@pytest.fixture
def people(database: Database, fixed_clock: clock.FixedClock) -> dict[str, str]:
    """千代田区: 花子 and 一郎 with verified accounts, 次郎 whose account the bank refused, a child,
    and 三郎 who moved in after the reference date."""
    insert_towns(database)
    where = residents.Residence(town_id=1001, banchi="1")
    ids: dict[str, str] = {}
    with database.session() as db:
        for n, (key, name, born, moved_in) in enumerate(
            [
                ("hanako", ("佐藤", "花子", "さとう", "はなこ"), date(1990, 4, 1), date(2020, 4, 1)),
                ("ichiro", ("鈴木", "一郎", "すずき", "いちろう"), date(1960, 1, 2), date(2020, 4, 1)),
                ("jiro", ("田中", "次郎", "たなか", "じろう"), date(1985, 5, 5), date(2020, 4, 1)),
                ("child", ("山田", "太郎", "やまだ", "たろう"), date(2016, 6, 6), date(2020, 4, 1)),
                ("saburo", ("高橋", "三郎", "たかはし", "さぶろう"), date(1970, 7, 7), date(2026, 10, 1)),
            ],
            start=1,
        ):
            record = residents.register_move_in(
                db,
                CHIYODA,
                person(_number(n), name=name, born=born),
                where,
                moved_in_on=moved_in,
                actor="test",
            )
            ids[key] = record.id
        for bank, branch, number, holder in [
            (MIZUHO, TOKYO_EIGYOBU, "1234567", "ｻﾄｳ ﾊﾅｺ"),
            (MUFG, HONTEN, "0007654", "ｽｽﾞｷ ｲﾁﾛｳ"),
            (MUFG, HONTEN, "0000001", "ﾀﾅｶ ｻﾌﾞﾛｳ"),  # not 次郎's
            (MUFG, HONTEN, "0000002", "ﾀﾅｶ ｼﾞﾛｳ"),
            (MUFG, HONTEN, "0000003", "ﾀｶﾊｼ ｻﾌﾞﾛｳ"),
        ]:
            testbank.open_account(
                db,
                bank_code=bank,
                branch_code=branch,
                account_type="futsu",
                account_number=number,
                holder=holder,
            )
    bank = testbank.TestBank(database)  # the bank answers from its own (committed) ledger
    with database.session() as db:
        accounts.register(
            db, bank, ids["hanako"], accounts.AccountIn(MIZUHO, TOKYO_EIGYOBU, "futsu", "1234567")
        )
        accounts.register(db, bank, ids["ichiro"], accounts.AccountIn(MUFG, HONTEN, "futsu", "0007654"))
        accounts.register(db, bank, ids["saburo"], accounts.AccountIn(MUFG, HONTEN, "futsu", "0000003"))
        with pytest.raises(accounts.AccountNotConfirmed):  # someone else's account: refused
            accounts.register(db, bank, ids["jiro"], accounts.AccountIn(MUFG, HONTEN, "futsu", "0000001"))
    return ids
