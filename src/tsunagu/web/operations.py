"""Operations endpoints: liveness, readiness, Prometheus metrics, and the CSRF token of a session."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from tsunagu import migrations
from tsunagu.core.database import check_connection
from tsunagu.core.errors import DatabaseUnavailable, Forbidden, NotAuthenticated
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import current_principal
from tsunagu.core.http.deps import AppDatabase, AppSettings
from tsunagu.core.http.problems import wants_html
from tsunagu.core.http.templating import render
from tsunagu.web import metrics

router = APIRouter(tags=["operations"])
#: the organization whose 管理 staff operate the platform (and may read its metrics)
PLATFORM_OPERATOR = "digital-agency"


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable and its schema at head",
    responses={503: {"description": "Not ready; the body says why"}},
)
def readyz(request: Request, database: AppDatabase) -> Response:
    """For a probe, JSON; for a person (the staff console's 稼働状況 link), the same in words."""
    engine = database.engine
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        body = {"status": "unavailable", "database": exc.detail}
    else:
        current, heads = migrations.current(engine), migrations.heads(engine)
        body = {"status": "ok", "database": "reachable", "migrations": "at head"}
        if current != heads:
            body |= {
                "status": "unavailable",
                "migrations": f"at {sorted(current) or 'nothing'}, expected {sorted(heads)}; "
                "run `tsunagu db upgrade`",
            }
    status_code = 200 if body["status"] == "ok" else 503
    if wants_html(request):
        return render(request, "readiness.html", {"readiness": body}, status_code=status_code)
    return JSONResponse(body, status_code=status_code)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        401: {"description": "Neither the scraper's token nor a session"},
        403: {"description": "The session is not the platform operator's 管理 staff"},
    },
)
async def prometheus_metrics(request: Request, settings: AppSettings) -> Response:
    """For a scraper sending ``Authorization: Bearer <TSUNAGU_METRICS_TOKEN>``, or the platform
    operator's 管理 staff: the figures say how the service is used, which is no one else's business."""
    expected: str = settings.metrics_token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    scraper = (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.encode(), expected.encode())
    )
    if not scraper:
        principal = current_principal(request)
        if principal is None:
            raise NotAuthenticated("send the metrics token (TSUNAGU_METRICS_TOKEN) or log in as an operator")
        if not (
            principal.kind == "staff"
            and principal.organization_code == PLATFORM_OPERATOR
            and principal.has_role("管理")
        ):
            raise Forbidden("the metrics are for the platform operator's 管理 staff")
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


class CsrfToken(BaseModel):
    token: str


@router.get(
    "/api/v1/csrf-token",
    response_model=CsrfToken,
    tags=["session"],
    summary="The CSRF token of this browser's session",
)
async def csrf_token(request: Request, response: Response) -> CsrfToken:
    """What a script sends as ``X-CSRF-Token`` on unsafe API requests made with the session cookie
    (bound to that session: a new login needs a new token). Other sites cannot read it."""
    response.headers["cache-control"] = "no-store"
    return CsrfToken(token=csrf.token(request))


#: Swagger UI from the package (static/vendor/swagger-ui), started by a script file: the product
#: runs offline, and its content security policy allows no inline script and no other origin
_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tsunagu API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/api/v1/openapi.json"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/api/v1/docs", include_in_schema=False, response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """The OpenAPI document, browsable (Swagger UI)."""
    return HTMLResponse(_DOCS_PAGE)
