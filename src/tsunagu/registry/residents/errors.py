"""Errors of the resident registry, each with a stable ``code`` (listed in docs/api.md)."""

from __future__ import annotations

from tsunagu.core.errors import Conflict, NotFound, ValidationFailed


def _field_error(field: str, message: str, code: str) -> list[dict[str, object]]:
    return [{"location": [field], "message": message, "type": code}]


class InvalidField(ValidationFailed):
    """A 422 about one input field, so that forms can show the message next to it."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail, errors=_field_error(field, detail, self.code))
        self.field = field


class BirthDateInFuture(InvalidField):
    code = "birth-date-in-future"
    title = "Birth date in the future"


class BirthAlreadyRegistered(InvalidField):
    """出生届 is accepted once: the household already has this child (same name, same birth date)."""

    status = 409
    code = "birth-already-registered"
    title = "This birth is already registered"


class EffectiveDateInFuture(InvalidField):
    code = "effective-date-in-future"
    title = "Effective date in the future"


class EffectiveDateTooEarly(InvalidField):
    """Changes are appended in date order; a date before the last change would rewrite history."""

    code = "effective-date-before-last-change"
    title = "Effective date before the last change"


class UnknownTown(InvalidField):
    code = "unknown-town"
    title = "Unknown town"


class TownOutsideMunicipality(InvalidField):
    code = "town-outside-municipality"
    title = "Town of another municipality"


class UnknownHousehold(InvalidField):
    code = "unknown-household"
    title = "Unknown household"


class ResidentNotFound(NotFound):
    code = "resident-not-found"
    title = "Resident not found"


class ResidentDeceased(Conflict):
    code = "resident-deceased"
    title = "Resident is deceased"


class ResidentMovedOut(Conflict):
    code = "resident-moved-out"
    title = "Resident has moved out"


class AlreadyRegistered(Conflict):
    code = "resident-already-registered"
    title = "Already registered"


class UnknownPreviousAddress(InvalidField):
    code = "unknown-previous-address"
    title = "Previous address not found"


class PreviousAddressInMunicipality(InvalidField):
    """A move from within the municipality is a 転居, not a 転入."""

    code = "previous-address-in-municipality"
    title = "Previous address in this municipality"


class HeadOfHouseholdRequired(InvalidField):
    """The 世帯主 died and others remain: the 届出 names who becomes head."""

    code = "new-head-required"
    title = "New head of household required"


class NotAHouseholdMember(InvalidField):
    code = "not-a-household-member"
    title = "Not a member of the household"


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "This idempotency key was used for a different registration"


class NewHeadNotNeeded(InvalidField):
    code = "new-head-not-needed"
    title = "Only the death of the head of household names a new head"


class InformantRequired(InvalidField):
    """A 死亡届 names its 届出人: name and address (or a resident), and a relative's 続柄."""

    code = "informant-required"
    title = "The informant's particulars are required"


class InformantNotResident(InvalidField):
    code = "informant-not-a-resident"
    title = "The informant is not a living resident of this municipality"


class InformantNotCohabiting(InvalidField):
    code = "informant-not-cohabiting"
    title = "A cohabiting informant must live in the deceased person's household"
