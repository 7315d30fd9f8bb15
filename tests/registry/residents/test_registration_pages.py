"""Staff 届出 pages: form → confirmation (和暦 and Western) → result, inline errors, roles."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from httpx import Response
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.registry.residents import service

from .conftest import CHIYODA, YOKOSUKA, person
from .test_pages import HTML, PAGES, form_token, staff


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def step(
    client: TestClient, path: str, form: str, values: dict[str, str], action: str = "confirm"
) -> Response:
    data = {"csrf_token": form_token(form), "key": hidden(form, "key"), "step": action, **values}
    return client.post(path, headers=HTML, data=data, follow_redirects=False)


NEWBORN = {
    "family_name": "佐藤", "given_name": "陽太", "family_kana": "さとう", "given_kana": "ようた",
    "birth_date": "令和8年11月1日", "sex": "1", "relationship": "子",
}  # fmt: skip


def test_a_birth_from_the_record_page_is_confirmed_then_registered_once(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    detail = client.get(f"{PAGES}/{resident.id}", headers=HTML)
    path = f"{PAGES}/new/birth?member={resident.id}"
    assert f'href="{path}"' in detail.text
    form = client.get(path, headers=HTML)
    assert form.status_code == 200 and 'value="子"' in form.text and 'id="town_id"' not in form.text
    future = step(client, path, form.text, NEWBORN | {"birth_date": "2027-01-01"})
    assert future.status_code == 422
    assert 'id="birth_date-error"' in future.text and "未来の生年月日は登録できません。" in future.text
    with database.session() as db:
        assert len(service.household_members(db, resident.household_id)) == 1
    confirm = step(client, path, form.text, NEWBORN)
    assert (
        confirm.status_code == 200 and "令和8年11月1日 (2026-11-01)" in confirm.text and "男" in confirm.text
    )
    done = step(client, path, confirm.text, NEWBORN, action="register")
    assert done.status_code == 303
    again = step(client, path, confirm.text, NEWBORN, action="register")
    assert again.headers["location"] == done.headers["location"]
    result = client.get(done.headers["location"], headers=HTML)
    assert "登録しました: 出生" in result.text and "東京都千代田区飯田橋三丁目3-5" in result.text
    assert "住民基本台帳法第8条" in result.text
    with database.session() as db:
        assert len(service.household_members(db, resident.household_id)) == 2


def test_a_birth_date_in_the_future_is_refused_by_the_service_next_to_the_field(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    path = f"{PAGES}/new/birth?member={resident.id}"
    form = client.get(path, headers=HTML)
    refused = step(client, path, form.text, NEWBORN | {"birth_date": "2026-12-24"}, action="register")
    assert refused.status_code == 422
    assert 'id="birth_date-error"' in refused.text and "未来の生年月日は登録できません。" in refused.text
    assert 'value="ようた"' in refused.text


def test_the_error_summary_names_each_field(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    """An empty 出生届 listed 「入力してください。」 six times at the top, none saying which field."""
    login_as(client, database, staff())
    path = f"{PAGES}/new/birth?member={resident.id}"
    form = client.get(path, headers=HTML)
    empty = step(client, path, form.text, dict.fromkeys(NEWBORN, "") | {"relationship": "子"})
    assert empty.status_code == 422
    summary = empty.text.split('role="alert"', 1)[1].split("</ul>", 1)[0]
    for label in ("氏", "名", "氏(フリガナ)", "生年月日", "性別"):
        assert f"{label}: 入力してください。" in summary, summary


def test_a_name_change_starts_from_the_current_name_and_can_be_edited(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    path = f"{PAGES}/{resident.id}/name-change"
    form = client.get(path, headers=HTML)
    assert 'value="佐藤"' in form.text and 'value="サトウ"' in form.text
    values = {"family_name": "田中", "given_name": "花子", "family_kana": "タナカ", "given_kana": "ハナコ",
              "reason": "婚姻", "effective_date": "2026-11-10"}  # fmt: skip
    confirm = step(client, path, form.text, values)
    assert "令和8年11月10日 (2026-11-10)" in confirm.text
    edit = step(client, path, confirm.text, values, action="edit")
    assert edit.status_code == 200 and 'value="婚姻"' in edit.text and "確認する" in edit.text
    done = step(client, path, confirm.text, values, action="register")
    result = client.get(done.headers["location"], headers=HTML)
    assert "登録しました: 氏名変更" in result.text and "田中 花子" in result.text and "婚姻" in result.text


def test_a_move_in_with_an_unknown_previous_address_shows_the_error_there(
    client: TestClient, database: Database, towns: Database
) -> None:
    login_as(client, database, staff())
    path = f"{PAGES}/new/move-in"
    search = client.get(PAGES, headers=HTML)
    assert f'href="{path}"' in search.text
    form = client.get(path, headers=HTML)
    values = {"family_name": "鈴木", "given_name": "一郎", "family_kana": "スズキ", "given_kana": "イチロウ",
              "birth_date": "昭和60年6月15日", "sex": "1", "individual_number": "345678901234",
              "previous_address": "どこでもない町", "certificate": "", "effective_date": "2026-11-20",
              "town_id": "1002", "banchi": "8", "go": "", "building": ""}  # fmt: skip
    refused = step(client, path, form.text, values, action="register")
    assert refused.status_code == 422 and 'id="previous_address-error"' in refused.text
    assert "前住所の市区町村が見つかりません" in refused.text and 'value="1002" selected' in refused.text
    done = step(
        client, path, form.text, values | {"previous_address": "横須賀市小川町1-2"}, action="register"
    )
    result = client.get(done.headers["location"], headers=HTML)
    assert "登録しました: 転入" in result.text and "神奈川県横須賀市小川町1-2" in result.text


def test_the_death_of_the_head_asks_who_becomes_head(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db:
        child = service.register_birth(
            db, CHIYODA, person("345678901234", born=date(2015, 5, 5), household_id=resident.household_id,
                                relationship="子"), actor="clerk-0",
        )  # fmt: skip
    login_as(client, database, staff())
    path = f"{PAGES}/{resident.id}/death"
    form = client.get(path, headers=HTML)
    assert 'id="new_head_id"' in form.text and f'value="{child.id}"' in form.text
    assert 'id="informant_qualification"' in form.text and ">同居の親族以外の親族<" in form.text
    outside = {"informant_qualification": "other-relative", "informant_name": "佐藤 一郎",
               "informant_address": "神奈川県横須賀市小川町1-2"}  # fmt: skip
    missing = step(client, path, form.text, {"date_of_death": "2026-11-21", "new_head_id": "", **outside})
    assert missing.status_code == 422 and 'id="new_head_id-error"' in missing.text
    # a relative without the 続柄: the field is marked, every value typed is kept
    kept = step(client, path, form.text, {"date_of_death": "2026-11-21", "new_head_id": child.id, **outside})
    assert kept.status_code == 422 and 'id="informant_relationship-error"' in kept.text
    assert (
        "届出人について入力してください。" in kept.text and 'value="神奈川県横須賀市小川町1-2"' in kept.text
    )
    assert 'value="other-relative" selected' in kept.text and 'value="佐藤 一郎"' in kept.text
    # the son chosen from the 世帯: his name and address come from the register
    son = {"informant_qualification": "cohabiting-relative", "informant_id": child.id,
           "informant_relationship": "長男"}  # fmt: skip
    confirm = step(client, path, form.text, {"date_of_death": "2026-11-21", "new_head_id": child.id, **son})
    assert confirm.status_code == 200 and "同居の親族" in confirm.text
    done = step(
        client, path, form.text, {"date_of_death": "2026-11-21", "new_head_id": child.id, **son}, "register"
    )
    result = client.get(done.headers["location"], headers=HTML).text
    assert (
        "登録しました: 死亡" in result
        and "届出人" in result
        and f"{child.name.full}（同居の親族・長男）" in result
    )
    assert child.id not in result.split("<main")[1].split("</main>")[0].replace(f"/{child.id}", "")
    assert 'id="new_head_id"' not in client.get(f"{PAGES}/{child.id}/death", headers=HTML).text


def test_only_registrars_of_the_municipality_open_the_forms(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(CHIYODA, "閲覧"))
    assert client.get(f"{PAGES}/{resident.id}/death", headers=HTML).status_code == 403
    assert "出生届を登録" not in client.get(f"{PAGES}/{resident.id}", headers=HTML).text
    login_as(client, database, staff(YOKOSUKA))
    assert client.get(f"{PAGES}/{resident.id}/name-change", headers=HTML).status_code == 403
    assert client.get(f"{PAGES}/new/birth?member={resident.id}", headers=HTML).status_code == 403
    login_as(client, database, staff())
    assert client.get(f"{PAGES}/{resident.id}/birth", headers=HTML).status_code == 404
    assert client.get(f"{PAGES}/new/death", headers=HTML).status_code == 404


def test_the_record_page_shows_who_read_it(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(CHIYODA, "閲覧"))
    client.get(f"{PAGES}/{resident.id}", headers=HTML)
    login_as(client, database, staff())
    page = client.get(f"{PAGES}/{resident.id}", headers=HTML)
    assert "閲覧の記録" in page.text and "閲覧権限の職員" in page.text and "住民記録の担当職員" in page.text
    assert "全件数: 2" in page.text


def test_a_move_out_closes_the_record_from_its_page(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    path = f"{PAGES}/{resident.id}/move-out"
    form = client.get(path, headers=HTML)
    values = {"destination": "神奈川県横須賀市小川町1", "effective_date": "令和8年11月20日"}
    done = step(client, path, form.text, values, action="register")
    result = client.get(done.headers["location"], headers=HTML)
    assert "登録しました: 転出" in result.text and "転出先: 神奈川県横須賀市小川町1" in result.text
    assert "死亡届を登録" not in client.get(f"{PAGES}/{resident.id}", headers=HTML).text


MOVE = {"town_id": "1002", "banchi": "12", "go": "4", "building": "一番町レジデンス 302"}


def test_an_address_change_keeps_values_shows_errors_then_is_confirmed_and_registered_once(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    detail = client.get(f"{PAGES}/{resident.id}", headers=HTML)
    path = f"{PAGES}/{resident.id}/address-change"
    assert f'href="{path}"' in detail.text
    form = client.get(path, headers=HTML)
    assert form.status_code == 200 and "一番町" in form.text and "本町一丁目" not in form.text
    future = step(client, path, form.text, MOVE | {"effective_date": "2027-01-01"})
    assert future.status_code == 422
    assert 'id="effective_date-error"' in future.text and "未来の日付は登録できません。" in future.text
    assert 'value="一番町レジデンス 302"' in future.text
    confirm = step(client, path, form.text, MOVE | {"effective_date": "令和8年11月1日"})
    assert confirm.status_code == 200 and "令和8年11月1日 (2026-11-01)" in confirm.text
    with database.session() as db:
        assert service.get_resident(db, resident.id) == resident  # confirming changes nothing
    done = step(client, path, confirm.text, MOVE | {"effective_date": "令和8年11月1日"}, action="register")
    again = step(client, path, confirm.text, MOVE | {"effective_date": "令和8年11月1日"}, action="register")
    assert done.status_code == 303 and again.headers["location"] == done.headers["location"]
    result = client.get(done.headers["location"], headers=HTML)
    assert "登録しました: 転居" in result.text and "東京都千代田区一番町12-4" in result.text
    with database.session() as db:
        assert [c.kind for c in service.history_of(db, resident.id)].count("address_change") == 1
