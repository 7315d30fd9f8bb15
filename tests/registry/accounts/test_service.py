"""公金受取口座: registered only when the bank confirms the holder, changed, deleted, logged."""

from __future__ import annotations

import pytest

from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.registry.accounts import service, testbank
from tsunagu.registry.accounts.bankcheck import AccountQuery, BankUnavailable, Verification

from .conftest import HONTEN, MIZUHO, MUFG, TOKYO_EIGYOBU


def _register(database: Database, resident_id: str, account: service.AccountIn) -> service.Account:
    with database.session() as db:
        return service.register(db, testbank.TestBank(database), resident_id, account)


def test_an_account_held_in_the_persons_name_is_registered(database: Database, resident_id: str) -> None:
    account = _register(database, resident_id, service.AccountIn(MIZUHO, TOKYO_EIGYOBU, "futsu", "1234567"))
    assert (account.bank_name, account.branch_name) == ("みずほ", "東京営業部")
    assert account.holder_kana == "ｻﾄｳ ﾊﾅｺ" and account.masked_number == "＊＊＊＊567"
    with database.session() as db:
        assert service.account_of(db, resident_id) == account
        assert [h.action for h in service.history_of(db, resident_id)] == ["registered"]


def test_full_width_digits_typed_on_a_phone_are_accepted(database: Database, resident_id: str) -> None:
    typed = service.AccountIn("０００５", " 001", "futsu", "０００７６５４")
    account = _register(database, resident_id, typed)
    assert (account.bank_code, account.account_number) == (MUFG, "0007654")


@pytest.mark.parametrize(
    ("account", "field", "outcome"),
    [
        (service.AccountIn(MUFG, HONTEN, "futsu", "0000001"), "account_number", "mismatch"),  # her husband's
        (service.AccountIn(MUFG, HONTEN, "toza", "0000002"), "account_number", "closed"),
        (service.AccountIn(MUFG, HONTEN, "futsu", "7777777"), "account_number", "no-account"),
    ],
)
def test_the_bank_refuses_and_nothing_is_registered(
    database: Database, resident_id: str, account: service.AccountIn, field: str, outcome: str
) -> None:
    with pytest.raises(service.AccountNotConfirmed) as refused:
        _register(database, resident_id, account)
    assert refused.value.extra["outcome"] == outcome
    assert refused.value.errors[0]["location"] == ["body", field]
    with database.session() as db:
        assert service.account_of(db, resident_id) is None


class _Counting:
    def __init__(self) -> None:
        self.asked = 0

    def verify(self, query: AccountQuery) -> Verification:
        self.asked += 1
        return Verification("match", "x")


@pytest.mark.parametrize(
    ("account", "fields"),
    [
        (service.AccountIn("9998", "001", "futsu", "1234567"), ["bank_code"]),  # no such bank
        (service.AccountIn(MIZUHO, "998", "futsu", "1234567"), ["branch_code"]),  # no such branch
        (
            service.AccountIn("12", "1", "teiki", "12345678"),
            ["bank_code", "branch_code", "account_type", "account_number"],
        ),
    ],
)
def test_codes_are_checked_against_the_zengin_list_before_any_bank_is_asked(
    database: Database, resident_id: str, account: service.AccountIn, fields: list[str]
) -> None:
    bank = _Counting()
    with database.session() as db, pytest.raises(ValidationFailed) as refused:
        service.register(db, bank, resident_id, account)
    assert [e["location"][-1] for e in refused.value.errors] == fields
    assert bank.asked == 0


def test_a_change_replaces_the_account_and_a_deletion_removes_it(
    database: Database, resident_id: str
) -> None:
    _register(database, resident_id, service.AccountIn(MIZUHO, TOKYO_EIGYOBU, "futsu", "1234567"))
    changed = _register(database, resident_id, service.AccountIn(MUFG, HONTEN, "futsu", "0007654"))
    assert changed.bank_code == MUFG
    with database.session() as db:
        service.delete(db, resident_id)
    with database.session() as db:
        assert service.account_of(db, resident_id) is None
        assert [h.action for h in service.history_of(db, resident_id)] == ["deleted", "changed", "registered"]
        with pytest.raises(service.NoAccount):
            service.delete(db, resident_id)


def test_a_bank_that_does_not_answer_leaves_the_old_account(database: Database, resident_id: str) -> None:
    _register(database, resident_id, service.AccountIn(MIZUHO, TOKYO_EIGYOBU, "futsu", "1234567"))

    class Down:
        def verify(self, query: AccountQuery) -> Verification:
            raise BankUnavailable("the bank did not answer")

    with database.session() as db, pytest.raises(BankUnavailable):
        service.register(db, Down(), resident_id, service.AccountIn(MUFG, HONTEN, "futsu", "0007654"))
    with database.session() as db:
        account = service.account_of(db, resident_id)
        assert account is not None and account.bank_code == MIZUHO
