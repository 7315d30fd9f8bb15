"""The demo mesh: the agreed demo organizations, their services, 事務 and subscriptions.

Used by the ``mesh`` seed step (embedded: every node under ``/mesh/nodes/{code}``) and by the
multi-process tests and benchmarks (each node on its own port).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.progress import ProgressReporter
from tsunagu.mesh.answer_schema import DATE, STRING, closed_object, item_names, service_definition
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node import adapters
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.registry.residents import service as residents

ACTOR = "seed"
OPERATOR = "digital-agency"
MUNICIPALITIES = ("131016", "142018")

ORGANIZATIONS: tuple[tuple[str, str, str, records.OrganizationKind], ...] = (
    (OPERATOR, "デジタル庁", "Digital Agency", "national"),
    ("131016", "東京都千代田区", "Chiyoda City, Tokyo", "municipal"),
    ("142018", "神奈川県横須賀市", "Yokosuka City, Kanagawa", "municipal"),
    ("jpn-pension", "日本年金機構", "Japan Pension Service", "agency"),
    ("nta-kojimachi", "麹町税務署", "Kojimachi Tax Office", "national"),
    ("tsunagu-power", "つなぐ電力", "Tsunagu Power (private utility)", "private"),
)

_AMOUNT = {"type": "integer", "minimum": 0}


RESIDENT_BASIC = service_definition(
    "resident-basic",
    "住民基本情報（基本4情報・世帯）",
    [
        (
            "name",
            "PersonName",
            "氏名",
            closed_object(
                {
                    "family_name": STRING,
                    "given_name": STRING,
                    "family_name_kana": STRING,
                    "given_name_kana": STRING,
                }
            ),
        ),
        ("birth_date", "date", "生年月日", DATE),
        ("sex", "sex-code", "性別", {"type": "string", "enum": ["0", "1", "2", "9"]}),
        (
            "address",
            "Address",
            "住所",
            {"type": "object", "properties": {"text": STRING}, "required": ["text"]},
        ),
        (
            "household",
            "household",
            "世帯",
            {"type": "object", "properties": {"household_id": STRING, "relationship": STRING}},
        ),
    ],
)

_PERSON_NAME = RESIDENT_BASIC["response_schema"]["properties"]["name"]
_MEMBER = closed_object(
    {"name": _PERSON_NAME, "birth_date": DATE, "relationship": STRING, "sex": {"type": "string"}}
)
# 世帯の構成: who lives in the person's 世帯 (the 児童手当's child is taken from it, not typed)
RESIDENT_HOUSEHOLD = service_definition(
    "resident-household",
    "世帯の構成（本人以外の世帯員と最も年少の児童）",
    [
        ("other_members", "household", "世帯員（本人を除く）", {"type": "array", "items": _MEMBER}),
        ("youngest_child", "household", "最も年少の18歳未満の世帯員", {"anyOf": [_MEMBER, {"type": "null"}]}),
    ],
)

_NAME = closed_object({"family": STRING, "given": STRING, "family_kana": STRING, "given_kana": STRING})
MOVING_OUT_CERTIFICATE = service_definition(
    "moving-out-certificate",
    "転出証明書情報（住民基本台帳法第24条の2）",
    [
        (
            "certificate",
            "moving-out-certificate",
            "転出証明書情報",
            closed_object(
                {
                    "reference": STRING,
                    "origin": closed_object({"code": STRING, "name": STRING}),
                    "previous_address": STRING,
                    "head": {"anyOf": [_NAME, {"type": "null"}]},
                    "destination": STRING,
                    "moving_date": DATE,
                    "whole_household": {"type": "boolean"},
                    "movers": {
                        "type": "array",
                        "minItems": 1,
                        "items": closed_object(
                            {
                                "name": _NAME,
                                "birth_date": DATE,
                                "sex": {"type": "string", "enum": ["0", "1", "2", "9"]},
                                "sex_label": STRING,
                                "relationship": STRING,
                                "card_holder": {"type": "boolean"},
                            }
                        ),
                    },
                }
            ),
        ),
    ],
)

PENSION_STATUS = service_definition(
    "pension-status",
    "年金の受給状況",
    [
        (
            "pension_type",
            "code",
            "年金の種類",
            {
                "type": "string",
                "enum": ["老齢基礎年金", "障害基礎年金", "遺族基礎年金", "なし"],
            },
        ),
        ("annual_amount", "integer", "年金額（年額・円）", _AMOUNT),
        ("insured_since", "date", "資格取得日", DATE),
    ],
)

INCOME = service_definition(
    "income",
    "所得の情報",
    [
        ("tax_year", "integer", "課税年度", {"type": "integer", "minimum": 2000}),
        ("total_income", "integer", "総所得金額（円）", _AMOUNT),
        ("dependents", "integer", "扶養親族の数", _AMOUNT),
    ],
)

PUBLIC_MONEY_ACCOUNT = service_definition(
    "public-money-account",
    "公金受取口座（登録口座情報）",
    [
        ("bank_code", "code", "金融機関コード", {"type": "string", "pattern": r"^\d{4}$"}),
        ("bank_name", "string", "金融機関名", STRING),
        ("branch_code", "code", "支店コード", {"type": "string", "pattern": r"^\d{3}$"}),
        ("branch_name", "string", "支店名", STRING),
        ("account_type", "code", "預金種目", {"type": "string", "enum": ["futsu", "toza", "chochiku"]}),
        ("account_number", "string", "口座番号", {"type": "string", "pattern": r"^\d{7}$"}),
        ("holder_kana", "string", "口座名義", STRING),
    ],
)
_ACCOUNT_ITEMS = item_names(PUBLIC_MONEY_ACCOUNT)

SERVICES: tuple[tuple[str, dict[str, Any]], ...] = (
    *((code, RESIDENT_BASIC) for code in MUNICIPALITIES),
    *((code, MOVING_OUT_CERTIFICATE) for code in MUNICIPALITIES),
    *((code, RESIDENT_HOUSEHOLD) for code in MUNICIPALITIES),
    ("jpn-pension", PENSION_STATUS),
    ("nta-kojimachi", INCOME),
    (OPERATOR, PUBLIC_MONEY_ACCOUNT),
)

_BASIC4 = ["name", "birth_date", "sex", "address"]


def legal_bases() -> list[dict[str, Any]]:
    bases: list[dict[str, Any]] = []
    for city in MUNICIPALITIES:
        bases += [
            {
                "id": f"nenkin-jukyu-{city}",
                "title_ja": "国民年金の受給権者の確認",
                "law_ja": "国民年金法第108条（資料の提供等）",
                "consumer": "jpn-pension",
                "provider": city,
                "service_code": "resident-basic",
                "items": _BASIC4,
            },
            {
                "id": f"jidou-teate-{city}",
                "title_ja": "児童手当の認定（所得の確認）",
                "law_ja": "児童手当法第28条（資料の提供等）",
                "consumer": city,
                "provider": "nta-kojimachi",
                "service_code": "income",
                "items": ["tax_year", "total_income", "dependents"],
            },
            {
                "id": f"koukin-uketori-{city}",
                "title_ja": "公的給付の支給（登録口座情報の提供）",
                "law_ja": "公的給付の支給等の迅速かつ確実な実施のための預貯金口座の登録等に関する法律第10条",
                "consumer": city,
                "provider": OPERATOR,
                "service_code": "public-money-account",
                "items": _ACCOUNT_ITEMS,
            },
            {
                "id": f"kaigo-hoken-{city}",
                "title_ja": "介護保険料の算定（年金の確認）",
                "law_ja": "介護保険法第203条（資料の提供等）",
                "consumer": city,
                "provider": "jpn-pension",
                "service_code": "pension-status",
                "items": ["pension_type", "annual_amount"],
            },
            {
                # おくやみの手続の一覧: whether a pension was paid decides what the family is told
                "id": f"okuyami-nenkin-{city}",
                "title_ja": "死亡に伴う手続の案内（年金の受給状況の確認）",
                "law_ja": "国民年金法第3条第3項（市町村が処理する事務）・番号利用法第19条第8号",
                "consumer": city,
                "provider": "jpn-pension",
                "service_code": "pension-status",
                "items": ["pension_type"],
            },
            {
                "id": f"denki-tenkyo-{city}",
                "kind": "consent",
                "title_ja": "電気契約の住所変更（本人同意）",
                "law_ja": "本人の同意（電気需給約款に基づく住所変更の届出の代行）",
                "consumer": "tsunagu-power",
                "provider": city,
                "service_code": "resident-basic",
                "items": ["address"],
            },
            {
                # 個人事業の開業・廃業等届出書: the tax office reads the filer's 氏名・住所・生年月日
                "id": f"kaigyo-todoke-{city}",
                "title_ja": "個人事業の開業・廃業等届出書の受理（届出者の本人確認情報の確認）",
                "law_ja": "所得税法第229条・住民基本台帳法第30条の9（別表第一）",
                "consumer": "nta-kojimachi",
                "provider": city,
                "service_code": "resident-basic",
                "items": ["name", "birth_date", "address"],
            },
            {
                "id": f"hansoku-chosa-{city}",
                "title_ja": "国税の犯則調査",
                "law_ja": "国税通則法第131条（犯則事件の調査）",
                "consumer": "nta-kojimachi",
                "provider": city,
                "service_code": "resident-basic",
                "items": ["name", "address"],
                "withheld_category": "犯則調査",
                "withheld_days": 365,
            },
        ]
    for consumer, provider in (("142018", "131016"), ("131016", "142018")):
        # the 転入予約's form is prefilled from the former municipality's register, and its
        # 転出証明書情報 (made when the 転出届 is accepted) is received under the special rule
        bases.append(
            {
                "id": f"tennyu-{provider}-{consumer}",
                "title_ja": "転入届の受理（本人確認情報の確認）",
                "law_ja": "住民基本台帳法第22条・第24条の2",
                "consumer": consumer,
                "provider": provider,
                "service_code": "resident-basic",
                "items": _BASIC4,
            }
        )
        bases.append(
            {
                "id": f"tenshutsu-shomei-{provider}-{consumer}",
                "title_ja": "転入届の受理（転出証明書情報の確認）",
                "law_ja": "住民基本台帳法第24条の2（転出証明書情報の送信）",
                "consumer": consumer,
                "provider": provider,
                "service_code": "moving-out-certificate",
                "items": ["certificate"],
            }
        )
    return bases


def register(db: Session, secret: str, endpoint_of: Callable[[str], str]) -> None:
    """Register the demo organizations (keys derived from ``secret``), services, 事務, subscriptions."""
    for member in ORGANIZATIONS:
        directory.put_hosted_member(db, member, secret, endpoint_of(member[0]), ACTOR)
    for provider, spec in SERVICES:
        directory.put_service(db, records.Service.model_validate({"provider": provider, **spec}), ACTOR)
    for basis in legal_bases():
        directory.put_legal_basis(db, records.LegalBasis.model_validate(basis), ACTOR)
    if directory.list_subscriptions(db):
        return
    for city in MUNICIPALITIES:
        directory.add_subscription(
            db,
            records.SubscriptionIn(
                subscriber="jpn-pension",
                provider=city,
                event_kinds=["address_changed", "died", "name_changed"],
                legal_basis_id=f"nenkin-jukyu-{city}",
                endpoint=endpoint_of("jpn-pension"),
            ),
            ACTOR,
        )
        directory.add_subscription(
            db,
            records.SubscriptionIn(
                subscriber="tsunagu-power",
                provider=city,
                event_kinds=["address_changed", "moving_notice"],
                legal_basis_id=f"denki-tenkyo-{city}",
                endpoint=endpoint_of("tsunagu-power"),
            ),
            ACTOR,
        )


PENSION_TYPES = ("老齢基礎年金", "障害基礎年金", "遺族基礎年金")


def seed_people(db: Session, resident_ids: list[tuple[str, str, int]], seed: int) -> int:
    """Codes for residents at their municipality, the pension office and the tax office (each with
    its relation to the person: resident, or a record held by law), and the synthetic pension and
    income records those organizations hold (keyed by their own ids).

    ``resident_ids`` holds (resident id, municipality code, birth year).
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not secrets
    for number, (resident_id, city, birth_year) in enumerate(resident_ids, start=1):
        codes.code_for(db, city, resident_id)
        codes.relate(db, city, resident_id, "resident")
        pension_id, taxpayer_id = f"P{number:08d}", f"T{number:08d}"
        # the pension office's insured person and the tax office's taxpayer: records held by law
        pension_code = codes.relate(db, "jpn-pension", resident_id, "record", pension_id)
        codes.remember(db, "jpn-pension", pension_code, pension_id)
        tax_code = codes.relate(db, "nta-kojimachi", resident_id, "record", taxpayer_id)
        codes.remember(db, "nta-kojimachi", tax_code, taxpayer_id)
        age = 2026 - birth_year
        pension_type = rng.choice(PENSION_TYPES) if age >= 65 else "なし"
        adapters.put_record(
            db,
            "jpn-pension",
            pension_id,
            "pension-status",
            {
                "pension_type": pension_type,
                "annual_amount": rng.randrange(600_000, 2_400_000, 1000) if pension_type != "なし" else 0,
                "insured_since": f"{min(birth_year + 20, 2026)}-04-01",
            },
        )
        adapters.put_record(
            db,
            "nta-kojimachi",
            taxpayer_id,
            "income",
            {
                "tax_year": 2025,
                "total_income": rng.randrange(0, 12_000_000, 10_000) if age >= 18 else 0,
                "dependents": rng.randrange(0, 4),
            },
        )
    return len(resident_ids)


def seed_demo(
    database: Database,
    secret: str,
    base_url: str,
    *,
    only_if_empty: bool,
    seed: int,
    progress: ProgressReporter,
) -> None:
    """The embedded demo mesh: members served under ``base_url``, and codes for every resident."""
    with database.session() as db:
        if only_if_empty and directory.list_organizations(db):
            return
        register(db, secret, lambda code: endpoint_of(base_url, code))
    people: list[tuple[str, str, int]] = []
    with database.session() as db:
        for city in MUNICIPALITIES:
            offset, total = 0, 1
            while offset < total:
                page, total = residents.find_residents(
                    db, city, residents.SearchQuery(), limit=500, offset=offset
                )
                people += [(r.id, city, r.birth_date.year) for r in page]
                offset += 500
    progress.start("mesh: 機関別符号 and local records", len(people))
    for start in range(0, len(people), 200):
        with database.session() as db:
            progress.advance(seed_people(db, people[start : start + 200], seed + start))
