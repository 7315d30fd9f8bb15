"""Who may do what (権限): the staff roles, the operations they open, and the one check of both.

Authorization lives here and in the use-case functions that call :func:`require`; an HTTP route
only establishes who is calling (``core.http.auth``) and hands that principal to the use case.
So the API, the pages and the CLI cannot disagree about a rule, and a test can enumerate every
(role, operation) pair from :data:`GRANTS`.

Two questions are asked, in this order: does the principal hold a role that the operation
admits (``Forbidden``, "this needs one of the roles"), and, for staff acting on an
organization's data, is it their own organization (``Forbidden``: staff never act for another
organization; reading another municipality's resident goes through the mesh, where the
directory's grants decide).
"""

from __future__ import annotations

from enum import StrEnum

from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal


class Role(StrEnum):
    """A staff role, stored by its Japanese name on the staff account and in the session."""

    VIEWER = "閲覧"  # reads the records of its own organization
    REVIEWER = "審査"  # examines applications, runs the counter
    APPROVER = "決裁"  # decides (許可・不許可) applications
    REGISTRAR = "住基"  # records 届出 in the resident registry (住民基本台帳事務)
    ADMIN = "管理"  # manages staff, keys, the directory and the organization's settings
    PUBLISHER = "公開"  # publishes the organization's open data in the catalog
    OVERSIGHT = "監査"  # reads the exchange logs of every organization (監督・監査)
    VENDOR = "ベンダー"  # a system vendor submitting conformance results

    @property
    def code(self) -> str:
        """The role's name in English, as procedure files and the CLI write it."""
        return self.name.lower()


class Operation(StrEnum):
    """Something a staff member does that only some roles may do."""

    READ_RESIDENT = "registry.read-resident"  # 住民票の閲覧・検索 (recorded as an access)
    REGISTER_CHANGE = "registry.register-change"  # 出生・転入・転居・転出・死亡・氏名変更の記録
    ISSUE_CARD = "identity.issue-card"  # マイナンバーカードの交付
    RECORD_ARRIVAL = "procedures.record-arrival"  # 転入の窓口 (ワンストップ)
    PUBLISH_SLOTS = "procedures.publish-slots"  # 来庁予約の枠の公開・取消・来庁の記録
    DECIDE_APPLICATION = "procedures.decide"  # 決裁
    PAY_BENEFITS = "procedures.pay-benefits"  # 給付金の支給 (支給対象の確定、振込データの作成、不能の消込)
    ASSESS_TAX = "registry.assess-tax"  # 住民税の課税台帳の記録・更正 (賦課の結果の取込み)
    READ_EXCHANGE_LOG = "mesh.read-log"  # 自機関のやりとり履歴
    OPERATE_NODE = "mesh.operate-node"  # the node's desk: status, keys of the organization
    MANAGE_DIRECTORY = "mesh.manage-directory"  # 機関・サービス・法的根拠の登録
    MANAGE_STAFF = "identity.manage-staff"
    MANAGE_CLIENTS = "identity.manage-clients"  # OIDC の利用機関
    READ_AUTH_AUDIT = "identity.read-auth-audit"  # 認証の監査ログ (the platform operator's)
    PUBLISH_DATA = "catalog.publish"
    OVERSEE = "oversight.read"
    MANAGE_OVERSIGHT = "oversight.manage"  # 棚卸データの取り込み、情報システムと経費の登録
    SUBMIT_CONFORMANCE = "conformance.submit"


#: The roles each operation admits. Change it only with the table in tests/core/test_authz.py.
GRANTS: dict[Operation, frozenset[Role]] = {
    Operation.READ_RESIDENT: frozenset({Role.VIEWER, Role.REGISTRAR}),
    Operation.REGISTER_CHANGE: frozenset({Role.REGISTRAR}),
    Operation.ISSUE_CARD: frozenset({Role.REGISTRAR}),
    Operation.RECORD_ARRIVAL: frozenset({Role.REGISTRAR}),
    Operation.PUBLISH_SLOTS: frozenset({Role.ADMIN, Role.REVIEWER}),
    Operation.DECIDE_APPLICATION: frozenset({Role.APPROVER}),
    Operation.PAY_BENEFITS: frozenset({Role.ADMIN}),
    Operation.ASSESS_TAX: frozenset({Role.ADMIN}),
    Operation.READ_EXCHANGE_LOG: frozenset({Role.ADMIN, Role.REVIEWER, Role.VIEWER}),
    Operation.OPERATE_NODE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Operation.MANAGE_DIRECTORY: frozenset({Role.ADMIN}),
    Operation.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Operation.MANAGE_CLIENTS: frozenset({Role.ADMIN}),
    Operation.READ_AUTH_AUDIT: frozenset({Role.ADMIN}),
    Operation.PUBLISH_DATA: frozenset({Role.PUBLISHER, Role.ADMIN}),
    Operation.OVERSEE: frozenset({Role.OVERSIGHT}),
    Operation.MANAGE_OVERSIGHT: frozenset({Role.OVERSIGHT}),
    Operation.SUBMIT_CONFORMANCE: frozenset({Role.VENDOR}),
}


def roles_of(principal: Principal) -> frozenset[Role]:
    """The known roles a principal holds (a stored name no longer known opens nothing)."""
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in principal.roles if name in known)


def allows(principal: Principal, operation: Operation) -> bool:
    return principal.kind == "staff" and bool(roles_of(principal) & GRANTS[operation])


def require(principal: Principal, operation: Operation, *, organization: str | None = None) -> Principal:
    """The principal, if it may do ``operation`` (for ``organization``'s data when given)."""
    if principal.kind != "staff":
        raise Forbidden("only staff can use this")
    if not roles_of(principal) & GRANTS[operation]:
        raise Forbidden("this needs one of the roles: " + ", ".join(sorted(GRANTS[operation])))
    if organization is not None:
        require_same_organization(principal, organization)
    return principal


def require_same_organization(principal: Principal, organization_code: str) -> None:
    """Staff never see another organization's data."""
    if principal.organization_code != organization_code:
        raise Forbidden(f"staff of {principal.organization_code} cannot act for {organization_code}")
