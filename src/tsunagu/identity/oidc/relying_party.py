"""A small relying party for trying the provider in a browser (``tsunagu oidc demo-rp``).

It is an ordinary OpenID Connect client that knows the provider only through HTTP: discovery,
the authorization code flow with PKCE, ID-token verification against the published JWKS,
and userinfo. Its state lives in memory (one demo process, one person at a keyboard).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tsunagu.core.clock import JST
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render
from tsunagu.core.logging import get_logger
from tsunagu.core.settings import Settings
from tsunagu.identity.oidc import claims

STATE_COOKIE = "tsunagu_demo_rp_state"
SESSION_COOKIE = "tsunagu_demo_rp_session"
DEFAULT_SCOPES = ("openid", "profile", "birthdate", "gender", "address")
TIMEOUT = 10.0
log = get_logger("tsunagu.oidc.demo_rp")


#: What the person reads for an error the provider sent back (RFC 6749 §4.1.2.1 codes).
ERROR_MESSAGES = {
    "access_denied": N_("情報の提供に同意しなかったため、ログインは取り消されました。"),
    "login_required": N_("つなぐにログインしていないため、ログインできませんでした。"),
}
UNTRUSTED_ANSWER = N_(
    "つなぐからの応答を確認できなかったため、ログインできませんでした。もう一度お試しください。"
)
UNREACHABLE = N_("つなぐに接続できませんでした。しばらくしてからもう一度お試しください。")
#: Japanese labels of the claims the page shows (the claim names stay in the developer details).
CLAIM_LABELS = (
    ("name", N_("氏名")),
    ("name#ja-Kana-JP", N_("氏名（カナ）")),
    ("birthdate", N_("生年月日")),
    ("gender", N_("性別")),
    ("address", N_("住所")),
)
GENDER_LABELS = {
    "male": N_("男"),
    "female": N_("女"),
    "not applicable": N_("適用不能"),
    "unknown": N_("不明"),
}


class RelyingPartyError(Exception):
    """The provider's answer could not be trusted or used; the English detail goes to the log and
    the person reads ``message`` (a Japanese gettext id)."""

    def __init__(self, detail: str, message: str = UNTRUSTED_ANSWER) -> None:
        super().__init__(detail)
        self.message = message


@dataclass(frozen=True)
class ClientConfig:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    post_logout_redirect_uri: str


@dataclass(frozen=True)
class SignedIn:
    subject: str
    id_token: str
    id_claims: dict[str, Any]
    userinfo: dict[str, Any]

    def shown(self) -> list[tuple[str, str]]:
        """(Japanese label, value) of the attributes received, as a person reads them."""
        rows = []
        for claim, label in CLAIM_LABELS:
            value = self.userinfo.get(claim)
            if value is None:
                continue
            if claim == "birthdate":
                born = date.fromisoformat(str(value))
                value = f"{born.year}年{born.month}月{born.day}日"
            elif claim == "gender":
                value = GENDER_LABELS.get(str(value), str(value))
            elif claim == "address" and isinstance(value, dict):
                postal = value.get("postal_code")
                value = (f"〒{postal} " if postal else "") + str(value.get("formatted", ""))
            rows.append((label, str(value)))
        return rows

    def times(self) -> list[tuple[str, str]]:
        """When the resident logged in and until when the ID token is valid, in Japan time."""
        rows = []
        for claim, label in (("auth_time", N_("ログインした日時")), ("exp", N_("IDトークンの有効期限"))):
            if isinstance(self.id_claims.get(claim), int):
                at = datetime.fromtimestamp(self.id_claims[claim], JST)
                rows.append((label, f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"))
        return rows


@dataclass
class _Memory:
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # state → (nonce, verifier)
    sessions: dict[str, SignedIn] = field(default_factory=dict)
    discovery: dict[str, Any] = field(default_factory=dict)


def verify_id_token(
    id_token: str, jwks: dict[str, Any], *, issuer: str, client_id: str, nonce: str
) -> dict[str, Any]:
    """OIDC Core §3.1.3.7: signature by a published key, then iss, aud, nonce, exp and iat."""
    try:
        token = jwt.decode(
            id_token,
            KeySet.import_key_set(jwks),  # type: ignore[arg-type]
            algorithms=["ES256", "RS256"],
        )
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise RelyingPartyError(f"the ID token is not valid: {exc}") from None
    return dict(token.claims)


def create_app(config: ClientConfig, settings: Settings) -> FastAPI:
    """The relying party's web app (its own cookies, so it can share 127.0.0.1 with the provider)."""
    app = FastAPI(title="Tsunagu demo relying party", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.secret_key = settings.resolved_secret_key()
    party = _RelyingParty(config)
    app.get("/", response_class=HTMLResponse)(party.home)
    app.get("/login")(party.login)
    app.get("/callback")(party.callback)
    app.get("/logout")(party.logout)
    return app


class _RelyingParty:
    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.memory = _Memory()

    def metadata(self) -> dict[str, Any]:
        if not self.memory.discovery:
            self.memory.discovery.update(_get_json(f"{self.config.issuer}/.well-known/openid-configuration"))
        return self.memory.discovery

    def page(self, request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
        return render(
            request,
            "identity/oidc/demo_rp.html",
            {"attributes": claims.ATTRIBUTES, "config": self.config, **context},
            status_code=status_code,
        )

    def failed(self, request: Request, error: RelyingPartyError) -> HTMLResponse:
        log.warning("demo_rp_login_failed", detail=str(error))
        expected = error.message in ERROR_MESSAGES.values()  # the person's own choice, not a fault
        return self.page(request, 400, error=error.message, detail=None if expected else str(error))

    def home(self, request: Request) -> HTMLResponse:
        return self.page(request, signed_in=self.memory.sessions.get(request.cookies.get(SESSION_COOKIE, "")))

    def login(self, request: Request) -> Response:
        """ログインボタン: PKCE, state and nonce, then off to the provider."""
        wanted = [s for s in request.query_params.getlist("scope") if s in DEFAULT_SCOPES]
        scopes = ["openid", *(s for s in wanted if s != "openid")]
        try:
            endpoint = self.metadata()["authorization_endpoint"]
        except RelyingPartyError as exc:
            return self.failed(request, exc)
        state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
        with self.memory.lock:
            self.memory.pending[state] = (nonce, verifier)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_uri,
                "scope": " ".join(scopes),
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            }
        )
        response = RedirectResponse(f"{endpoint}?{query}", status_code=303)
        response.set_cookie(STATE_COOKIE, state, httponly=True, samesite="lax", path="/")
        return response

    def callback(self, request: Request) -> Response:
        """The provider's answer: only for a login this browser started (state cookie)."""
        params = request.query_params
        state = params.get("state", "")
        with self.memory.lock:
            pending = self.memory.pending.pop(state, None)
        try:
            if pending is None or request.cookies.get(STATE_COOKIE) != state:
                raise RelyingPartyError("the state does not match a login started in this browser")
            if "error" in params:
                raise RelyingPartyError(
                    f"{params['error']}: {params.get('error_description', '')}",
                    ERROR_MESSAGES.get(params["error"], UNTRUSTED_ANSWER),
                )
            if params.get("iss") != self.config.issuer:
                raise RelyingPartyError("the response names another issuer (RFC 9207)")
            signed_in = _finish(self.config, self.metadata(), params.get("code", ""), *pending)
        except RelyingPartyError as exc:
            return self.failed(request, exc)
        session = secrets.token_urlsafe(24)
        with self.memory.lock:
            self.memory.sessions[session] = signed_in
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax", path="/")
        response.delete_cookie(STATE_COOKIE, path="/")
        return response

    def logout(self, request: Request) -> Response:
        """RP-initiated logout: forget the local session, then ask the provider to end its own."""
        with self.memory.lock:
            signed_in = self.memory.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        target = "/"
        if signed_in is not None:
            try:
                endpoint = self.metadata()["end_session_endpoint"]
            except RelyingPartyError as exc:
                return self.failed(request, exc)
            target = (
                endpoint
                + "?"
                + urlencode(
                    {
                        "id_token_hint": signed_in.id_token,
                        "post_logout_redirect_uri": self.config.post_logout_redirect_uri,
                    }
                )
            )
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


def _finish(config: ClientConfig, metadata: dict[str, Any], code: str, nonce: str, verifier: str) -> SignedIn:
    """Code → tokens (client_secret_basic + PKCE verifier) → verified ID token → userinfo."""
    with httpx.Client(timeout=TIMEOUT) as http:
        answer = http.post(
            metadata["token_endpoint"],
            auth=(config.client_id, config.client_secret),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": config.redirect_uri,
                "code_verifier": verifier,
            },
        )
        if answer.status_code != 200:
            raise RelyingPartyError(f"the token endpoint refused the code: {answer.text}")
        tokens = answer.json()
        jwks = _get_json(metadata["jwks_uri"])
        id_claims = verify_id_token(
            tokens["id_token"], jwks, issuer=config.issuer, client_id=config.client_id, nonce=nonce
        )
        info = http.get(
            metadata["userinfo_endpoint"], headers={"authorization": f"Bearer {tokens['access_token']}"}
        )
        if info.status_code != 200:
            raise RelyingPartyError(f"userinfo refused the access token: {info.text}")
    userinfo: dict[str, Any] = info.json()
    if userinfo.get("sub") != id_claims["sub"]:
        raise RelyingPartyError("userinfo is about another subject than the ID token (§5.3.2)")
    return SignedIn(
        subject=str(id_claims["sub"]), id_token=tokens["id_token"], id_claims=id_claims, userinfo=userinfo
    )


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RelyingPartyError(f"cannot reach the provider at {url}: {exc}", UNREACHABLE) from None
    document: dict[str, Any] = response.json()
    return document
