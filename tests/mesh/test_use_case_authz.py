"""The mesh's staff use cases decide who may call them (core.authz), whatever the route let through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden, NotFound
from tsunagu.core.sessions import Principal
from tsunagu.mesh.directory import keys, records
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node import staff_query
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push import service as push


def _staff(*roles: str, organization: str = "131016") -> Principal:
    return Principal("staff", "s-1", organization_code=organization, roles=frozenset(roles))


def test_only_staff_with_a_reading_role_read_their_organizations_log(database: Database) -> None:
    with database.session() as db:
        for caller in (_staff("住基", "決裁"), _staff("公開"), Principal("resident", "r-1")):
            with pytest.raises(Forbidden):
                message_log.own_log(db, caller, 10, 0)
        for role in ("閲覧", "審査", "管理"):
            assert message_log.own_log(db, _staff(role), 10, 0) == ([], 0)


def test_only_reviewers_and_administrators_query_through_their_organizations_node() -> None:
    asked: list[str] = []

    def contexts(code: str) -> NodeContext | None:
        asked.append(code)
        return None

    for caller in (_staff("閲覧"), _staff("住基"), _staff("決裁"), Principal("resident", "r-1")):
        with pytest.raises(Forbidden):
            staff_query.node_for(caller, contexts)
    assert asked == []  # refused before any node was looked up
    with pytest.raises(NotFound):  # allowed, but this deployment runs no node for it
        staff_query.node_for(_staff("審査", organization="142018"), contexts)
    assert asked == ["142018"]


def test_only_the_operators_administrators_see_and_requeue_dead_letters(database: Database) -> None:
    with database.session() as db:
        for caller in (_staff("管理", organization="131016"), _staff("審査", organization="000001")):
            with pytest.raises(Forbidden):
                push.dead_letters(db, caller, "000001")
            with pytest.raises(Forbidden):
                push.requeue(db, caller, "000001", 1)
        administrator = _staff("管理", organization="000001")
        assert push.dead_letters(db, administrator, "000001") == ([], 0)
        with pytest.raises(NotFound):  # allowed, but there is no such dead letter
            push.requeue(db, administrator, "000001", 1)


OPERATOR = "digital-agency"
MEMBER = records.OrganizationIn(
    code="131016",
    name_ja="千代田区",
    name_en="Chiyoda City",
    kind="municipal",
    endpoint="http://127.0.0.1:9001",
)
SERVICE = records.Service(
    provider="131016",
    code="resident-basic",
    version="v1",
    title_ja="住民基本情報",
    items=[records.DataItem(name="name", type="PersonName", title_ja="氏名")],
    response_schema={"type": "object"},
)
BASIS = records.LegalBasis(
    id="child-allowance",
    title_ja="児童手当",
    law_ja="番号法別表第二",
    consumer="131016",
    provider="131016",
    service_code="resident-basic",
    items=["name"],
)
SUBSCRIPTION = records.SubscriptionIn(
    subscriber="131016",
    provider="131016",
    event_kinds=["died"],
    legal_basis_id="child-allowance",
    endpoint="http://127.0.0.1:9001",
)
# every use case of the directory's administration, called as ``caller`` (the API's and the pages')
DIRECTORY_ADMINISTRATION: dict[str, Callable[[Session, Principal], object]] = {
    "version": lambda db, c: directory.version_as(db, c, OPERATOR),
    "audit trail": lambda db, c: directory.audit_trail_as(db, c, OPERATOR, 10, 0),
    "members": lambda db, c: directory.members_as(db, c, OPERATOR),
    "member": lambda db, c: directory.member_as(db, c, OPERATOR, "131016"),
    "register member": lambda db, c: directory.register_member_as(db, c, OPERATOR, MEMBER),
    "put member": lambda db, c: directory.put_member_as(db, c, OPERATOR, MEMBER),
    "deactivate member": lambda db, c: directory.set_member_active_as(db, c, OPERATOR, "131016", False),
    "keys": lambda db, c: keys.keys_as(db, c, OPERATOR, "131016"),
    "rotate key": lambda db, c: keys.rotate_as(db, c, OPERATOR, "131016", timedelta(days=7)),
    "revoke key": lambda db, c: keys.revoke_as(db, c, OPERATOR, "131016", "131016#x", reason="漏えい"),
    "services": lambda db, c: directory.services_as(db, c, OPERATOR),
    "service": lambda db, c: directory.service_as(db, c, OPERATOR, "131016", "resident-basic", version_="v1"),
    "create service": lambda db, c: directory.create_service_as(db, c, OPERATOR, SERVICE),
    "put service": lambda db, c: directory.put_service_as(db, c, OPERATOR, SERVICE),
    "legal bases": lambda db, c: directory.legal_bases_as(db, c, OPERATOR),
    "legal basis": lambda db, c: directory.legal_basis_as(db, c, OPERATOR, "child-allowance"),
    "create legal basis": lambda db, c: directory.create_legal_basis_as(db, c, OPERATOR, BASIS),
    "put legal basis": lambda db, c: directory.put_legal_basis_as(db, c, OPERATOR, BASIS),
    "revoke legal basis": lambda db, c: directory.revoke_legal_basis_as(db, c, OPERATOR, "child-allowance"),
    "subscriptions": lambda db, c: directory.subscriptions_as(db, c, OPERATOR),
    "add subscription": lambda db, c: directory.add_subscription_as(db, c, OPERATOR, SUBSCRIPTION),
    "pause subscription": lambda db, c: directory.set_subscription_active_as(db, c, OPERATOR, 1, False),
}


@pytest.mark.parametrize("use_case", DIRECTORY_ADMINISTRATION)
def test_only_the_operators_administrators_manage_the_directory(database: Database, use_case: str) -> None:
    wrong = (
        _staff("管理", organization="131016"),  # an administrator, but of a member
        _staff("審査", "閲覧", organization=OPERATOR),  # the operator's staff without 管理
        Principal("resident", "r-1"),
    )
    with database.session() as db:
        for caller in wrong:
            with pytest.raises(Forbidden):
                DIRECTORY_ADMINISTRATION[use_case](db, caller)
        assert directory.version(db) == 0  # refused before anything was changed or audited


def test_the_directory_audits_a_change_under_its_administrators_name(database: Database) -> None:
    administrator = _staff("管理", organization=OPERATOR)
    with database.session() as db:
        directory.register_member_as(db, administrator, OPERATOR, MEMBER)
        entries, total = directory.audit_trail_as(db, administrator, OPERATOR, 10, 0)
        assert total == 1
        assert (entries[0].actor, entries[0].action) == (f"{OPERATOR}:s-1", "organization.create")
        with pytest.raises(NotFound):  # allowed, but there is no such subscription
            directory.set_subscription_active_as(db, administrator, OPERATOR, 1, False)
