"""子育てワンストップ: after a birth registered at the counter, one prefilled filing of 児童手当 認定請求,
子ども医療費助成 and 保育所等の利用申込 (with preferences), each part with its own status; the same
submission again answers the same filing, a second filing for the same birth is refused."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.procedures.applying.conftest import World, register_child
from tests.procedures.applying.test_pages import hidden, unescape

from tsunagu.core.database import Database
from tsunagu.procedures.onestop import kosodate

URL = "/api/v1/procedures/kosodate"
ANSWERS = {
    "lives_with_child": True,
    "insurance": "kokuho",
    "insurer_number": "131011",
    "need_reason": "shuro",
    "start_date": "2027-04-01",
    "facility_1": "千代田区立いずみこども園",
    "facility_2": "千代田区立ふじみこども園",
}
BODY = {"parts": [kosodate.MEDICAL, kosodate.NURSERY], "answers": ANSWERS}


@pytest.fixture
def newborn(database: Database, world: World) -> str:
    register_child(database, world, "結衣", "ゆい", date(2023, 5, 1), "345678901226")
    return register_child(database, world, "陽菜", "ひな", date(2026, 11, 10), "456789012346")


def test_one_submission_files_every_chosen_part_prefilled_with_its_own_status(
    resident_client: TestClient, newborn: str, public_money_account: object
) -> None:
    filed = resident_client.post(URL, json=BODY, headers={"Idempotency-Key": "kosodate-bundle-1"})
    assert filed.status_code == 200, filed.text
    parts = {p["procedure_id"]: p for p in filed.json()["parts"]}
    assert list(parts) == list(kosodate.PARTS)  # the bundle's own order
    assert all(p["status"] == "submitted" and p["receipt_number"] for p in parts.values())
    allowance = resident_client.get(
        f"/api/v1/procedures/applications/{parts[kosodate.ALLOWANCE]['application_id']}"
    ).json()["data"]
    assert allowance["child_name"]["given"] == "陽菜"  # the newborn, not the older sister
    assert allowance["account_number"] == "0007654" and allowance["lives_with_child"] is True
    nursery = resident_client.get(
        f"/api/v1/procedures/applications/{parts[kosodate.NURSERY]['application_id']}"
    ).json()["data"]
    assert nursery["child"] == newborn and nursery["facility_2"] == "千代田区立ふじみこども園"
    assert nursery["start_date"] == "2027-04-01" and "facility_3" not in nursery

    again = resident_client.post(URL, json=BODY, headers={"Idempotency-Key": "kosodate-bundle-1"})
    assert again.json() == filed.json()  # the same submission: nothing filed twice
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 3
    assert resident_client.get(f"{URL}/{filed.json()['id']}").json() == filed.json()


def test_a_second_filing_for_the_same_birth_is_refused_with_its_receipt(
    resident_client: TestClient, database: Database, world: World, newborn: str, public_money_account: object
) -> None:
    first = resident_client.post(URL, json=BODY, headers={"Idempotency-Key": "kosodate-bundle-1"}).json()
    second = resident_client.post(
        URL, json={"parts": [], "answers": ANSWERS}, headers={"Idempotency-Key": "kosodate-bundle-2"}
    )
    assert second.status_code == 409
    problem = second.json()
    assert problem["code"] == "kosodate-already-filed"
    assert problem["receipt_number"] == first["parts"][0]["receipt_number"]
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 3


def test_the_submission_needs_an_idempotency_key_and_known_parts(
    resident_client: TestClient, newborn: str, public_money_account: object
) -> None:
    assert resident_client.post(URL, json=BODY).status_code == 422
    unknown = resident_client.post(
        URL, json={"parts": ["tenshutsu"], "answers": ANSWERS}, headers={"Idempotency-Key": "kosodate-x-1"}
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "kosodate-unknown-part"


def test_every_problem_is_named_at_its_field_and_nothing_is_filed(
    resident_client: TestClient, newborn: str, public_money_account: object
) -> None:
    answers = {**ANSWERS, "insurer_number": "12", "facility_1": ""}
    refused = resident_client.post(
        URL, json={**BODY, "answers": answers}, headers={"Idempotency-Key": "kosodate-bad-1"}
    )
    assert refused.status_code == 422
    fields = {e["location"][-1] for e in refused.json()["errors"]}
    assert {"insurer_number", "facility_1"} <= fields
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 0


def test_without_a_child_there_is_no_bundle(resident_client: TestClient) -> None:
    response = resident_client.post(URL, json=BODY, headers={"Idempotency-Key": "kosodate-none-1"})
    assert response.status_code == 404 and response.json()["code"] == "kosodate-no-child"


def test_the_pages_show_the_bank_by_name_confirm_once_and_show_each_status(
    resident_client: TestClient, database: Database, world: World, newborn: str, public_money_account: object
) -> None:
    page = resident_client.get("/kosodate")
    assert page.status_code == 200, page.text
    known = page.text.split("登録されている情報（入力不要）")[1]
    assert "三菱ＵＦＪ" in known and "本店" in known  # 全銀協 0005 / 001 by name
    assert "陽菜" in page.text and "令和8年11月10日" in page.text
    assert 'name="account_number"' not in page.text and 'name="child"' not in page.text  # not asked
    form = {k: unescape(v) for k, v in hidden(page.text).items()}
    data = {**form, **{k: v for k, v in ANSWERS.items() if k != "lives_with_child"}, "lives_with_child": "on"}
    wrong = resident_client.post(
        "/kosodate", data={**data, "parts": [kosodate.MEDICAL], "insurer_number": "1"}
    )
    assert wrong.status_code == 422 and 'id="e-insurer_number"' in wrong.text
    assert 'value="千代田区立いずみこども園"' in wrong.text  # kept
    review = resident_client.post("/kosodate", data={**data, "parts": [kosodate.MEDICAL, kosodate.NURSERY]})
    assert review.status_code == 200, review.text
    assert "千代田区立ふじみこども園" in review.text and "令和9年4月1日" in review.text
    assert "三菱ＵＦＪ" in review.text and "国民健康保険" in review.text
    submitted = resident_client.post(
        "/kosodate/confirm",
        data={**data, "parts": [kosodate.MEDICAL, kosodate.NURSERY]},
        follow_redirects=False,
    )
    assert submitted.status_code == 303
    status = resident_client.get(submitted.headers["location"])
    assert status.text.count("受付番号") == 3 and "保育所等の利用申込" in status.text
    assert status.text.count('class="receipt-number"') == 3  # kept on one line on a phone (site.css)
    reopened = resident_client.get("/kosodate").text  # later: the filing, not the form again
    assert "すでに申請されています" in reopened and f'href="{submitted.headers["location"]}"' in reopened
    assert "確認へ進む" not in reopened and 'name="insurer_number"' not in reopened
    # filed again with another key (a second tab, a new visit): told it was filed, nothing filed
    again = resident_client.post(
        "/kosodate/confirm",
        data={**data, "key": "another-key-0001", "parts": []},
        follow_redirects=False,
    )
    assert again.status_code == 409 and "すでに申請されています" in again.text
