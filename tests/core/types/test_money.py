"""資本金 and other amounts as a Japanese form writes them; the value itself is never rounded."""

from __future__ import annotations

import pytest

from tsunagu.core.types.money import format_yen


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (0, "0円"),
        (9_999, "9,999円"),
        (10_000, "1万円"),
        (10_000_000, "1,000万円"),
        (150_000_000, "1億5,000万円"),
        (300_000_000_000, "3,000億円"),
        (2_000_000_000_000, "2兆円"),
        (12_345_678, "12,345,678円"),  # not a whole 万: every digit, nothing rounded away
        (10_000_001, "10,000,001円"),
    ],
)
def test_japanese(amount: int, written: str) -> None:
    assert format_yen(amount) == written


def test_english_and_negative() -> None:
    assert format_yen(10_000_000, "en") == "¥10,000,000"
    assert format_yen(-50_000) == "-5万円"
