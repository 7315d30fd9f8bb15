from __future__ import annotations

import pytest
from pydantic import BaseModel

from tsunagu.core.types.phone import InvalidPhoneNumber, PhoneNumber


@pytest.mark.parametrize(
    ("text", "canonical", "display"),
    [
        ("03-1234-5678", "0312345678", "03-1234-5678"),
        ("(03)1234-5678", "0312345678", "03-1234-5678"),
        ("０９０－１２３４－５６７８", "09012345678", "090-1234-5678"),
        ("+81 90 1234 5678", "09012345678", "090-1234-5678"),
        ("+81-3-1234-5678", "0312345678", "03-1234-5678"),
        ("0120-123-456", "0120123456", "0120-123-456"),
        ("050 1234 5678", "05012345678", "050-1234-5678"),
        ("046-822-4000", "0468224000", "046-822-4000"),
    ],
)
def test_valid_numbers_are_canonical(text: str, canonical: str, display: str) -> None:
    number = PhoneNumber(text)
    assert number == canonical
    assert number.display == display
    assert number.e164 == "+81" + canonical[1:]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("110", "must start with 0"),
        ("090-1234-567", "numbers starting 090 have 11 digits, got 10"),
        ("03-1234-567", "fixed-line number has 10 digits, got 9"),
        ("0120-123-4567", "numbers starting 0120 have 10 digits"),
        ("+1 212 555 0100", "not a Japanese number"),
        ("03-1234-abcd", "characters other than digits"),
        ("010-1234-5678", "international call prefix"),
    ],
)
def test_invalid_numbers(text: str, message: str) -> None:
    with pytest.raises(InvalidPhoneNumber, match=message):
        PhoneNumber(text)


def test_pydantic_field() -> None:
    class Contact(BaseModel):
        phone: PhoneNumber

    assert Contact.model_validate({"phone": "03 1234 5678"}).model_dump() == {"phone": "0312345678"}
