from __future__ import annotations

import pytest

from tsunagu.core.types.sex import InvalidSex, Sex


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Sex.MALE),
        ("2", Sex.FEMALE),
        ("9", Sex.NOT_APPLICABLE),
        ("0", Sex.UNKNOWN),
        ("男", Sex.MALE),
        ("女性", Sex.FEMALE),
        ("Female", Sex.FEMALE),
    ],
)
def test_parse(text: str, expected: Sex) -> None:
    assert Sex.parse(text) is expected


def test_codes_follow_iso_5218() -> None:
    assert [member.value for member in Sex] == ["0", "1", "2", "9"]
    assert Sex.FEMALE.label_ja == "女"


def test_unknown_code_is_rejected() -> None:
    with pytest.raises(InvalidSex, match="one of the codes 0, 1, 2, 9"):
        Sex.parse("3")
