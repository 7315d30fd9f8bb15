"""マイページ, the header menu and logout: where a resident lands, what the menu offers each kind of
user, and that logging out ends the session on the server."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.identity.organizations import service as organizations
from tsunagu.notify import service as notify

HTML = {"accept": "text/html"}
RESIDENT = sessions.Principal(kind="resident", subject_id="r-mypage", display_name="佐藤 花子")
CLERK = sessions.Principal(
    kind="staff",
    subject_id="s-mypage",
    display_name="千代田 受付",
    organization_code="131016",
    roles=frozenset({"審査"}),
)


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]


def test_the_resident_home_counts_unread_messages_and_names_their_sender(
    client: TestClient, database: Database
) -> None:
    with database.session() as db:
        organizations.seed_demo_organizations(db)
        for title in ("住民票の写しの交付", "転出届の受理について"):
            notify.deliver(db, RESIDENT.subject_id, sender="131016", kind="notice", title=title, body="本文")
    login_as(client, database, RESIDENT)
    page = client.get("/mypage", headers=HTML)
    assert page.status_code == 200
    sections = ("お知らせ", "申請状況", "やりとり履歴", "わたしの情報", "代理人", "同意の管理", "ログアウト")
    for section in sections:
        assert section in page.text, section
    assert "未読 2 件" in page.text and "転出届の受理について" in page.text
    assert "東京都千代田区" in page.text and "131016" not in page.text.split("<main", 1)[1]
    header = client.get("/procedures", headers=HTML).text.split("<main", 1)[0]
    assert '<span class="badge">2<span class="visually-hidden">件の未読</span>' in header


def test_the_home_needs_a_resident(client: TestClient, database: Database) -> None:
    assert client.get("/mypage", headers=HTML).status_code == 401
    login_as(client, database, CLERK)
    assert client.get("/mypage", headers=HTML).status_code == 403


def test_the_menu_follows_who_is_logged_in(client: TestClient, database: Database) -> None:
    assert 'action="/logout"' not in client.get("/", headers=HTML).text
    login_as(client, database, RESIDENT)
    resident_page = client.get("/", headers=HTML).text
    assert 'href="/mypage"' in resident_page and 'action="/logout"' in resident_page
    assert 'href="/staff/applications"' not in resident_page
    with database.session() as db:
        organizations.seed_demo_organizations(db)
    login_as(client, database, CLERK)
    staff_page = client.get("/staff", headers=HTML).text
    assert "千代田 受付（東京都千代田区）" in staff_page and 'href="/staff/applications"' in staff_page
    # a clerk without 閲覧/住基 is not offered the resident registry, nor the directory console
    assert 'href="/staff/registry/residents"' not in staff_page and 'href="/mesh/directory"' not in staff_page


def test_logout_ends_the_session_on_the_server(client: TestClient, database: Database) -> None:
    login_as(client, database, RESIDENT)
    token = _csrf(client.get("/mypage", headers=HTML).text)
    session_cookie = dict(client.cookies)
    done = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/?logged_out=1"
    assert "ログアウトしました。" in client.get(done.headers["location"], headers=HTML).text
    client.cookies.update(session_cookie)  # the old cookie, replayed, opens nothing
    assert client.get("/mypage", headers=HTML).status_code == 401


def test_logout_needs_the_form_token(client: TestClient, database: Database) -> None:
    login_as(client, database, RESIDENT)
    del client.headers["x-csrf-token"]  # a form without its token
    assert client.post("/logout", headers=HTML).status_code == 403
    assert client.get("/mypage", headers=HTML).status_code == 200
