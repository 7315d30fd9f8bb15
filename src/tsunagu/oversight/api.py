"""The oversight API (/api/v1/oversight): the procedure inventory (public open data), its KPIs, the
import of a survey year and the cost report (staff with the oversight role)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tsunagu.core import sessions
from tsunagu.core.authz import Role
from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_principal
from tsunagu.core.http.deps import AppDatabase
from tsunagu.core.http.pagination import PageParams, page_params
from tsunagu.core.messages import N_
from tsunagu.oversight import feedback, inventory, kpis, links, reading, service, service_kpis
from tsunagu.oversight.deps import ServedSource, sources_of
from tsunagu.oversight.schemas import (
    CostReportOut,
    FiguresOut,
    ImportOut,
    InventoryEntryOut,
    InventoryPage,
    ParetoItemOut,
    ParetoOut,
    ProcedureLinkOut,
    ProgressOut,
    ServiceKpisOut,
    SurveyOut,
    UsabilityOut,
    YearKpisOut,
)

router = APIRouter(prefix="/api/v1/oversight", tags=["oversight"])
#: the staff role of 統括・監理; the use cases in oversight.service check it (core.authz)
OVERSIGHT_ROLE = Role.OVERSIGHT.value
CALLER = Depends(require_principal)
MAX_UPLOAD = 200 * 1024 * 1024  # the published .xlsx is about 30 MB


def procedure_links(request: Request, db: Session, year: int | None = None) -> dict[str, links.Link]:
    """This platform's procedures linked to the entries of a survey year (the latest by default):
    by their ``inventory_id`` or by the articles of their legal basis (oversight.links)."""
    source = sources_of(request).served
    return links.links(db, source() if source else [], year)


def inventory_query(  # noqa: PLR0917 — FastAPI reads each query parameter from the signature
    year: str = Query("", pattern=r"^(\d{4})?$", description="Survey year (default: the latest)."),
    q: str = Query("", max_length=200, description="Words in the name or the law, or a 手続ID."),
    ministry: str = Query("", max_length=32, description="所管府省庁."),
    type: str = Query("", max_length=8, description="手続類型 code: 1, 2-1, 2-2, 2-3, 3, 4."),
    subject: str = Query("", max_length=8, description="手続主体 code."),
    online_status: str = Query("", max_length=4, description="オンライン化の実施状況 code 1–5."),
    life_event: str = Query("", max_length=64, description="A life event (個人 or 法人) as published."),
    attachment: str = Query("", max_length=64, description="An attachment as published, e.g. 住民票."),
    min_volume: str = Query("", pattern=r"^\d{0,15}$", description="At least this 総手続件数."),
    served_only: bool = Query(False, description="Only entries this platform serves."),
) -> inventory.Query:
    # a form sends empty fields: empty is "any", not an error
    return inventory.Query(
        year=int(year) if year else None,
        q=q.strip(),
        ministry=ministry,
        type_code=type,
        subject_code=subject,
        online_status=online_status,
        life_event=life_event,
        attachment=attachment,
        min_volume=int(min_volume) if min_volume else None,
        served=served_only,
    )


@router.get("/inventory/surveys", response_model=list[SurveyOut])
def list_surveys(db: Session = TRANSACTION) -> list[SurveyOut]:
    """The imported survey years, oldest first, with what each import normalized."""
    return [SurveyOut.of(s) for s in inventory.surveys(db)]


@router.get("/inventory/procedures", response_model=InventoryPage)
def search_inventory(
    request: Request,
    where: inventory.Query = Depends(inventory_query),
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> InventoryPage:
    """Search one survey year of the inventory, the largest volumes first."""
    linked = links.linked_ids(procedure_links(request, db, where.year))
    found = inventory.search(db, where, limit=page.limit, offset=page.offset, served_ids=frozenset(linked))
    return InventoryPage(
        survey_year=found.year,
        total=found.total,
        limit=page.limit,
        offset=page.offset,
        items=[InventoryEntryOut.of(r, linked.get(r.procedure_id)) for r in found.items],
    )


@router.get("/inventory/procedures/{procedure_id}", response_model=list[InventoryEntryOut])
def procedure_history(
    request: Request, procedure_id: str, db: Session = TRANSACTION
) -> list[InventoryEntryOut]:
    """One 手続ID in every survey year that has it, oldest first, with all its columns."""
    years = inventory.history(db, procedure_id)
    linked = links.linked_ids(procedure_links(request, db, years[-1].survey_year)).get(procedure_id)
    return [InventoryEntryOut.of(r, linked, details=True) for r in years]


@router.get("/inventory/links", response_model=list[ProcedureLinkOut])
def inventory_links(
    request: Request,
    year: str = Query("", pattern=r"^(\d{4})?$", description="Survey year (default: the latest)."),
    db: Session = TRANSACTION,
) -> list[ProcedureLinkOut]:
    """Each of this platform's procedures with its inventory entry and how it was linked
    (explicit ``inventory_id``, by its legal basis, ambiguous with every candidate, or none)."""
    found = procedure_links(request, db, int(year) if year else None)
    return [ProcedureLinkOut.of(link) for link in found.values()]


@router.get("/inventory/kpis", response_model=list[YearKpisOut])
def inventory_kpis(ministry: str = Query("", max_length=32), db: Session = TRANSACTION) -> list[YearKpisOut]:
    """Online-available rate by types and by volume, online use rate and replaceable attachments,
    per survey year, overall and per ministry, with the change from the year before."""
    years = kpis.by_year(db, ministry)
    result: list[YearKpisOut] = []
    for i, year in enumerate(years):
        before = years[i - 1].overall if i else None
        result.append(
            YearKpisOut(
                survey_year=year.year,
                overall=FiguresOut.of(year.overall),
                change_points={
                    rate: kpis.change(getattr(year.overall, rate), getattr(before, rate, None))
                    for rate in kpis.RATES
                },
                ministries={m: FiguresOut.of(f) for m, f in year.ministries.items()},
            )
        )
    return result


@router.get("/inventory/pareto", response_model=ParetoOut)
def inventory_pareto(
    year: int | None = Query(None),
    top: int = Query(20, ge=1, le=200),
    ministry: str = Query("", max_length=32),
    db: Session = TRANSACTION,
) -> ParetoOut:
    """The procedures with the largest 総手続件数 and the cumulative share of all volume they carry."""
    chosen = year or inventory.latest_year(db)
    if chosen is None:
        return ParetoOut(survey_year=0, total_volume=0, procedures_with_volume=0, items=[])
    found = kpis.pareto(db, chosen, top, ministry)
    return ParetoOut(
        survey_year=chosen,
        total_volume=found.total_volume,
        procedures_with_volume=found.procedures_with_volume,
        items=[
            ParetoItemOut(
                rank=i + 1,
                procedure_id=p.procedure_id,
                name=p.name,
                ministry=p.ministry,
                total_count=p.volume,
                cumulative_share=p.cumulative_share,
            )
            for i, p in enumerate(found.items)
        ],
    )


async def read_upload(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise reading.refused(
            N_("ファイルが大きすぎます（上限 %(limit)s MB）"),
            {"limit": MAX_UPLOAD // 1024 // 1024},
            {"location": ["file"], "type": "too-large", "message": "file too large"},
        )
    return data


def import_file(
    database: Database,
    principal: sessions.Principal,
    name: str,
    data: bytes,
    survey_year: int | None,
    *,
    served: ServedSource | None,
) -> inventory.ImportReport:
    """The import in its own transaction, off the event loop (a 75,000-row file takes seconds)."""
    with database.session() as db:
        return service.import_survey(
            db, principal, name, data, survey_year, served=served() if served else []
        )


@router.post(
    "/inventory/surveys", response_model=ImportOut, status_code=201, dependencies=[Depends(csrf.protect)]
)
async def import_survey(
    request: Request,
    database: AppDatabase,
    file: UploadFile = File(..., description="The .xlsx or .csv file."),
    survey_year: int | None = Form(None, description="Default: the layout's year."),
    principal: sessions.Principal = CALLER,
) -> JSONResponse:
    """Import one survey year (all or nothing; replaces that year atomically)."""
    data = await read_upload(file)
    report = await run_in_threadpool(
        import_file,
        database,
        principal,
        file.filename or "upload",
        data,
        survey_year,
        served=sources_of(request).served,
    )
    body = ImportOut(
        survey_year=report.survey_year,
        layout=report.layout,
        rows=report.rows,
        replaced=report.replaced,
        normalized=report.normalized,
        notes=report.notes,
        links=[ProcedureLinkOut.of(link) for link in report.links.values()],
    )
    return JSONResponse(body.model_dump(), status_code=201)


@router.get("/service-kpis", response_model=list[ServiceKpisOut])
def service_kpis_report(
    request: Request, since_month: str = Query("", pattern=r"^(\d{4}-\d{2})?$"), db: Session = TRANSACTION
) -> list[ServiceKpisOut]:
    """Per procedure of this platform: applications, digital take-up, prefilled and proxy shares,
    decisions within the 標準処理期間 and average days (counters kept up to date incrementally)."""
    feed = sources_of(request).feed
    if feed is not None:
        service_kpis.catch_up(db, feed)
    return [ServiceKpisOut.of(f) for f in service_kpis.figures(db, since_month)]


@router.get("/service-usability", response_model=list[UsabilityOut])
def service_usability(request: Request, db: Session = TRANSACTION) -> list[UsabilityOut]:
    """Per procedure of this platform: the anonymous step funnel (started → review → submitted,
    completion rate, drop-off per step), the one-question survey's answers and the keystroke-level
    estimate of the time to complete (all from counters; no personal data)."""
    source = sources_of(request).keystrokes
    return [UsabilityOut.of(u) for u in feedback.usability(db, source() if source else {})]


@router.get("/costs", response_model=CostReportOut)
def cost_report(principal: sessions.Principal = CALLER, db: Session = TRANSACTION) -> CostReportOut:
    """The 30% target per organization and overall, with projections and the systems that rose."""
    found = service.cost_report(db, principal)
    return CostReportOut(
        overall=[ProgressOut.of(p) for p in found.overall.values()],
        organizations=[ProgressOut.of(p) for p in found.organizations],
        risers=[r.__dict__ for r in found.risers],
        systems=found.systems,
    )


@router.post("/systems/import", status_code=201, dependencies=[Depends(csrf.protect)])
async def import_systems(
    database: AppDatabase, file: UploadFile = File(...), principal: sessions.Principal = CALLER
) -> JSONResponse:
    """Register or update systems and their yearly costs from CSV (all or nothing)."""
    data = await read_upload(file)
    with database.session() as db:
        count = service.register_systems(db, principal, data)
    return JSONResponse({"systems": count.systems, "cost_rows": count.cost_rows}, status_code=201)
