"""Exception handlers: problem+json for the API, a plain page for people.

A service's ``detail`` is written for developers, in English; a person never reads it on a
Japanese page. The page says, in the person's language, what happened and what to do next: by the
error's ``code`` when we know it (:data:`PEOPLE_MESSAGES`), otherwise by its HTTP status.
An anonymous visitor to a staff page is sent to the staff login instead of an error page.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsunagu.core import logging as core_logging
from tsunagu.core.errors import DatabaseUnavailable, NotAuthenticated, TsunaguError
from tsunagu.core.http import problems
from tsunagu.core.http.deps import settings_of
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render, translate

log = core_logging.get_logger("tsunagu.errors")


def _page(request: Request, status: int, title: str, detail: str, *, related: str = "") -> Response:
    values = {"status": status, "title": translate(request, title), "detail": detail, "related": related}
    return render(request, "error.html", values, status_code=status)


PAGE_TITLES = {
    400: N_("入力に誤りがあります"),
    401: N_("ログインが必要です"),
    403: N_("この操作はできません"),
    404: N_("ページが見つかりません"),
    405: N_("この操作はできません"),
    409: N_("処理が競合しました"),
    413: N_("データが大きすぎます"),
    422: N_("入力に誤りがあります"),
    429: N_("しばらくしてからお試しください"),
    503: N_("ただいま利用できません"),
}


def _title(status: int) -> str:
    return PAGE_TITLES.get(status, N_("エラーが発生しました"))


#: what a person reads for an HTTP status when the error's code has no message of its own
STATUS_MESSAGES = {
    400: N_("入力内容を確認して、もう一度お試しください。"),
    401: N_("この画面を見るにはログインが必要です。ログインしてから、もう一度開いてください。"),
    403: N_("この操作を行う権限がありません。必要な場合は、担当の窓口にお問い合わせください。"),
    404: N_("お探しのページまたは情報は見つかりませんでした。"),
    405: N_("この操作はできません。前の画面に戻って、もう一度お試しください。"),
    409: N_(
        "ほかの操作と重なったため、処理できませんでした。画面を開き直して最新の状態を確認してから、"
        "もう一度操作してください。"
    ),
    413: N_("送信したデータが大きすぎます。ファイルを小さくして、もう一度お試しください。"),
    422: N_("入力内容を確認してください。"),
    429: N_("短い時間に操作が集中しました。しばらく待ってから、もう一度お試しください。"),
    503: N_("ただいま利用できません。時間をおいて、もう一度お試しください。"),
}
DEFAULT_MESSAGE = N_("時間をおいて再度お試しください。")

#: the errors a person can meet on a page, in words, with what to do next
PEOPLE_MESSAGES = {
    "not-authenticated": STATUS_MESSAGES[401],
    "forbidden": STATUS_MESSAGES[403],
    "csrf-failed": N_(
        "画面を開いてから時間がたったため、送信できませんでした。画面を開き直して、もう一度送信してください。"
    ),
    "not-found": STATUS_MESSAGES[404],
    "conflict": STATUS_MESSAGES[409],
    "validation-failed": STATUS_MESSAGES[422],
    "upstream-unavailable": N_(
        "連携先の機関のシステムが応答しませんでした。時間をおいて、もう一度お試しください。"
    ),
    "database-unavailable": STATUS_MESSAGES[503],
    "bereavement-no-death": N_("この方の死亡届は登録されていません。"),
    "bereavement-not-family": N_(
        "オンラインで手続ができるのは、住民票で亡くなった方と同じ世帯の方と、死亡届を出したご親族です。"
        "ほかのご家族は、戸籍謄本などで関係を確認しますので、市区町村の窓口でご相談ください。"
    ),
    "bereavement-deceased-principal": N_(
        "亡くなった方として記録されている方のログインでは、手続はできません。"
        "ご家族の方ご自身のマイナンバーカードでログインしてください。"
    ),
    "bereavement-nothing-to-file": N_("届け出る手続を一つ以上選んでください。"),
    "notify-code-invalid": N_("確認コードが違うか、有効期限が過ぎています。新しいコードを送ってください。"),
    "application-already-in-bundle": N_(
        "この手続は、ご家族などがすでに申請しています。申請の一覧で受付番号と状況を確認できます。"
    ),
    "kosodate-no-child": N_(
        "あなたの世帯に18歳未満のお子さまが登録されていません。出生届を出したばかりのときは、"
        "届出が登録されるまでお待ちください。"
    ),
    "kosodate-already-filed": N_("このお子さまの手続は、すでに申請されています。"),
    "kosodate-unknown-part": N_("子育てワンストップで申請できない手続が選ばれています。"),
    "application-illegal-transition": N_(
        "この申請は、すでにほかの職員が処理したか、"
        "いまの状況ではこの操作ができません。"
        "申請の画面を開き直して、いまの状況を確認してください。"
    ),
    "application-missing-role": N_(
        "この処理を行う権限（審査・決裁）がありません。権限のある職員に依頼してください。"
    ),
    "application-not-found": N_("この申請は見つかりませんでした。申請の一覧から開き直してください。"),
    "application-forbidden": N_("この申請を見る権限がありません。ご自身の申請は「申請状況」から開けます。"),
    "application-tampered": N_(
        "変更できない項目が変更されていたため、受け付けませんでした。"
        "手続の画面を開き直して、もう一度申請してください。"
    ),
    "application-not-eligible": N_("この手続は、あなたのお住まいの市区町村では申請できません。"),
    "idempotency-key-reused": N_("この申請はすでに送信されています。申請状況で内容を確認してください。"),
    "procedure-not-found": N_("この手続は見つかりませんでした。手続をさがす画面から選び直してください。"),
    "notice-not-found": N_("この通知は見つかりませんでした。"),
    "notify-message-not-found": N_(
        "このお知らせは見つかりませんでした。お知らせの一覧から開き直してください。"
    ),
    "attachment-not-found": N_("この添付ファイルは見つかりませんでした。"),
    "resident-not-found": N_(
        "住民基本台帳に記録が見つかりませんでした。お住まいの市区町村にお問い合わせください。"
    ),
    "resident-deceased": N_("この方は死亡の届出がされているため、この手続はできません。"),
    "resident-moved-out": N_(
        "この方はすでに転出しているため、この手続はできません。転出先の市区町村にお問い合わせください。"
    ),
    "resident-already-registered": N_("この方はすでに登録されています。"),
    "application-in-progress": N_(
        "同じ手続の申請が、いま手続中です。新しく申請する前に、手続中の申請の状況を確認してください。"
    ),
    "move-already-planned": N_("すでに手続中の引越しがあります。申請状況で確認してください。"),
    "moving-certificate-not-found": N_(
        "転出証明書情報が見つかりませんでした。転出元の市区町村にお問い合わせください。"
    ),
    "moving-certificate-used": N_("この転出証明書情報はすでに転入の手続に使われています。"),
    "payment-not-completed": N_(
        "手数料のお支払いがまだ完了していません。お支払いを済ませてから、もう一度お試しください。"
    ),
    "payment-already-completed": N_("手数料はすでにお支払い済みです。"),
    "payment-not-required": N_("この手続に手数料はかかりません。"),
    "payment-application-closed": N_("この申請は終了しているため、お支払いはできません。"),
    "appointment-not-required": N_("この手続に来庁予約は必要ありません。"),
    "appointment-application-closed": N_("この申請は終了しているため、来庁予約はできません。"),
    "appointment-slot-not-found": N_("選んだ時間の枠は見つかりませんでした。日時を選び直してください。"),
    "appointment-slot-mismatch": N_(
        "選んだ時間の枠は、この手続の予約には使えません。日時を選び直してください。"
    ),
    "appointment-slot-full": N_("選んだ時間はほかの方の予約で埋まりました。別の時間を選んでください。"),
    "appointment-slot-closed": N_("選んだ時間の予約受付は終了しました。別の時間を選んでください。"),
    "appointment-change-closed": N_("予約の変更・取消しの期限を過ぎています。窓口にお問い合わせください。"),
    "appointment-not-found": N_("この予約は見つかりませんでした。"),
    "appointment-outcome-not-allowed": N_(
        "この予約の来庁の記録は、いまの状況では変更できません。画面を開き直して確認してください。"
    ),
    "proxy-not-authorized": N_(
        "この方の代理人として、この手続を行う権限がありません。代理人の設定を確認してください。"
    ),
    "procedures-business-account-required": N_(
        "事業者として申請する手続です。法人の方は事業者アカウントでログインし、"
        "個人事業主の方はマイページから「個人事業主として操作する」に切り替えてください。"
    ),
    "procedures-corporation-only": N_(
        "この手続は法人が提出するものです。個人事業主は申請できません。"
        "個人で事業を始めたときは「個人事業の開業・廃業等届出書」を提出してください。"
    ),
    "procedures-sole-proprietor-only": N_(
        "この手続は個人事業主が提出するものです。法人は申請できません。"
        "法人を設立したときは「法人設立届出書」を提出してください。"
    ),
    "procedures-sole-proprietorship-closed": N_(
        "この個人事業主のアカウントは廃業が記録されているため、申請できません。"
    ),
    "business-sole-proprietor-exists": N_(
        "個人事業主のアカウントはすでにお持ちです。1人が持てる個人事業主のアカウントは1つです。"
    ),
    "business-not-yours": N_(
        "この事業者として操作することはできません。あなたが開設した、廃業していない個人事業主のアカウントだけを選べます。"
    ),
    "business-card-login-required": N_("マイナンバーカードでログインしてから操作してください。"),
    "business-no-sole-proprietorship": N_(
        "個人事業主のアカウントはまだありません。マイページから開設できます。"
    ),
    "corporation-not-found": N_("この法人番号の法人は見つかりませんでした。"),
    "corporate-number-check-digit": N_(
        "法人番号の最初の数字（チェックディジット）が合いません。13桁の番号を確かめてください。"
    ),
    "corpinfo-file-not-found": N_("この法人活動情報のファイルは見つかりませんでした。"),
    "unknown-municipality": N_("この市区町村は見つかりませんでした。"),
    "unknown-postcode": N_("この郵便番号は見つかりませんでした。"),
    "unknown-town": N_("この町字は見つかりませんでした。住所を確認してください。"),
    "accounts-not-registered": N_("公金受取口座は登録されていません。"),
    "accounts-bank-unavailable": N_(
        "金融機関に口座を確認できませんでした。時間をおいて、もう一度お試しください。"
        "登録されていた口座はそのままです。"
    ),
    "accounts-holder-not-writable": N_(
        "住民票の氏名のフリガナに、口座名義に使えない文字があります。"
        "お住まいの市区町村の窓口にご相談ください。"
    ),
    "conformance-check-not-found": N_(
        "この適合性確認の記録は見つかりませんでした。確認の一覧から開き直してください。"
        "ほかの機関が行った確認は表示できません。"
    ),
    "conformance-upload-refused": N_(
        "ファイルが大きすぎるため、画面からは確認できません（上限 512 MiB）。"
        "ファイルを分けるか、コマンド tsunagu conformance check で確認してください。"
    ),
    "conformance-requirement-set-not-found": N_(
        "この要件（データ要件・連携要件）は見つかりませんでした。要件の名前と版を確認してください。"
    ),
    "requirement-set-invalid": N_(
        "要件（データ要件・連携要件）の定義ファイルに誤りがあるため、確認できませんでした。"
        "要件の管理者にお問い合わせください。"
    ),
    "conformance-unknown-layout": N_(
        "指定した連携ファイルの形式は、この要件にありません。形式の名前と、ファイルが1つだけかを確認してください。"
    ),
    "conformance-base-url-refused": N_(
        "確認できるのは、この環境の試験用の接続先（ループバックアドレス）だけです。接続先を確認してください。"
    ),
    "conformance-api-check-failed": N_(
        "連携APIの確認を実行できませんでした。接続先が起動しているか、要件にそのAPIがあるかを確認してください。"
    ),
}


#: a title of its own where the status's title would mislead (a second 転出届 is no "conflict")
PEOPLE_TITLES = {
    "application-in-progress": N_("手続中の申請があります"),
    "move-already-planned": N_("手続中の引越しがあります"),
}


def message_id_for(exc: TsunaguError) -> str:
    """The Japanese message (a gettext id) a person reads for ``exc``."""
    return PEOPLE_MESSAGES.get(exc.code) or STATUS_MESSAGES.get(exc.status, DEFAULT_MESSAGE)


def people_message(request: Request, exc: TsunaguError) -> str:
    """The error in the person's language, with what to do next (never the developer's detail)."""
    return translate(request, message_id_for(exc))


def _staff_page(request: Request) -> bool:
    return request.url.path == "/staff" or request.url.path.startswith("/staff/")


def too_large(request: Request, limit: int, detail: str) -> Response:
    """A body larger than the deployment accepts (TSUNAGU_MAX_BODY_BYTES): a page saying what the
    limit is, or problem+json with ``limit``."""
    if not problems.wants_html(request):
        return problems.problem(
            413,
            "payload-too-large",
            "Payload too large",
            detail,
            request.url.path,
            request_id=getattr(request.state, "request_id", None),
            limit=limit,
        )
    message = translate(
        request, "送信できるデータは合計 %(mb)s MB までです。ファイルを小さくして、もう一度お試しください。"
    )
    return _page(request, 413, _title(413), message % {"mb": f"{limit / 1048576:.1f}"})


async def domain_error(request: Request, exc: TsunaguError) -> Response:
    if exc.status >= 500:
        log.error("domain_error", code=exc.code, detail=exc.detail)
    if problems.wants_html(request):
        if isinstance(exc, NotAuthenticated) and _staff_page(request):
            return RedirectResponse("/identity/staff/login", status_code=303)
        title = PEOPLE_TITLES.get(exc.code) or _title(exc.status)
        related = exc.extra.get("application_id")
        return _page(
            request,
            exc.status,
            title,
            people_message(request, exc),
            related=f"/applications/{related}" if isinstance(related, str) and related else "",
        )
    return problems.from_domain_error(request, exc)


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    response = problems.from_validation_error(request, exc)
    if problems.wants_html(request):
        return _page(
            request,
            response.status_code,
            _title(response.status_code),
            translate(request, "入力内容を確認してください。"),
        )
    return response


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 413:  # the middleware stopped a streamed body at the limit
        return too_large(request, settings_of(request).max_body_bytes, str(exc.detail))
    if problems.wants_html(request):
        detail = (
            translate(request, "お探しのページは見つかりませんでした。")
            if exc.status_code == 404
            else translate(request, STATUS_MESSAGES.get(exc.status_code, DEFAULT_MESSAGE))
        )
        return _page(request, exc.status_code, _title(exc.status_code), detail)
    return problems.from_http_error(request, exc)


# Seconds a client should wait when the database cannot be reached: long enough for a restart or
# a failover, short enough that a person retrying by hand is not turned away for long.
DATABASE_RETRY_AFTER = 5


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """The database is down, restarting, locked past the busy timeout or out of disk: a 503 with
    ``Retry-After`` (the OpenAPI document promises it on every operation), never a 500."""
    log.error("database_unavailable", error=type(exc).__name__, detail=str(exc).splitlines()[0][:200])
    unavailable = DatabaseUnavailable(
        "the database is unavailable; retry shortly", retry_after=DATABASE_RETRY_AFTER
    )
    response = await domain_error(request, unavailable)
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback, answered without one."""
    log.exception("unexpected_error", error=type(exc).__name__)
    if problems.wants_html(request):
        return _page(request, 500, _title(500), translate(request, "時間をおいて再度お試しください。"))
    return problems.problem(
        500,
        "internal-error",
        "Internal error",
        "an unexpected error occurred; it has been logged",
        request.url.path,
        request_id=getattr(request.state, "request_id", None),
    )
