"""Bulk download (一括ダウンロード) of the open corporate information in the catalog's open-data
formats: UTF-8 CSV streamed by the catalog's own writer, with a Frictionless data package.

``corporations.csv`` is the catalog's table itself (one 法人一覧, not a copy); subsidies,
procurement and public filings are tables of this part, written the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.catalog import service as catalog
from tsunagu.core.database import Database
from tsunagu.core.errors import NotFound
from tsunagu.procedures.corpinfo.models import CorpinfoProcurement, CorpinfoSubsidy
from tsunagu.procedures.corpinfo.service.activity import all_filings
from tsunagu.procedures.definition import Procedure

__all__ = ["FILES", "FileNotPublished", "datapackage", "stream"]

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "クリエイティブ・コモンズ 表示 4.0 国際（政府標準利用規約 第2.0版 互換）",
}
NUMBER = catalog.Column("法人番号", "string", "法人番号（13桁）", required=True, pattern=r"^\d{13}$")
AMOUNT = "金額（円）。公表されていない場合は空欄"


class FileNotPublished(NotFound):
    code = "corpinfo-file-not-found"
    title = "No such bulk file"


def _subsidy_rows(db: Session, _procedures: catalog.ProcedureSource) -> Iterator[Sequence[object]]:
    rows = db.execute(
        select(
            CorpinfoSubsidy.corporate_number,
            CorpinfoSubsidy.approved_on,
            CorpinfoSubsidy.title,
            CorpinfoSubsidy.target,
            CorpinfoSubsidy.amount_yen,
            CorpinfoSubsidy.government_department,
            CorpinfoSubsidy.source,
        )
        .order_by(CorpinfoSubsidy.corporate_number, CorpinfoSubsidy.approved_on, CorpinfoSubsidy.id)
        .execution_options(yield_per=catalog.CHUNK_ROWS)
    )
    for number, on, title, target, amount, department, source in rows:
        yield number, on.isoformat(), title, target, "" if amount is None else amount, department, source


def _procurement_rows(db: Session, _procedures: catalog.ProcedureSource) -> Iterator[Sequence[object]]:
    rows = db.execute(
        select(
            CorpinfoProcurement.corporate_number,
            CorpinfoProcurement.ordered_on,
            CorpinfoProcurement.title,
            CorpinfoProcurement.amount_yen,
            CorpinfoProcurement.government_department,
            CorpinfoProcurement.source,
        )
        .order_by(
            CorpinfoProcurement.corporate_number, CorpinfoProcurement.ordered_on, CorpinfoProcurement.id
        )
        .execution_options(yield_per=catalog.CHUNK_ROWS)
    )
    for number, on, title, amount, department, source in rows:
        yield number, on.isoformat(), title, "" if amount is None else amount, department, source


SUBSIDIES = catalog.Table(
    "subsidies",
    "subsidies.csv",
    catalog.Text(ja="補助金情報", en="Subsidies"),
    (
        NUMBER,
        catalog.Column("交付決定日", "date", "補助金等の交付決定日", required=True),
        catalog.Column("補助金等の名称", "string", "補助金等の名称", required=True),
        catalog.Column("補助対象事業", "string", "補助の対象となった事業"),
        catalog.Column("交付決定額（円）", "integer", AMOUNT, minimum=0),
        catalog.Column("交付元", "string", "交付した府省・地方公共団体等", required=True),
        catalog.Column("出典", "string", "記録の出典", required=True),
    ),
    "",
    _subsidy_rows,
)
PROCUREMENTS = catalog.Table(
    "procurements",
    "procurements.csv",
    catalog.Text(ja="調達情報", en="Procurement"),
    (
        NUMBER,
        catalog.Column("契約日", "date", "契約を締結した日", required=True),
        catalog.Column("調達件名", "string", "調達の件名", required=True),
        catalog.Column("契約金額（円）", "integer", AMOUNT, minimum=0),
        catalog.Column("調達機関", "string", "契約した府省・地方公共団体等", required=True),
        catalog.Column("出典", "string", "記録の出典", required=True),
    ),
    "",
    _procurement_rows,
)
FILING_COLUMNS = (
    NUMBER,
    catalog.Column("認定日", "date", "申請が認められた日", required=True),
    catalog.Column("届出・認定の名称", "string", "公表される届出・認定の名称", required=True),
    catalog.Column("公表の根拠", "string", "公表の根拠", required=True),
    catalog.Column("受付番号", "string", "つなぐでの受付番号", required=True),
)
FILES = ("corporations.csv", "subsidies.csv", "procurements.csv", "filings.csv")


def _filings(procedures: Mapping[str, Procedure]) -> catalog.Table:
    def rows(db: Session, _procedures: catalog.ProcedureSource) -> Iterator[Sequence[object]]:
        for number, filing in all_filings(db, procedures):
            yield (
                number,
                filing.approved_on.isoformat(),
                filing.title,
                filing.legal_basis,
                filing.receipt_number,
            )

    return catalog.Table(
        "filings", "filings.csv", catalog.Text(ja="届出・認定情報", en="Filings"), FILING_COLUMNS, "", rows
    )


def _tables(procedures: Mapping[str, Procedure]) -> dict[str, catalog.Table]:
    return {
        "corporations.csv": catalog.TABLES["corporations"],
        "subsidies.csv": SUBSIDIES,
        "procurements.csv": PROCUREMENTS,
        "filings.csv": _filings(procedures),
    }


def stream(database: Database, filename: str, procedures: Mapping[str, Procedure]) -> Iterator[bytes]:
    """One bulk file as CSV, streamed in its own read transaction (memory stays at one chunk)."""
    table = _tables(procedures).get(filename)
    if table is None:
        raise FileNotPublished(f"no bulk file {filename!r}; the files are {', '.join(FILES)}")
    return catalog.csv_stream(database, table, lambda: [])


def datapackage(procedures: Mapping[str, Procedure]) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the bulk files (paths relative to it)."""
    return {
        "name": "corporate-activity",
        "title": "法人活動情報",
        "description": "法人番号ごとの基本情報、つなぐで行われた公表対象の届出・認定、補助金、調達の記録",
        "licenses": [LICENSE],
        "resources": [
            {
                "name": table.name,
                "title": table.title.ja,
                "path": table.file,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table.schema(),
            }
            for table in _tables(procedures).values()
        ],
    }
