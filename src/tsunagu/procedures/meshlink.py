"""How procedures reach registries: always through the public service mesh, never their tables.

A definition names a logical source (``residents.basic4``); :data:`SOURCES` says which mesh
service answers it and who provides it. The consumer is the organization the application goes
to; it asks under a 事務 the directory lets it use, with its own 機関別符号 for the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import UpstreamUnavailable
from tsunagu.mesh import errors as mesh_errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import schemas as directory_schemas
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.node.context import NodeContext

ProviderRule = Literal["municipality_of_resident", "fixed"]


@dataclass(frozen=True)
class Source:
    """A mesh service behind a definition's source name."""

    service: str
    provider_rule: ProviderRule
    items: dict[str, str]  # definition item → mesh item, or ``item/part`` inside a structured one
    provider: str = ""
    # the provider keeps its records under the platform's resident id (a national register such as
    # the 公金受取口座登録簿), so its code for the person is issued and remembered on first use
    keyed_by_resident: bool = False
    # the 事務 asked under, when the same items serve several (its id starts with this)
    purpose: str = ""

    def mesh_items(self, wanted: tuple[str, ...]) -> tuple[str, ...]:
        """The mesh items answering ``wanted`` (items this source does not hold are left out)."""
        return tuple(dict.fromkeys(self.items[item].split("/")[0] for item in wanted if item in self.items))

    def as_definition_items(self, data: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for item, path in self.items.items():
            value: Any = data
            for part in path.split("/"):
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:  # an item the provider does not hold (no child) stays unanswered
                found[item] = value
        return found


_BASIC4 = {"name": "name", "birth_date": "birth_date", "sex": "sex", "address": "address"}
SOURCES: dict[str, Source] = {
    "residents.basic4": Source("resident-basic", "municipality_of_resident", _BASIC4),
    # 転出証明書情報 (住民基本台帳法第24条の2): made by the former municipality when it accepts the
    # 転出届, naming every person who moves; none exists before that
    "residents.moving-out-certificate": Source(
        "moving-out-certificate", "municipality_of_resident", {"certificate": "certificate"}
    ),
    # 世帯の構成: the applicant's household, and its youngest child (after a 出生届, the new child)
    "residents.household": Source(
        "resident-household",
        "municipality_of_resident",
        {
            "other_members": "other_members",
            "child_name": "youngest_child/name",
            "child_birth_date": "youngest_child/birth_date",
        },
    ),
    # 年金の受給状況 (日本年金機構): what a death means for a pension (おくやみの手続の一覧)
    "pension.status": Source(
        "pension-status", "fixed", {"pension_type": "pension_type"}, "jpn-pension", purpose="okuyami-nenkin"
    ),
    "tax.income": Source(
        "income",
        "fixed",
        {"income": "total_income", "dependents": "dependents", "tax_year": "tax_year"},
        "nta-kojimachi",
    ),
    # 公金受取口座 (公金受取口座登録法第10条): procedures paying money reuse the registered account
    "accounts.public-money": Source(
        "public-money-account",
        "fixed",
        {
            item: item
            for item in (
                "bank_code",
                "bank_name",
                "branch_code",
                "branch_name",
                "account_type",
                "account_number",
                "holder_kana",
            )
        },
        "digital-agency",
        keyed_by_resident=True,
    ),
    # 商業・法人登記 (法務局), asked by 法人番号 (subject ``corporation:<法人番号>``) instead of an
    # attached 登記事項証明書
    "corporations.basic": Source(
        "corporation-basic",
        "fixed",
        {
            "corporate_number": "corporate_number",
            "name": "name",
            "name_kana": "name_kana",
            "head_office_address": "head_office_address",
            "status": "status",
        },
        "moj",
        keyed_by_resident=True,
    ),
    "corporations.registered": Source(
        "corporation-registered",
        "fixed",
        {
            item: item
            for item in (
                "established_on",
                "capital_yen",
                "purposes",
                "representatives",
                "officers",
                "registry_office",
            )
        },
        "moj",
        keyed_by_resident=True,
    ),
}


# 事務 the procedures need beyond the mesh demo's: a municipality reading its own register to
# accept a notification (届出の受理), e.g. prefilling the 転出届 it receives.
def own_register_bases(municipalities: tuple[str, ...]) -> list[directory_schemas.LegalBasis]:
    return [
        basis
        for city in municipalities
        for basis in (
            directory_schemas.LegalBasis(
                id=f"todokede-juri-{city}",
                title_ja="住民基本台帳法に基づく届出の受理（記載事項の確認）",
                law_ja="住民基本台帳法第22条〜第24条、第27条",
                consumer=city,
                provider=city,
                service_code="resident-basic",
                items=list(_BASIC4),
            ),
            # 児童手当・子ども医療費助成: the children are those the register shows in the 世帯
            directory_schemas.LegalBasis(
                id=f"jido-teate-setai-{city}",
                title_ja="児童手当の認定（監護する児童と世帯の確認）",
                law_ja="児童手当法第7条（認定）・住民基本台帳法第1条",
                consumer=city,
                provider=city,
                service_code="resident-household",
                items=["other_members", "youngest_child"],
            ),
        )
    ]


def register_bases(db: Session, municipalities: tuple[str, ...], actor: str) -> int:
    for basis in own_register_bases(municipalities):
        directory.put_legal_basis(db, basis, actor)
    return len(municipalities)


class MeshUnavailable(UpstreamUnavailable):
    code = "procedures-mesh-unavailable"
    title = "A registry could not be reached through the mesh"


class SourceNotConnected(UpstreamUnavailable):
    code = "procedures-source-not-connected"
    title = "This data source is not connected to the mesh yet"


@dataclass(frozen=True)
class Fetched:
    """Items one provider answered, with provenance (who, which service, when, log reference)."""

    source: str
    provider: str
    mesh_service: str
    legal_basis_id: str
    data: dict[str, Any]
    request_id: str
    fetched_at: datetime


class MeshGateway(Protocol):
    def fetch(
        self,
        source: str,
        *,
        consumer: str,
        resident_id: str,
        resident_municipality: str,
        items: tuple[str, ...],
    ) -> Fetched: ...


def provider_of(source: Source, resident_municipality: str, fixed: str | None = None) -> str:
    return fixed or (
        resident_municipality if source.provider_rule == "municipality_of_resident" else source.provider
    )


class NodeGateway:
    """Queries through the consumer organization's own node (embedded or remote peers)."""

    def __init__(self, database: Database, node_of: Callable[[str], NodeContext | None]) -> None:
        self.database, self.node_of = database, node_of

    def fetch(
        self,
        source: str,
        *,
        consumer: str,
        resident_id: str,
        resident_municipality: str,
        items: tuple[str, ...],
    ) -> Fetched:
        known = SOURCES.get(source)
        if known is None:
            raise SourceNotConnected(f"{source} is not offered through the mesh in this deployment")
        provider = provider_of(known, resident_municipality)
        wanted = known.mesh_items(items)
        ctx = self.node_of(consumer)
        if ctx is None:
            raise MeshUnavailable(f"{consumer} has no mesh node here; try again later")
        # the codes are issued in their own transaction: the exchange writes logs in others
        with self.database.session() as db:
            basis = _basis(db, consumer, provider, known.service, wanted, purpose=known.purpose)
            provider_code = None
            if known.provider_rule == "municipality_of_resident":
                # the registry names the person's municipality: the provider is where they live
                provider_code = codes.code_for(db, provider, resident_id)
                codes.relate(db, provider, resident_id, "resident")
            elif known.keyed_by_resident:  # the register holds a record of the person under its own id
                codes.remember(
                    db, provider, codes.relate(db, provider, resident_id, "record", resident_id), resident_id
                )
            # a municipality reading its own register (転出届) already holds its code for the person;
            # any other consumer knows them because they applied to it
            subject = (
                provider_code
                if provider_code is not None and consumer == provider
                else codes.relate(db, consumer, resident_id, "application")
            )
        try:
            result = node.query(
                ctx,
                wire.LocalQuery(
                    provider=provider,
                    service=known.service,
                    purpose=basis,
                    subject=subject,
                    items=list(wanted),
                ),
            )
        except mesh_errors.ProviderUnavailable as exc:
            raise MeshUnavailable(
                f"{provider} did not answer ({exc.detail}); the application is kept "
                "and the look-up will be retried",
                provider=provider,
            ) from None
        return Fetched(
            source,
            provider,
            f"{provider}/{known.service}/v1",
            basis,
            known.as_definition_items(result.data),
            result.request_id,
            clock.now(),
        )


def _basis(
    db: Session, consumer: str, provider: str, service: str, items: tuple[str, ...], *, purpose: str = ""
) -> str:
    """The 事務 under which ``consumer`` may read these items of ``provider``'s service."""
    for basis in directory.list_legal_bases(db):
        if (
            basis.id.startswith(purpose)
            and basis.consumer == consumer
            and basis.provider == provider
            and basis.service_code == service
            and set(items) <= set(basis.items)
        ):
            return basis.id
    raise mesh_errors.NoLegalBasis(
        f"no 事務 lets {consumer} read {', '.join(items)} of {provider}'s {service}"
    )
