"""Exception handlers: problem+json for the API, a plain page for people."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsunagu.core import logging as core_logging
from tsunagu.core.errors import TsunaguError
from tsunagu.core.http import problems
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render, translate

log = core_logging.get_logger("tsunagu.errors")


def _page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(request, "error.html",
                  {"status": status, "title": translate(request, title), "detail": detail},
                  status_code=status)


PAGE_TITLES = {400: N_("入力に誤りがあります"), 401: N_("ログインが必要です"),
               403: N_("この操作はできません"), 404: N_("ページが見つかりません"),
               405: N_("この操作はできません"), 409: N_("処理が競合しました"),
               413: N_("データが大きすぎます"), 422: N_("入力に誤りがあります"),
               429: N_("しばらくしてからお試しください"), 503: N_("ただいま利用できません")}


def _title(status: int) -> str:
    return PAGE_TITLES.get(status, N_("エラーが発生しました"))


def too_large_page(request: Request, limit: int) -> Response:
    """A form sent more than the deployment accepts (TSUNAGU_MAX_BODY_BYTES): say what the limit is."""
    detail = translate(
        request, "送信できるデータは合計 %(mb)s MB までです。ファイルを小さくして、もう一度お試しください。")
    return _page(request, 413, _title(413), detail % {"mb": f"{limit / 1048576:.1f}"})


async def domain_error(request: Request, exc: TsunaguError) -> Response:
    if exc.status >= 500:
        log.error("domain_error", code=exc.code, detail=exc.detail)
    if problems.wants_html(request):
        return _page(request, exc.status, _title(exc.status), exc.detail)
    return problems.from_domain_error(request, exc)


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    response = problems.from_validation_error(request, exc)
    if problems.wants_html(request):
        return _page(request, response.status_code, _title(response.status_code),
                     translate(request, "入力内容を確認してください。"))
    return response


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if problems.wants_html(request):
        detail = translate(request, "お探しのページは見つかりませんでした。") if exc.status_code == 404 \
            else str(exc.detail)
        return _page(request, exc.status_code, _title(exc.status_code), detail)
    return problems.from_http_error(request, exc)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback, answered without one."""
    log.exception("unexpected_error", error=type(exc).__name__)
    if problems.wants_html(request):
        return _page(request, 500, _title(500), translate(request, "時間をおいて再度お試しください。"))
    return problems.problem(500, "internal-error", "Internal error",
                            "an unexpected error occurred; it has been logged", request.url.path,
                            request_id=getattr(request.state, "request_id", None))
