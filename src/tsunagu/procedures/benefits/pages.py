"""給付金の支給 (staff pages, /staff/benefits): the organization's runs; for one run the rule that
defines who is eligible, 対象者の確認 on a reference date, 口座確認 with the bank, 振込データの作成
and its download, and the import of returned transfers — each step the same use case the
``tsunagu benefits`` CLI calls. Staff need 管理 of the paying organization (core.authz). No JavaScript.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from tsunagu.core import clock, logging
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.deps import AppSettings, CurrentStaff, settings_of
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.messages import N_
from tsunagu.core.progress import SilentProgress
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import parse_date
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.benefits import batches, checks, service
from tsunagu.procedures.benefits.definition import BenefitRun
from tsunagu.registry.accounts import bankcheck
from tsunagu.registry.accounts.wiring import bank_verifier
from tsunagu.registry.addresses import service as addresses

router = APIRouter(prefix="/staff/benefits", include_in_schema=False, dependencies=[Depends(csrf.protect)])
log = logging.get_logger("tsunagu.benefits")
MAX_RETURN_LIST_BYTES = 5 * 1024 * 1024
#: the eligibility rule in words, for the clerk (attributes a run may use, and the comparisons)
ATTRIBUTE_NAMES = {
    "age": N_("基準日の年齢"),
    "status": N_("住民登録の状態"),
    "municipality_code": N_("住所地の市区町村"),
    "prefecture_code": N_("住所地の都道府県"),
}
OP_NAMES = {
    "eq": N_("が次である"),
    "ne": N_("が次でない"),
    "gte": N_("が次以上"),
    "gt": N_("が次より大きい"),
    "lte": N_("が次以下"),
    "lt": N_("が次より小さい"),
    "in": N_("が次のいずれか"),
    "not_in": N_("が次のいずれでもない"),
}
#: a bad line of a return list, in the clerk's words (the CLI prints the English detail)
RETURN_PROBLEMS = {
    "benefits-return-line": N_("%(at)s行目: 「振込の番号,事由」の形になっていません。"),
    "benefits-return-reason": N_("%(at)s行目: 事由は下の一覧のいずれかを書いてください。"),
    "benefits-return-unknown": N_("番号 %(at)s の振込は、この給付金にありません。"),
}
VALUE_NAMES = {"resident": N_("住民"), "moved_out": N_("転出"), "deceased": N_("死亡")}


def _conditions(db: Session, rule: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The rule's comparisons (all of them must hold) as (attribute, comparison, value) words; a
    municipality or prefecture by its name from the address registry, not its code."""
    parts = rule.get("all") or [rule]
    return [
        (
            ATTRIBUTE_NAMES.get(p["attribute"], p["attribute"]),
            OP_NAMES.get(p["op"], p["op"]),
            "、".join(
                _value_name(db, p["attribute"], str(v))
                for v in (p["value"] if isinstance(p["value"], list) else [p["value"]])
            ),
        )
        for p in parts
        if "attribute" in p
    ]


def _value_name(db: Session, attribute: str, value: str) -> str:
    if attribute == "municipality_code":
        municipality = addresses.get_municipality(db, value)
        return municipality.prefecture + municipality.name if municipality else value
    if attribute == "prefecture_code":
        found = addresses.list_municipalities(db, value)
        return found[0].prefecture if found else value
    return VALUE_NAMES.get(value, value)


def _files_dir(settings: AppSettings) -> Any:
    return settings.data_dir / "benefits"


def _date(text: str, field: str, errors: dict[str, str]) -> date | None:
    if not text.strip():
        errors[field] = N_("日付を入力してください。")
        return None
    try:
        return parse_date(text)
    except ValidationFailed:
        errors[field] = N_("日付は 令和8年4月1日 または 2026-04-01 の形で入力してください。")
        return None


def _page(
    request: Request,
    db: Session,
    staff: Principal,
    run: BenefitRun,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    outcome: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    executions = batches.executions_of(db, staff, run)
    today = clock.today_jst().date()
    defaults = {
        "reference_date": executions[0].reference_date.isoformat() if executions else today.isoformat(),
        "transfer_date": (today + timedelta(days=3)).isoformat(),
    }
    decided = None
    if run.decided is not None:  # an allowance paid on a decision: the procedure by its name
        found = (
            catalogue.registry_for(settings_of(request).procedures_dir).snapshot().procedures.get(run.decided)
        )
        decided = found.name.text(locale_of(request)) if found else None
    return render(
        request,
        "procedures/benefits_run.html",
        {
            "run": run,
            "decided": decided,
            "conditions": _conditions(db, run.eligibility),
            "executions": executions,
            "totals": service.totals(db, run.id),
            "values": {**defaults, **(values or {})},
            "errors": errors or {},
            "outcome": outcome or {},
            "reasons": service.RETURN_REASONS,
            "reference_fixed": bool(executions),
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def runs_page(request: Request, staff: CurrentStaff, db: Session = TRANSACTION) -> HTMLResponse:
    """給付金の支給: the organization's runs with what each has paid so far."""
    return render(request, "procedures/benefits_runs.html", {"runs": batches.runs(db, staff)})


@router.get("/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request,
    run_id: str,
    staff: CurrentStaff,
    reference_date: str = "",
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """One run: its rule, its steps so far, and (with ``reference_date``) 対象者の確認."""
    run = batches.run_of(staff, run_id)
    if not reference_date:
        return _page(request, db, staff, run)
    errors: dict[str, str] = {}
    day = _date(reference_date, "reference_date", errors)
    if day is None:
        return _page(
            request, db, staff, run, values={"reference_date": reference_date}, errors=errors, status_code=422
        )
    found = checks.population(db, staff, run, day)
    return _page(
        request,
        db,
        staff,
        run,
        values={"reference_date": day.isoformat()},
        outcome={"population": found, "on": day},
    )


@router.post("/{run_id}/accounts", response_class=HTMLResponse)
async def confirm_accounts(
    request: Request,
    run_id: str,
    staff: CurrentStaff,
    bank: bankcheck.BankVerifier = Depends(bank_verifier),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """口座確認: ask the bank about every eligible, unpaid person's registered account."""
    run = batches.run_of(staff, run_id)
    form = await request.form()
    errors: dict[str, str] = {}
    text = str(form.get("reference_date", ""))[:20]
    day = _date(text, "reference_date", errors)
    if day is None:
        return _page(request, db, staff, run, values={"reference_date": text}, errors=errors, status_code=422)
    report = checks.confirm_accounts(db, staff, run, bank, reference_date=day, progress=SilentProgress())
    return _page(
        request, db, staff, run, values={"reference_date": day.isoformat()}, outcome={"accounts": report}
    )


@router.post("/{run_id}/execute", response_class=HTMLResponse, response_model=None)
async def execute(
    request: Request,
    run_id: str,
    settings: AppSettings,
    staff: CurrentStaff,
    db: Session = TRANSACTION,
) -> Response:
    """振込データの作成: a batch with everyone eligible, with an account, not paid yet."""
    run = batches.run_of(staff, run_id)
    form = await request.form()
    values = {k: str(form.get(k, ""))[:20] for k in ("reference_date", "transfer_date")}
    errors: dict[str, str] = {}
    reference = _date(values["reference_date"], "reference_date", errors)
    transfer = _date(values["transfer_date"], "transfer_date", errors)
    if transfer is not None and transfer <= clock.today_jst().date():
        errors["transfer_date"] = N_("振込指定日は明日以降の日付を入力してください。")
    if reference is None or transfer is None or errors:
        return _page(request, db, staff, run, values=values, errors=errors, status_code=422)
    try:
        batch = batches.next_batch(db, run, reference)
    except service.ReferenceDateChanged as exc:
        fixed = date.fromisoformat(str(exc.extra["reference_date"]))
        errors["reference_date"] = N_("この給付金は最初の支給処理の基準日から変えられません。")
        return _page(
            request,
            db,
            staff,
            run,
            values={**values, "reference_date": fixed.isoformat()},
            errors=errors,
            status_code=409,
        )
    report = batches.execute_to_file(
        db,
        staff,
        run,
        reference_date=reference,
        transfer_date=transfer,
        path=_files_dir(settings) / batches.file_name(run.id, batch),
        progress=SilentProgress(),
    )
    return _page(request, db, staff, run, values=values, outcome={"executed": report})


@router.get("/{run_id}/batches/{batch}.txt")
def download(
    run_id: str,
    batch: int,
    settings: AppSettings,
    staff: CurrentStaff,
    db: Session = TRANSACTION,
) -> FileResponse:
    """The 全銀 file of one batch, as recorded (its SHA-256 checked); every download is logged."""
    run = batches.run_of(staff, run_id)
    path, execution = batches.recorded_file(db, staff, run, batch, _files_dir(settings))
    log.info(
        "benefit_file_downloaded",
        run=run.id,
        batch=batch,
        staff=staff.subject_id,
        sha256=execution.file_sha256,
    )
    return FileResponse(path, media_type="text/plain; charset=Shift_JIS", filename=path.name)


@router.post("/{run_id}/returns", response_class=HTMLResponse)
async def import_returns(
    request: Request, run_id: str, staff: CurrentStaff, db: Session = TRANSACTION
) -> HTMLResponse:
    """返却の消込: the bank's list of returned transfers (CSV record_number,reason)."""
    run = batches.run_of(staff, run_id)
    upload = (await request.form()).get("returns")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(
            request,
            db,
            staff,
            run,
            errors={"returns": N_("返却一覧のファイルを選んでください。")},
            status_code=422,
        )
    data = await upload.read(MAX_RETURN_LIST_BYTES + 1)
    try:
        if len(data) > MAX_RETURN_LIST_BYTES:
            raise service.ReturnListInvalid("the return list is larger than 5 MB")
        lines = service.parse_returns(data.decode("utf-8-sig"))
        marked = service.import_returns(db, staff, run, lines)
    except UnicodeDecodeError:
        return _page(
            request,
            db,
            staff,
            run,
            errors={"returns": N_("返却一覧は UTF-8 の CSV で作成してください。")},
            status_code=422,
        )
    except service.ReturnListInvalid as exc:
        problems = [
            (
                RETURN_PROBLEMS.get(str(e.get("type")), RETURN_PROBLEMS["benefits-return-line"]),
                e["location"][-1],
            )
            for e in exc.errors
        ]
        return _page(
            request,
            db,
            staff,
            run,
            errors={"returns": N_("返却一覧に誤りがあります。")},
            outcome={"return_problems": problems or [(N_("返却一覧は5MBまでです。"), "")]},
            status_code=422,
        )
    return _page(request, db, staff, run, outcome={"returned": marked})
