"""The bid qualification keeps its promise: no 登記事項証明書 is attached because the city checks
the commercial registry through the mesh — the company's data are prefilled from it and the
registered matters (established, capital, representatives) are fetched as evidence, logged under
the procedure's legal basis. The platform has no tax-office service, so the page asks for the 納税
証明書 as an attachment instead of promising a check that would never happen."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_business import COMPANY, company, member  # noqa: F401 - a fixture

from tsunagu.core.database import Database
from tsunagu.mesh import corporate, demo
from tsunagu.mesh.history import service as history
from tsunagu.procedures.applications import attachments, service

BID = "nyusatsu-sanka-shikaku"
PDF = b"%PDF-1.7\n" + b"0" * 200
HTML = {"accept": "text/html"}


pytestmark = pytest.mark.usefixtures("company")  # tests.procedures.applying.test_business's


def test_the_registry_check_replaces_the_certificate(client: TestClient, database: Database) -> None:
    about = html.unescape(client.get(f"/procedures/{BID}", headers=HTML).text)
    assert "登記事項証明書は、横須賀市が法人番号をもとに法務局の商業登記を確認するため添付不要です" in about
    assert "納税証明書（その3の3" in about and "添付してください" in about  # asked for, not promised
    login_as(client, database, member(BID))
    page = client.get(f"/business/procedures/{BID}", headers=HTML)
    assert page.status_code == 200, page.text
    text = html.unescape(page.text)
    assert "つなぐ商事株式会社" in text  # prefilled from the registry through the mesh
    assert "登記事項証明書の添付は不要です" in text and 'enctype="multipart/form-data"' in text
    assert "納税証明書（その3の3）（PDF）" in text
    uploads = re.findall(r'<input[^>]+name="([a-z_]+)" type="file"', page.text)
    assert sorted(uploads) == ["financial_statements", "tax_certificate"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    seal = re.search(r'name="prefill_seal" value="([^"]+)"', page.text)
    assert token and key and seal
    done = client.post(
        f"/business/procedures/{BID}",
        data={
            "csrf_token": html.unescape(token.group(1)),
            "idempotency_key": html.unescape(key.group(1)),
            "prefill_seal": html.unescape(seal.group(1)),
            "categories": "goods",
            "employees": "12",
            "contact_phone": "046-822-4000",
        },
        files={
            "financial_statements": ("kessan.pdf", PDF, "application/pdf"),
            "tax_certificate": ("nozei.pdf", PDF, "application/pdf"),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, html.unescape(done.text)[:2000]
    application_id = done.headers["location"].split("/applications/", 1)[1].split("?", 1)[0]
    with database.session() as db:
        stored = service.load(db, application_id)
        files = attachments.of_application(db, application_id)
        exchanges, _ = history.exchanges_for(db, corporate.subject_of(COMPANY), operator=demo.OPERATOR)
    assert stored.organization_code == "142018"
    assert sorted(f.field for f in files) == ["financial_statements", "tax_certificate"]  # held, attached
    [evidence] = stored.evidence
    assert (evidence.service, evidence.status, evidence.provider) == ("corporations.registered", "ok", "moj")
    assert evidence.legal_basis_id == "hojin-142018-r"
    assert evidence.data["capital_yen"] == 10_000_000 and evidence.data["established_on"] == "2009-04-01"
    assert [r["name"] for r in evidence.data["representatives"]] == ["商事　花子"]
    assert {e.requester.code for e in exchanges} == {"142018"}  # in the company's やりとり履歴

    # the city's reviewer reads the registry's answer in words, never as data
    login_as(client, database, World.staff("142018", frozenset({"審査", "閲覧"})))
    checked = html.unescape(client.get(f"/staff/applications/{application_id}", headers=HTML).text)
    assert "資本金の額</dt><dd>1,000万円" in checked and "<dt>代表者</dt><dd>代表取締役 商事　花子" in checked
    assert "就任" in checked and "{'" not in checked and "その他の項目" not in checked
