"""Open data (オープンデータ) of the catalog: the tables the registries publish, streamed as CSV
(and the municipalities as JSON-LD) with their Frictionless descriptors, and the live counts of
records shown on a dataset's page. The registries are read through their ``service`` modules."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from tsunagu.catalog import statistics
from tsunagu.catalog.definitions import Dataset, Distribution, Text
from tsunagu.catalog.service.common import DistributionNotFound, ProcedureSource, catalog
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service as corporations
from tsunagu.registry.residents import statistics as population

__all__ = [
    "APPLICANTS",
    "CHUNK_ROWS",
    "TABLES",
    "Column",
    "Table",
    "counts",
    "csv_stream",
    "datapackage",
    "distribution_url",
    "file_name",
    "file_url",
    "jsonld_stream",
    "table_of",
]

CHUNK_ROWS = 2000


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
            Column("緯度（度）", "number", "代表点の緯度（世界測地系、度）", minimum=20, maximum=46),
            Column("経度（度）", "number", "代表点の経度（世界測地系、度）", minimum=122, maximum=154),
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
