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
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tsunagu.core.http.templating import render
from tsunagu.core.settings import Settings
from tsunagu.identity.oidc import claims

STATE_COOKIE = "tsunagu_demo_rp_state"
SESSION_COOKIE = "tsunagu_demo_rp_session"
DEFAULT_SCOPES = ("openid", "profile", "birthdate", "gender", "address")
TIMEOUT = 10.0


class RelyingPartyError(Exception):
    """The provider's answer could not be trusted or used; shown to the person."""


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


@dataclass
class _Memory:
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # state → (nonce, verifier)
    sessions: dict[str, SignedIn] = field(default_factory=dict)
    discovery: dict[str, Any] = field(default_factory=dict)


def verify_id_token(id_token: str, jwks: dict[str, Any], *, issuer: str, client_id: str,
                    nonce: str) -> dict[str, Any]:
    """OIDC Core §3.1.3.7: signature by a published key, then iss, aud, nonce, exp and iat."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(jwks),  # type: ignore[arg-type]
                           algorithms=["ES256", "RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce}, exp={"essential": True},
            iat={"essential": True}, sub={"essential": True}).validate(token.claims)
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
        return render(request, "identity/oidc/demo_rp.html", {
            "attributes": claims.ATTRIBUTES, "config": self.config, **context}, status_code=status_code)

    def home(self, request: Request) -> HTMLResponse:
        return self.page(request, signed_in=self.memory.sessions.get(request.cookies.get(SESSION_COOKIE, "")))

    def login(self, request: Request) -> Response:
        """ログインボタン: PKCE, state and nonce, then off to the provider."""
        wanted = [s for s in request.query_params.getlist("scope") if s in DEFAULT_SCOPES]
        scopes = ["openid", *(s for s in wanted if s != "openid")]
        try:
            endpoint = self.metadata()["authorization_endpoint"]
        except RelyingPartyError as exc:
            return self.page(request, 400, error=str(exc))
        state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
        with self.memory.lock:
            self.memory.pending[state] = (nonce, verifier)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = urlencode({
            "response_type": "code", "client_id": self.config.client_id,
            "redirect_uri": self.config.redirect_uri, "scope": " ".join(scopes), "state": state,
            "nonce": nonce, "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256"})
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
                raise RelyingPartyError(f"{params['error']}: {params.get('error_description', '')}")
            if params.get("iss") != self.config.issuer:
                raise RelyingPartyError("the response names another issuer (RFC 9207)")
            signed_in = _finish(self.config, self.metadata(), params.get("code", ""), *pending)
        except RelyingPartyError as exc:
            return self.page(request, 400, error=str(exc))
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
                return self.page(request, 400, error=str(exc))
            target = endpoint + "?" + urlencode({
                "id_token_hint": signed_in.id_token,
                "post_logout_redirect_uri": self.config.post_logout_redirect_uri})
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


def _finish(config: ClientConfig, metadata: dict[str, Any], code: str, nonce: str,
            verifier: str) -> SignedIn:
    """Code → tokens (client_secret_basic + PKCE verifier) → verified ID token → userinfo."""
    with httpx.Client(timeout=TIMEOUT) as http:
        answer = http.post(metadata["token_endpoint"], auth=(config.client_id, config.client_secret),
                           data={"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": config.redirect_uri, "code_verifier": verifier})
        if answer.status_code != 200:
            raise RelyingPartyError(f"the token endpoint refused the code: {answer.text}")
        tokens = answer.json()
        jwks = _get_json(metadata["jwks_uri"])
        id_claims = verify_id_token(tokens["id_token"], jwks, issuer=config.issuer,
                                    client_id=config.client_id, nonce=nonce)
        info = http.get(metadata["userinfo_endpoint"],
                        headers={"authorization": f"Bearer {tokens['access_token']}"})
        if info.status_code != 200:
            raise RelyingPartyError(f"userinfo refused the access token: {info.text}")
    userinfo: dict[str, Any] = info.json()
    if userinfo.get("sub") != id_claims["sub"]:
        raise RelyingPartyError("userinfo is about another subject than the ID token (§5.3.2)")
    return SignedIn(subject=str(id_claims["sub"]), id_token=tokens["id_token"], id_claims=id_claims,
                    userinfo=userinfo)


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RelyingPartyError(f"cannot reach the provider at {url}: {exc}") from None
    document: dict[str, Any] = response.json()
    return document
