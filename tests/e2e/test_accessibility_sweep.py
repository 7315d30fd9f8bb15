"""Every page reachable from the demo, as the kind of user who reaches it, in Japanese and English:
no WCAG 2.1 A/AA violation axe-core can detect and no sideways scrolling on a phone."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote

from playwright.sync_api import Browser, Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import CHIYODA, phone_page, resident_of, start_session

from tsunagu.core import sessions
from tsunagu.core.database import Database

PUBLIC = [
    "/",
    "/procedures",
    "/procedures?q=てんしゅつ",
    "/procedures?life_event=moving",
    "/procedures/tenshutsu",
    "/procedures/tennyu-yoyaku",
    "/procedures/juminhyo-utsushi",
    "/procedures/jido-teate-nintei",
    "/procedures/nyusatsu-sanka-shikaku",
    "/identity/login",
    "/identity/staff/login",
    "/identity/card-app",
    "/identity/cards/demo",
    "/business/login",
    "/notices/verify",
    "/staff",
    "/catalog",
    "/catalog?q=ジュウショ",
    "/catalog?publisher=digital-agency&format=CSV",
    "/catalog/addresses",
    "/catalog/residents",
]
PUBLIC_ERRORS = {
    "/no-such-page": 404,
    "/moving": 401,
    "/inbox": 401,
    "/procedures/no-such-procedure": 404,
    "/catalog/no-such-data": 404,
}
RESIDENT = [
    "/mypage",
    "/moving",
    "/procedures/tenshutsu/apply",
    "/procedures/juminhyo-utsushi/apply",
    "/procedures/tennyu-yoyaku/apply",
    "/applications",
    "/inbox",
    "/mesh/history",
    "/mesh/consents",
    "/identity/history",
    "/identity/proxies",
    "/oidc/consents",
]
# someone else's application and one that does not exist answer alike (no probing of ids)
RESIDENT_ERRORS = {"/staff/applications": 403, "/applications/no-such-application": 403}
STAFF = [
    "/staff",
    "/staff/applications",
    "/staff/applications?status=submitted",
    "/staff/procedures",
    "/staff/appointments",
    "/staff/registry/residents",
    "/registry/corporations",
    "/registry/addresses",
    "/mesh/query",
]
OPERATOR = ["/mesh/directory"]
ENGLISH = [
    "/",
    "/procedures",
    "/procedures/tenshutsu",
    "/identity/login",
    "/catalog",
    "/catalog/addresses",
    "/no-such-page",
]
ENGLISH_RESIDENT = [
    "/mypage",
    "/moving",
    "/procedures/tenshutsu/apply",
    "/inbox",
    "/mesh/history",
    "/applications",
]


def _sweep(page: Page, base_url: str, paths: list[str], status: int = 200) -> None:
    for path in paths:
        response = page.goto(base_url + path)
        assert response is not None and response.status == status, (path, response and response.status)
        assert page.locator("h1").count() == 1, path
        assert_no_horizontal_scroll(page)
        assert_accessible(page)


def _sweep_errors(page: Page, base_url: str, errors: dict[str, int]) -> None:
    for path, status in errors.items():
        _sweep(page, base_url, [path], status)


def _first_link(page: Page, base_url: str, listing: str, pattern: str) -> str:
    page.goto(base_url + listing)
    for href in page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        if href and re.fullmatch(pattern, href.split("?")[0]):
            return str(href)
    raise AssertionError(f"no link like {pattern} on {listing}")


def _as(browser: Browser, base_url: str, database: Database, principal: sessions.Principal | None) -> Page:
    page = phone_page(browser)
    if principal is not None:
        start_session(page, base_url, database, principal)
    return page


def test_public_pages_and_error_pages(browser: Browser, base_url: str, server_database: Database) -> None:
    page = _as(browser, base_url, server_database, None)
    _sweep(page, base_url, PUBLIC)
    _sweep_errors(page, base_url, PUBLIC_ERRORS)
    page.context.close()


def test_resident_pages(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    resident = sessions.Principal(kind="resident", subject_id=resident_of(server_env, CHIYODA, 3))
    page = _as(browser, base_url, server_database, resident)
    _sweep(page, base_url, RESIDENT)
    _sweep_errors(page, base_url, RESIDENT_ERRORS)
    page.context.close()


def test_staff_pages(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    clerk = sessions.Principal(
        kind="staff",
        subject_id="e2e-sweep-staff",
        organization_code=CHIYODA,
        roles=frozenset({"閲覧", "審査", "決裁", "住基", "管理"}),
    )
    page = _as(browser, base_url, server_database, clerk)
    _sweep(page, base_url, STAFF)
    database = server_env["TSUNAGU_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        kana = connection.execute(
            "SELECT family_kana FROM residents_people WHERE municipality_code = ? ORDER BY id LIMIT 1",
            (CHIYODA,),
        ).fetchone()[0]
    search = f"/staff/registry/residents?kana={quote(kana)}"
    _sweep(
        page,
        base_url,
        [
            search,
            _first_link(page, base_url, search, r"/staff/registry/residents/[0-9a-f]{32}"),
            _first_link(
                page, base_url, "/registry/corporations?name=株式会社", r"/registry/corporations/\d{13}"
            ),
        ],
    )
    operator = sessions.Principal(
        kind="staff",
        subject_id="e2e-sweep-operator",
        organization_code="digital-agency",
        roles=frozenset({"閲覧", "管理"}),
    )
    operator_page = _as(browser, base_url, server_database, operator)
    _sweep(operator_page, base_url, OPERATOR)
    operator_page.context.close()
    page.context.close()


def test_pages_in_english(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    resident = sessions.Principal(kind="resident", subject_id=resident_of(server_env, CHIYODA, 3))
    page = _as(browser, base_url, server_database, resident)
    page.goto(base_url + "/lang/en?next=/")
    assert page.locator("html").get_attribute("lang") == "en"
    _sweep(page, base_url, [p for p in ENGLISH if p != "/no-such-page"] + ENGLISH_RESIDENT)
    _sweep_errors(page, base_url, {"/no-such-page": 404})
    page.context.close()
