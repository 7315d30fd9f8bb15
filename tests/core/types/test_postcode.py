import pytest
from pydantic import BaseModel, ValidationError

from tsunagu.core.types.postcode import InvalidPostcode, Postcode


@pytest.mark.parametrize(
    "text", ["1000001", "100-0001", "〒100-0001", "１００－０００１", "100 0001", "100ー0001", "100−0001"]
)
def test_variants_become_canonical(text: str) -> None:
    assert Postcode(text) == "1000001"
    assert Postcode(text).display == "100-0001"


@pytest.mark.parametrize("bad", ["100001", "10000011", "abc-defg", "", "100-00O1"])
def test_malformed_postcodes_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidPostcode) as caught:
        Postcode(bad)
    assert caught.value.status == 422


def test_pydantic_field() -> None:
    class Model(BaseModel):
        postcode: Postcode

    assert Model(postcode="100-0001").postcode == "1000001"
    with pytest.raises(ValidationError):
        Model(postcode="12")
