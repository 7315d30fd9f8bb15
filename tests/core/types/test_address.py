import pytest

from tsunagu.core.types.address import Address
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.postcode import Postcode


def test_label_and_block() -> None:
    address = Address(
        prefecture="東京都",
        municipality="千代田区",
        town="丸の内一丁目",
        chome=1,
        banchi="1",
        go="2",
        building="丸の内ビル 301号室",
        prefecture_code="13",
        municipality_code=LocalGovernmentCode("131016"),
        postcode=Postcode("100-0005"),
    )
    assert address.block == "1-2"
    assert address.label() == "東京都千代田区丸の内一丁目1-2 丸の内ビル 301号室"
    assert address.label(with_building=False) == "東京都千代田区丸の内一丁目1-2"


def test_codes_must_agree() -> None:
    with pytest.raises(ValueError, match="another prefecture"):
        Address(prefecture="東京都", prefecture_code="13", municipality_code=LocalGovernmentCode("142018"))
    with pytest.raises(ValueError, match="2 digits"):
        Address(prefecture="東京都", prefecture_code="130")
