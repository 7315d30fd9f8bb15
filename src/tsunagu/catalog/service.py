"""Every rule of the catalog: search with facets, live record counts, open-data tables streamed
as CSV with their Frictionless descriptors, and the catalog as DCAT (JSON-LD).

Other parts and the HTTP layers use only this module. The catalog reads registries through
their ``service`` modules; the procedure list (a part above this one) arrives as a
``ProcedureSource`` that the web layer hands in (``app.state.catalog_procedures``).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import jaconv
from sqlalchemy.orm import Session

from tsunagu.catalog import statistics
from tsunagu.catalog.definitions import Catalog, Dataset, Distribution, Text, shipped
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service as corporations
from tsunagu.registry.residents import statistics as population

__all__ = [
    "DATA_THEME",
    "Dataset",
    "Distribution",
    "ProcedureRow",
    "SearchResult",
    "Text",
    "catalog",
    "counts",
    "csv_stream",
    "datapackage",
    "dcat_catalog",
    "dcat_dataset",
    "require_dataset",
    "require_distribution",
    "search",
]

FacetName = Literal["publisher", "theme", "format", "license"]
FACETS: tuple[FacetName, ...] = ("publisher", "theme", "format", "license")
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
IANA = "https://www.iana.org/assignments/media-types/"
CHUNK_ROWS = 2000
FORMATS = ("CSV", "JSON", "JSON-LD", "API")


class DatasetNotFound(NotFound):
    code = "catalog-dataset-not-found"
    title = "Dataset not found"


class DistributionNotFound(NotFound):
    code = "catalog-file-not-found"
    title = "File not found"


class UnknownFilter(ValidationFailed):
    code = "catalog-unknown-filter"
    title = "Unknown filter value"


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure as the procedure part publishes it (handed in by the web layer)."""

    id: str
    name: Text
    summary: Text
    legal_basis: tuple[str, ...]
    office: str
    applicants: tuple[str, ...]


ProcedureSource = Callable[[], Sequence[ProcedureRow]]


def catalog() -> Catalog:
    return shipped()


# ---------------------------------------------------------------- search


def fold(text: str) -> str:
    """Search form of a text: NFKC (full/half width), lower case, katakana as hiragana."""
    return jaconv.kata2hira(unicodedata.normalize("NFKC", text).casefold())


def _haystack(dataset: Dataset, cat: Catalog) -> str:
    v = cat.vocabularies
    parts = [
        dataset.title.ja,
        dataset.title.en,
        dataset.description.ja,
        dataset.description.en,
        *dataset.keywords.ja,
        *dataset.keywords.en,
        *dataset.readings,
        dataset.spatial.ja,
        dataset.spatial.en,
        v.publishers[dataset.publisher].name.ja,
        v.publishers[dataset.publisher].name.en,
        *(v.themes[t].ja for t in dataset.themes),
        *(v.themes[t].en for t in dataset.themes),
        *(d.title.ja for d in dataset.distributions),
        *(d.format for d in dataset.distributions),
    ]
    return fold("\n".join(parts))


def _facet_values(dataset: Dataset, name: FacetName) -> tuple[str, ...]:
    if name == "publisher":
        return (dataset.publisher,)
    if name == "theme":
        return dataset.themes
    if name == "format":
        return dataset.formats
    return (dataset.license,)


@dataclass(frozen=True)
class Filters:
    q: str = ""
    publisher: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    format: tuple[str, ...] = ()
    license: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # keywords matched exactly (CKAN's ``tags:`` filter)

    def of(self, name: FacetName) -> tuple[str, ...]:
        return tuple(getattr(self, name))


@dataclass(frozen=True)
class FacetItem:
    value: str
    label: Text
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResult:
    datasets: list[Dataset]  # the requested page
    total: int
    facets: dict[str, list[FacetItem]] = field(default_factory=dict)
    matching: list[Dataset] = field(default_factory=list)  # every match (for other facet counts)


def facet_label(name: FacetName, value: str, cat: Catalog | None = None) -> Text:
    v = (cat or catalog()).vocabularies
    if name == "publisher":
        return v.publishers[value].name
    if name == "theme":
        return v.themes[value]
    if name == "license":
        return v.licenses[value].title
    return Text(ja=value, en=value)


def _check_filters(filters: Filters, cat: Catalog) -> None:
    known: dict[FacetName, set[str]] = {
        "publisher": set(cat.vocabularies.publishers),
        "theme": set(cat.vocabularies.themes),
        "license": set(cat.vocabularies.licenses),
        "format": set(FORMATS),
    }
    errors = [
        {"field": name, "value": value, "message": f"unknown {name} {value!r}"}
        for name in FACETS
        for value in filters.of(name)
        if value not in known[name]
    ]
    if errors:
        raise UnknownFilter("; ".join(e["message"] for e in errors), errors=errors)


def search(filters: Filters, *, limit: int, offset: int, strict: bool = True) -> SearchResult:
    """Datasets whose text holds every word of ``q`` (kana/width-insensitive) and that match every
    facet filter (values of one facet are alternatives), by title; with the facet counts of the
    matching datasets. No per-result queries: everything comes from the loaded definitions.
    ``strict`` refuses unknown facet values (our API); CKAN's API answers them with no match."""
    cat = catalog()
    if strict:
        _check_filters(filters, cat)
    words = [w for w in fold(filters.q).split() if w]
    matched = [d for d in cat.datasets if all(w in _haystack(d, cat) for w in words)]
    selected = [
        d
        for d in matched
        if all(not filters.of(n) or set(_facet_values(d, n)) & set(filters.of(n)) for n in FACETS)
        and all(t in (*d.keywords.ja, *d.keywords.en) for t in filters.tags)
    ]
    selected.sort(key=lambda d: (d.access != "open", d.title.ja))
    facets: dict[str, list[FacetItem]] = {}
    for name in FACETS:
        counter = Counter(v for d in selected for v in _facet_values(d, name))
        for value in filters.of(name):
            if _known(name, value, cat):
                counter.setdefault(value, 0)
        facets[name] = [
            FacetItem(value, facet_label(name, value, cat), n, value in filters.of(name))
            for value, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return SearchResult(selected[offset : offset + limit], len(selected), facets, selected)


def _known(name: FacetName, value: str, cat: Catalog) -> bool:
    v = cat.vocabularies
    known: dict[str, Collection[str]] = {
        "publisher": v.publishers,
        "theme": v.themes,
        "license": v.licenses,
        "format": FORMATS,
    }
    return value in known[name]


def require_dataset(dataset_id: str) -> Dataset:
    found = catalog().dataset(dataset_id)
    if found is None:
        raise DatasetNotFound(f"no dataset {dataset_id!r} in the catalog", dataset_id=dataset_id)
    return found


def require_distribution(dataset: Dataset, distribution_id: str) -> Distribution:
    found = dataset.distribution(distribution_id)
    if found is None:
        raise DistributionNotFound(
            f"dataset {dataset.id!r} has no distribution {distribution_id!r}",
            dataset_id=dataset.id,
            distribution_id=distribution_id,
        )
    return found


# ---------------------------------------------------------------- live figures


def counts(db: Session, dataset: Dataset, procedures: ProcedureSource) -> dict[str, int]:
    """How many records each of the dataset's tables holds now (read from the registries)."""
    found: dict[str, int] = {}
    for name in dataset.record_counts:
        if name == "address-municipalities":
            found[name] = len(addresses.list_municipalities(db))
        elif name == "address-towns":
            found[name] = addresses.search_towns(db, addresses.TownFilter(), limit=1, offset=0)[1]
        elif name == "corporations":
            found[name] = corporations.search(db, limit=1)[1]
        elif name == "procedures":
            found[name] = len(procedures())
    return found


# ---------------------------------------------------------------- open-data tables


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header (Japanese, as the 自治体標準オープンデータセット write them)
    type: Literal["string", "integer", "number", "date"]
    description: str
    required: bool = False
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.pattern:
            constraints["pattern"] = self.pattern
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out


Rows = Callable[[Session, ProcedureSource], Iterator[Sequence[object]]]


@dataclass(frozen=True)
class Table:
    name: str
    file: str
    title: Text
    columns: tuple[Column, ...]
    primary_key: str
    rows: Rows

    def schema(self) -> dict[str, Any]:
        found: dict[str, Any] = {"fields": [c.schema() for c in self.columns], "missingValues": [""]}
        if self.primary_key:  # a statistics table's key is several columns: none is declared
            found["primaryKey"] = [self.primary_key]
        return found


CODE = Column(
    "全国地方公共団体コード",
    "string",
    "全国地方公共団体コード（6桁、検査数字を含む）",
    required=True,
    pattern=r"^\d{6}$",
)


def _municipality_rows(db: Session, _procedures: ProcedureSource) -> Iterator[Sequence[object]]:
    for m in addresses.list_municipalities(db):
        yield (m.code, m.prefecture_code, m.prefecture, m.name, m.designated_city_code or "")


def _town_rows(db: Session, _procedures: ProcedureSource) -> Iterator[Sequence[object]]:
    # one municipality at a time: memory stays at one municipality's towns, never the country's
    for m in addresses.list_municipalities(db):
        for t in addresses.towns_in(db, m.code):
            yield (
                t.id,
                t.municipality_code,
                t.prefecture,
                t.municipality,
                t.town,
                t.koaza,
                "" if t.lat is None else t.lat,
                "" if t.lng is None else t.lng,
                " ".join(t.postcodes),
            )


def _corporation_rows(db: Session, _procedures: ProcedureSource) -> Iterator[Sequence[object]]:
    for c in corporations.published(db, CHUNK_ROWS):
        yield (
            c.number,
            c.name,
            c.furigana,
            c.kind,
            c.kind_label,
            c.prefecture_name,
            c.city_name,
            c.street_number,
            c.post_code,
            c.municipality_code,
            c.address_outside,
            c.assignment_date.isoformat() if c.assignment_date else "",
            c.update_date.isoformat(),
            c.close_date.isoformat() if c.close_date else "",
            c.close_cause,
            c.successor_number,
        )


def _population_rows(db: Session, _procedures: ProcedureSource) -> Iterator[Sequence[object]]:
    day = clock.today_jst().date()
    yield from statistics.rows(population.population(db, day).items(), day)


def _date(name: str, description: str, required: bool = False) -> Column:
    return Column(name, "date", description, required=required)


APPLICANTS = {"resident": "住民", "business": "事業者", "proxy": "代理人"}


def _procedure_rows(_db: Session, procedures: ProcedureSource) -> Iterator[Sequence[object]]:
    for p in sorted(procedures(), key=lambda p: p.id):
        yield (
            p.id,
            p.name.ja,
            p.name.en,
            p.summary.ja,
            "；".join(p.legal_basis),
            p.office,
            "・".join(APPLICANTS.get(a, a) for a in p.applicants),
        )


TABLES: dict[str, Table] = {
    "address-municipalities": Table(
        "municipalities",
        "municipalities.csv",
        Text(ja="市区町村一覧", en="Municipalities"),
        (
            CODE,
            Column(
                "都道府県コード",
                "string",
                "都道府県コード（JIS X 0401、2桁）",
                required=True,
                pattern=r"^\d{2}$",
            ),
            Column("都道府県名", "string", "都道府県名", required=True),
            Column("市区町村名", "string", "市区町村名（政令指定都市の区は区名）", required=True),
            Column(
                "政令指定都市コード",
                "string",
                "区の場合、属する政令指定都市の全国地方公共団体コード",
                pattern=r"^\d{6}$",
            ),
        ),
        "全国地方公共団体コード",
        _municipality_rows,
    ),
    "address-towns": Table(
        "towns",
        "towns.csv",
        Text(ja="町字一覧", en="Towns"),
        (
            Column("町字ID", "integer", "つなぐのアドレス・ベース・レジストリでの町字の番号", required=True),
            CODE,
            Column("都道府県名", "string", "都道府県名", required=True),
            Column("市区町村名", "string", "市区町村名", required=True),
            Column("町字名", "string", "町丁目・大字の名前", required=True),
            Column("小字名", "string", "小字の名前（ない場合は空欄）"),
            Column("緯度", "number", "代表点の緯度（世界測地系、度）", minimum=20, maximum=46),
            Column("経度", "number", "代表点の経度（世界測地系、度）", minimum=122, maximum=154),
            Column(
                "郵便番号",
                "string",
                "郵便番号（7桁、複数ある場合は半角空白区切り）",
                pattern=r"^\d{7}( \d{7})*$",
            ),
        ),
        "町字ID",
        _town_rows,
    ),
    "corporations": Table(
        "corporations",
        "corporations.csv",
        Text(ja="法人一覧", en="Corporations"),
        (
            Column("法人番号", "string", "法人番号（13桁）", required=True, pattern=r"^\d{13}$"),
            Column("商号又は名称", "string", "法人の商号又は名称", required=True),
            Column("フリガナ", "string", "商号又は名称の読み（カタカナ）"),
            Column(
                "法人種別コード",
                "string",
                "法人種別のコード（国税庁の法人番号公表サイトの区分）",
                required=True,
                pattern=r"^\d{3}$",
            ),
            Column("法人種別", "string", "法人種別の名前"),
            Column("都道府県名", "string", "本店又は主たる事務所の所在地の都道府県"),
            Column("市区町村名", "string", "本店又は主たる事務所の所在地の市区町村"),
            Column("丁目番地等", "string", "本店又は主たる事務所の所在地の町字以下"),
            Column("郵便番号", "string", "郵便番号（7桁）", pattern=r"^\d{7}$"),
            Column(
                "全国地方公共団体コード",
                "string",
                "所在地の市区町村の全国地方公共団体コード（6桁）",
                pattern=r"^\d{6}$",
            ),
            Column("国外所在地", "string", "本店が国外にある場合の所在地"),
            _date("法人番号指定年月日", "法人番号が指定された日"),
            _date("更新年月日", "法人番号公表サイトで情報が更新された日", required=True),
            _date("登記記録の閉鎖等年月日", "登記記録が閉鎖等された日（存続中は空欄）"),
            Column(
                "登記記録の閉鎖等の事由コード",
                "string",
                "閉鎖等の事由のコード（存続中は空欄）",
                pattern=r"^\d{2}$",
            ),
            Column("承継先法人番号", "string", "合併などで承継した法人の法人番号", pattern=r"^\d{13}$"),
        ),
        "法人番号",
        _corporation_rows,
    ),
    "population": Table(
        "population",
        "population.csv",
        Text(ja="町字別・年齢5歳階級別・男女別人口", en="Population by town, age and sex"),
        (
            _date("基準日", "集計の基準日（この日の住民基本台帳の人口）", required=True),
            CODE,
            Column("町字ID", "integer", "アドレス・ベース・レジストリの町字ID"),
            Column("町字名", "string", "町丁目・大字の名前", required=True),
            Column("年齢階級", "string", "年齢5歳階級（85歳以上はひとつの階級）", required=True),
            Column(
                "年齢階級の下限（歳）",
                "integer",
                "年齢階級の最も若い年齢",
                required=True,
                minimum=0,
                maximum=85,
            ),
            Column(
                "性別コード", "string", "性別のコード（ISO/IEC 5218）", required=True, pattern=r"^[0129]$"
            ),
            Column("性別", "string", "性別の名前", required=True),
            Column("人数（人）", "integer", "人数。秘匿したセルは空欄", minimum=statistics.SMALLEST_SHOWN),
            Column(
                "秘匿（1=秘匿）",
                "integer",
                "小さな数を秘匿したセルは1（1〜4人のセルと、町字内で秘匿が1セルだけのときの次に小さいセル）",
                required=True,
                minimum=0,
                maximum=1,
            ),
        ),
        "",
        _population_rows,
    ),
    "procedures": Table(
        "procedures",
        "procedures.csv",
        Text(ja="手続一覧", en="Procedures"),
        (
            Column("手続ID", "string", "手続の識別子", required=True, pattern=r"^[a-z0-9-]+$"),
            Column("手続名", "string", "手続の名前", required=True),
            Column("手続名（英語）", "string", "手続の英語名", required=True),
            Column("概要", "string", "手続の概要", required=True),
            Column("根拠法令", "string", "根拠となる法令と条項（複数ある場合は「；」区切り）", required=True),
            Column("担当窓口", "string", "手続を担当する窓口"),
            Column(
                "申請できる人", "string", "申請できる人（住民・事業者・代理人、複数ある場合は「・」区切り）"
            ),
        ),
        "手続ID",
        _procedure_rows,
    ),
}


def file_name(distribution: Distribution) -> str:
    """The file a table distribution is served as: ``towns.csv``, ``municipalities.jsonld``."""
    table = TABLES[distribution.table or ""]
    return table.file if distribution.format == "CSV" else table.file.removesuffix(".csv") + ".jsonld"


def table_of(dataset: Dataset, filename: str) -> tuple[Table, Distribution]:
    for distribution in dataset.distributions:
        if distribution.table and file_name(distribution) == filename:
            return TABLES[distribution.table], distribution
    raise DistributionNotFound(
        f"dataset {dataset.id!r} has no file {filename!r}", dataset_id=dataset.id, file=filename
    )


def csv_stream(database: Database, table: Table, procedures: ProcedureSource) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a header row (RFC 4180, CRLF), in chunks of rows: its own
    read transaction, so the response streams after the request's transaction has ended."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    with database.session() as db:
        pending = 0
        for row in table.rows(db, procedures):
            writer.writerow(row)
            pending += 1
            if pending >= CHUNK_ROWS:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
                pending = 0
    yield buffer.getvalue().encode("utf-8")


MUNICIPALITY_CONTEXT = {
    "schema": "http://schema.org/",
    "name": {"@id": "schema:name", "@language": "ja"},
    "identifier": "schema:identifier",
    "containedInPlace": "schema:containedInPlace",
    "AdministrativeArea": "schema:AdministrativeArea",
}


def jsonld_stream(database: Database, table: Table, base_url: str) -> Iterator[bytes]:
    """The municipalities as linked data: one ``schema:AdministrativeArea`` per municipality,
    named by its registry API address, in the prefecture (a 政令市's ward: in its city), streamed
    as one JSON-LD document with an inline context (nothing to fetch)."""
    base = base_url.rstrip("/") + "/api/v1/registry/addresses/municipalities/"
    yield (b'{"@context": ' + json.dumps(MUNICIPALITY_CONTEXT).encode() + b', "@graph": [\n')
    with database.session() as db:
        first = True
        for code, _prefecture_code, prefecture, name, city in table.rows(db, lambda: []):
            parent: dict[str, Any] = (
                {"@id": base + str(city)} if city else {"@type": "AdministrativeArea", "name": prefecture}
            )
            node = {
                "@id": base + str(code),
                "@type": "AdministrativeArea",
                "identifier": code,
                "name": name,
                "containedInPlace": parent,
            }
            yield (b"" if first else b",\n") + json.dumps(node, ensure_ascii=False).encode()
            first = False
    yield b"\n]}\n"


def file_url(base_url: str, dataset: Dataset, filename: str) -> str:
    return f"{base_url.rstrip('/')}/api/v1/catalog/datasets/{dataset.id}/files/{filename}"


def distribution_url(base_url: str, dataset: Dataset, distribution: Distribution) -> str:
    """Where a distribution is fetched: a table's CSV, the data package, or the API's address."""
    if distribution.table:
        return file_url(base_url, dataset, file_name(distribution))
    if distribution.datapackage:
        return file_url(base_url, dataset, "datapackage.json")
    url = distribution.url or ""
    return url if "://" in url else base_url.rstrip("/") + url


def datapackage(dataset: Dataset) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of a dataset's tables (paths relative to it)."""
    cat = catalog()
    lic = cat.vocabularies.licenses[dataset.license]
    descriptor: dict[str, Any] = {
        "name": dataset.id,
        "title": dataset.title.ja,
        "description": dataset.description.ja,
        "licenses": [{"name": dataset.license.upper(), "path": lic.url, "title": lic.title.ja}],
        "resources": [],
    }
    if dataset.credit:
        descriptor["sources"] = [{"title": dataset.credit.ja}]
    for distribution in dataset.tables:
        table = TABLES[distribution.table or ""]
        descriptor["resources"].append(
            {
                "name": table.name,
                "title": table.title.ja,
                "path": table.file,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table.schema(),
            }
        )
    return descriptor


# ---------------------------------------------------------------- DCAT (JSON-LD)

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcatap": "http://data.europa.eu/r5r/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def _lang(text: Text) -> list[dict[str, str]]:
    return [{"@value": text.ja, "@language": "ja"}, {"@value": text.en, "@language": "en"}]


def dataset_uri(base_url: str, dataset: Dataset) -> str:
    return f"{base_url.rstrip('/')}/catalog/{dataset.id}"


def _dcat_distribution(base_url: str, dataset: Dataset, distribution: Distribution) -> dict[str, Any]:
    url = distribution_url(base_url, dataset, distribution)
    licence = catalog().vocabularies.licenses[dataset.license]
    node: dict[str, Any] = {
        "@id": f"{dataset_uri(base_url, dataset)}#{distribution.id}",
        "@type": "dcat:Distribution",
        "dct:title": _lang(distribution.title),
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": IANA + distribution.media_type},
        "dct:format": {
            "@id": FILE_TYPE
            + ("JSON" if distribution.format == "API" else distribution.format.replace("-", "_"))
        },
        "dct:license": {"@id": licence.url},
    }
    if distribution.format == "API":
        node["dcat:accessService"] = {
            "@type": "dcat:DataService",
            "dct:title": _lang(distribution.title),
            "dcat:endpointURL": {"@id": url},
            "dcat:endpointDescription": {"@id": f"{base_url.rstrip('/')}/api/v1/openapi.json"},
        }
    else:
        node["dcat:downloadURL"] = {"@id": url}
    return node


def _dcat_dataset(base_url: str, dataset: Dataset) -> dict[str, Any]:
    v = catalog().vocabularies
    publisher = v.publishers[dataset.publisher]
    node: dict[str, Any] = {
        "@id": dataset_uri(base_url, dataset),
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.id,
        "dct:title": _lang(dataset.title),
        "dct:description": _lang(dataset.description),
        "dct:publisher": {
            "@id": publisher.homepage,
            "@type": "foaf:Agent",
            "foaf:name": _lang(publisher.name),
        },
        "dct:license": {"@id": v.licenses[dataset.license].url},
        "dct:accessRights": {"@id": ACCESS_RIGHT + ("PUBLIC" if dataset.access == "open" else "NON_PUBLIC")},
        "dct:accrualPeriodicity": {"@id": FREQUENCY + dataset.frequency},
        "dct:modified": {"@value": dataset.modified.isoformat(), "@type": "xsd:date"},
        "dct:spatial": {"@type": "dct:Location", "skos:prefLabel": _lang(dataset.spatial)},
        "dcat:theme": [{"@id": DATA_THEME + t} for t in dataset.themes],
        "dcat:keyword": (
            [{"@value": k, "@language": "ja"} for k in dataset.keywords.ja]
            + [{"@value": k, "@language": "en"} for k in dataset.keywords.en]
        ),
        "dcat:contactPoint": {
            "@type": "vcard:Kind",
            "vcard:fn": _lang(dataset.contact.name),
            "vcard:hasEmail": {"@id": f"mailto:{dataset.contact.email}"},
        },
        "dcatap:applicableLegislation": [
            {"@type": "rdfs:Resource", "rdfs:label": _lang(b)} for b in dataset.legal_basis
        ],
        "dcat:landingPage": {"@id": dataset_uri(base_url, dataset)},
        "dcat:distribution": [_dcat_distribution(base_url, dataset, d) for d in dataset.distributions],
    }
    if dataset.credit:
        node["dct:rights"] = _lang(dataset.credit)
    return node


def dcat_dataset(base_url: str, dataset: Dataset) -> dict[str, Any]:
    return {"@context": CONTEXT, **_dcat_dataset(base_url, dataset)}


def dcat_catalog(base_url: str) -> dict[str, Any]:
    """The whole catalog as one DCAT ``dcat:Catalog`` in JSON-LD."""
    base = base_url.rstrip("/")
    platform = Text(ja="つなぐ データカタログ", en="Tsunagu data catalog")
    modified = max(d.modified for d in catalog().datasets)
    return {
        "@context": CONTEXT,
        "@id": f"{base}/catalog",
        "@type": "dcat:Catalog",
        "dct:title": _lang(platform),
        "dct:description": _lang(
            Text(
                ja="つなぐが保有・公開するベース・レジストリとデータセットの目録です。",
                en="The base registries and datasets Tsunagu holds or publishes.",
            )
        ),
        "dct:publisher": {
            "@id": catalog().vocabularies.publishers["digital-agency"].homepage,
            "@type": "foaf:Agent",
            "foaf:name": _lang(catalog().vocabularies.publishers["digital-agency"].name),
        },
        "dct:modified": {"@value": modified.isoformat(), "@type": "xsd:date"},
        "foaf:homepage": {"@id": f"{base}/catalog"},
        "dcat:dataset": [_dcat_dataset(base_url, d) for d in catalog().datasets],
    }


def schema_org(base_url: str, dataset: Dataset) -> dict[str, Any]:
    """schema.org ``Dataset`` for search engines (embedded in the dataset page)."""
    v = catalog().vocabularies
    publisher = v.publishers[dataset.publisher]
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": dataset.title.ja,
        "alternateName": dataset.title.en,
        "description": dataset.description.ja,
        "url": dataset_uri(base_url, dataset),
        "identifier": dataset_uri(base_url, dataset),
        "keywords": [*dataset.keywords.ja, *dataset.keywords.en],
        "inLanguage": ["ja", "en"],
        "license": v.licenses[dataset.license].url,
        "isAccessibleForFree": dataset.access == "open",
        "publisher": {
            "@type": "GovernmentOrganization",
            "name": publisher.name.ja,
            "url": publisher.homepage,
        },
        "dateModified": dataset.modified.isoformat(),
        "spatialCoverage": dataset.spatial.ja,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title.ja,
                "encodingFormat": d.media_type,
                "contentUrl": distribution_url(base_url, dataset, d),
            }
            for d in dataset.distributions
            if d.format != "API"
        ],
    }
    if dataset.credit:
        found["creditText"] = dataset.credit.ja
    return found
