"""The whole demo on a phone: a resident finds the moving one-stop from the top page, logs in with
the virtual card (the mobile card page and the PIN), moves from 千代田区 to 横須賀市 with consent to
tell つなぐ電力, and submits; staff of both municipalities log in (password + TOTP) and approve;
the resident reads and verifies the signed notices in お知らせ and sees the exchanges in やりとり履歴.

Every tap and typed character of the resident is recorded (``tests/e2e/recorder.py``) into
``tests/e2e/results/moving_onestop_actions.json`` for ``benchmarks/procedures_keystrokes.py``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import (
    AUTH_PIN,
    CHIYODA,
    YOKOSUKA,
    issue_card,
    log_in_as_staff,
    phone_page,
    staff_account,
    start_session,
)
from tests.e2e.recorder import RESULTS, Recorder
from tests.plumbing import find_plumbing

from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.procedures.onestop.service import CONSENT_STATUS_NAMES

DESTINATION = "神奈川県横須賀市小川町11"
PHONE_NUMBER = "090-1234-5678"
MAX_TYPED_FIELDS = 3  # issue #6: a resident whose data are in the registries types at most 3 fields
TODAY = clock.today_jst().date()


@dataclass(frozen=True)
class Receipts:
    moving_out: str
    moving_in: str


def _check(page: Page, heading: str) -> None:
    assert page.locator("h1").inner_text() == heading, page.url
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    _no_plumbing(page)


def _no_plumbing(page: Page) -> None:
    """No code, slug, hex id, enum, UTC or English sentence in what the person reads."""
    assert find_plumbing(page.evaluate("document.body.innerText")) == [], page.url


def _find_the_one_stop(rec: Recorder) -> None:
    page = rec.page
    _check(page, "手続を、一度で、スマートフォンから。")
    rec.tap(page.get_by_role("link", name="引越し", exact=True))
    _check(page, "手続をさがす")
    rec.tap(page.get_by_role("link", name="転出届", exact=True))
    _check(page, "転出届")
    rec.tap(page.get_by_role("link", name="転出・転入・電気などの手続をまとめて行う（引越しワンストップ）"))
    _check(page, "ログインが必要です")


def _log_in_with_the_card(rec: Recorder, card: Path) -> None:
    """The login page → 'open the card app on this phone' → card and PIN → back → continue."""
    page = rec.in_phase("login").page
    rec.tap(page.get_by_role("link", name="マイナンバーカードでログイン"))
    _check(page, "ログイン")
    rec.tap(page.get_by_text("QRコードを読み取れない場合"))
    rec.tap(page.get_by_role("link", name="この端末のカードアプリで開く"))
    _check(page, "カードアプリ")
    rec.upload(page.locator("#card-file"), card)
    page.locator("#card-status", has_text="読み込み済み").wait_for()
    rec.type(page.get_by_label("利用者証明用暗証番号（数字4桁）"), AUTH_PIN, name="pin")
    rec.tap(page.get_by_role("button", name="カードで署名して送信"))
    page.locator("#card-result", has_text="送信しました").wait_for(timeout=20_000)
    rec.back()
    rec.tap(page.get_by_role("button", name="ログインを続ける"))
    _check(page, "引越しワンストップ")


def _fill_the_move(rec: Recorder, moving: date, visit: date) -> None:
    page = rec.page
    rec.type(page.get_by_label("転出先の住所"), DESTINATION, name="destination_address")
    rec.pick_date(page.get_by_label("引越し予定日"), moving.isoformat())
    rec.pick_date(page.get_by_label("転入先への来庁希望日"), visit.isoformat())
    rec.type(page.get_by_label("日中の連絡先電話番号"), PHONE_NUMBER, name="phone")


def _refused_dates(page: Page) -> None:
    """A date long past is refused at its field, with what was typed kept; nothing is filed."""
    page.get_by_label("転出先の住所").fill(DESTINATION)
    page.get_by_label("引越し予定日").fill((TODAY - timedelta(days=40)).isoformat())
    page.get_by_role("button", name="入力内容を確認する").click()
    _check(page, "引越しワンストップ")
    assert "までの日付を入力してください" in page.locator("#e-moving_date").inner_text()
    assert page.get_by_label("転出先の住所").input_value() == DESTINATION
    # typed as a person in Japan types a date: 年, →, 月, →, 日 (the field reads yyyy/mm/dd as in a
    # Japanese browser; in en-US order the same keys made 0005-02-02)
    field = page.get_by_label("引越し予定日")
    field.focus()
    for part in (f"{TODAY:%Y}", f"{TODAY:%m}", f"{TODAY:%d}"):
        field.press_sequentially(part)
        field.press("ArrowRight")
    assert field.input_value() == TODAY.isoformat()


def _move(rec: Recorder, household: list[Person]) -> Receipts:
    page = rec.in_phase("procedure").page
    _fill_the_move(rec, TODAY, TODAY + timedelta(days=1))
    rec.accept(page.get_by_label("世帯全員"))
    rec.choose(page.get_by_label("つなぐ電力"))
    rec.tap(page.get_by_role("button", name="入力内容を確認する"))
    _check(page, "申請内容の確認")
    review = page.locator("main").inner_text()
    assert all(p.name in review for p in household), review  # every member of the 世帯, by name
    page.screenshot(path=str(RESULTS / "moving-review-phone.png"), full_page=True)
    rec.tap(page.get_by_role("button", name="この内容で届け出る"))
    _check(page, "引越しワンストップ")
    page.screenshot(path=str(RESULTS / "moving-status-phone.png"), full_page=True)
    parts = {
        name: page.locator("li.card", has=page.get_by_role("heading", name=name, exact=True)).inner_text()
        for name in ("転出届", "転入予約", "つなぐ電力")
    }
    assert "受付済み" in parts["転出届"] and "受付済み" in parts["転入予約"], parts
    assert CONSENT_STATUS_NAMES["consented"] in parts["つなぐ電力"], parts  # nobody told yet
    receipts = {name: re.search(r"\d{4}-\d{6}-\d{6}", text) for name, text in parts.items()}
    out, into = receipts["転出届"], receipts["転入予約"]
    assert out and f"-{CHIYODA}-" in out[0] and into and f"-{YOKOSUKA}-" in into[0], parts
    return Receipts(out[0], into[0])


def _second_move_is_refused(page: Page, base_url: str) -> None:
    page.goto(base_url + "/moving")
    page.get_by_label("転出先の住所").fill("大阪府大阪市北区梅田1-1")
    page.get_by_label("引越し予定日").fill(TODAY.isoformat())
    page.get_by_label("転入先への来庁希望日").fill(TODAY.isoformat())
    page.get_by_label("日中の連絡先電話番号").fill(PHONE_NUMBER)
    page.get_by_role("button", name="入力内容を確認する").click()
    assert "手続中の引越しがあります。" in page.locator("main").inner_text()
    page.screenshot(path=str(RESULTS / "moving-in-progress-phone.png"), full_page=True)
    page.get_by_role("link", name="手続中の届出を見る").click()
    assert "転出届" in page.locator("h1").inner_text()


def _approve(page: Page, base_url: str, receipt: str, screenshot: str) -> None:
    page.goto(base_url + "/staff/applications?status=submitted")
    assert_accessible(page)
    page.get_by_role("link", name=receipt).click()
    assert_accessible(page)
    page.get_by_role("button", name="審査を開始する").click()
    assert "審査中" in page.locator("main").inner_text()
    page.get_by_role("button", name="承認する").click()
    page.get_by_role("button", name="承認を確定する").click()
    assert "承認しました" in page.locator("main").inner_text()
    _no_plumbing(page)
    page.screenshot(path=str(RESULTS / f"{screenshot}.png"), full_page=True)


def _record_the_arrival(page: Page, household: list[Person]) -> None:
    """横須賀市's clerk reads the 転出証明書情報 and records the 転入 at the counter."""
    certificate = page.locator("main").inner_text()
    assert "転出元" in certificate and all(p.name in certificate for p in household), certificate
    page.get_by_role("button", name="転入を記録する").click()
    assert "転入を記録しました。" in page.locator("main").inner_text()
    assert_accessible(page)
    _no_plumbing(page)
    page.screenshot(path=str(RESULTS / "staff-arrival-recorded-desktop.png"), full_page=True)


def _read_the_notices(page: Page, base_url: str, receipts: Receipts) -> None:
    page.goto(base_url + "/inbox")
    _check(page, "お知らせ")
    titles = page.locator("main .cards h2").all_inner_texts()
    assert any("転出届の受理について" in t for t in titles), titles
    assert any("転入予約の受付について" in t for t in titles), titles
    page.get_by_role("link", name=re.compile("転入予約の受付について")).click()
    assert receipts.moving_in in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="この文書を検証する").click()
    assert "有効な文書です" in page.locator("main").inner_text()
    assert_accessible(page)


def _see_the_exchanges(page: Page, base_url: str) -> None:
    page.goto(base_url + "/mesh/history")
    _check(page, "やりとり履歴")
    exchanges = page.locator("main .cards").inner_text()
    assert "横須賀市" in exchanges and "千代田区" in exchanges, exchanges  # 転出証明書情報 in advance
    assert "つなぐ電力" in exchanges, exchanges  # the consented moving notice


def _withdraw_the_consent(page: Page) -> None:
    """同意の管理: the consent given in the one-stop is listed and taken back without JavaScript."""
    page.get_by_role("link", name="同意の管理").click()
    _check(page, "同意の管理")
    card = page.locator("main .card").filter(has_text="つなぐ電力")
    with page.expect_navigation():
        card.get_by_role("button", name="同意を撤回する").click()
    assert "同意を撤回しました" in page.locator("main").inner_text()
    assert "撤回済み" in page.locator("main .card").filter(has_text="つなぐ電力").inner_text()
    assert_accessible(page)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    relationship: str


FAMILY = """
import json, sys
from datetime import date
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.core.types.name import PersonName
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import service as residents

family, code = sys.argv[1], "131016"
database = Database(get_settings().resolved_database_url, secret_key=get_settings().resolved_secret_key())
with database.session() as db:
    town = addresses.towns_in(db, code)[0]
    people, household = [], None
    for given, kana, relationship, born, sex in (("一郎", "いちろう", "世帯主", date(1980, 5, 3), "1"),
                                                 ("春子", "はるこ", "妻", date(1982, 8, 20), "2"),
                                                 ("陽太", "ようた", "子", date(2015, 1, 9), "1")):
        name = PersonName(family, given, family_kana_of(family), kana)
        number = residents.assign_individual_number(db, code)
        person = residents.NewResident(name, born, sex, number, household, relationship)
        record = residents.register_move_in(db, code, person, residents.Residence(town.id, "1", "2"),
                                            moved_in_on=date(2021, 4, 1), actor="e2e")
        household = record.household_id
        people.append([record.id, record.name.full, relationship])
print(json.dumps(people))
"""


def _household(server_env: dict[str, str], family: str, kana: str) -> list[Person]:
    """A synthetic 世帯 of three (世帯主, 妻, 子) registered in 千代田区 for this test alone, by the
    registry's own service in a process with the server's settings (its 個人番号 vault key)."""
    script = FAMILY.replace("family_kana_of(family)", repr(kana))
    done = subprocess.run(
        [sys.executable, "-c", script, family],
        env=server_env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [Person(*row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def _registry(server_env: dict[str, str], municipality: str, names: list[str]) -> list[tuple[str, ...]]:
    """(name, status, 異動日, 続柄, 世帯) of each record with these names in one municipality."""
    with sqlite3.connect(server_env["TSUNAGU_DATABASE_URL"].removeprefix("sqlite:///")) as connection:
        marks = ",".join("?" * len(names))
        return [
            tuple(str(v) for v in row)
            for row in connection.execute(
                f"SELECT family_name || ' ' || given_name, status, status_date, relationship, household_id "
                f"FROM residents_people WHERE municipality_code = ? AND family_name || ' ' || given_name "
                f"IN ({marks}) ORDER BY relationship != '世帯主', birth_date",
                (municipality, *names),
            )
        ]


def _moved_out_count(server_env: dict[str, str]) -> int:
    with sqlite3.connect(server_env["TSUNAGU_DATABASE_URL"].removeprefix("sqlite:///")) as connection:
        return int(
            connection.execute(
                "SELECT count(*) FROM residents_people WHERE status = 'moved_out' AND municipality_code = ?",
                (CHIYODA,),
            ).fetchone()[0]
        )


def _staff(browser: Browser) -> Page:
    return browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True
    ).new_page()


def test_a_whole_household_moves_on_the_declared_date_and_arrives_together(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    household = _household(server_env, "引越", "ひっこし")
    card = issue_card(server_env, household[0].id, tmp_path)
    before = _moved_out_count(server_env)
    resident = Recorder(phone_page(browser), phase="find")
    resident.page.goto(base_url + "/")
    _find_the_one_stop(resident)
    _log_in_with_the_card(resident, card)
    _refused_dates(resident.page)
    receipts = _move(resident, household)
    resident.save("moving_onestop")
    assert len(resident.phases["procedure"].typed_fields) <= MAX_TYPED_FIELDS
    _second_move_is_refused(resident.page, base_url)

    chiyoda = _staff(browser)
    log_in_as_staff(chiyoda, base_url, staff_account(server_env, "chiyoda.clerk"))
    _approve(chiyoda, base_url, receipts.moving_out, "staff-moving-out-approved-desktop")
    chiyoda.context.close()
    # declared for today: recorded on acceptance, for exactly the three, with today's date
    names = [p.name for p in household]
    assert [r[:4] for r in _registry(server_env, CHIYODA, names)] == [
        (p.name, "moved_out", TODAY.isoformat(), p.relationship) for p in household
    ]
    assert _moved_out_count(server_env) == before + len(household)

    yokosuka = _staff(browser)
    log_in_as_staff(yokosuka, base_url, staff_account(server_env, "yokosuka.clerk"))
    _approve(yokosuka, base_url, receipts.moving_in, "staff-moving-in-approved-desktop")
    _record_the_arrival(yokosuka, household)
    yokosuka.context.close()
    arrived = _registry(server_env, YOKOSUKA, names)
    expected = [(p.name, "resident", TODAY.isoformat(), p.relationship) for p in household]
    assert [r[:4] for r in arrived] == expected
    assert len({r[4] for r in arrived}) == 1  # one 世帯 at the destination, the head carried

    _read_the_notices(resident.page, base_url, receipts)
    _see_the_exchanges(resident.page, base_url)
    _withdraw_the_consent(resident.page)
    resident.page.context.close()


def test_some_members_of_a_household_move_and_nobody_else(
    browser: Browser, base_url: str, server_env: dict[str, str]
) -> None:
    household = _household(server_env, "転居", "てんきょ")
    head, mover = household[0], household[-1]
    page = phone_page(browser)
    database = Database(server_env["TSUNAGU_DATABASE_URL"], secret_key=server_env["TSUNAGU_SECRET_KEY"])
    start_session(page, base_url, database, sessions.Principal(kind="resident", subject_id=head.id))
    database.dispose()
    page.goto(base_url + "/moving")
    page.get_by_label("転出先の住所").fill(DESTINATION)
    page.get_by_label("引越し予定日").fill(TODAY.isoformat())
    page.get_by_label("転入先への来庁希望日").fill(TODAY.isoformat())
    page.get_by_label("日中の連絡先電話番号").fill(PHONE_NUMBER)
    page.get_by_label("世帯の一部").check()
    page.get_by_role("button", name="入力内容を確認する").click()
    assert "選択してください" in page.locator("#e-members").inner_text(timeout=5000)
    page.get_by_label("世帯の一部").check()
    page.get_by_label(re.compile(re.escape(mover.name))).first.check()
    page.screenshot(path=str(RESULTS / "moving-some-members-phone.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="入力内容を確認する").click()
    _check(page, "申請内容の確認")
    review = page.locator("main dl").first.inner_text()
    assert mover.name in review and head.name not in review, review
    page.get_by_role("button", name="この内容で届け出る").click()
    receipt = re.search(r"\d{4}-131016-\d{6}", page.locator("main").inner_text())
    assert receipt is not None
    page.context.close()

    chiyoda = _staff(browser)
    log_in_as_staff(chiyoda, base_url, staff_account(server_env, "chiyoda.clerk"))
    _approve(chiyoda, base_url, receipt[0], "staff-partial-move-approved-desktop")
    chiyoda.context.close()
    statuses = {r[0]: r[1:3] for r in _registry(server_env, CHIYODA, [p.name for p in household])}
    assert statuses[mover.name] == ("moved_out", TODAY.isoformat())
    assert all(statuses[p.name][0] == "resident" for p in household if p != mover), statuses
