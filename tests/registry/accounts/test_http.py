"""The person's 公金受取口座 over the API and the pages (no JavaScript): register, refuse, delete."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .conftest import HONTEN, MIZUHO, MUFG, TOKYO_EIGYOBU

API = "/api/v1/registry/me/public-money-account"
PAGE = "/registry/me/account"


def _csrf(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


def test_the_api_registers_reads_and_deletes(resident_client: TestClient) -> None:
    assert resident_client.get(API).json()["code"] == "accounts-not-registered"
    body = {
        "bank_code": MIZUHO,
        "branch_code": TOKYO_EIGYOBU,
        "account_type": "futsu",
        "account_number": "1234567",
    }
    put = resident_client.put(API, json=body)
    assert put.status_code == 200, put.text
    assert put.json()["account_number_masked"] == "＊＊＊＊567" and "1234567" not in put.text
    assert resident_client.get(API).json()["bank_name"] == "みずほ"
    assert resident_client.delete(API).status_code == 204
    assert resident_client.get(API).status_code == 404


def test_the_api_says_why_the_bank_refused(resident_client: TestClient) -> None:
    refused = resident_client.put(
        API,
        json={"bank_code": MUFG, "branch_code": HONTEN, "account_type": "futsu", "account_number": "0000001"},
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "accounts-not-confirmed" and problem["outcome"] == "mismatch"
    assert problem["errors"][0]["location"] == ["body", "account_number"]


def test_the_api_needs_a_logged_in_resident(client: TestClient) -> None:
    assert client.get(API).status_code == 401


def test_the_page_registers_and_shows_the_account_masked(resident_client: TestClient) -> None:
    token = _csrf(resident_client, PAGE)
    response = resident_client.post(
        PAGE,
        data={
            "csrf_token": token,
            "bank_code": "０００１",
            "branch_code": TOKYO_EIGYOBU,
            "account_type": "futsu",
            "account_number": "1234567",
        },
    )
    assert response.status_code == 200 and response.url.path == PAGE
    page = response.text
    assert "口座を登録しました" in page and "みずほ" in page and "東京営業部" in page
    assert "＊＊＊＊567" in page and "1234567" not in page and "ｻﾄｳ ﾊﾅｺ" in page


def test_a_refused_account_is_marked_at_its_field_with_values_kept(resident_client: TestClient) -> None:
    token = _csrf(resident_client, PAGE)
    response = resident_client.post(
        PAGE,
        data={
            "csrf_token": token,
            "bank_code": MUFG,
            "branch_code": "999",
            "account_type": "futsu",
            "account_number": "12",
        },
    )
    assert response.status_code == 422
    page = response.text
    assert "この金融機関にこの支店コードの支店はありません。" in page
    assert "口座番号は7桁の数字で入力してください" in page
    assert 'value="999"' in page and 'aria-invalid="true"' in page


def test_deleting_from_the_page(resident_client: TestClient) -> None:
    token = _csrf(resident_client, PAGE)
    resident_client.post(
        PAGE,
        data={
            "csrf_token": token,
            "bank_code": MUFG,
            "branch_code": HONTEN,
            "account_type": "futsu",
            "account_number": "0007654",
        },
    )
    response = resident_client.post(f"{PAGE}/delete", data={"csrf_token": token})
    assert "口座の登録を削除しました" in response.text and "登録されている口座" not in response.text


def test_the_page_in_english(resident_client: TestClient) -> None:
    resident_client.cookies.set("tsunagu_lang", "en")
    page = resident_client.get(PAGE).text
    assert "Public-money account" in page and "公金受取口座" not in page
