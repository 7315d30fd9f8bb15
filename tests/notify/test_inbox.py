"""お知らせ inbox: delivery, read/unread, one person never sees another's message."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.notify import service

ME, SOMEONE = Principal(kind="resident", subject_id="r-me"), Principal(kind="resident", subject_id="r-else")


def test_messages_are_listed_newest_first_and_can_be_marked_read(
    client: TestClient, database: Database
) -> None:
    with database.session() as db:
        first = service.deliver(db, ME.subject_id, sender="131016", kind="status", title="受付", body="a")
        service.deliver(
            db, ME.subject_id, sender="131016", kind="notice", title="通知", body="b", document="x.y.z"
        )
        service.deliver(db, SOMEONE.subject_id, sender="131016", kind="info", title="他人宛", body="c")
    login_as(client, database, ME)
    listed = client.get("/api/v1/notify/messages").json()
    assert [m["title"] for m in listed["items"]] == ["通知", "受付"] and listed["total"] == 2
    assert client.get("/api/v1/notify/messages", params={"unread": True}).json()["total"] == 2
    read = client.put(f"/api/v1/notify/messages/{first.id}/read", json={"read": True}).json()
    assert read["read"] is True
    assert client.get("/api/v1/notify/messages", params={"unread": True}).json()["total"] == 1


def test_someone_elses_message_is_not_found(client: TestClient, database: Database) -> None:
    with database.session() as db:
        theirs = service.deliver(db, SOMEONE.subject_id, sender="131016", kind="info", title="t", body="b")
    login_as(client, database, ME)
    response = client.get(f"/api/v1/notify/messages/{theirs.id}")
    assert response.status_code == 404 and response.json()["code"] == "notify-message-not-found"
    assert client.get(f"/inbox/{theirs.id}").status_code == 404


def test_the_inbox_pages_show_and_mark_messages(client: TestClient, database: Database) -> None:
    with database.session() as db:
        message = service.deliver(
            db,
            ME.subject_id,
            sender="131016",
            kind="notice",
            title="転出届の受理について",
            body="佐藤 花子 様\n受理しました。",
            document="a.b.c",
        )
    login_as(client, database, ME)
    page = client.get("/inbox")
    assert page.status_code == 200 and "未読" in page.text and "転出届の受理について" in page.text
    detail = client.get(f"/inbox/{message.id}")
    assert detail.status_code == 200 and "受理しました。" in detail.text and "a.b.c" in detail.text
    with database.session() as db:
        assert service.unread_count(db, ME.subject_id) == 0


def test_staff_have_no_inbox_here(client: TestClient, database: Database) -> None:
    login_as(client, database, Principal(kind="staff", subject_id="s", organization_code="131016"))
    assert client.get("/api/v1/notify/messages").status_code == 403
