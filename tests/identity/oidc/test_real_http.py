"""The provider as its own uvicorn process, used over real HTTP by a relying party.

The server gets its own migrated SQLite file with a registered resident, a card issued by the
platform CA and a session started by the real card login (challenge signed by the card).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from tests.registry.residents.conftest import CHIYODA, insert_towns, person

from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.identity.cards import ca
from tsunagu.identity.cards import service as cards
from tsunagu.identity.oidc import demo, service
from tsunagu.registry.residents import service as residents

pytestmark = pytest.mark.multiprocess

SECRET = "oidc-http-test-secret-not-for-production"
REDIRECT = "http://127.0.0.1:9/callback"  # registered, never contacted: the test reads the Location
AUTH_PIN, SIGN_PIN = "1234", "SIGN2026"


@dataclass(frozen=True)
class Server:
    issuer: str
    data_dir: Path
    environment: dict[str, str]
    session_token: str
    logged_in_at: int
    client: service.RegisteredClient


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(command: list[str], environment: dict[str, str], url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command} exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{command} did not start: {log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _card_login(database: Database, authority: ca.CertificateAuthority, resident_id: str) -> str:
    """The resident logs in with a virtual My Number Card; returns the session token."""
    binding = secrets.token_urlsafe(16)
    with database.session() as db:
        card = cards.issue_card(db, authority, resident_id, AUTH_PIN, SIGN_PIN, kdf_iterations=1_000).file
        challenge = cards.new_challenge(db, binding)
        cards.answer_challenge(
            db,
            challenge.id,
            challenge.nonce,
            card.certificate_pem("authentication"),
            card.sign_raw("authentication", AUTH_PIN, challenge.nonce.encode()),
        )
        _principal, token = cards.complete_login(db, challenge.id, binding)
    return token


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("oidc-http")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "TSUNAGU_ENVIRONMENT": "test",
        "TSUNAGU_SECRET_KEY": SECRET,
        "TSUNAGU_DATA_DIR": str(workdir),
        "TSUNAGU_BASE_URL": issuer,
        "TSUNAGU_LOG_LEVEL": "warning",
        "TSUNAGU_DATABASE_URL": f"sqlite:///{workdir / 'provider.db'}",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TSUNAGU_SECRET_KEY", SECRET)  # the registry's 個人番号 keys derive from it
        get_settings.cache_clear()
        database = Database(environment["TSUNAGU_DATABASE_URL"], secret_key=SECRET)
        migrations.upgrade(database.engine)
        insert_towns(database)
        authority = ca.init_ca(workdir)
        with database.session() as db:
            cards.install_ca(db, authority)
            resident_id = residents.register_move_in(
                db,
                CHIYODA,
                person(),
                residents.Residence(1001, "3", "5"),
                moved_in_on=date(2020, 4, 1),
                actor="test",
            ).id
            registered = service.register_client(
                db, SECRET, name="つなぐ電力", organization_code="tsunagu-power", redirect_uris=[REDIRECT]
            )
        logged_in_at = int(time.time())
        token = _card_login(database, authority, resident_id)
        database.dispose()
    get_settings.cache_clear()
    process = _start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tsunagu.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        environment,
        f"{issuer}/healthz",
        workdir / "provider.log",
    )
    try:
        yield Server(issuer, workdir, environment, token, logged_in_at, registered)
    finally:
        _stop(process)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _consent(browser: httpx.Client, authorize_url: str) -> str:
    """Open the consent screen and approve it with its CSRF token; returns the redirect target."""
    page = browser.get(authorize_url, headers={"accept": "text/html"})
    assert page.status_code == 200, page.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    assert form.get("csrf_token"), "the consent form carries a CSRF token"
    answer = browser.post(page.url.copy_with(query=None), data={**form, "decision": "approve"})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_authorize_consent_code_exchange_id_token_and_userinfo_over_http(server: Server) -> None:
    verifier, challenge = _pkce()
    nonce, state = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    client_id = server.client.client.client_id
    with httpx.Client(base_url=server.issuer, timeout=10) as browser:
        browser.cookies.set("tsunagu_session", server.session_token)
        metadata = browser.get("/.well-known/openid-configuration").json()
        assert metadata["issuer"] == server.issuer
        target = _consent(
            browser,
            metadata["authorization_endpoint"]
            + "?"
            + urlencode(
                {
                    "response_type": "code",
                    "client_id": client_id,
                    "redirect_uri": REDIRECT,
                    "scope": "openid profile",
                    "state": state,
                    "nonce": nonce,
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }
            ),
        )

    assert target.startswith(REDIRECT + "?")
    answer = parse_qs(urlsplit(target).query)
    assert answer["state"] == [state] and answer["iss"] == [server.issuer]
    with httpx.Client(timeout=10) as relying_party:  # a different party: no browser cookies
        exchange = {
            "grant_type": "authorization_code",
            "code": answer["code"][0],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        }
        auth = (client_id, server.client.client_secret)
        tokens = relying_party.post(metadata["token_endpoint"], data=exchange, auth=auth)
        assert tokens.status_code == 200, tokens.text
        assert tokens.headers["cache-control"] == "no-store"
        replay = relying_party.post(metadata["token_endpoint"], data=exchange, auth=auth)
        assert replay.status_code == 400 and replay.json()["code"] == "oidc-code-reused"

        key_set = KeySet.import_key_set(relying_party.get(metadata["jwks_uri"]).json())
        id_token = jwt.decode(tokens.json()["id_token"], key_set, algorithms=["ES256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": server.issuer},
            aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
            auth_time={"essential": True},
        ).validate(id_token.claims)
        assert id_token.claims["exp"] > time.time()
        assert server.logged_in_at <= id_token.claims["auth_time"] <= id_token.claims["iat"]

        # The replayed code revoked the tokens it had obtained (RFC 6749 §4.1.2).
        userinfo = relying_party.get(
            metadata["userinfo_endpoint"],
            headers={"authorization": f"Bearer {tokens.json()['access_token']}"},
        )
        assert userinfo.status_code == 401


def test_userinfo_releases_the_consented_name_under_the_pairwise_subject(server: Server) -> None:
    verifier, challenge = _pkce()
    client_id = server.client.client.client_id
    with httpx.Client(base_url=server.issuer, timeout=10) as browser:
        browser.cookies.set("tsunagu_session", server.session_token)
        target = _consent(
            browser,
            "/oidc/authorize?"
            + urlencode(
                {
                    "response_type": "code",
                    "client_id": client_id,
                    "redirect_uri": REDIRECT,
                    "scope": "openid profile",
                    "nonce": "n",
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }
            ),
        )
    code = parse_qs(urlsplit(target).query)["code"][0]
    with httpx.Client(base_url=server.issuer, timeout=10) as relying_party:
        tokens = relying_party.post(
            "/oidc/token",
            auth=(client_id, server.client.client_secret),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
            },
        ).json()
        claims = relying_party.get(
            "/oidc/userinfo", headers={"authorization": f"Bearer {tokens['access_token']}"}
        ).json()
    id_claims = jwt.decode(
        tokens["id_token"],
        KeySet.import_key_set(httpx.get(f"{server.issuer}/oidc/jwks", timeout=10).json()),
        algorithms=["ES256"],
    ).claims
    assert claims["sub"] == id_claims["sub"]
    assert (claims["family_name"], claims["given_name"]) == ("佐藤", "花子")
    assert "birthdate" not in claims and "address" not in claims  # not consented


def test_the_demo_relying_party_logs_a_resident_in_through_the_browser_flow(server: Server) -> None:
    port = _free_port()
    rp = f"http://127.0.0.1:{port}"
    process = _start(
        [sys.executable, "-m", "tsunagu.cli.main", "oidc", "demo-rp", "--port", str(port)],
        server.environment,
        rp,
        server.data_dir / "demo-rp.log",
    )
    try:
        with httpx.Client(timeout=10) as browser:
            browser.cookies.set("tsunagu_session", server.session_token)
            to_provider = browser.get(f"{rp}/login", params={"scope": ["profile", "birthdate"]})
            assert to_provider.status_code == 303
            assert to_provider.headers["location"].startswith(f"{server.issuer}/oidc/authorize?")
            back = _consent(browser, to_provider.headers["location"])
            assert back.startswith(demo.redirect_uri(port) + "?")
            signed_in = browser.get(back, follow_redirects=True)
    finally:
        _stop(process)
    assert signed_in.status_code == 200, signed_in.text
    assert "佐藤" in signed_in.text and "1990-04-01" in signed_in.text
    assert "address" not in signed_in.text  # not requested, so not released
