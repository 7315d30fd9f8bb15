"""People's pages of business accounts (GビズID-style): the prime application, login, the prime
account's members and their procedures, password reset.

Thin: every rule is in ``service``; these pages turn its errors into messages next to the form.
The procedures a member may be granted are the catalogue's business procedures, by their Japanese
names: the web app installs ``app.state.business_procedures`` (identity sits below procedures and
cannot read the catalogue itself).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import Forbidden, NotAuthenticated, TsunaguError, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE, TRANSACTION, current_principal
from tsunagu.core.http.deps import AppSettings, SecretKey
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.redirects import safe_next
from tsunagu.core.http.templating import locale_of, render, translate
from tsunagu.core.logging import get_logger
from tsunagu.identity.business import service
from tsunagu.identity.cards import errors as card_errors
from tsunagu.identity.history import service as history
from tsunagu.identity.history.http import auth_session, client_of, end_session, set_session_cookie

router = APIRouter(prefix="/business", include_in_schema=False, dependencies=[Depends(csrf.protect)])
log = get_logger("tsunagu.identity.business")
HOME = "/business"
PRIME_ROLE = "gbizid:prime"
#: Japanese message ids for the service's error codes (the English details are for the API).
MESSAGES = {
    service.LoginFailedError.code: "ログインID、パスワードまたはワンタイムコードが正しくありません。",
    service.TotpMissingError.code: "認証アプリに表示されるワンタイムコードを入力してください。",
    "too-many-attempts": "失敗が続いたため、しばらく時間をおいてからお試しください。",
    service.LoginIdTakenError.code: "このログインIDはすでに使われています。",
    service.ResetTokenInvalidError.code: (
        "再設定のリンクが無効か、期限切れか、使用済みです。もう一度申請してください。"
    ),
}
#: Why a prime application was refused, for the representative (the service's codes)
APPLY_MESSAGES = {
    service.UnknownCorporationError.code: N_(
        "この法人番号の法人は見つかりませんでした。法人番号を確認してください。"
    ),
    service.CorporationClosedError.code: N_("この法人は閉鎖の登記がされているため、申請できません。"),
    service.PrimeExistsError.code: N_(
        "この法人にはすでにgビズIDプライムのアカウントがあります。"
        "プライムアカウントの管理者にお問い合わせください。"
    ),
    service.NoRepresentativeOnRecordError.code: N_(
        "この法人の代表者の記録がまだないため、署名した方が代表者かどうかを確認できません。"
        "登記事項証明書を添えて、事業者アカウントの窓口に代表者の登録を依頼してください。"
    ),
    service.SignerNotRepresentativeError.code: N_(
        "署名した方（%(name)s）は、この法人の代表者として記録されていません。"
        "代表者ご本人のマイナンバーカードで署名してください。"
    ),
    service.RepresentativeAddressDiffersError.code: N_(
        "署名した方の氏名は代表者と一致しましたが、マイナンバーカードの住所が、登記されている代表者の住所と"
        "一致しません。代表者の住所が変わった場合は、住所変更の登記が記録されてから申請してください。"
    ),
    service.DelegationUnreadableError.code: N_(
        "電子委任状を読み取れませんでした。代表者が署名した、この法人あての委任状のファイル"
        "（.delegation.json）をそのまま選んでください。"
    ),
    service.DelegationExpiredError.code: N_(
        "電子委任状の有効期限が過ぎています。代表者に新しい委任状への署名を依頼してください。"
    ),
    service.DelegatorNotRepresentativeError.code: N_(
        "電子委任状に署名した方は、この法人の現在の代表者として登記されていません。"
        "現在の代表者が署名した委任状を選んでください。"
    ),
    service.DelegateMismatchError.code: N_(
        "電子委任状で委任を受けた方と、申請書に署名した方が一致しません。"
        "委任を受けたご本人のマイナンバーカードで署名してください。"
    ),
    service.SignedApplicationUnreadableError.code: N_(
        "署名済みの申請書ファイルを読み取れませんでした。カードアプリが作ったファイル"
        "（.signed.json）をそのまま選んでください。"
    ),
    card_errors.SignatureInvalid.code: N_(
        "申請書の署名を確認できませんでした。この画面でダウンロードした申請書に、変更せずに署名してください。"
    ),
    card_errors.CertificateRevoked.code: N_("署名に使われた電子証明書は失効しています。"),
    card_errors.CertificateExpired.code: N_("署名に使われた電子証明書は有効期限が切れています。"),
    card_errors.CertificateWrongUsage.code: N_(
        "署名用電子証明書で署名してください。利用者証明用電子証明書では申請できません。"
    ),
    card_errors.CertificateUntrusted.code: N_("署名に使われた電子証明書を確認できませんでした。"),
    card_errors.CertificateUnknown.code: N_("署名に使われた電子証明書を確認できませんでした。"),
    service.LoginIdTakenError.code: N_("このログインIDはすでに使われています。"),
}
APPLICATION_FILE = "gbizid-prime-application.json"
MAX_SIGNED_BYTES = 64 * 1024
#: ``app.state.business_procedures``: the business procedures as (id, name ja, name en)
ProcedureChoices = Callable[[], Sequence[tuple[str, str, str]]]
FIELD_MESSAGES = {
    "login_id": "ログインIDはメールアドレスです。",
    "display_name": "氏名を入力してください。",
    "password": "パスワードは12文字以上にしてください。",
    "password_confirm": "確認のため入力したパスワードが一致しません。",
    "corporate_number": "法人番号は13桁の数字です。",
    "procedure": "代理できる手続は、一覧から選んでください。",
}


def _business(request: Request) -> sessions.Principal | None:
    principal = current_principal(request)
    return principal if principal is not None and principal.kind == "business" else None


def _to_login(request: Request) -> RedirectResponse:
    back = request.url.path if request.method == "GET" else HOME
    return RedirectResponse(f"/business/login?{urlencode({'next': back})}", status_code=303)


def _messages(request: Request, error: TsunaguError) -> list[str]:
    """The problems of ``error`` as translated sentences for the person."""
    if isinstance(error, ValidationFailed) and error.errors:
        fields = {str(e["location"][-1]) for e in error.errors if e.get("location")}
        known = [translate(request, FIELD_MESSAGES[f]) for f in sorted(fields) if f in FIELD_MESSAGES]
        if known:
            return known
    return [translate(request, MESSAGES.get(error.code, "入力内容を確認してください。"))]


# ---- gビズIDプライムの申請 ------------------------------------------------------------------------


@router.get("/apply", response_class=HTMLResponse)
def apply_page(request: Request) -> HTMLResponse:
    """Step 1: the corporation and the account; the representative signs on the next page."""
    return render(request, "identity/business/apply.html", {"form": {}})


@router.post("/apply", response_class=HTMLResponse)
def apply_details(
    request: Request,
    *,
    corporate_number: str = Form("", max_length=20),
    login_id: str = Form("", max_length=254),
    display_name: str = Form("", max_length=200),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """Step 2: what will be signed — the application to download, sign with the card and upload."""
    form = {
        "corporate_number": _digits(corporate_number),
        "login_id": login_id.strip().lower(),
        "display_name": display_name.strip(),
    }
    try:
        if not (len(form["corporate_number"]) == 13 and form["corporate_number"].isdigit()):
            raise ValidationFailed(
                "a corporate number has 13 digits",
                errors=[{"location": ["corporate_number"], "message": "13 digits"}],
            )
        corporation = service.check_application(
            db, form["corporate_number"], form["login_id"], form["display_name"]
        )
    except (
        ValidationFailed,
        service.UnknownCorporationError,
        service.CorporationClosedError,
        service.PrimeExistsError,
        service.LoginIdTakenError,
    ) as problem:
        return render(
            request,
            "identity/business/apply.html",
            {"form": form, "errors": _apply_messages(request, problem)},
            status_code=problem.status,
        )
    return _signing_page(request, form, corporation)


def _signing_page(
    request: Request, form: dict[str, str], corporation: object, status_code: int = 200, **context: object
) -> HTMLResponse:
    document = service.application_document(form["corporate_number"], form["login_id"], form["display_name"])
    return render(
        request,
        "identity/business/apply_sign.html",
        {
            "form": form,
            "corporation": corporation,
            "application_file": APPLICATION_FILE,
            "document_b64": base64.b64encode(document).decode(),
            **context,
        },
        status_code=status_code,
    )


@router.post("/apply/document")
def application_file(
    *,
    corporate_number: str = Form(..., max_length=13),
    login_id: str = Form(..., max_length=254),
    display_name: str = Form(..., max_length=200),
) -> Response:
    """The application the representative signs (canonical JSON), as a file for the card app."""
    document = service.application_document(corporate_number, login_id, display_name)
    return Response(
        document,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{APPLICATION_FILE}"'},
    )


@router.post("/apply/submit", response_model=None)
async def apply_submit(
    request: Request,
    *,
    secret_key: SecretKey,
    corporate_number: str = Form("", max_length=13),
    login_id: str = Form("", max_length=254),
    display_name: str = Form("", max_length=200),
    password: str = Form("", max_length=200),
    password_confirm: str = Form("", max_length=200),
    signed: UploadFile | None = File(None),
    delegation: UploadFile | None = File(None),
    signed_text: str = Form("", max_length=MAX_SIGNED_BYTES),
    db: Session = TRANSACTION,
) -> Response:
    """Step 3: the signed application and the new account's password; the platform checks the
    signature and that the signer is a current representative of the corporation."""
    form = {"corporate_number": corporate_number, "login_id": login_id, "display_name": display_name}
    # the file from the card app, or the text the card app on this page put into the form
    content = await signed.read(MAX_SIGNED_BYTES + 1) if signed is not None else b""
    if not content and signed_text:
        content = signed_text.encode()
    try:
        if password != password_confirm:
            raise ValidationFailed(
                "the passwords differ",
                errors=[{"location": ["password_confirm"], "message": "the passwords differ"}],
            )
        application = service.read_signed_application(content if len(content) <= MAX_SIGNED_BYTES else b"")
        if (application.corporate_number, application.login_id, application.display_name) != (
            corporate_number,
            login_id,
            display_name,
        ):
            raise service.SignedApplicationUnreadableError("the signed application is for other details")
        delegated = await delegation.read(MAX_SIGNED_BYTES + 1) if delegation is not None else b""
        delegated_by = (
            None
            if not delegated
            else service.read_signed_delegation(delegated if len(delegated) <= MAX_SIGNED_BYTES else b"")
        )
        enrolment = service.create_prime(
            db,
            secret_key,
            corporate_number=corporate_number,
            login_id=login_id,
            display_name=display_name,
            password=password,
            signature=application.signature,
            certificate_pem=application.certificate_pem,
            delegation=delegated_by,
        )
    except TsunaguError as problem:
        if problem.status >= 500:
            raise
        corporation = service.corporation_of(db, corporate_number)  # nothing was written before a refusal
        return _signing_page(
            request, form, corporation, problem.status, errors=_apply_messages(request, problem)
        )
    qr = segno.make(enrolment.provisioning_uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(
        request,
        "identity/business/enrolled.html",
        {"enrolment": enrolment, "prime": True, "qr_svg": Markup(qr)},  # noqa: S704 -- segno: SVG path data only
        status_code=201,
    )


def _digits(text: str) -> str:
    """A 法人番号 as typed: full-width digits, spaces and hyphens allowed."""
    folded = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return "".join(ch for ch in folded if ch not in " 　-ー－")


def _apply_messages(request: Request, error: TsunaguError) -> list[str]:
    if error.code in APPLY_MESSAGES:
        message = translate(request, APPLY_MESSAGES[error.code])
        if "%(name)s" in message:
            message = message % {"name": error.extra.get("signer_name", "")}
        return [message]
    return _messages(request, error)


# ---- 代表者確認記録 (staff of the platform operator) -------------------------------------------------

#: GビズID is run by the platform operator; its administrators keep the representative records
OPERATOR = "digital-agency"


def _operator_staff(request: Request) -> sessions.Principal:
    principal = current_principal(request)
    if principal is None:
        raise NotAuthenticated("log in as staff of the platform operator")
    if principal.kind != "staff" or principal.organization_code != OPERATOR or not principal.has_role("管理"):
        raise Forbidden("only administrators of the platform operator keep representative records")
    return principal


@router.get("/representatives", response_class=HTMLResponse)
def representatives_page(
    request: Request, corporate_number: str = "", db: Session = TRANSACTION
) -> HTMLResponse:
    """代表者確認記録: look a corporation up, see its current representatives, record or end one."""
    _operator_staff(request)
    return _representatives(request, db, _digits(corporate_number))


def _representatives(
    request: Request, db: Session, number: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    corporation = service.corporation_of(db, number) if len(number) == 13 and number.isdigit() else None
    registered = service.registered_representatives(db, number) if corporation else None
    return render(
        request,
        "identity/business/representatives.html",
        {
            "number": number,
            "corporation": corporation,
            "registered": registered,
            "records": service.representatives_of(db, number) if corporation and registered is None else [],
            "recorded_at": lambda r: _japan_time(r.recorded_at),
            "done": request.query_params.get("done"),
            **context,
        },
        status_code=status_code,
    )


@router.post("/representatives", response_model=None)
def record_representative(
    request: Request,
    *,
    corporate_number: str = Form("", max_length=20),
    name: str = Form("", max_length=200),
    address: str = Form("", max_length=300),
    title: str = Form("", max_length=50),
    source: str = Form("", max_length=300),
    db: Session = TRANSACTION,
) -> Response:
    staff = _operator_staff(request)
    number = _digits(corporate_number)
    try:
        service.record_representative(
            db,
            corporate_number=number,
            name=name,
            address=address,
            title=title,
            source=source,
            recorded_by=staff.subject_id,
        )
    except (ValidationFailed, service.UnknownCorporationError) as problem:
        return _representatives(
            request,
            db,
            number,
            problem.status,
            errors=_representative_messages(request, problem),
            form={"name": name, "address": address, "title": title, "source": source},
        )
    return _back_to_representatives(number, "added")


@router.post("/representatives/{representative_id}/end", response_model=None)
def end_representative(
    request: Request,
    representative_id: int,
    corporate_number: str = Form("", max_length=20),
    db: Session = TRANSACTION,
) -> Response:
    """退任: the record stays, ended; applications signed by this person are refused from now on."""
    _operator_staff(request)
    service.end_representative(db, representative_id)
    number = _digits(corporate_number)
    return _back_to_representatives(number, "ended")


def _japan_time(at: datetime) -> str:
    local = at.astimezone(clock.JST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _back_to_representatives(number: str, done: str) -> RedirectResponse:
    query = urlencode({"corporate_number": number, "done": done})
    return RedirectResponse(f"/business/representatives?{query}", status_code=303)


def _representative_messages(request: Request, error: TsunaguError) -> list[str]:
    if isinstance(error, ValidationFailed) and error.errors:
        fields = sorted({str(e["location"][-1]) for e in error.errors if e.get("location")})
        return [translate(request, REPRESENTATIVE_FIELDS[f]) for f in fields if f in REPRESENTATIVE_FIELDS]
    return _apply_messages(request, error)


REPRESENTATIVE_FIELDS = {
    "name": N_("代表者の氏名を、登記事項証明書のとおりに入力してください（200文字まで）。"),
    "address": N_("代表者の住所を、登記事項証明書のとおりに入力してください（300文字まで）。"),
    "title": N_("肩書（代表取締役など）を入力してください（50文字まで）。"),
    "source": N_("確認した書類（登記事項証明書の発行日など）を入力してください（300文字まで）。"),
}


# ---- login and logout ---------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> HTMLResponse:
    """GビズID ログイン."""
    return render(request, "identity/business/login.html", {"next": safe_next(next, HOME), "login_id": ""})


@router.post("/login", response_model=None)
def login(
    request: Request,
    *,
    secret_key: SecretKey,
    login_id: str = Form("", max_length=254),
    password: str = Form("", max_length=200),
    totp: str = Form("", max_length=10),
    next: str = Form(""),
    db: Session = Depends(auth_session, scope="function"),
) -> Response:
    try:
        principal = service.login(
            db,
            secret_key,
            login_id=login_id.strip().lower(),
            password=password,
            totp_code=totp,
            client=client_of(request),
        )
    except history.AuthenticationFailed as failed:
        return render(
            request,
            "identity/business/login.html",
            {"next": safe_next(next, HOME), "login_id": login_id, "errors": _messages(request, failed)},
            status_code=failed.status,
        )
    token = sessions.start(
        db,
        principal,
        previous_token=request.cookies.get(SESSION_COOKIE),
        data={"authenticated_at": clock.now().isoformat()},
    )
    response = RedirectResponse(safe_next(next, HOME), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, db: Session = TRANSACTION) -> RedirectResponse:
    response = RedirectResponse("/business/login", status_code=303)
    end_session(request, response, db)
    return response


# ---- the account's dashboard --------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, db: Session = TRANSACTION) -> Response:
    """プライムは所属メンバーと手続の権限を、メンバーは自分の権限を見る."""
    principal = _business(request)
    if principal is None:
        return _to_login(request)
    if service.is_sole_proprietor(principal):  # a sole proprietor's account is managed on its own page
        return RedirectResponse("/business/sole-proprietor", status_code=303)
    return _dashboard(request, db, principal)


def _dashboard(
    request: Request, db: Session, principal: sessions.Principal, status_code: int = 200, **context: object
) -> HTMLResponse:
    prime = principal.has_role(PRIME_ROLE)
    account = service.get_account(db, principal.subject_id)
    return render(
        request,
        "identity/business/dashboard.html",
        {
            "account": account,
            "prime": prime,
            "corporation": service.corporation_of(db, account.corporate_number),
            "members": service.members_of(db, principal) if prime else [],
            "procedures": _procedure_choices(request),
            "procedure_name": _procedure_namer(request),
            "updated": request.query_params.get("updated"),
            **context,
        },
        status_code=status_code,
    )


def _procedure_choices(request: Request) -> list[tuple[str, str]]:
    """(id, name in the page's language) of the procedures a member can be granted."""
    choices: ProcedureChoices | None = getattr(request.app.state, "business_procedures", None)
    english = locale_of(request) == "en"
    return [(code, en if english and en else ja) for code, ja, en in (choices() if choices else ())]


def _procedure_namer(request: Request) -> Callable[[str], str]:
    names = dict(_procedure_choices(request))
    ended = translate(request, "現在は提供されていない手続")
    return lambda code: names.get(code, ended)


def _chosen(request: Request, chosen: list[str], kept: Sequence[str] = ()) -> list[str]:
    """The procedures picked from the list (or kept from before), never a typed code."""
    offered = {code for code, _name in _procedure_choices(request)} | set(kept)
    unknown = [code for code in chosen if code not in offered]
    if unknown:
        raise ValidationFailed(
            "procedures not on the list",
            errors=[{"location": ["procedure"], "message": "choose procedures from the list"}],
        )
    return chosen


@router.post("/members", response_model=None)
def create_member(
    request: Request,
    *,
    secret_key: SecretKey,
    login_id: str = Form("", max_length=254),
    display_name: str = Form("", max_length=200),
    password: str = Form("", max_length=200),
    procedure: list[str] = Form([]),
    db: Session = TRANSACTION,
) -> Response:
    """メンバーの作成 (prime only); the TOTP seed is shown once, as text and as a QR code."""
    principal = _business(request)
    if principal is None:
        return _to_login(request)
    try:
        enrolment = service.create_member(
            db,
            secret_key,
            principal,
            login_id=login_id,
            display_name=display_name,
            password=password,
            procedures=_chosen(request, procedure),
        )
    except (ValidationFailed, service.LoginIdTakenError) as problem:
        return _dashboard(
            request,
            db,
            principal,
            problem.status,
            errors=_messages(request, problem),
            form={"login_id": login_id, "display_name": display_name, "procedures": procedure},
        )
    qr = segno.make(enrolment.provisioning_uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(
        request,
        "identity/business/enrolled.html",
        {
            "enrolment": enrolment,
            "procedure_name": _procedure_namer(request),
            "qr_svg": Markup(qr),  # noqa: S704 -- segno writes only SVG path data
        },
        status_code=201,
    )


@router.post("/members/{member_id}/procedures", response_model=None)
def set_procedures(
    request: Request, member_id: str, *, procedure: list[str] = Form([]), db: Session = TRANSACTION
) -> Response:
    """手続の権限: the checked procedures are granted, the unchecked ones revoked."""
    principal = _business(request)
    if principal is None:
        return _to_login(request)
    member = next((m for m in service.members_of(db, principal) if m.id == member_id), None)
    try:
        kept = member.procedures if member else ()
        service.grant(db, principal, member_id, _chosen(request, procedure, kept))
    except ValidationFailed as problem:
        return _dashboard(request, db, principal, problem.status, errors=_messages(request, problem))
    return RedirectResponse(f"{HOME}?updated={member_id}#member-{member_id}", status_code=303)


# ---- password reset -----------------------------------------------------------------------------


@router.get("/password-reset", response_class=HTMLResponse)
def reset_request_page(request: Request) -> HTMLResponse:
    return render(request, "identity/business/reset_request.html", {})


@router.post("/password-reset", response_class=HTMLResponse)
def reset_request(
    request: Request,
    settings: AppSettings,
    login_id: str = Form("", max_length=254),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """The same answer whether or not the account exists; the link goes to its address only."""
    token = service.request_password_reset(db, login_id.strip().lower())
    if token and settings.environment != "production":
        # No mail transport in development: the link goes to the log, never to the requester.
        log.info(
            "password_reset_link", path=f"/business/password-reset/complete?{urlencode({'token': token})}"
        )
    return render(request, "identity/business/reset_request.html", {"sent": True}, status_code=202)


@router.get("/password-reset/complete", response_class=HTMLResponse)
def reset_page(request: Request, token: str = "") -> HTMLResponse:
    return render(request, "identity/business/reset.html", {"token": token})


@router.post("/password-reset/complete", response_class=HTMLResponse)
def reset(
    request: Request,
    *,
    token: str = Form("", max_length=200),
    new_password: str = Form("", max_length=200),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    try:
        service.reset_password(db, token, new_password)
    except ValidationFailed as problem:
        return render(
            request,
            "identity/business/reset.html",
            {"token": token, "errors": _messages(request, problem)},
            status_code=problem.status,
        )
    return render(request, "identity/business/reset.html", {"done": True})
