"""The mesh's staff use cases decide who may call them (core.authz), whatever the route let through."""

from __future__ import annotations

import pytest

from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden, NotFound
from tsunagu.core.sessions import Principal
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
