"""Which 基本4情報 attribute each scope releases, and the OIDC claims made from a resident.

Scopes map one-to-one onto the 基本4情報 so that a resident can release exactly a subset:
``profile`` (氏名, with kana as ``#ja-Kana-JP`` claims, OIDC Core §5.2), ``birthdate``
(生年月日), ``gender`` (性別) and ``address`` (住所). ``openid`` alone releases nothing but the
pairwise subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound
from tsunagu.core.types.address import Address
from tsunagu.registry.residents import service as residents


@dataclass(frozen=True)
class Attribute:
    scope: str
    label: str  # gettext message id shown on the consent screen
    claims: tuple[str, ...]


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "profile",
        "氏名（漢字・カナ）",
        (
            "name",
            "family_name",
            "given_name",
            "name#ja-Kana-JP",
            "family_name#ja-Kana-JP",
            "given_name#ja-Kana-JP",
        ),
    ),
    Attribute("birthdate", "生年月日", ("birthdate",)),
    Attribute("gender", "性別", ("gender",)),
    Attribute("address", "住所", ("address",)),
)
BY_SCOPE = {attribute.scope: attribute for attribute in ATTRIBUTES}
SUPPORTED_SCOPES: tuple[str, ...] = ("openid", *BY_SCOPE)
SUPPORTED_CLAIMS: tuple[str, ...] = ("sub", "auth_time", *(c for a in ATTRIBUTES for c in a.claims))
#: ISO 5218 codes (行政基本情報データ連携モデル) to the OIDC ``gender`` claim.
GENDER = {"1": "male", "2": "female", "9": "not applicable", "0": "unknown"}
GENDER_LABELS = {"1": "男", "2": "女", "9": "適用不能", "0": "不明"}


def resident(db: Session, resident_id: str) -> residents.ResidentRecord:
    """The current registry record of ``resident_id`` (住民基本台帳)."""
    record = residents.get_resident(db, resident_id)
    if record is None:
        raise NotFound("the logged-in resident is not in the resident registry")
    return record


def released_values(db: Session, resident_id: str, scopes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(attribute label, value) pairs that ``scopes`` would release, for the consent screen."""
    wanted = [BY_SCOPE[scope] for scope in scopes if scope in BY_SCOPE]
    if not wanted:
        return []
    record = resident(db, resident_id)
    name = record.name
    shown = {
        "profile": f"{name.family} {name.given}（{name.family_kana} {name.given_kana}）",
        "birthdate": f"{record.birth_date.year}年{record.birth_date.month}月{record.birth_date.day}日",
        "gender": GENDER_LABELS.get(str(record.sex), "不明"),
        "address": record.address.label(),
    }
    return [(attribute.label, shown[attribute.scope]) for attribute in wanted]


def claims_for(record: residents.ResidentRecord, scopes: list[str]) -> dict[str, Any]:
    """The claims ``scopes`` release about ``record``, nothing more."""
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        name = record.name
        claims.update(
            {
                "name": f"{name.family} {name.given}",
                "family_name": name.family,
                "given_name": name.given,
                "name#ja-Kana-JP": f"{name.family_kana} {name.given_kana}",
                "family_name#ja-Kana-JP": name.family_kana,
                "given_name#ja-Kana-JP": name.given_kana,
            }
        )
    if "birthdate" in scopes:
        claims["birthdate"] = record.birth_date.isoformat()
    if "gender" in scopes:
        claims["gender"] = GENDER.get(str(record.sex), "unknown")
    if "address" in scopes:
        claims["address"] = address_claim(record.address)
    return claims


def address_claim(address: Address) -> dict[str, str]:
    """The OIDC ``address`` claim (OIDC Core §5.1.1) of a structured Japanese address."""
    street = f"{address.town}{address.koaza}{address.block}"
    claim = {
        "formatted": address.label(),
        "region": address.prefecture,
        "locality": address.municipality,
        "street_address": f"{street} {address.building}" if address.building else street,
        "country": "JP",
    }
    if address.postcode is not None:
        claim["postal_code"] = address.postcode.display
    return claim
