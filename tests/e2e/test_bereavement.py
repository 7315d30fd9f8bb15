"""おくやみ on a phone: a clerk registers a death at the counter (the new 世帯主 and the 届出人 chosen); the
death is pushed through the mesh (`tsunagu mesh deliver`) and 日本年金機構's node records the payment stop;
the widow's お知らせ leads to her personal list, where she files the online procedures in one flow
(only the funeral date asked); the clerk's おくやみ窓口 shows whom the death reached. Someone outside
the household is refused. Every tap and typed character of the widow is recorded for the
keystroke-level estimate (benchmarks/procedures_lifeevent_keystrokes.py). Screenshots in
tests/e2e/results."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

from playwright.sync_api import Browser
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import CHIYODA, phone_page, resident_of, shot, start_session
from tests.e2e.recorder import Recorder

from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.core.types.wareki import format_wareki
from tsunagu.mesh import demo
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.push import reactions
from tsunagu.registry.accounts import kana, testbank
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.residents import service as residents


def _cli(server_env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tsunagu.cli.main", *args],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=300,
        text=True,
    )
    return done.stdout


def _couple(database: Database) -> tuple[residents.ResidentRecord, residents.ResidentRecord]:
    """A couple moved in to 千代田区 for this test: 山本 正 (世帯主, 78, a pensioner of 日本年金機構)
    and 山本 幸子 (妻, 73), her 公金受取口座 registered (confirmed by the test bank)."""
    with database.session() as db:
        found, _total = residents.find_residents(db, CHIYODA, residents.SearchQuery(), limit=1)
        anyone = found[0]  # the couple lives in a 町字 of the town's register
        residence = residents.Residence(town_id=anyone.town_id or 0, banchi="9", go="9")
        husband = residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("山本", "正", "やまもと", "ただし"),
                birth_date=date(1948, 7, 7),
                sex="1",
                individual_number=IndividualNumber("912345678904"),
            ),
            residence,
            moved_in_on=date(2001, 4, 1),
            actor="e2e",
        )
        wife = residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("山本", "幸子", "やまもと", "さちこ"),
                birth_date=date(1953, 1, 15),
                sex="2",
                individual_number=IndividualNumber("823456789010"),
                household_id=husband.household_id,
                relationship="妻",
            ),
            residence,
            moved_in_on=date(2001, 4, 1),
            actor="e2e",
        )
        residents.mark_delivered(db, [e.event_id for e in residents.pending_events(db)])
        demo.seed_people(db, [(husband.id, CHIYODA, 1948), (wife.id, CHIYODA, 1953)], seed=18)
        testbank.open_account(
            db,
            bank_code="0005",
            branch_code="001",
            account_type="futsu",
            account_number="7180001",
            holder=kana.holder_of(wife.name),
        )
    with database.session() as db:
        accounts.register(
            db, testbank.TestBank(database), wife.id, accounts.AccountIn("0005", "001", "futsu", "7180001")
        )
    return husband, wife


def test_death_to_the_familys_one_flow_filing_on_a_phone(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    husband, wife = _couple(server_database)
    died = clock.today_jst().date() - timedelta(days=2)  # recent: the お知らせ's deadline is ahead

    # the clerk registers the death at the counter; the widow becomes 世帯主
    clerk = phone_page(browser)
    start_session(
        clerk,
        base_url,
        server_database,
        sessions.Principal(
            kind="staff", subject_id="e2e-okuyami-clerk", organization_code=CHIYODA, roles=frozenset({"住基"})
        ),
    )
    clerk.goto(f"{base_url}/staff/registry/residents/{husband.id}/death")
    clerk.locator("#date_of_death").fill(format_wareki(died))
    clerk.locator("#new_head_id").select_option(label="山本 幸子 (妻)")
    # the 届出人 (戸籍法第87条) forgotten: the field is marked, what was entered is kept
    clerk.get_by_role("button", name="確認する").click()
    assert clerk.locator("#informant_qualification-error").is_visible()
    assert clerk.locator("#date_of_death").input_value() == format_wareki(died)
    assert_accessible(clerk)
    shot(clerk, "bereavement-death-informant-missing-phone")
    clerk.locator("#informant_qualification").select_option(label="同居の親族")
    clerk.locator("#informant_id").select_option(label="山本 幸子 (妻)")
    clerk.locator("#informant_relationship").fill("妻")
    clerk.get_by_role("button", name="確認する").click()
    assert "同居の親族" in clerk.locator("main").inner_text()
    shot(clerk, "bereavement-death-confirm-phone")
    clerk.get_by_role("button", name="登録する").click()
    assert "山本 幸子（同居の親族・妻）" in clerk.locator("main").inner_text()
    assert "登録しました: 死亡" in clerk.locator("main").inner_text()

    # a second 死亡届 of the same death is refused: the record is closed
    again = clerk.goto(f"{base_url}/staff/registry/residents/{husband.id}/death")
    assert again is not None and again.status == 409
    assert "この方は死亡の届出がされているため、この手続はできません。" in clerk.locator("main").inner_text()
    shot(clerk, "bereavement-second-death-refused-phone")

    # the registry event goes out through the mesh; the お知らせ to the family
    delivered = _cli(server_env, "mesh", "deliver", "--once")
    assert f"{CHIYODA}: delivered 1" in delivered, delivered
    assert "notified 0" not in _cli(server_env, "notify", "push", "--once")
    with server_database.session() as db:
        pension_id = codes.local_id_of(
            db, "jpn-pension", codes.relate(db, "jpn-pension", husband.id, "record")
        )
        stop = reactions.record_of(db, "jpn-pension", pension_id or "", "pension-payment-stop")
    assert stop is not None and stop["effective_date"] == died.isoformat()  # stopped without a form

    clerk.goto(f"{base_url}/staff/bereavement/{husband.id}")
    desk = clerk.locator("main").inner_text()
    assert (
        "日本年金機構" in desk
        and "届きました" in desk
        and "山本 幸子（世帯主）: お知らせを送りました" in desk
        and "届出人: 山本 幸子（同居の親族・妻）" in desk
    )
    assert format_wareki(died) in desk
    assert_accessible(clerk)
    assert_no_horizontal_scroll(clerk)
    shot(clerk, "bereavement-counter-phone")

    # the widow, on her phone: the お知らせ, her list, one form
    rec = Recorder(phone_page(browser), phase="procedure")
    me = rec.page
    start_session(me, base_url, server_database, sessions.Principal(kind="resident", subject_id=wife.id))
    me.goto(base_url + "/inbox")
    rec.tap(me.get_by_role("link", name="おくやみの手続のご案内", exact=False).first)
    rec.tap(me.get_by_role("link", name="詳しく見る"))
    rec.tap(me.get_by_role("link", name="ご家族が亡くなられた方", exact=False))
    assert me.url.endswith(f"/bereavement/{husband.id}")
    main = me.locator("main").inner_text()
    for expected in (
        f"山本 正さん（{format_wareki(died)}にお亡くなりになりました）",
        "妻（同一世帯）",
        "葬祭費の支給申請",
        "介護保険 資格喪失届（死亡）",
        "年金の支払停止",
        "日本年金機構: 届きました",
        "山本 幸子さんが新しい世帯主として記録されました",
        "後期高齢者医療の資格喪失",
        "印鑑登録の廃止",
    ):
        assert expected in main, expected
    assert "国民健康保険の資格喪失" not in main  # 78: 後期高齢者医療, not 国保
    assert_accessible(me)
    assert_no_horizontal_scroll(me)
    shot(me, "bereavement-list-phone")
    rec.accept(me.get_by_text("亡くなった方（住民票から）"))  # his particulars, from the register
    rec.accept(me.get_by_text("あなたの登録されている情報（入力不要）"))  # hers, and her account
    rec.pick_date(me.get_by_label("葬儀を行った日"), (died + timedelta(days=1)).isoformat())
    rec.tap(me.get_by_role("button", name="まとめて届け出る"))
    result = me.locator("main").inner_text()
    assert result.count("受け付けました（受付番号") == 2, result
    assert "オンラインでまとめて届け出られる手続" in result and "まとめて届け出る" not in result
    assert_accessible(me)
    shot(me, "bereavement-filed-phone")
    rec.save("bereavement")

    # someone outside the household cannot act as the successor
    stranger = phone_page(browser)
    other = resident_of(server_env, CHIYODA, 1)  # read only: a refusal
    start_session(stranger, base_url, server_database, sessions.Principal(kind="resident", subject_id=other))
    refused = stranger.goto(f"{base_url}/bereavement/{husband.id}")
    assert refused is not None and refused.status == 403
    assert "同じ世帯の方" in stranger.locator("main").inner_text()
    shot(stranger, "bereavement-not-family-phone")
