"""Directory rules: who is a member, what services exist, which 事務 allows which items to whom.

Every change is audited with the acting administrator and the record before and after; the
newest audit entry's id is the directory's version. ``authorize`` and ``fanout`` are the
directory's answers to nodes: they check the legal basis (and, for a consent basis, the person's
recorded consent) and translate 機関別符号.
"""

from __future__ import annotations

from tsunagu.mesh.directory.service.admin import (
    add_subscription_as,
    audit_trail_as,
    create_legal_basis_as,
    create_service_as,
    legal_bases_as,
    legal_basis_as,
    member_as,
    members_as,
    put_legal_basis_as,
    put_member_as,
    put_service_as,
    register_member_as,
    revoke_legal_basis_as,
    service_as,
    services_as,
    set_member_active_as,
    set_subscription_active_as,
    subscriptions_as,
    version_as,
)
from tsunagu.mesh.directory.service.authorization import (
    Authorization,
    Catalog,
    FanoutTarget,
    authorize,
    catalog,
    fanout,
    visible_from,
)
from tsunagu.mesh.directory.service.bases import (
    create_legal_basis,
    get_legal_basis,
    list_legal_bases,
    put_legal_basis,
    revoke_legal_basis,
)
from tsunagu.mesh.directory.service.changes import (
    LastKey,
    OperatorRequired,
    audit,
    audit_trail,
    check_endpoint,
    generation,
    invalid,
    operator_admin,
    require_usable_key,
    version,
)
from tsunagu.mesh.directory.service.consents import (
    CONSENT_SCOPES,
    consented,
    consents_of_resident,
    grant_consent,
    withdraw_consent,
)
from tsunagu.mesh.directory.service.members import (
    create_organization,
    get_organization,
    list_organizations,
    put_hosted_member,
    put_organization,
    set_organization_active,
)
from tsunagu.mesh.directory.service.services import create_service, get_service, list_services, put_service
from tsunagu.mesh.directory.service.subscriptions import (
    add_subscription,
    list_subscriptions,
    set_subscription_active,
)

__all__ = [
    "CONSENT_SCOPES",
    "Authorization",
    "Catalog",
    "FanoutTarget",
    "LastKey",
    "OperatorRequired",
    "add_subscription",
    "add_subscription_as",
    "audit",
    "audit_trail",
    "audit_trail_as",
    "authorize",
    "catalog",
    "check_endpoint",
    "consented",
    "consents_of_resident",
    "create_legal_basis",
    "create_legal_basis_as",
    "create_organization",
    "create_service",
    "create_service_as",
    "fanout",
    "generation",
    "get_legal_basis",
    "get_organization",
    "get_service",
    "grant_consent",
    "invalid",
    "legal_bases_as",
    "legal_basis_as",
    "list_legal_bases",
    "list_organizations",
    "list_services",
    "list_subscriptions",
    "member_as",
    "members_as",
    "operator_admin",
    "put_hosted_member",
    "put_legal_basis",
    "put_legal_basis_as",
    "put_member_as",
    "put_organization",
    "put_service",
    "put_service_as",
    "register_member_as",
    "require_usable_key",
    "revoke_legal_basis",
    "revoke_legal_basis_as",
    "service_as",
    "services_as",
    "set_member_active_as",
    "set_organization_active",
    "set_subscription_active",
    "set_subscription_active_as",
    "subscriptions_as",
    "version",
    "version_as",
    "visible_from",
    "withdraw_consent",
]
