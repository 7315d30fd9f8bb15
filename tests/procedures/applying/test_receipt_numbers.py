"""受付番号 are digits a person can read out: a municipality's code, or a number given to an office
whose internal code is not one, never the internal code itself."""

from __future__ import annotations

import re

from tsunagu.core.database import Database
from tsunagu.procedures.applications.service.submission import FIRST_OFFICE_NUMBER, next_receipt


def test_receipt_numbers_are_digits_for_every_organization(database: Database) -> None:
    with database.write_transaction() as connection:
        city = [next_receipt(connection, "131016", 2026) for _ in range(2)]
        office = [next_receipt(connection, "nta-kojimachi", 2026) for _ in range(2)]
        other = next_receipt(connection, "jpn-pension", 2026)
        next_year = next_receipt(connection, "nta-kojimachi", 2027)
    assert city == ["2026-131016-000001", "2026-131016-000002"]
    assert office == [f"2026-{FIRST_OFFICE_NUMBER}-000001", f"2026-{FIRST_OFFICE_NUMBER}-000002"]
    assert other == f"2026-{FIRST_OFFICE_NUMBER + 1}-000001"
    assert next_year == f"2027-{FIRST_OFFICE_NUMBER}-000001"  # the office keeps its number
    for receipt in [*city, *office, other, next_year]:
        assert re.fullmatch(r"\d{4}-\d{6}-\d{6}", receipt)
