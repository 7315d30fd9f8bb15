"""公金受取口座: register one account for public payments, change it, delete it, read it.

An account is registered only after its bank confirmed that it exists, is open and is held in
the person's own name (their 氏名 in the register, in 全銀 kana). Bank and branch codes are checked
against the 全銀協 code list (zengin-code) first, so a typo is named at its field without asking a
bank. Procedures read the account through the mesh (service ``public-money-account`` of the
Digital Agency), never from these tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from zengin_code import Bank

from tsunagu.core import clock, logging
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.messages import N_
from tsunagu.registry.accounts import kana
from tsunagu.registry.accounts.bankcheck import AccountQuery, BankVerifier
from tsunagu.registry.accounts.models import AccountsHistory, AccountsPublicMoney
from tsunagu.registry.residents import service as residents

log = logging.get_logger("tsunagu.accounts")

# 預金種目 (全銀協: 1 普通, 2 当座, 4 貯蓄)
ACCOUNT_TYPES: dict[str, tuple[str, str, str]] = {
    "futsu": ("1", N_("普通"), "Ordinary"),
    "toza": ("2", N_("当座"), "Current"),
    "chochiku": ("4", N_("貯蓄"), "Savings"),
}


#: a 金融機関コード or 支店コード the 全銀協 code list does not know (named at its field)
NO_SUCH_BANK = N_("この金融機関コードの金融機関は見つかりません。")
NO_SUCH_BRANCH = N_("この金融機関にこの支店コードの支店はありません。")


class NoAccount(NotFound):
    code = "accounts-not-registered"
    title = "No public-money account is registered"


class AccountNotConfirmed(ValidationFailed):
    code = "accounts-not-confirmed"
    title = "The bank did not confirm this account for you"


class HolderNotWritable(ValidationFailed):
    code = "accounts-holder-not-writable"
    title = "The registered name cannot be written as an account name"


@dataclass(frozen=True)
class AccountIn:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str


@dataclass(frozen=True)
class Account:
    resident_id: str
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str
    account_number: str
    holder_kana: str
    verified_at: datetime
    registered_at: datetime

    @property
    def masked_number(self) -> str:
        """The number as pages show it: only the last three digits (＊＊＊＊567)."""
        return "＊＊＊＊" + self.account_number[-3:]

    def items(self) -> dict[str, Any]:
        """The account as the items of the mesh service ``public-money-account``."""
        return {
            "bank_code": self.bank_code,
            "bank_name": self.bank_name,
            "branch_code": self.branch_code,
            "branch_name": self.branch_name,
            "account_type": self.account_type,
            "account_number": self.account_number,
            "holder_kana": self.holder_kana,
        }


@lru_cache(maxsize=1)
def _banks() -> dict[str, Any]:
    return dict(Bank.all)


def bank_name(code: str) -> str | None:
    bank = _banks().get(code)
    return None if bank is None else str(bank.name)


def branch_name(bank_code: str, branch_code: str) -> str | None:
    bank = _banks().get(bank_code)
    branch = None if bank is None else bank.branches.get(branch_code)
    return None if branch is None else str(branch.name)


def _field_error(name: str, message_ja: str, message: str) -> dict[str, Any]:
    return {
        "location": ["body", name],
        "message": message,
        "message_id": message_ja,
        "type": "accounts-field",
    }


def _digits(text: str, length: int) -> bool:
    return len(text) == length and text.isascii() and text.isdigit()


def check(account: AccountIn) -> list[dict[str, Any]]:
    """Field errors of an account before any bank is asked (format, the 全銀協 code list)."""
    errors: list[dict[str, Any]] = []
    known_bank = bank_name(account.bank_code) is not None
    if not _digits(account.bank_code, 4):
        errors.append(
            _field_error(
                "bank_code", N_("金融機関コードは4桁の数字で入力してください。"), "the bank code is 4 digits"
            )
        )
    elif not known_bank:
        errors.append(_field_error("bank_code", NO_SUCH_BANK, "no bank has this code"))
    if not _digits(account.branch_code, 3):
        errors.append(
            _field_error(
                "branch_code", N_("支店コードは3桁の数字で入力してください。"), "the branch code is 3 digits"
            )
        )
    elif known_bank and branch_name(account.bank_code, account.branch_code) is None:
        errors.append(
            _field_error(
                "branch_code",
                NO_SUCH_BRANCH,
                "the bank has no branch with this code",
            )
        )
    if account.account_type not in ACCOUNT_TYPES:
        errors.append(
            _field_error("account_type", N_("預金種目を選んでください。"), "choose the account type")
        )
    if not _digits(account.account_number, 7):
        errors.append(
            _field_error(
                "account_number",
                N_("口座番号は7桁の数字で入力してください（7桁未満は前に0を付けます）。"),
                "the account number is 7 digits (pad with leading zeros)",
            )
        )
    return errors


def normalized(account: AccountIn) -> AccountIn:
    """Full-width digits and spaces as people type them on a phone, made plain (１２３ → 123)."""

    def plain(text: str) -> str:
        return "".join(text.split()).translate(str.maketrans("０１２３４５６７８９", "0123456789"))

    return AccountIn(
        plain(account.bank_code),
        plain(account.branch_code),
        account.account_type.strip(),
        plain(account.account_number),
    )


_REFUSALS: dict[str, tuple[str, str]] = {
    "mismatch": (
        N_("口座名義がご本人の氏名（住民票のフリガナ）と一致しません。ご本人名義の口座を登録してください。"),
        "the account is not held in your name as the resident register records it",
    ),
    "no-account": (
        N_("この口座は金融機関で確認できませんでした。支店コード・預金種目・口座番号をご確認ください。"),
        "the bank has no such account",
    ),
    "closed": (N_("この口座は解約されています。お使いの口座を登録してください。"), "the account is closed"),
}


def _row(db: Session, resident_id: str) -> AccountsPublicMoney | None:
    return db.get(AccountsPublicMoney, resident_id)


def _account(row: AccountsPublicMoney) -> Account:
    return Account(
        row.resident_id,
        row.bank_code,
        bank_name(row.bank_code) or row.bank_code,
        row.branch_code,
        branch_name(row.bank_code, row.branch_code) or row.branch_code,
        row.account_type,
        row.account_number,
        row.holder_kana,
        row.verified_at,
        row.registered_at,
    )


def account_of(db: Session, resident_id: str) -> Account | None:
    """The person's registered 公金受取口座, if any."""
    row = _row(db, resident_id)
    return None if row is None else _account(row)


def accounts_of(db: Session, resident_ids: Sequence[str]) -> dict[str, Account]:
    """The registered 公金受取口座 of many people at once (a page of a benefit run), by person."""
    rows = db.scalars(select(AccountsPublicMoney).where(AccountsPublicMoney.resident_id.in_(resident_ids)))
    return {row.resident_id: _account(row) for row in rows}


def zengin_name(text: str, width: int) -> str:
    """A bank's or branch's name in 全銀 kana for a transfer file (blank where it cannot be written)."""
    try:
        return kana.to_zengin(text)[:width]
    except kana.NotZenginKana:
        return ""


def bank_kana(code: str) -> str:
    bank = _banks().get(code)
    return "" if bank is None else zengin_name(str(bank.kana), 15)


def branch_kana(bank_code: str, branch_code: str) -> str:
    bank = _banks().get(bank_code)
    branch = None if bank is None else bank.branches.get(branch_code)
    return "" if branch is None else zengin_name(str(branch.kana), 15)


def register(db: Session, bank: BankVerifier, resident_id: str, submitted: AccountIn) -> Account:
    """Register (or change to) ``submitted`` once its bank confirmed it is the person's own."""
    person = residents.require_resident(db, resident_id)
    account = normalized(submitted)
    errors = check(account)
    if errors:
        raise ValidationFailed("the account details are not valid", errors=errors)
    try:
        holder = kana.holder_of(person.name)
    except kana.NotZenginKana as exc:
        raise HolderNotWritable(
            f"the registered kana name has {exc.character!r}, which banks cannot hold; "
            "please ask at the counter"
        ) from None
    answer = bank.verify(
        AccountQuery(
            account.bank_code, account.branch_code, account.account_type, account.account_number, holder
        )
    )
    log.info("account_verified", outcome=answer.outcome, bank=account.bank_code, reference=answer.reference)
    now = clock.now()
    if answer.outcome != "match":
        message_ja, message = _REFUSALS[answer.outcome]
        raise AccountNotConfirmed(
            f"the bank did not confirm the account: {message}",
            errors=[_field_error("account_number", message_ja, message)],
            outcome=answer.outcome,
        )
    row = _row(db, resident_id)
    action = "changed" if row is not None else "registered"
    if row is None:
        row = AccountsPublicMoney(resident_id=resident_id, registered_at=now)
        db.add(row)
    row.bank_code, row.branch_code = account.bank_code, account.branch_code
    row.account_type, row.account_number = account.account_type, account.account_number
    row.holder_kana, row.verification_reference, row.verified_at = holder, answer.reference, now
    db.add(
        AccountsHistory(
            resident_id=resident_id,
            action=action,
            bank_code=account.bank_code,
            branch_code=account.branch_code,
            outcome=answer.outcome,
            at=now,
        )
    )
    db.flush()
    return _account(row)


def delete(db: Session, resident_id: str) -> None:
    """Delete the person's account (procedures ask for an account again afterwards)."""
    row = _row(db, resident_id)
    if row is None:
        raise NoAccount("no public-money account is registered for you")
    db.add(
        AccountsHistory(
            resident_id=resident_id,
            action="deleted",
            bank_code=row.bank_code,
            branch_code=row.branch_code,
            at=clock.now(),
        )
    )
    db.delete(row)
    db.flush()


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    bank_name: str
    at: datetime


def history_of(db: Session, resident_id: str) -> list[HistoryEntry]:
    rows = db.scalars(
        select(AccountsHistory)
        .where(AccountsHistory.resident_id == resident_id)
        .order_by(AccountsHistory.at.desc(), AccountsHistory.id.desc())
    )
    return [HistoryEntry(r.action, bank_name(r.bank_code) or "", r.at) for r in rows]
