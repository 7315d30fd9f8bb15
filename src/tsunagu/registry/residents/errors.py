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
