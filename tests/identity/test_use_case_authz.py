"""Identity's use cases decide who may call them (core.authz), whatever the route let through.

Each use case is called directly, as the API, a page or the CLI would, with a principal whose role
or organization is wrong: it refuses with the typed Forbidden, and with the right one it works.
"""

from __future__ import annotations

import pytest
from tests.identity.conftest import World

from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.identity.history import service as history
from tsunagu.identity.oidc import service as oidc
from tsunagu.identity.staff import service as staff

PASSWORD = "correct horse battery"


def _staff(organization: str, *roles: str) -> Principal:
    return Principal("staff", "s-1", organization_code=organization, roles=frozenset(roles))


def test_only_an_administrator_lists_and_creates_staff_of_their_own_organization(world: World) -> None:
    with world.database.session() as db:
        for clerk in (_staff("142018", "審査", "閲覧", "住基"), Principal("resident", "r-1")):
            with pytest.raises(Forbidden):
                staff.staff_as(db, clerk)
            with pytest.raises(Forbidden):
                staff.create_staff_as(
                    db, clerk, "yokosuka.new", display_name="新任", roles={"審査"}, password=PASSWORD
                )
        admin = _staff("142018", "管理")
        created = staff.create_staff_as(
            db, admin, "yokosuka.new", display_name="新任", roles={"審査"}, password=PASSWORD
        )
        assert created.record.organization_code == "142018"
        assert [s.login_id for s in staff.staff_as(db, admin)] == ["yokosuka.new"]
        assert staff.staff_as(db, _staff("131016", "管理")) == []  # never another organization's


def test_the_authentication_audit_log_is_the_platform_operators_administrators(world: World) -> None:
    with world.database.session() as db:
        with pytest.raises(Forbidden, match="needs one of the roles"):
            history.audit_log(db, _staff(history.PLATFORM_OPERATOR, "閲覧"), limit=10, offset=0)
        with pytest.raises(Forbidden, match="platform operator"):
            history.audit_log(db, _staff("131016", "管理"), limit=10, offset=0)
        assert history.audit_log(db, _staff(history.PLATFORM_OPERATOR, "管理"), limit=10, offset=0) == []


def test_only_the_platform_operators_administrators_register_relying_parties(world: World) -> None:
    fields = {"name": "テスト", "organization_code": "131016", "redirect_uris": ["https://rp.example.jp/cb"]}
    with world.database.session() as db:
        with pytest.raises(Forbidden, match="needs one of the roles"):
            oidc.register_client_as(db, _staff(oidc.PLATFORM_OPERATOR, "審査"), "s" * 32, **fields)
        with pytest.raises(Forbidden, match="platform operator"):
            oidc.register_client_as(db, _staff("131016", "管理"), "s" * 32, **fields)
        with pytest.raises(Forbidden, match="platform operator"):
            oidc.list_clients_as(db, _staff("131016", "管理"), limit=10, offset=0)
        admin = _staff(oidc.PLATFORM_OPERATOR, "管理")
        registered = oidc.register_client_as(db, admin, "s" * 32, **fields)
        clients, total = oidc.list_clients_as(db, admin, limit=10, offset=0)
        assert total == 1 and clients[0].client_id == registered.client.client_id
