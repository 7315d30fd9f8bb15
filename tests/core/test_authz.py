"""Every (role, operation) pair of core.authz, against a table written out here by hand.

Changing who may do what means changing GRANTS and this table together, on purpose.
"""

from __future__ import annotations

import pytest

from tsunagu.core import authz
from tsunagu.core.authz import Operation, Role
from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal

V, Rv, Ap, Rg, Ad, P, Ov, Vd = (
    Role.VIEWER,
    Role.REVIEWER,
    Role.APPROVER,
    Role.REGISTRAR,
    Role.ADMIN,
    Role.PUBLISHER,
    Role.OVERSIGHT,
    Role.VENDOR,
)
ALLOWED: dict[Operation, set[Role]] = {
    Operation.READ_RESIDENT: {V, Rg},
    Operation.REGISTER_CHANGE: {Rg},
    Operation.ISSUE_CARD: {Rg},
    Operation.RECORD_ARRIVAL: {Rg},
    Operation.PUBLISH_SLOTS: {Ad, Rv},
    Operation.DECIDE_APPLICATION: {Ap},
    Operation.PAY_BENEFITS: {Ad},
    Operation.ASSESS_TAX: {Ad},
    Operation.READ_EXCHANGE_LOG: {Ad, Rv, V},
    Operation.OPERATE_NODE: {Rv, Ad},
    Operation.MANAGE_DIRECTORY: {Ad},
    Operation.MANAGE_STAFF: {Ad},
    Operation.MANAGE_CLIENTS: {Ad},
    Operation.READ_AUTH_AUDIT: {Ad},
    Operation.PUBLISH_DATA: {P, Ad},
    Operation.OVERSEE: {Ov},
    Operation.MANAGE_OVERSIGHT: {Ov},
    Operation.SUBMIT_CONFORMANCE: {Vd},
}
PAIRS = [(role, operation) for operation in Operation for role in Role]


def staff(*roles: Role, organization: str = "131016") -> Principal:
    return Principal("staff", "s-1", organization_code=organization, roles=frozenset(r.value for r in roles))


def test_the_table_names_every_operation() -> None:
    assert set(ALLOWED) == set(Operation) == set(authz.GRANTS)


@pytest.mark.parametrize(("role", "operation"), PAIRS, ids=[f"{r.name}-{o.name}" for r, o in PAIRS])
def test_each_role_may_do_exactly_what_the_table_says(role: Role, operation: Operation) -> None:
    principal = staff(role)
    expected = role in ALLOWED[operation]
    assert authz.allows(principal, operation) is expected
    if expected:
        assert authz.require(principal, operation, organization="131016") is principal
    else:
        with pytest.raises(Forbidden, match="needs one of the roles"):
            authz.require(principal, operation)


@pytest.mark.parametrize("operation", list(Operation))
def test_no_role_residents_and_businesses_may_do_nothing(operation: Operation) -> None:
    for principal in (
        staff(),
        Principal("resident", "r-1", roles=frozenset(r.value for r in Role)),
        Principal("business", "b-1", organization_code="131016", roles=frozenset(r.value for r in Role)),
    ):
        assert not authz.allows(principal, operation)
        with pytest.raises(Forbidden):
            authz.require(principal, operation)


def test_staff_never_act_for_another_organization() -> None:
    with pytest.raises(Forbidden, match="cannot act for 142018"):
        authz.require(staff(Role.VIEWER), Operation.READ_RESIDENT, organization="142018")


def test_a_stored_role_no_longer_known_opens_nothing() -> None:
    principal = Principal("staff", "s-1", organization_code="131016", roles=frozenset({"viewer", "root"}))
    assert authz.roles_of(principal) == frozenset()
