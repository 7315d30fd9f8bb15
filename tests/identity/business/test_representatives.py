"""代表者確認記録 kept by administrators of the platform operator: look up, record, end (退任)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.identity.business.conftest import NUMBER
from tests.identity.business.test_pages import HTML, csrf

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.identity.business import service

ADMIN = Principal(
    kind="staff",
    subject_id="da-admin",
    display_name="デジタル庁 管理者",
    organization_code="digital-agency",
    roles=frozenset({"管理", "閲覧"}),
)
PAGE = f"/business/representatives?corporate_number={NUMBER}"


@pytest.mark.parametrize(
    ("principal", "status"),
    [
        (None, 401),
        (Principal(kind="resident", subject_id="r1"), 403),
        (
            Principal(kind="staff", subject_id="s1", organization_code="131016", roles=frozenset({"管理"})),
            403,
        ),
        (
            Principal(
                kind="staff", subject_id="s2", organization_code="digital-agency", roles=frozenset({"閲覧"})
            ),
            403,
        ),
    ],
)
def test_only_administrators_of_the_operator(
    client: TestClient, database: Database, principal: Principal | None, status: int
) -> None:
    if principal is not None:
        login_as(client, database, principal)
    assert client.get(PAGE, headers=HTML).status_code == status


def test_record_and_end_a_representative(
    client: TestClient, database: Database, representative: service.RepresentativeRecord
) -> None:
    login_as(client, database, ADMIN)
    page = client.get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert "つなぐ電力株式会社" in page.text and "代表取締役 代表　太郎" in page.text
    assert "登記事項証明書（テスト）" in page.text

    incomplete = client.post(
        "/business/representatives",
        headers=HTML,
        data={
            "csrf_token": csrf(client, PAGE),
            "corporate_number": NUMBER,
            "name": "後任 一郎",
            "address": "",
            "title": "代表取締役",
            "source": "",
        },
    )
    assert incomplete.status_code == 422
    assert "代表者の住所を、登記事項証明書のとおりに入力してください" in incomplete.text
    assert "確認した書類（登記事項証明書の発行日など）を入力してください" in incomplete.text

    added = client.post(
        "/business/representatives",
        follow_redirects=False,
        data={
            "csrf_token": csrf(client, PAGE),
            "corporate_number": NUMBER,
            "name": "後任 一郎",
            "address": "東京都港区芝公園4-2-8",
            "title": "代表取締役",
            "source": "登記事項証明書（令和8年12月1日発行）",
        },
    )
    assert added.status_code == 303
    listed = client.get(added.headers["location"], headers=HTML)
    assert "代表者を記録しました。" in listed.text and "後任 一郎" in listed.text
    with database.session() as db:
        names = [r.name for r in service.representatives_of(db, NUMBER)]
        assert names == ["代表　太郎", "後任 一郎"]
        assert service.representatives_of(db, NUMBER)[1].recorded_by == "da-admin"

    ended = client.post(
        f"/business/representatives/{representative.id}/end",
        follow_redirects=False,
        data={"csrf_token": csrf(client, PAGE), "corporate_number": NUMBER},
    )
    assert ended.status_code == 303
    after = client.get(ended.headers["location"], headers=HTML)
    assert "退任を記録しました。" in after.text and "代表　太郎" not in after.text
    with pytest.raises(service.SignerNotRepresentativeError), database.session() as db:
        service.check_representative(db, NUMBER, "代表 太郎", "東京都千代田区丸の内一丁目1")
    again = client.post(
        f"/business/representatives/{representative.id}/end",
        headers=HTML,
        data={"csrf_token": csrf(client, PAGE), "corporate_number": NUMBER},
    )
    assert again.status_code == 404


def test_an_unknown_corporate_number(client: TestClient, database: Database) -> None:
    login_as(client, database, ADMIN)
    page = client.get("/business/representatives?corporate_number=7000012050003", headers=HTML)
    assert page.status_code == 200 and "この法人番号の法人は見つかりませんでした" in page.text
    assert "代表者を記録する" not in page.text
