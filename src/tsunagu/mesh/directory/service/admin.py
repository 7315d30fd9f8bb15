"""The directory's administration (ディレクトリ管理) by a caller: each use case first checks that the
caller administers the directory (role 管理 at the operator, ``Settings.mesh.operator``), then
records the change under the caller's name. The API, the pages and the CLI cannot disagree.

System actors (the demo seeding, corporate registration, the CLI, meshlink) call the
actor-name functions of the other modules directly.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tsunagu.core.sessions import Principal
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.service import bases, members, services, subscriptions
from tsunagu.mesh.directory.service.changes import audit_trail, operator_admin, version

# --- reading ------------------------------------------------------------------------------------


def version_as(db: Session, caller: Principal, operator: str) -> int:
    operator_admin(caller, operator)
    return version(db)


def audit_trail_as(
    db: Session, caller: Principal, operator: str, limit: int, offset: int
) -> tuple[list[records.AuditEntry], int]:
    """監査記録: every change, newest first."""
    operator_admin(caller, operator)
    return audit_trail(db, limit, offset)


def members_as(db: Session, caller: Principal, operator: str) -> list[records.Organization]:
    operator_admin(caller, operator)
    return members.list_organizations(db)


def member_as(db: Session, caller: Principal, operator: str, code: str) -> records.Organization | None:
    operator_admin(caller, operator)
    return members.get_organization(db, code)


def services_as(db: Session, caller: Principal, operator: str) -> list[records.Service]:
    operator_admin(caller, operator)
    return services.list_services(db)


def service_as(
    db: Session, caller: Principal, operator: str, provider: str, code: str, *, version_: str
) -> records.Service | None:
    operator_admin(caller, operator)
    return services.get_service(db, provider, code, version_)


def legal_bases_as(db: Session, caller: Principal, operator: str) -> list[records.LegalBasisEntry]:
    operator_admin(caller, operator)
    return bases.list_legal_bases(db)


def legal_basis_as(
    db: Session, caller: Principal, operator: str, basis_id: str
) -> records.LegalBasisEntry | None:
    operator_admin(caller, operator)
    return bases.get_legal_basis(db, basis_id)


def subscriptions_as(db: Session, caller: Principal, operator: str) -> list[records.Subscription]:
    operator_admin(caller, operator)
    return subscriptions.list_subscriptions(db)


# --- members (参加機関) ----------------------------------------------------------------------------


def register_member_as(
    db: Session, caller: Principal, operator: str, data: records.OrganizationIn
) -> records.Organization:
    """参加機関の登録 (Conflict when the code is taken)."""
    return members.create_organization(db, data, operator_admin(caller, operator))


def put_member_as(
    db: Session, caller: Principal, operator: str, data: records.OrganizationIn
) -> records.Organization:
    """参加機関の登録・変更 (without keys its published keys stay as they are)."""
    return members.put_organization(db, data, operator_admin(caller, operator))


def set_member_active_as(
    db: Session, caller: Principal, operator: str, code: str, active: bool
) -> records.Organization:
    """参加機関の停止・再開 (never the operator itself)."""
    actor = operator_admin(caller, operator)
    return members.set_organization_active(db, code, active, actor, operator=operator)


# --- services and legal bases (サービス・事務) ------------------------------------------------------


def create_service_as(
    db: Session, caller: Principal, operator: str, data: records.Service
) -> records.Service:
    """サービスの公開 (Conflict when that version exists)."""
    return services.create_service(db, data, operator_admin(caller, operator))


def put_service_as(db: Session, caller: Principal, operator: str, data: records.Service) -> records.Service:
    return services.put_service(db, data, operator_admin(caller, operator))


def create_legal_basis_as(
    db: Session, caller: Principal, operator: str, data: records.LegalBasis
) -> records.LegalBasisEntry:
    """事務の登録 (Conflict when the id is taken)."""
    return bases.create_legal_basis(db, data, operator_admin(caller, operator))


def put_legal_basis_as(
    db: Session, caller: Principal, operator: str, data: records.LegalBasis
) -> records.LegalBasisEntry:
    return bases.put_legal_basis(db, data, operator_admin(caller, operator))


def revoke_legal_basis_as(
    db: Session, caller: Principal, operator: str, basis_id: str
) -> records.LegalBasisEntry:
    """事務の廃止: no query or notification may use it from now on."""
    return bases.revoke_legal_basis(db, basis_id, operator_admin(caller, operator))


# --- subscriptions (購読) -------------------------------------------------------------------------


def add_subscription_as(
    db: Session, caller: Principal, operator: str, data: records.SubscriptionIn
) -> records.Subscription:
    return subscriptions.add_subscription(db, data, operator_admin(caller, operator))


def set_subscription_active_as(
    db: Session, caller: Principal, operator: str, subscription_id: int, active: bool
) -> records.Subscription:
    """購読の一時停止・再開."""
    actor = operator_admin(caller, operator)
    return subscriptions.set_subscription_active(db, subscription_id, active, actor)
