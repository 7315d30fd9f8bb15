"""What the data catalog learns from the parts above it (handed in here, at app assembly):
where the mesh services and the procedures use data items (for the data dictionary's lineage),
and the code lists those parts define (application states, applicant kinds, the mesh's kinds)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from tsunagu import registry
from tsunagu.catalog import apis
from tsunagu.catalog.codelists import Code, CodeList
from tsunagu.catalog.definitions import Text
from tsunagu.catalog.dictionary import Usage, UsageSource
from tsunagu.conformance import published as conformance_published
from tsunagu.core.database import Base
from tsunagu.mesh import demo as mesh_demo
from tsunagu.mesh.directory import service as mesh_directory
from tsunagu.procedures import service as procedures_service
from tsunagu.procedures import statemachine
from tsunagu.procedures.backoffice.service import STATUS_NAMES

# the day the platform's own lists took their present form (their first release)
PLATFORM_LISTS_SINCE = date(2026, 4, 1)


REGISTRY_TITLES = {
    "addresses": "アドレス・ベース・レジストリ",
    "corporations": "法人ベース・レジストリ",
    "residents": "住民基本台帳",
    "accounts": "公金受取口座登録簿",
}


def registry_column_usages() -> Iterator[Usage]:
    """Every column of every registry's tables (each registry's ``models`` module is loaded);
    titled with the registry's name."""
    for module in pkgutil.iter_modules(registry.__path__):
        if module.ispkg and importlib.util.find_spec(f"{registry.__name__}.{module.name}.models"):
            importlib.import_module(f"{registry.__name__}.{module.name}.models")
    for mapper in Base.registry.mappers:
        if mapper.class_.__module__.startswith(f"{registry.__name__}."):
            table = mapper.class_.__table__
            part = mapper.class_.__module__.split(".")[2]
            for column in table.columns:
                yield Usage("column", str(table.name), column.name, REGISTRY_TITLES.get(part, part))


def mesh_usages() -> Iterator[Usage]:
    """The items of every mesh service the platform ships (as the mesh seed registers them)."""
    for provider, service in mesh_demo.SERVICES:
        for item in service["items"]:
            yield Usage("mesh", f"{provider}:{service['code']}", item["name"], service["title_ja"])


def procedure_usages(procedures_dir: Path | None) -> UsageSource:
    registry = procedures_service.registry_for(procedures_dir)

    def usages() -> Iterator[Usage]:
        for procedure in registry.snapshot().procedures.values():
            for field in procedure.fields:
                yield Usage("procedure", procedure.id, field.name, procedure.name.ja)

    return usages


def requirement_usages() -> Iterator[Usage]:
    """The columns the shipped conformance requirement sets demand (標準準拠の要件), titled with the
    set and its table: each must be linked to a dictionary entry like a registry column."""
    for found in conformance_published.shipped_sets():
        for table in found.tables:
            title = f"{found.title.ja} {found.version}（{table.title.ja}）"
            for column in table.columns:
                yield Usage("requirement", table.name, column.name, title)


def usage_sources(procedures_dir: Path | None) -> tuple[UsageSource, ...]:
    """Where the data dictionary's items are used, beyond ``core.types`` (the catalog reads it)."""
    return registry_column_usages, mesh_usages, procedure_usages(procedures_dir), requirement_usages


APPLICANT_KINDS = {
    "resident": Text(ja="住民", en="Resident"),
    "business": Text(ja="事業者", en="Business"),
    "sole_proprietor": Text(ja="個人事業主", en="Sole proprietor"),
    "proxy": Text(ja="代理人", en="Proxy"),
}
STATUS_EN = {
    "submitted": "Received",
    "under_review": "Under review",
    "approved": "Approved",
    "rejected": "Rejected",
    "returned": "Returned for correction",
    "withdrawn": "Withdrawn",
}


def _platform_list(list_id: str, title: Text, codes: dict[str, Text], description: Text) -> CodeList:
    return CodeList(
        id=list_id,
        title=title,
        description=description,
        publisher=Text(ja="つなぐ", en="Tsunagu"),
        version="1",
        valid_from=PLATFORM_LISTS_SINCE,
        codes=tuple(Code(code=c, label=t) for c, t in codes.items()),
    )


def platform_code_lists() -> list[CodeList]:
    """The code lists of the procedures part (申請の状態, 申請者の区分)."""
    return [
        _platform_list(
            "application-status",
            Text(ja="申請の状態", en="Application status"),
            {s: Text(ja=STATUS_NAMES[s], en=STATUS_EN[s]) for s in statemachine.STATUSES},
            Text(
                ja="オンライン申請が受付から決定までにとる状態です。",
                en="The states an online application passes through from receipt to decision.",
            ),
        ),
        _platform_list(
            "applicant-kind",
            Text(ja="申請者の区分", en="Applicant kind"),
            APPLICANT_KINDS,
            Text(ja="手続を申請できる人の区分です。", en="Who may apply for a procedure."),
        ),
    ]


def mesh_directory_reader(db: Session) -> list[apis.MeshService]:
    """The mesh directory as the API catalog shows it: services with the 事務 that allow callers."""
    members = {
        o.code: apis.Member(o.code, Text(ja=o.name_ja, en=o.name_en))
        for o in mesh_directory.list_organizations(db)
    }

    def member(code: str) -> apis.Member:
        return members.get(code) or apis.Member(code, Text(ja=code, en=code))

    bases = mesh_directory.list_legal_bases(db)
    return [
        apis.MeshService(
            provider=member(s.provider),
            code=s.code,
            version=s.version,
            title=s.title_ja,
            items=tuple(apis.ServiceItem(i.name, i.type, i.title_ja) for i in s.items),
            response_schema=s.response_schema,
            callers=tuple(
                apis.Caller(
                    b.id,
                    b.title_ja,
                    b.law_ja,
                    member(b.consumer),
                    tuple(b.items),
                    b.kind == "consent",
                    b.revoked_at is not None,
                )
                for b in sorted(bases, key=lambda b: (b.consumer, b.id))
                if b.provider == s.provider and b.service_code == s.code
            ),
        )
        for s in mesh_directory.list_services(db)
    ]
