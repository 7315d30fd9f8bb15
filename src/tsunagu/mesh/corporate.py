"""Corporations on the mesh: the commercial registry (法務局) as a provider of corporate data.

Two services answer by 法人番号: ``corporation-basic`` (基本情報: name, head office, status) and
``corporation-registered`` (登記事項: establishment, capital, purposes, representatives and officers).
The 法人番号 is public, so no 機関別符号 is needed to name a corporation; the mesh still gives each
organization its own subject code for it, so that every exchange is signed, authorized by a 事務
in the directory, logged, and shown to the business in its own やりとり履歴 exactly as a resident's
are. A corporation's subject key is ``corporation:<法人番号>``.

Changes of the 登記 (商号変更, 本店移転, 代表者変更, 解散) are pushed to subscribers with a legal basis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.mesh.answer_schema import DATE, STRING, closed_object, item_names, service_definition
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push.service import publish
from tsunagu.registry.corporations import service as corporations

PROVIDER = "moj"  # 法務省（法務局）: keeps the 商業・法人登記
ACTOR = "seed"
BASIC, REGISTERED = "corporation-basic", "corporation-registered"
SUBJECT_PREFIX = "corporation:"
ORGANIZATIONS: tuple[tuple[str, str, str, records.OrganizationKind], ...] = (
    (
        PROVIDER,
        "法務省（法務局 商業・法人登記）",
        "Ministry of Justice (commercial registration)",
        "national",
    ),
    ("130001", "東京都", "Tokyo Metropolitan Government", "municipal"),
    ("mhlw-chuo", "中央労働基準監督署", "Chuo Labour Standards Inspection Office", "national"),
)


BASIC_SERVICE = service_definition(
    BASIC,
    "法人の基本情報（商号・本店・状態）",
    [
        ("corporate_number", "CorporateNumber", "法人番号", {"type": "string", "pattern": r"^\d{13}$"}),
        ("name", "string", "商号又は名称", STRING),
        ("name_kana", "string", "商号のフリガナ", {"type": "string"}),
        (
            "head_office_address",
            "Address",
            "本店所在地",
            {"type": "object", "properties": {"text": STRING}, "required": ["text"]},
        ),
        ("kind", "string", "法人種別", {"type": "string"}),
        (
            "status",
            "code",
            "状態（存続・解散・閉鎖）",
            {"type": "string", "enum": ["active", "dissolved", "closed"]},
        ),
    ],
)
_OFFICER = closed_object(
    {"title": STRING, "name": STRING, "address": {"type": "string"}, "appointed_on": DATE}
)
REGISTERED_SERVICE = service_definition(
    REGISTERED,
    "登記事項（成立・資本金・目的・役員）",
    [
        ("established_on", "date", "会社成立の年月日", DATE),
        ("capital_yen", "integer", "資本金の額", {"type": ["integer", "null"], "minimum": 0}),
        ("purposes", "text-list", "目的", {"type": "array", "items": STRING}),
        ("representatives", "officers", "代表者", {"type": "array", "items": _OFFICER}),
        ("officers", "officers", "役員", {"type": "array", "items": _OFFICER}),
        ("registry_office", "string", "管轄登記所", STRING),
    ],
)
_BASIC_ITEMS = item_names(BASIC_SERVICE)
_REGISTERED_ITEMS = item_names(REGISTERED_SERVICE)

#: (事務 id, consumer, title, law) of every organization that reads corporate data to accept a filing
USES: tuple[tuple[str, str, str, str], ...] = (
    # one 事務 per consumer and service (the look-up names it): 横須賀市 reads corporate data to
    # review bid qualifications and to accept the 法人市民税's 設立届
    (
        "hojin-142018",
        "142018",
        "入札参加資格審査・法人の設立届の受理（登記事項の確認）",
        "地方自治法施行令第167条の5・第167条の11、地方税法第317条の2",
    ),
    ("hojin-setsuritsu-nta", "nta-kojimachi", "法人設立届出書の受理（登記事項の確認）", "法人税法第148条"),
    (
        "hojin-setsuritsu-130001",
        "130001",
        "法人設立・設置届の受理（都税）",
        "地方税法第72条の55・東京都都税条例",
    ),
    (
        "shinki-tekiyo-pension",
        "jpn-pension",
        "新規適用届の受理（適用事業所の確認）",
        "厚生年金保険法第27条・健康保険法第48条",
    ),
    (
        "hoken-kankei-mhlw",
        "mhlw-chuo",
        "保険関係成立届の受理（事業主の確認）",
        "労働保険の保険料の徴収等に関する法律第4条の2",
    ),
)
#: change events of the 登記 and who is told under which 事務
EVENT_KINDS = ["trade_name_changed", "head_office_moved", "representative_changed", "dissolved"]
SUBSCRIBERS = ("nta-kojimachi", "jpn-pension")


def subject_of(corporate_number: str) -> str:
    """The mesh subject key of a corporation (its public 法人番号, not a person's id)."""
    return f"{SUBJECT_PREFIX}{corporate_number}"


def number_of(subject: str) -> str | None:
    return subject.removeprefix(SUBJECT_PREFIX) if subject.startswith(SUBJECT_PREFIX) else None


def legal_bases() -> list[dict[str, Any]]:
    bases = []
    for basis_id, consumer, title, law in USES:
        bases.append(
            {
                "id": f"{basis_id}-b",
                "title_ja": title,
                "law_ja": law,
                "consumer": consumer,
                "provider": PROVIDER,
                "service_code": BASIC,
                "items": _BASIC_ITEMS,
            }
        )
        bases.append(
            {
                "id": f"{basis_id}-r",
                "title_ja": title,
                "law_ja": law,
                "consumer": consumer,
                "provider": PROVIDER,
                "service_code": REGISTERED,
                "items": _REGISTERED_ITEMS,
            }
        )
    return bases


def register(db: Session, secret: str, endpoint_of: Callable[[str], str]) -> None:
    """The registry's organization, its two services, the 事務 that use them and subscriptions."""
    for member in ORGANIZATIONS:
        if directory.get_organization(db, member[0]) is None:
            directory.put_hosted_member(db, member, secret, endpoint_of(member[0]), ACTOR)
    for spec in (BASIC_SERVICE, REGISTERED_SERVICE):
        directory.put_service(db, records.Service.model_validate({"provider": PROVIDER, **spec}), ACTOR)
    for basis in legal_bases():
        directory.put_legal_basis(db, records.LegalBasis.model_validate(basis), ACTOR)
    subscribed = {(s.subscriber, s.provider) for s in directory.list_subscriptions(db)}
    for basis_id, consumer, _title, _law in USES:
        if consumer in SUBSCRIBERS and (consumer, PROVIDER) not in subscribed:
            directory.add_subscription(
                db,
                records.SubscriptionIn(
                    subscriber=consumer,
                    provider=PROVIDER,
                    event_kinds=EVENT_KINDS,
                    legal_basis_id=f"{basis_id}-b",
                    endpoint=endpoint_of(consumer),
                ),
                ACTOR,
            )


# ---- the provider's answers (adapter) ------------------------------------------------------------


def items(db: Session, local_id: str, service_code: str) -> dict[str, Any] | None:
    """The registry's answer about one corporation, or None when it holds none."""
    number = number_of(local_id)
    if number is None:
        return None
    record = corporations.get_corporation(db, number)
    if record is None:
        return None
    matters = corporations.registered_matters(db, number)
    if service_code == BASIC:
        status = "closed" if record.status != "active" else (matters.status if matters else "active")
        return {
            "corporate_number": record.number,
            "name": record.name,
            "name_kana": record.furigana,
            "head_office_address": {"text": record.address},
            "kind": record.kind_label,
            "status": status,
        }
    if matters is None:  # a 法人番号 without 商業登記 (国の機関 …): no 登記事項 to give
        return None
    return {
        "established_on": matters.established_on.isoformat(),
        "capital_yen": matters.capital_yen,
        "purposes": list(matters.purposes),
        "registry_office": matters.registry_office,
        "representatives": [
            {
                "title": o.title,
                "name": o.name,
                "address": o.address,
                "appointed_on": o.appointed_on.isoformat(),
            }
            for o in matters.representatives
        ],
        "officers": [
            {"title": o.title, "name": o.name, "address": "", "appointed_on": o.appointed_on.isoformat()}
            for o in matters.current_officers
        ],
    }


# ---- change events (outbox → push) ----------------------------------------------------------------


def pump(database: Database, context_for: Callable[[str], NodeContext | None], limit: int = 100) -> int:
    """Publish the commercial registry's pending change events from its node; returns how many."""
    ctx = context_for(PROVIDER)
    if ctx is None:  # no node of the registry here: the events wait in the outbox
        return 0
    with database.session() as db:
        events = corporations.pending_events(db, limit)
    for event in events:
        subject = subject_of(event.number)
        with database.session() as db:
            codes.code_for(db, PROVIDER, subject)
            data = {**(items(db, subject, BASIC) or {}), **event.payload}
        publish(ctx, event.kind, subject, data, event_id=event.event_id)
        with database.session() as db:
            corporations.mark_delivered(db, [event.event_id])
    return len(events)
