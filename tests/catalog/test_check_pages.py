"""The machine-readability check page (/catalog/check) as a publisher's staff use it: a plain form
(no JavaScript), a real workbook uploaded, the violations and level scores on the page; bad files
refused on the same page with the reason, and an upload over the body limit stopped with 413."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.catalog.test_readability import municipal, workbook
from tests.conftest import send_csrf_header

HTML = {"accept": "text/html"}


@pytest.fixture
def client(client: TestClient) -> TestClient:
    """A browser that opened the form: it sends the form's CSRF token."""
    send_csrf_header(client)
    return client


def test_a_post_without_the_forms_token_is_refused(client: TestClient) -> None:
    del client.headers["X-CSRF-Token"]
    answer = client.post("/catalog/check", headers=HTML, files={"file": ("a.csv", b"a,b\n1,2\n")})
    assert answer.status_code == 403


def test_the_form_works_without_javascript(client: TestClient) -> None:
    page = client.get("/catalog/check", headers=HTML)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert "機械可読性チェック" in page.text
    assert "<script" not in page.text.split("<main", 1)[-1].split("</main>", 1)[0]


def test_a_municipal_workbook_shows_each_violation_and_the_scores(client: TestClient) -> None:
    answer = client.post(
        "/catalog/check", headers=HTML, files={"file": ("第1表.xlsx", workbook(municipal, notes=False))}
    )
    assert answer.status_code == 200, answer.text
    text = answer.text
    assert "<td>53</td><td>0</td><td>0</td>" in text.replace("\n", "")
    assert "L1-12 【Excel】セルの結合をしていないか" in text
    assert "セル A3:A4 が結合されています" in text
    assert "セルの結合を解除し、同じ内容を各セルに入力してください。" in text
    assert "シート「データ」 セル A11: 表の外に「※ 住民基本台帳による。」があります" in text


def test_the_page_in_english_gives_rule_titles_and_fixes_in_english(client: TestClient) -> None:
    client.get("/lang/en?next=/catalog/check", follow_redirects=False)
    send_csrf_header(client)
    answer = client.post(
        "/catalog/check", headers=HTML, files={"file": ("t.xlsx", workbook(municipal, notes=False))}
    )
    assert answer.status_code == 200
    assert "Machine-readability check" in answer.text
    assert "L1-12 [Excel] No merged cells" in answer.text
    assert "Unmerge the cells and type the same value into each cell." in answer.text


def test_a_text_file_named_xlsx_is_refused_on_the_page(client: TestClient) -> None:
    answer = client.post("/catalog/check", headers=HTML, files={"file": ("名簿.xlsx", b"a,b\n1,2\n")})
    assert answer.status_code == 422
    assert "Excel ブック (.xlsx) ではありません" in answer.text
    assert 'aria-invalid="true"' in answer.text


def test_an_empty_file_and_no_file_are_refused(client: TestClient) -> None:
    empty = client.post("/catalog/check", headers=HTML, files={"file": ("空.csv", b"")})
    assert empty.status_code == 422 and "空のファイル" in empty.text
    none = client.post("/catalog/check", headers=HTML, data={"x": "1"})
    assert none.status_code == 422 and "確認するファイルを選んでください" in none.text


def test_an_upload_over_the_body_limit_is_stopped(client: TestClient) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    answer = client.post(
        "/catalog/check", headers=HTML, files={"file": ("big.csv", b"1,2\n" * (limit // 4 + 1))}
    )
    assert answer.status_code == 413
    assert "大きすぎます" in answer.text
