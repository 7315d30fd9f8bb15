"""The conformance API: the published requirement sets, submit an export for checking, follow the
check, fetch its reports, the public keys of conformance statements, and the national migration
overview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from tsunagu.conformance import pmo, published, reports, service
from tsunagu.core import clock
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.deps import AppDatabase, AppSettings, SecretKey
from tsunagu.core.sessions import Principal

router = APIRouter(prefix="/api/v1/conformance", tags=["conformance"])
STAFF = Depends(require_staff())


def _check_json(record: service.CheckRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "system_name": record.system_name,
        "system_version": record.system_version,
        "vendor_name": record.vendor_name,
        "requirement_set": record.requirement_set,
        "status": record.status,
        "rows_done": record.rows_done,
        "must": record.must,
        "should": record.should,
        "statement": record.statement,
        "created_at": record.created_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
    }


@router.get("/requirement-sets")
def list_requirement_sets() -> JSONResponse:
    """The requirement sets this platform checks against (データ要件・連携要件), by id and version."""
    return JSONResponse({"requirement_sets": [published.summary(s) for s in published.shipped_sets()]})


@router.get("/requirement-sets/{set_id}/{version}")
def get_requirement_set(set_id: str, version: str) -> JSONResponse:
    """One requirement set as a JSON document: tables, columns, keys, rules, code lists, linkage."""
    return JSONResponse(published.describe(published.requirement_set(set_id, version)))


@router.post("/checks", status_code=202)
def submit_check(
    settings: AppSettings,
    database: AppDatabase,
    secret_key: SecretKey,
    *,
    file: UploadFile = File(...),
    system_name: str = Form(...),
    system_version: str = Form(...),
    vendor_name: str = Form(...),
    principal: Principal = STAFF,
    db: Session = TRANSACTION,
) -> JSONResponse:
    """Upload an export (CSV/TSV/JSONL/xlsx/ZIP); the check runs in the background (202 + Location)."""
    check_id = service.submit(
        db,
        principal,
        data_dir=settings.data_dir,
        file_name=file.filename or "",
        upload=file.file,
        system_name=system_name,
        system_version=system_version,
        vendor_name=vendor_name,
    )
    db.commit()
    service.start(database, secret_key, settings.data_dir, check_id)
    location = f"{router.prefix}/checks/{check_id}"
    return JSONResponse(
        _check_json(service.get_check(db, principal, check_id)),
        status_code=202,
        headers={"Location": location},
    )


@router.get("/checks/{check_id}")
def get_check(check_id: str, principal: Principal = STAFF, db: Session = TRANSACTION) -> JSONResponse:
    """The check's status and progress; when finished, its totals and (if passed) its statement."""
    return JSONResponse(_check_json(service.get_check(db, principal, check_id)))


@router.get("/checks/{check_id}/report")
def get_report(check_id: str, principal: Principal = STAFF, db: Session = TRANSACTION) -> Response:
    """The full report (JSON) of a finished check; 404 while it runs."""
    record = service.get_check(db, principal, check_id)
    if record.report is None:
        raise service.CheckNotFound(f"check {check_id} has no report yet (status {record.status})")
    return Response(reports.to_json(record.report), media_type="application/json")


@router.get("/keys")
def statement_keys(secret_key: SecretKey, db: Session = TRANSACTION) -> JSONResponse:
    """The public keys (JWKS) that verify conformance statements."""
    return JSONResponse(service.public_keys(secret_key, service.statement_issuers(db)))


@router.get("/migration")
def migration_overview(db: Session = TRANSACTION) -> JSONResponse:
    """Per 標準化対象事務: municipalities tracked, migrated, late, and with a passed check."""
    summaries = pmo.overview(db, clock.today_jst().date())
    return JSONResponse(
        {
            "areas": [
                {
                    "area": s.area,
                    "name": {"ja": s.title.ja, "en": s.title.en},
                    "municipalities": s.municipalities,
                    "migrated": s.migrated,
                    "late": s.late,
                    "passed": s.passed,
                }
                for s in summaries
            ]
        }
    )
