"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from tsunagu import migrations
from tsunagu.core.database import check_connection
from tsunagu.core.errors import DatabaseUnavailable
from tsunagu.web import metrics

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable and its schema at head",
            responses={503: {"description": "Not ready; the body says why"}})
def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.database.engine
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        return JSONResponse({"status": "unavailable", "database": exc.detail}, status_code=503)
    current, heads = migrations.current(engine), migrations.heads(engine)
    if current != heads:
        return JSONResponse(
            {"status": "unavailable",
             "database": "reachable",
             "migrations": f"at {sorted(current) or 'nothing'}, expected {sorted(heads)}; "
                           "run `tsunagu db upgrade`"},
            status_code=503)
    return JSONResponse({"status": "ok", "database": "reachable", "migrations": "at head"})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def prometheus_metrics() -> Response:
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
