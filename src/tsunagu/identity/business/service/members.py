"""メンバー: accounts the prime account creates, each granted the procedures it may act on."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import NotFound
from tsunagu.identity.business.models import BusinessAccount, ProcedureGrant
from tsunagu.identity.business.service.accounts import (
    AccountRecord,
    Enrolment,
    get_account,
    new_account,
    record_of,
    require_live_corporation,
    require_prime,
)

__all__ = ["create_member", "grant", "members_of"]


def create_member(
    db: Session,
    secret: str,
    prime: sessions.Principal,
    *,
    login_id: str,
    display_name: str,
    password: str,
    procedures: list[str],
) -> Enrolment:
    """メンバー作成 by the prime account, with the procedures the member may act on."""
    prime_row = require_prime(db, prime)
    require_live_corporation(db, prime_row.corporate_number)
    enrolment = new_account(
        db,
        secret,
        corporate_number=prime_row.corporate_number,
        login_id=login_id,
        display_name=display_name,
        password=password,
        kind="member",
        created_by=prime_row.id,
    )
    grant(db, prime, enrolment.account.id, procedures)
    account = get_account(db, enrolment.account.id)
    return Enrolment(account=account, totp_secret=enrolment.totp_secret)


def grant(db: Session, prime: sessions.Principal, member_id: str, procedures: list[str]) -> AccountRecord:
    """Replace the procedures a member of the prime's corporation may act on."""
    prime_row = require_prime(db, prime)
    member = db.get(BusinessAccount, member_id)
    if member is None or member.corporate_number != prime_row.corporate_number or member.kind != "member":
        raise NotFound(f"no member account {member_id} in this corporation")
    db.execute(delete(ProcedureGrant).where(ProcedureGrant.account_id == member_id))
    for code in sorted({p.strip() for p in procedures if p.strip()}):
        db.add(
            ProcedureGrant(
                account_id=member_id, procedure_code=code, granted_by=prime_row.id, granted_at=clock.now()
            )
        )
    db.flush()
    return get_account(db, member_id)


def members_of(db: Session, prime: sessions.Principal) -> list[AccountRecord]:
    prime_row = require_prime(db, prime)
    rows = db.scalars(
        select(BusinessAccount)
        .where(
            BusinessAccount.corporate_number == prime_row.corporate_number, BusinessAccount.kind == "member"
        )
        .order_by(BusinessAccount.login_id)
    )
    return [record_of(db, row) for row in rows]
