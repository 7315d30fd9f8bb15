"""Business account pages: login (password + TOTP), the prime's members and grants, reset, logout."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from tests.identity.business.conftest import PASSWORD, enrol_prime

from tsunagu.core.database import Database
from tsunagu.core.http.redirects import safe_next
from tsunagu.core.sessions import WebSession
from tsunagu.identity.business import service

HTML = {"accept": "text/html"}
LOGIN_FAILED = "ログインID、パスワードまたはワンタイムコードが正しくありません。"


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def page_login(
    client: TestClient,
    login_id: str,
    totp_secret: str,
    *,
    password: str = PASSWORD,
    totp: str | None = None,
    next_path: str = "",
) -> Response:
    token = csrf(client, "/business/login")
    return client.post(
        "/business/login",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "login_id": login_id,
            "password": password,
            "next": next_path,
            "totp": pyotp.TOTP(totp_secret).now() if totp is None else totp,
        },
    )


BIDDING = "nyusatsu-sanka-shikaku"  # the shipped catalogue's business procedure
BIDDING_NAME = "競争入札参加資格審査申請（物品・委託）"


def create_member(client: TestClient, procedures: tuple[str, ...] = (BIDDING,)) -> Response:
    return client.post(
        "/business/members",
        headers=HTML,
        data={
            "csrf_token": csrf(client, "/business"),
            "login_id": "clerk@power.example",
            "display_name": "担当 花子",
            "password": PASSWORD,
            "procedure": list(procedures),
        },
    )


def test_the_prime_logs_in_creates_a_member_and_grants_and_revokes_procedures(
    client: TestClient, database: Database
) -> None:
    prime = enrol_prime(client)
    client.cookies.clear()
    logged_in = page_login(client, **prime)
    assert logged_in.status_code == 303 and logged_in.headers["location"] == "/business"
    with database.session() as db:
        assert all("authenticated_at" in row.data for row in db.query(WebSession))

    home = client.get("/business", headers=HTML)
    assert "つなぐ電力株式会社" in home.text, "the company by its name, not its number alone"
    assert f'<input type="checkbox" name="procedure" value="{BIDDING}"> {BIDDING_NAME}' in home.text

    created = create_member(client)
    assert created.status_code == 201
    assert "<svg" in created.text and "担当 花子" in created.text and BIDDING_NAME in created.text
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", created.text)
    assert secret, "the TOTP key is shown once"

    dashboard = client.get("/business", headers=HTML)
    assert "担当 花子" in dashboard.text and f'value="{BIDDING}" checked> {BIDDING_NAME}' in dashboard.text
    member_id = re.search(r'action="/business/members/([0-9a-f]{32})/procedures"', dashboard.text)
    assert member_id
    typed = client.post(
        f"/business/members/{member_id.group(1)}/procedures",
        headers=HTML,
        data={"csrf_token": csrf(client, "/business"), "procedure": [BIDDING, "tax-filing"]},
    )
    assert typed.status_code == 422 and "一覧から選んでください" in typed.text
    revoked = client.post(
        f"/business/members/{member_id.group(1)}/procedures",
        follow_redirects=False,
        data={"csrf_token": csrf(client, "/business")},
    )
    assert revoked.status_code == 303
    with database.session() as db:
        assert service.get_account(db, member_id.group(1)).procedures == ()
    granted = client.post(
        f"/business/members/{member_id.group(1)}/procedures",
        follow_redirects=False,
        data={"csrf_token": csrf(client, "/business"), "procedure": [BIDDING]},
    )
    assert granted.status_code == 303
    with database.session() as db:
        assert service.get_account(db, member_id.group(1)).procedures == (BIDDING,)

    client.post("/business/logout", data={"csrf_token": csrf(client, "/business")})
    client.cookies.clear()
    assert page_login(client, "clerk@power.example", secret.group(1)).status_code == 303
    own = client.get("/business", headers=HTML)
    assert BIDDING_NAME in own.text and BIDDING not in own.text and "メンバーを作成" not in own.text
    refused = create_member(client)
    assert refused.status_code == 403


def test_a_member_cannot_be_given_a_typed_procedure_code(client: TestClient) -> None:
    prime = enrol_prime(client)
    client.cookies.clear()
    page_login(client, **prime)
    refused = create_member(client, ("tax-filing",))
    assert refused.status_code == 422 and "一覧から選んでください" in refused.text


def test_wrong_password_and_unknown_account_get_the_same_page(client: TestClient) -> None:
    prime = enrol_prime(client)
    client.cookies.clear()
    wrong = page_login(client, **prime, password="not the password at all")
    unknown = page_login(client, "nobody@power.example", prime["totp_secret"])
    assert wrong.status_code == unknown.status_code == 401
    assert LOGIN_FAILED in wrong.text and LOGIN_FAILED in unknown.text
    missing = page_login(client, **prime, totp="")
    assert missing.status_code == 401 and "ワンタイムコードを入力" in missing.text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(client: TestClient, target: str) -> None:
    prime = enrol_prime(client)
    client.cookies.clear()
    assert page_login(client, **prime, next_path=target).headers["location"] == "/business"


def test_next_on_the_site_is_followed_after_login(client: TestClient) -> None:
    assert safe_next("/procedures/tax-filing?step=2", "/business") == "/procedures/tax-filing?step=2"
    prime = enrol_prime(client)
    client.cookies.clear()
    visitor = client.get("/business", follow_redirects=False)
    assert visitor.status_code == 303
    back = parse_qs(urlsplit(visitor.headers["location"]).query)["next"][0]
    assert page_login(client, **prime, next_path=back).headers["location"] == "/business"


def test_forms_need_the_csrf_token(client: TestClient) -> None:
    enrol_prime(client)
    response = client.post(
        "/business/login", data={"login_id": "ceo@power.example", "password": PASSWORD, "totp": "123456"}
    )
    assert response.status_code == 403


def test_password_reset_pages_do_not_reveal_accounts_and_work_once(
    client: TestClient, database: Database
) -> None:
    prime = enrol_prime(client)
    client.cookies.clear()
    answers = [
        client.post(
            "/business/password-reset",
            data={"csrf_token": csrf(client, "/business/password-reset"), "login_id": login_id},
        )
        for login_id in (prime["login_id"], "nobody@power.example")
    ]
    assert answers[0].status_code == answers[1].status_code == 202
    assert answers[0].text == answers[1].text

    with database.session() as db:
        token = service.request_password_reset(db, prime["login_id"])
    assert token
    form = {"csrf_token": csrf(client, f"/business/password-reset/complete?token={token}"), "token": token}
    short = client.post("/business/password-reset/complete", data={**form, "new_password": "short"})
    assert short.status_code == 422 and "12文字以上" in short.text
    reset = "/business/password-reset/complete"
    done = client.post(reset, data={**form, "new_password": "a new long passphrase"})
    assert done.status_code == 200 and "パスワードを変更しました" in done.text
    again = client.post(reset, data={**form, "new_password": "another passphrase"})
    assert again.status_code == 422 and "もう一度申請" in again.text
    assert page_login(client, **prime, password="a new long passphrase").status_code == 303


def test_pages_have_english_translations(client: TestClient) -> None:
    client.get("/lang/en?next=/business/login")
    assert "Business login" in client.get("/business/login", headers=HTML).text
