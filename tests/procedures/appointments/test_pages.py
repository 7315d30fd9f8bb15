"""The person's pages: the status page offers the booking; book, change, cancel, a full slot."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_pages import hidden
from tests.procedures.appointments.conftest import SlotMaker, book, move_in

from tsunagu.core.database import Database


def _day_pages(client: TestClient, application_id: str) -> list[str]:
    """The picker's second step for each day its first step lists (days first, then times)."""
    page = client.get(f"/applications/{application_id}/appointment")
    assert page.status_code == 200, page.text
    assert not _forms(page.text), "the first step lists days, not times"
    days = dict.fromkeys(re.findall(r"/appointment\?day=(\d{4}-\d{2}-\d{2})", page.text))
    return [client.get(f"/applications/{application_id}/appointment", params={"day": d}).text for d in days]


def _press(client: TestClient, application_id: str, slot_id: str) -> object:
    page = next(p for p in _day_pages(client, application_id) if slot_id in p)
    fields = hidden(page)
    key = dict(_forms(page))[slot_id]
    return client.post(
        f"/applications/{application_id}/appointment",
        data={"csrf_token": fields["csrf_token"], "slot_id": slot_id, "idempotency_key": key},
        follow_redirects=False,
    )


def _forms(html: str) -> list[tuple[str, str]]:
    """(slot id, idempotency key) of each slot's form, in page order."""
    return re.findall(
        r'name="slot_id" value="([0-9a-f]+)">\s*<input type="hidden" name="idempotency_key" '
        r'value="([^"]+)"',
        html,
    )


def test_the_status_page_offers_the_booking_and_the_page_books(
    resident_client: TestClient, make_slot: SlotMaker, application_id: str
) -> None:
    status = resident_client.get(f"/applications/{application_id}")
    assert "来庁予約をする" in status.text and f"/applications/{application_id}/appointment" in status.text
    slot = make_slot(days=2)
    page = resident_client.get(f"/applications/{application_id}/appointment")
    assert "令和8年11月24日（火）" in page.text and "空き 1 枠" in page.text
    assert "来庁先" in page.text and "神奈川県横須賀市" in page.text
    times = _day_pages(resident_client, application_id)[0]
    assert "10:00〜10:30" in times and "残り 2 人" in times and "日を選び直す" in times
    booked = _press(resident_client, application_id, slot.id)
    assert booked.status_code == 303  # type: ignore[attr-defined]
    confirmation = resident_client.get(booked.headers["location"])  # type: ignore[attr-defined]
    text = confirmation.text
    assert "来庁予約を受け付けました。" in text and "令和8年11月24日（火） 10:00〜10:30" in text
    assert "転入する方全員のマイナンバーカード" in text
    assert "予約を取り消す" in text
    status = resident_client.get(f"/applications/{application_id}")
    assert "令和8年11月24日（火） 10:00〜10:30" in status.text and "予約の確認・変更" in status.text
    cancel = resident_client.post(
        f"/applications/{application_id}/appointment/cancel",
        data={"csrf_token": hidden(text)["csrf_token"]},
        follow_redirects=False,
    )
    assert cancel.status_code == 303
    assert "来庁予約を取り消しました。" in resident_client.get(cancel.headers["location"]).text


def test_a_slot_taken_meanwhile_is_explained_on_the_page(
    client: TestClient, database: Database, world: World, make_slot: SlotMaker, application_id: str
) -> None:
    slot = make_slot(capacity=1)
    other = world.resident().__class__(kind="resident", subject_id=world.other_resident_id)
    theirs = move_in(database, other, "move-in-other-2")
    login_as(client, database, world.resident())
    [page] = _day_pages(client, application_id)
    login_as(client, database, other)
    assert book(client, theirs, slot.id).status_code == 201  # type: ignore[attr-defined]
    login_as(client, database, world.resident())
    [(slot_id, key)] = _forms(page)
    refused = client.post(
        f"/applications/{application_id}/appointment",
        data={"csrf_token": hidden(page)["csrf_token"], "slot_id": slot_id, "idempotency_key": key},
    )
    assert refused.status_code == 409
    assert "この枠は満員になりました。別の枠を選んでください。" in refused.text
    assert "予約できる枠がありません" in refused.text
