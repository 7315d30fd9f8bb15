"""Notices as PDF: a rendering of the signed payload (addressee, 和暦, receipt, digest, verify URL)
with the JWS attached; only the addressee and the issuing office download it; anyone verifies it."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, World
from tests.procedures.applying.test_backoffice import STAFF_URL, applied
from tests.procedures.applying.test_pages import hidden

from tsunagu.core.database import Database
from tsunagu.procedures.notices import pdf

API = "/api/v1/procedures/notices"


def approved_notice(client: TestClient, database: Database, world: World) -> dict[str, Any]:
    app = applied(client, database, world)
    login_as(client, database, World.staff(roles=frozenset({"審査", "決裁", "住基"})))
    for action in ("start_review", "approve"):
        assert client.post(f"{STAFF_URL}/{app['id']}/decision", json={"action": action}).status_code == 200
    login_as(client, database, world.resident())
    messages = client.get("/api/v1/notify/messages").json()["items"]
    notice: dict[str, Any] = next(m for m in messages if m["kind"] == "notice")
    return notice


def test_the_pdf_renders_the_signed_notice_and_carries_it(
    client: TestClient, database: Database, world: World
) -> None:
    notice = approved_notice(client, database, world)
    notice_id = pdf.payload_of(notice["document"])["id"]
    assert f'href="/notices/{notice_id}.pdf"' in client.get("/inbox").text
    response = client.get(f"/notices/{notice_id}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text().replace("\n", "")
    signed = pdf.payload_of(notice["document"])
    digest = hashlib.sha256(notice["document"].encode()).hexdigest()
    for expected in (
        "佐藤 花子 様",
        "令和8年11月22日 10時00分",
        signed["issuer_name"],
        notice_id,
        digest,
        f"/notices/verify?id={notice_id}",
        "転出届",
    ):
        assert expected in text, expected
    assert reader.attachments["notice.jws"] == [notice["document"].encode()]
    assert pdf.extract_document(response.content) == notice["document"]
    assert client.get(f"{API}/{notice_id}.pdf").content[:5] == b"%PDF-"


def test_the_pdf_embeds_its_font_and_writes_dates_in_wareki_without_repeated_lines(
    client: TestClient, database: Database, world: World
) -> None:
    notice = approved_notice(client, database, world)
    notice_id = pdf.payload_of(notice["document"])["id"]
    content = client.get(f"/notices/{notice_id}.pdf").content
    reader = PdfReader(io.BytesIO(content))
    fonts = []
    for page in reader.pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            fonts.append(
                (
                    str(font["/BaseFont"]),
                    any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                )
            )
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert all("TsunaguMincho" in name for name, _embedded in fonts)
    lines = [" ".join(line.split()) for line in reader.pages[0].extract_text().splitlines() if line.strip()]
    repeated = {line for line in lines if lines.count(line) > 1}
    assert not repeated, repeated
    text = "\n".join(lines)
    assert "令和" in text and not re.search(r"\d{4}-\d{2}-\d{2}(?!-)", text.replace(notice_id, ""))


def test_iso_days_in_a_notice_are_written_in_wareki() -> None:
    assert pdf.wareki_text("転出予定日 2026-12-11、受付番号 2026-131016-000001") == (
        "転出予定日 令和8年12月11日、受付番号 2026-131016-000001"
    )
    assert pdf.wareki_text("2019-05-01 から") == "令和元年5月1日 から"


def test_only_the_addressee_and_the_issuing_office_may_download(
    client: TestClient, database: Database, world: World
) -> None:
    notice_id = pdf.payload_of(approved_notice(client, database, world)["document"])["id"]
    login_as(client, database, World(world.other_resident_id, world.resident_id, world.secret).resident())
    assert client.get(f"{API}/{notice_id}.pdf").status_code == 403
    login_as(client, database, World.staff("142018"))
    assert client.get(f"{API}/{notice_id}.pdf").status_code == 403
    login_as(client, database, World.staff(CHIYODA))
    assert client.get(f"{API}/{notice_id}.pdf").status_code == 200
    assert client.get(f"{API}/{'0' * 32}.pdf").status_code == 404


def test_anyone_verifies_a_pdf_and_a_changed_one_fails(
    client: TestClient, database: Database, world: World
) -> None:
    notice = approved_notice(client, database, world)
    notice_id = pdf.payload_of(notice["document"])["id"]
    content = client.get(f"/notices/{notice_id}.pdf").content
    client.cookies.clear()
    verified = client.post(f"{API}/verify-pdf", files={"file": ("n.pdf", content, "application/pdf")}).json()
    assert verified["valid"] and verified["registered"] and verified["issuer"] == CHIYODA
    assert verified["sha256"] == hashlib.sha256(notice["document"].encode()).hexdigest()

    payload = notice["document"].split(".")[1]
    forged_payload = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    forged = content.replace(payload.encode(), forged_payload.encode())
    refused = client.post(f"{API}/verify-pdf", files={"file": ("n.pdf", forged, "application/pdf")}).json()
    assert not refused["valid"]
    nothing = {"file": ("x.pdf", b"%PDF-1.4 nothing", "application/pdf")}
    plain = client.post(f"{API}/verify-pdf", files=nothing)
    assert plain.status_code == 422 and plain.json()["code"] == "notice-pdf-without-document"

    form = client.get("/notices/verify")
    page = client.post(
        "/notices/verify",
        data={"csrf_token": hidden(form.text)["csrf_token"]},
        files={"file": ("n.pdf", content, "application/pdf")},
    )
    assert page.status_code == 200 and "有効な文書です" in page.text
    by_id = client.get(f"/notices/verify?id={notice_id}")
    assert "有効な文書です" in by_id.text and verified["sha256"][:32] in by_id.text
    unknown = client.get(f"/notices/verify?id={'0' * 32}")
    assert "有効な文書ではありません" in unknown.text


def test_verifying_by_id_shows_the_contents_only_to_who_may_read_them(
    client: TestClient, database: Database, world: World
) -> None:
    """Anyone holding the id (it is printed on the PDF, in its QR code) learned the title and the
    receipt number; now only the addressee and the issuing office see them."""
    signed = pdf.payload_of(approved_notice(client, database, world)["document"])
    url = f"/notices/verify?id={signed['id']}"
    readers = (world.resident(), World.staff(CHIYODA))
    others = (
        World(world.other_resident_id, world.resident_id, world.secret).resident(),
        World.staff("142018"),
    )
    for principal in (*readers, *others, None):
        if principal is None:
            client.cookies.clear()
        else:
            login_as(client, database, principal)
        page = client.get(url, headers={"accept": "text/html"}).text
        shown = principal in readers
        assert "有効な文書です" in page and "発行日時" in page
        assert (signed["receipt_number"] in page) is shown, principal
        assert (signed["title"]["ja"] in page) is shown, principal
