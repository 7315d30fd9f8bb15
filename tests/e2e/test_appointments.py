"""来庁予約 on a phone: from the application to a booked visit, accessible, and without JavaScript."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.recorder import RESULTS
from tests.e2e.test_apply import _log_in, _people

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.applications import service as applications

YOKOSUKA = "142018"


def _move_in(database: Database, person: sessions.Principal, key: str) -> str:
    """A 転入予約 to 横須賀市 stored as the form would (the booking is what is tested here)."""
    procedure = catalogue.get_procedure(catalogue.registry_for(None), "tennyu-yoyaku")
    with database.session() as db:
        subject = applications.applicant_of(db, person).id
    data = {"destination_address": {"text": "神奈川県横須賀市小川町1-1"}, "phone": "090-1234-5678"}
    app, _created = applications.submit(
        database,
        applications.Submission(
            procedure, person, subject, YOKOSUKA, data, applications.Prefilled(), key, {"key": key}
        ),
    )
    return app.id


def _book_first_slot(page: Page, base_url: str, application_id: str, *, check: bool) -> None:
    page.goto(f"{base_url}/applications/{application_id}")
    page.get_by_role("link", name="来庁予約をする").click()
    assert page.locator("h1").inner_text() == "来庁予約: 転入予約"
    if check:
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    if check:
        page.screenshot(path=str(RESULTS / "appointment-days-phone.png"), full_page=True)
    page.locator(".day-link").first.click()  # first the day, then a time of that day
    assert "時間を選ぶ" in page.locator("main").inner_text()
    if check:
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        page.screenshot(path=str(RESULTS / "appointment-times-phone.png"), full_page=True)
    page.locator(".slot-button").first.click()
    main = page.locator("main").inner_text()
    assert "来庁予約を受け付けました。" in main and "令和" in main and "神奈川県横須賀市" in main
    assert "転入する方全員のマイナンバーカード" in main
    if check:
        assert_accessible(page)


def test_book_a_visit_on_a_phone(phone: Page, base_url: str, server_database: Database) -> None:
    person = sessions.Principal(kind="resident", subject_id=_people(server_database, 3)[0])
    _log_in(phone, base_url, server_database, person)
    _book_first_slot(phone, base_url, _move_in(server_database, person, "e2e-appointment-1"), check=True)
    phone.get_by_role("button", name="予約を取り消す").click()
    assert "来庁予約を取り消しました。" in phone.locator("main").inner_text()


def test_book_a_visit_without_javascript(
    phone_without_js: Page, base_url: str, server_database: Database
) -> None:
    person = sessions.Principal(kind="resident", subject_id=_people(server_database, 3)[1])
    _log_in(phone_without_js, base_url, server_database, person)
    _book_first_slot(
        phone_without_js, base_url, _move_in(server_database, person, "e2e-appointment-2"), check=False
    )
