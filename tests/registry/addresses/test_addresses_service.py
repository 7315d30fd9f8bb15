import pytest

from tsunagu.core.database import Database
from tsunagu.core.types.local_government_code import InvalidLocalGovernmentCode
from tsunagu.core.types.postcode import InvalidPostcode
from tsunagu.registry.addresses import service
from tsunagu.registry.addresses.models import Municipality, Prefecture, Town, TownPostcode


@pytest.fixture
def registry(database: Database) -> Database:
    with database.session() as db:
        db.add_all([Prefecture(code="13", name="東京都"), Prefecture(code="14", name="神奈川県")])
        db.flush()
        db.add_all(
            [
                Municipality(code="131016", prefecture_code="13", name="千代田区"),
                Municipality(code="142018", prefecture_code="14", name="横須賀市"),
            ]
        )
        db.flush()
        db.add_all(
            [
                Town(id=1, municipality_code="131016", town="丸の内一丁目", koaza="", lat=35.68, lng=139.76),
                Town(id=2, municipality_code="131016", town="丸の内二丁目", koaza="", lat=35.68, lng=139.76),
                Town(id=3, municipality_code="142018", town="小川町", koaza="", lat=35.28, lng=139.67),
            ]
        )
        db.flush()
        db.add_all(
            [
                TownPostcode(town_id=1, postcode="1000005"),
                TownPostcode(town_id=2, postcode="1000005"),
                TownPostcode(town_id=3, postcode="2380004"),
            ]
        )
    return database


def test_get_town(registry: Database) -> None:
    with registry.session() as db:
        town = service.get_town(db, 1)
        assert service.get_town(db, 999) is None
    assert town == service.TownRecord(
        id=1,
        prefecture_code="13",
        prefecture="東京都",
        municipality_code="131016",
        municipality="千代田区",
        town="丸の内一丁目",
        koaza="",
        lat=35.68,
        lng=139.76,
        postcodes=("1000005",),
    )


def test_towns_in_and_municipality(registry: Database) -> None:
    with registry.session() as db:
        assert [t.town for t in service.towns_in(db, "131016")] == ["丸の内一丁目", "丸の内二丁目"]
        assert service.towns_in(db, "011002") == []
        municipality = service.get_municipality(db, "142018")
        assert service.get_municipality(db, "011002") is None
        with pytest.raises(InvalidLocalGovernmentCode):
            service.get_municipality(db, "142019")
        with pytest.raises(service.UnknownMunicipality):
            service.require_municipality(db, "011002")
    assert municipality == service.MunicipalityRecord(
        code="142018", name="横須賀市", prefecture_code="14", prefecture="神奈川県"
    )


def test_search_and_postcode(registry: Database) -> None:
    with registry.session() as db:
        page, total = service.search_towns(db, service.TownFilter(name="丸の内"), limit=1, offset=1)
        assert (total, [t.id for t in page]) == (2, [2])
        _, by_prefecture = service.search_towns(
            db, service.TownFilter(prefecture_code="14"), limit=10, offset=0
        )
        assert by_prefecture == 1
        assert [t.id for t in service.towns_by_postcode(db, "100-0005")] == [1, 2]
        assert service.towns_by_postcode(db, "999-9999") == []
        with pytest.raises(InvalidPostcode):
            service.towns_by_postcode(db, "100-00")
