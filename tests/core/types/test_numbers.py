from __future__ import annotations

import logging

import pytest
from pydantic import BaseModel, ValidationError

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.types.corporate_number import CorporateNumber, InvalidCorporateNumber
from tsunagu.core.types.individual_number import IndividualNumber, InvalidIndividualNumber

VALID_MY_NUMBER = "123456789018"


def test_corporate_number_normalizes_width_and_separators() -> None:
    assert CorporateNumber("１０００-０１１０-００００５") == "1000011000005"


def test_corporate_number_wrong_check_digit_says_which() -> None:
    with pytest.raises(InvalidCorporateNumber) as caught:
        CorporateNumber("2000011000005")
    assert caught.value.code == "corporate-number-check-digit"
    assert "expected 1, got 2" in caught.value.detail
    assert isinstance(caught.value, ValidationFailed)


@pytest.mark.parametrize("text", ["100001100000", "10000110000051", "A000011000005", ""])
def test_corporate_number_must_be_13_digits(text: str) -> None:
    with pytest.raises(InvalidCorporateNumber, match="is 13 digits"):
        CorporateNumber(text)


def test_corporate_number_with_check_digit() -> None:
    assert CorporateNumber.with_check_digit("000011000005") == "1000011000005"


def test_individual_number_is_masked_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    number = IndividualNumber("1234 5678 9018")
    assert number.reveal() == VALID_MY_NUMBER
    for shown in (str(number), repr(number), f"{number}", format(number)):
        assert VALID_MY_NUMBER not in shown
        assert "9018" in shown
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("number %r", number)
    assert VALID_MY_NUMBER not in caplog.text
    assert number == IndividualNumber(VALID_MY_NUMBER)


def test_individual_number_is_masked_in_json() -> None:
    class Holder(BaseModel):
        number: IndividualNumber

    holder = Holder.model_validate({"number": VALID_MY_NUMBER})
    assert VALID_MY_NUMBER not in holder.model_dump_json()
    assert VALID_MY_NUMBER not in repr(holder)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("123456789019", "check digit of the individual number is wrong"),
        ("12345678901", "is 12 digits"),
        ("12345678901a", "is 12 digits"),
    ],
)
def test_individual_number_invalid_never_echoes_the_input(text: str, message: str) -> None:
    with pytest.raises(InvalidIndividualNumber, match=message) as caught:
        IndividualNumber(text)
    assert text not in caught.value.detail


def test_individual_number_in_pydantic_rejects_wrong_check_digit() -> None:
    class Holder(BaseModel):
        number: IndividualNumber

    with pytest.raises(ValidationError, match="check digit"):
        Holder.model_validate({"number": "123456789019"})
