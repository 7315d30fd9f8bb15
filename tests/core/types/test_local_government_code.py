import pytest
from pydantic import BaseModel, ValidationError

from tsunagu.core.types.local_government_code import (
    InvalidLocalGovernmentCode,
    LocalGovernmentCode,
    check_digit,
)


@pytest.mark.parametrize("code", ["131016", "142018", "011002", "271004", "130001", "472018"])
def test_known_codes_are_valid(code: str) -> None:
    assert LocalGovernmentCode(code) == code


@pytest.mark.parametrize(
    ("five", "digit"),
    [
        ("13101", "6"),
        ("14201", "8"),
        ("01100", "2"),
        # 新宿区 (remainder 0 → 1), 渋谷区 (remainder 1 → 0)
        ("13104", "1"),
        ("13113", "0"),
    ],
)
def test_check_digit(five: str, digit: str) -> None:
    assert check_digit(five) == digit


@pytest.mark.parametrize("bad", ["131017", "13101", "1310160", "１３１０１６", "abcdef", ""])
def test_invalid_codes_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidLocalGovernmentCode) as caught:
        LocalGovernmentCode(bad)
    assert caught.value.code == "invalid-local-government-code"


def test_wrong_check_digit_names_the_expected_code() -> None:
    with pytest.raises(InvalidLocalGovernmentCode, match="131016"):
        LocalGovernmentCode("131019")


def test_helpers() -> None:
    assert LocalGovernmentCode.from_five_digits("14201") == "142018"
    assert LocalGovernmentCode.for_prefecture("13") == "130001"
    code = LocalGovernmentCode("142018")
    assert (code.prefecture_code, code.five_digits) == ("14", "14201")


def test_pydantic_field() -> None:
    class Model(BaseModel):
        code: LocalGovernmentCode

    assert Model(code="131016").model_dump() == {"code": "131016"}
    with pytest.raises(ValidationError):
        Model(code="131011")
