"""Code lists (コード一覧) with versions and validity periods, for people and for programs.

Where a list already lives in the code it is read from there, never copied: 性別 (ISO 5218,
``core.types.sex``), 元号 (``core.types.wareki``), the 法人番号 lists of the National Tax
Agency's published format (``registry.corporations.nta_format``), 全国地方公共団体コード from the
address base registry as loaded. Lists with no home in the code (都道府県コード, 続柄, 住民の状態)
are data in ``definitions/codelists.yaml``; parts above the catalog hand theirs in
(``web/catalog_sources.py``).

Other parts use :func:`code_list` (one list by id) and :func:`code_lists` (all of them)::

    from tsunagu.catalog import codelists
    sex = codelists.code_list("sex")
    sex.label_of("2").ja  # '女'
    sex.valid_on("2", date(2026, 1, 1))  # True
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator
from sqlalchemy.orm import Session

from tsunagu.catalog import store
from tsunagu.catalog.definitions import DEFINITIONS_DIR, CatalogDefinitionInvalid, Frozen, Text
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.sex import Sex
from tsunagu.core.types.wareki import ERAS
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import nta_format

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
NTA_SPEC = "https://www.houjin-bangou.nta.go.jp/setsumei/"


class CodeListNotFound(NotFound):
    code = "catalog-code-list-not-found"
    title = "Code list not found"


class CodeListNeedsDatabase(ValidationFailed):
    code = "catalog-code-list-needs-database"
    title = "This code list is read from a registry"


class Code(Frozen):
    code: str = Field(min_length=1, max_length=32)
    label: Text
    valid_from: date | None = None
    valid_to: date | None = None  # the last day it is valid; none: still valid
    note: Text | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class CodeList(Frozen):
    id: str = Field(pattern=SLUG)
    title: Text
    description: Text
    publisher: Text
    source: str = ""  # where the list is published (a URL), when it is not the platform's own
    version: str = Field(min_length=1)
    valid_from: date
    valid_to: date | None = None
    codes: tuple[Code, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> CodeList:
        """A code may appear more than once only with validity periods that do not overlap."""
        problems: list[str] = []
        by_code: dict[str, list[Code]] = {}
        for entry in self.codes:
            if entry.valid_from and entry.valid_to and entry.valid_to < entry.valid_from:
                problems.append(
                    f"code {entry.code!r} ends ({entry.valid_to}) before it starts ({entry.valid_from})"
                )
            by_code.setdefault(entry.code, []).append(entry)
        for code, entries in by_code.items():
            ordered = sorted(entries, key=lambda e: e.valid_from or date.min)
            for before, after in itertools.pairwise(ordered):
                if before.valid_to is None or after.valid_from is None or after.valid_from <= before.valid_to:
                    problems.append(f"code {code!r} appears twice with overlapping validity")
                    break
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def current(self, day: date) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if c.valid_on(day))

    def label_of(self, code: str, day: date | None = None) -> Text:
        for entry in self.codes:
            if entry.code == code and (day is None or entry.valid_on(day)):
                return entry.label
        raise CodeListNotFound(f"code list {self.id!r} has no code {code!r}", list=self.id, value=code)

    def valid_on(self, code: str, day: date) -> bool:
        return any(c.code == code and c.valid_on(day) for c in self.codes)


class _File(Frozen):
    code_lists: tuple[CodeList, ...]


def load(path: Path) -> tuple[CodeList, ...]:
    try:
        return _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).code_lists
    except (OSError, yaml.YAMLError) as error:
        raise CatalogDefinitionInvalid(f"{path.name}: cannot be read as YAML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise CatalogDefinitionInvalid(f"{path.name}: {problems}") from error


# ---------------------------------------------------------------- lists read from the code

SEX_EN = {
    Sex.UNKNOWN: "Not known",
    Sex.MALE: "Male",
    Sex.FEMALE: "Female",
    Sex.NOT_APPLICABLE: "Not applicable",
}
ERA_EN = {"令和": "Reiwa", "平成": "Heisei", "昭和": "Showa", "大正": "Taisho", "明治": "Meiji"}
SHIPPED_SINCE = date(2026, 4, 1)  # the first release of the platform's own lists


def _sex() -> CodeList:
    return CodeList(
        id="sex",
        title=Text(ja="性別", en="Sex"),
        description=Text(
            ja="性別のコード（ISO/IEC 5218、JIS X 0303）。行政基本情報データ連携モデルの性別コードです。",
            en="Codes for sex (ISO/IEC 5218, JIS X 0303), as the government's basic data model uses them.",
        ),
        publisher=Text(ja="国際標準化機構（ISO）", en="International Organization for Standardization"),
        source="https://www.iso.org/standard/81682.html",
        version="ISO/IEC 5218",
        valid_from=date(1977, 1, 1),
        codes=tuple(Code(code=s.value, label=Text(ja=s.label_ja, en=SEX_EN[s])) for s in Sex),
    )


def _eras() -> CodeList:
    ordered = sorted(ERAS, key=lambda e: e.start)
    ends = [nxt.start - timedelta(days=1) for nxt in ordered[1:]] + [None]
    return CodeList(
        id="era",
        title=Text(ja="元号", en="Japanese eras"),
        description=Text(
            ja="和暦の元号と、その初日・末日です。頭文字は和暦の略記（R6.4.1 など）に使います。",
            en="The eras of the Japanese calendar with their first and last days; the initial "
            "abbreviates dates (R6.4.1).",
        ),
        publisher=Text(ja="内閣（元号を改める政令）", en="Cabinet (era name ordinances)"),
        source="https://laws.e-gov.go.jp/law/354AC0000000043",
        version=ordered[-1].name,
        valid_from=ordered[0].start,
        codes=tuple(
            Code(
                code=e.initial,
                label=Text(ja=e.name, en=ERA_EN.get(e.name, e.name)),
                valid_from=e.start,
                valid_to=end,
            )
            for e, end in zip(ordered, ends, strict=True)
        ),
    )


def _nta(list_id: str, title: Text, codes: dict[str, str], description: Text) -> CodeList:
    return CodeList(
        id=list_id,
        title=title,
        description=description,
        publisher=Text(ja="国税庁", en="National Tax Agency"),
        source=NTA_SPEC,
        version="法人番号公表サイト データ仕様",
        valid_from=date(2015, 10, 5),
        codes=tuple(Code(code=c, label=Text(ja=label, en=label)) for c, label in codes.items()),
    )


def _from_code() -> list[CodeList]:
    return [
        _sex(),
        _eras(),
        _nta(
            "corporation-kind",
            Text(ja="法人種別", en="Kind of corporation"),
            nta_format.KINDS,
            Text(
                ja="法人番号公表サイトの法人種別コードです。",
                en="The corporation kinds of the NTA's published data.",
            ),
        ),
        _nta(
            "corporation-process",
            Text(ja="処理区分", en="Kind of change (corporations)"),
            nta_format.PROCESSES,
            Text(
                ja="法人番号公表サイトの変更履歴の処理区分です。",
                en="What a published change did to a corporation.",
            ),
        ),
        _nta(
            "corporation-close-cause",
            Text(ja="登記記録の閉鎖等の事由", en="Cause of closure"),
            nta_format.CLOSE_CAUSES,
            Text(
                ja="登記記録が閉鎖等された事由のコードです。", en="Why a corporation's register was closed."
            ),
        ),
    ]


@lru_cache(maxsize=1)
def _shipped() -> tuple[CodeList, ...]:
    return (*_from_code(), *load(DEFINITIONS_DIR / "codelists.yaml"))


def municipalities(db: Session) -> CodeList:
    """全国地方公共団体コード of every municipality and ward in the address base registry, and of
    each prefecture itself (都道府県の団体コード). One version: the registry's data carry no
    history of mergers, so no code carries an end date."""
    found = addresses.list_municipalities(db)
    prefectures = dict(sorted({(m.prefecture_code, m.prefecture) for m in found}))
    codes = [
        Code(code=LocalGovernmentCode.for_prefecture(p), label=Text(ja=name, en=name))
        for p, name in prefectures.items()
    ]
    codes += [
        Code(code=m.code, label=Text(ja=f"{m.prefecture}{m.name}", en=f"{m.prefecture}{m.name}"))
        for m in found
    ]
    return CodeList(
        id="local-government",
        title=Text(ja="全国地方公共団体コード", en="Local government codes"),
        description=Text(
            ja="都道府県と市区町村（政令指定都市の区を含む）のコード（JIS X 0402、6桁・検査数字付き）。"
            "アドレス・ベース・レジストリの市区町村から作っています。",
            en="Codes of prefectures, municipalities and the wards of designated cities (JIS X 0402, six "
            "digits with a check digit), from the municipalities of the address base registry.",
        ),
        publisher=Text(ja="総務省", en="Ministry of Internal Affairs and Communications"),
        source="https://www.soumu.go.jp/denshijiti/code.html",
        version=f"{len(found)} 市区町村",
        valid_from=SHIPPED_SINCE,
        codes=tuple(sorted(codes, key=lambda c: c.code)),
    )


ExtraLists = Callable[[], Sequence[CodeList]]
REGISTRY_LISTS = ("local-government",)


def code_lists(db: Session | None = None, extra: ExtraLists | None = None) -> list[CodeList]:
    """Every code list: those of the code and definitions, those handed in, and (given a session)
    those read from a registry and those publisher staff published."""
    found = [*_shipped(), *(extra() if extra else ())]
    if db is not None and addresses.registry_loaded(db):
        found.append(municipalities(db))
    if db is not None:  # the lists publisher staff published (catalog.service.code_lists)
        found += [CodeList.model_validate_json(d) for d in store.published_code_lists(db)]
    return sorted(found, key=lambda c: c.id)


def code_list(list_id: str, db: Session | None = None, extra: ExtraLists | None = None) -> CodeList:
    """One code list by id (``sex``, ``era``, ``prefecture``, ``relationship``, ``local-government``…)."""
    if list_id in REGISTRY_LISTS and db is None:
        raise CodeListNeedsDatabase(
            f"code list {list_id!r} is read from the address registry: pass a session", list=list_id
        )
    if list_id in REGISTRY_LISTS and db is not None and not addresses.registry_loaded(db):
        raise CodeListNotFound(
            f"code list {list_id!r} is read from the address registry, which is not loaded "
            "yet (tsunagu seed)",
            list=list_id,
        )
    for found in code_lists(db, extra):
        if found.id == list_id:
            return found
    raise CodeListNotFound(f"no code list {list_id!r}", list=list_id)


def search(lists: Iterable[CodeList], q: str, fold: Callable[[str], str]) -> list[CodeList]:
    """Lists whose title, description or any code or label holds every word of ``q``."""
    words = fold(q).split()

    def text(c: CodeList) -> str:
        parts = [c.id, c.title.ja, c.title.en, c.description.ja, c.description.en]
        parts += [p for code in c.codes for p in (code.code, code.label.ja, code.label.en)]
        return fold("\n".join(parts))

    return [c for c in lists if all(w in text(c) for w in words)]


# ---------------------------------------------------------------- downloads

CSV_HEADER = ("コード", "名称", "名称（英語）", "有効期間の開始日", "有効期間の終了日")


def csv_text(code_list: CodeList) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in code_list.codes:
        writer.writerow(
            (
                c.code,
                c.label.ja,
                c.label.en,
                c.valid_from.isoformat() if c.valid_from else "",
                c.valid_to.isoformat() if c.valid_to else "",
            )
        )
    return buffer.getvalue()


SKOS_CONTEXT = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _period(start: date | None, end: date | None) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
    if start:
        node["dcat:startDate"] = {"@value": start.isoformat(), "@type": "xsd:date"}
    if end:
        node["dcat:endDate"] = {"@value": end.isoformat(), "@type": "xsd:date"}
    return node


def _lang(text: Text) -> list[dict[str, str]]:
    return [{"@value": text.ja, "@language": "ja"}, {"@value": text.en, "@language": "en"}]


def _concepts(code_list: CodeList, scheme: str) -> Iterator[dict[str, Any]]:
    for index, c in enumerate(code_list.codes):
        # a code that recurs in time (a reused municipality code) gets one concept per period
        suffix = f"-{index}" if sum(1 for o in code_list.codes if o.code == c.code) > 1 else ""
        node: dict[str, Any] = {
            "@id": f"{scheme}/{c.code}{suffix}",
            "@type": "skos:Concept",
            "skos:notation": c.code,
            "skos:prefLabel": _lang(c.label),
            "skos:inScheme": {"@id": scheme},
            "skos:topConceptOf": {"@id": scheme},
        }
        if c.valid_from or c.valid_to:
            node["dct:temporal"] = _period(c.valid_from, c.valid_to)
        yield node


def skos(code_list: CodeList, base_url: str) -> dict[str, Any]:
    """The list as a SKOS concept scheme (JSON-LD), each code a concept with its validity."""
    scheme = f"{base_url.rstrip('/')}/catalog/codes/{code_list.id}"
    node: dict[str, Any] = {
        "@context": SKOS_CONTEXT,
        "@id": scheme,
        "@type": "skos:ConceptScheme",
        "dct:identifier": code_list.id,
        "dct:title": _lang(code_list.title),
        "dct:description": _lang(code_list.description),
        "dct:publisher": {"@type": "foaf:Agent", "skos:prefLabel": _lang(code_list.publisher)},
        "owl:versionInfo": code_list.version,
        "dct:temporal": _period(code_list.valid_from, code_list.valid_to),
        "skos:hasTopConcept": list(_concepts(code_list, scheme)),
    }
    if code_list.source:
        node["dct:source"] = {"@id": code_list.source}
    return node
