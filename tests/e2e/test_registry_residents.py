"""Registry 届出 on a phone: staff register a birth and a name change (form → confirm → result),
then the person sees who read their record — every page accessible (axe) and without sideways scroll."""

from __future__ import annotations

from typing import Literal

from playwright.sync_api import Browser, Page
from tests.e2e import test_apply
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll

from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.registry.residents import service as residents

CHIYODA = test_apply.CHIYODA
_log_in, _people = test_apply._log_in, test_apply._people
REGISTRAR = sessions.Principal(
    kind="staff", subject_id="e2e-registrar", organization_code=CHIYODA, roles=frozenset({"住基"})
)
NEWBORN = {"family_name": "山田", "given_name": "陽太", "family_kana": "やまだ", "given_kana": "ようた"}


def _checked(page: Page) -> None:
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def _follow(page: Page, role: Literal["link", "button"], name: str) -> None:
    """Click a link or submit button and wait for the next page (checks must not see the old one)."""
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def _fill(page: Page, values: dict[str, str]) -> None:
    for field, value in values.items():
        page.locator(f"#{field}").fill(value)


def test_staff_register_a_birth_and_a_name_change_and_the_person_sees_the_reads(
    browser: Browser, base_url: str, server_database: Database
) -> None:
    (person_id,) = _people(server_database, 1)
    staff = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ja-JP").new_page()
    _log_in(staff, base_url, server_database, REGISTRAR)
    staff.goto(f"{base_url}/staff/registry/residents/{person_id}")
    _checked(staff)

    _follow(staff, "link", "この世帯に出生届を登録")
    _checked(staff)
    today = clock.today_jst().date().isoformat()
    _fill(staff, NEWBORN | {"birth_date": today})
    staff.locator("#sex").select_option("1")
    _follow(staff, "button", "確認する")
    assert "陽太" in staff.locator("main").inner_text()
    _checked(staff)
    _follow(staff, "button", "登録する")
    assert "登録しました: 出生" in staff.locator("h1").inner_text()
    _checked(staff)

    staff.goto(f"{base_url}/staff/registry/residents/{person_id}/name-change")
    _fill(
        staff,
        {"family_name": "高橋", "family_kana": "タカハシ", "reason": "婚姻", "effective_date": "2999-01-01"},
    )
    _follow(staff, "button", "確認する")
    assert staff.locator("#effective_date-error").is_visible()  # a date in the future, next to its field
    _checked(staff)
    staff.locator("#effective_date").fill(today)
    _follow(staff, "button", "確認する")
    _follow(staff, "button", "登録する")
    assert "登録しました: 氏名変更" in staff.locator("h1").inner_text()
    assert "婚姻" in staff.locator("main").inner_text()
    staff.context.close()
    with server_database.session() as db:
        assert residents.require_resident(db, person_id).name.family == "高橋"

    person = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ja-JP").new_page()
    _log_in(person, base_url, server_database, sessions.Principal(kind="resident", subject_id=person_id))
    person.goto(f"{base_url}/identity/history")
    _follow(person, "link", "わたしの住民票を見た記録")
    main = person.locator("main").inner_text()
    assert "住民記録の担当職員" in main and "e2e-registrar" not in main and "氏名変更" in main
    _checked(person)
    _follow(person, "button", "番号を表示")
    _checked(person)
    person.context.close()
