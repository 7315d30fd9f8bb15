"""介護 on a phone: a daughter registered as her mother's proxy for the 要介護・要支援認定 opens the
form from her 代理人 page, sees her mother's registered name and address (not hers), answers what
no register knows and files it for her; the receipt is hers to follow. A procedure the grant does not
name (her mother's 転出届) is refused in words. Screenshots in tests/e2e/results."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Browser
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import CHIYODA, phone_page, shot, start_session

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.identity.proxies import service as proxies
from tsunagu.registry.residents import service as residents


def _mother_and_daughter(database: Database) -> tuple[str, str]:
    """小林 ハル (82) and her daughter 小林 恵 (54), each heading her own 世帯 in 千代田区; the
    mother registered the daughter as her proxy for the care certification until next March."""
    with database.session() as db:
        found, _total = residents.find_residents(db, CHIYODA, residents.SearchQuery(), limit=1)
        residence = residents.Residence(town_id=found[0].town_id or 0, banchi="11", go="2")
        people = [
            residents.register_move_in(
                db,
                CHIYODA,
                residents.NewResident(
                    name=PersonName("小林", given, "こばやし", kana),
                    birth_date=born,
                    sex="2",
                    individual_number=IndividualNumber(number),
                ),
                residence,
                moved_in_on=date(1990, 4, 1),
                actor="e2e",
            )
            for given, kana, born, number in (
                ("ハル", "はる", date(1944, 3, 3), "712345678905"),
                ("恵", "めぐみ", date(1972, 6, 1), "612345678900"),
            )
        ]
        mother, daughter = people[0].id, people[1].id
        proxies.register_proxy(db, mother, daughter, procedures=["kaigo-nintei"], ends_on=date(2027, 3, 31))
    return mother, daughter


def test_care_application_by_a_proxy_on_a_phone(
    browser: Browser, base_url: str, server_database: Database
) -> None:
    mother, daughter = _mother_and_daughter(server_database)
    me = phone_page(browser)
    start_session(me, base_url, server_database, sessions.Principal(kind="resident", subject_id=daughter))
    me.goto(base_url + "/identity/proxies")
    assert "あなたが代理する人" in me.locator("main").inner_text()
    me.get_by_role("link", name="小林 ハルさんの代わりに申請する", exact=False).click()
    main = me.locator("main").inner_text()
    assert "小林 ハルさんの代理人として申請します" in main
    known = me.locator("section", has_text="登録されている情報").inner_text()
    assert "小林 ハル" in known and "小林 恵" not in known  # her mother's details, not hers
    assert_accessible(me)
    assert_no_horizontal_scroll(me)
    shot(me, "care-proxy-form-phone")
    me.get_by_label("新規").check()
    me.get_by_label("自宅").check()
    me.get_by_label("主治医の氏名").fill("山田 一郎")
    me.get_by_label("医療機関名").fill("飯田橋クリニック")
    me.get_by_label("医療機関の電話番号").fill("03-3264-0000")
    me.get_by_label("訪問調査の日程調整の連絡先").fill("090-1234-5678")
    me.get_by_role("button", name="確認へ進む").click()
    review = me.locator("main").inner_text()
    assert "申請先: 東京都千代田区" in review and "小林 ハルさんの代理人として申請します" in review
    shot(me, "care-proxy-review-phone")
    me.get_by_role("button", name="この内容で送信する").click()
    status = me.locator("main").inner_text()
    assert "受付番号" in status and "要介護・要支援認定の申請" in status
    assert_accessible(me)
    shot(me, "care-proxy-submitted-phone")
    # the grant's scope is the care certification only: her mother's 転出届 is refused in words
    outside = me.goto(f"{base_url}/procedures/tenshutsu/apply?for={mother}")
    assert outside is not None and outside.status == 403
    refused = me.locator("main").inner_text()
    assert "代理" in refused and "proxy-not-authorized" not in refused and mother not in refused
    assert_accessible(me)
    shot(me, "care-proxy-outside-scope-phone")
    # the application is about the mother, made by her daughter as proxy
    with server_database.session() as db:
        (grant,) = [g for g in proxies.proxies_of(db, mother) if g.proxy_id == daughter]
    assert grant.covers("kaigo-nintei")
