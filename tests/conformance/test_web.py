"""On the web: a municipality's staff upload an export, the check runs in the background with its
progress, the result is kept per system and version; a passed check yields a signed statement that
the verify page accepts (and refuses once changed); the national migration overview and its CSV."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.conformance import pmo
from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.residents import export

from .conftest import CHIYODA, FIXTURES

HTML = {"accept": "text/html"}
STAFF = sessions.Principal(
    kind="staff",
    subject_id="s-conformance",
    display_name="適合 太郎",
    organization_code=CHIYODA,
    roles=frozenset({"住基"}),
)


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def _finished(client: TestClient, location: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        page = client.get(location, headers=HTML)
        if "Refresh" not in page.headers:
            return page.text
        assert time.monotonic() < deadline, "the check did not finish"
        time.sleep(0.2)


def _upload(client: TestClient, data: bytes, version: str) -> str:
    answer = client.post(
        "/conformance",
        data={
            "system_name": "住民記録システム",
            "system_version": version,
            "vendor_name": "つなぎシステムズ",
        },
        files={"file": ("export.zip", data, "application/zip")},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_a_registry_export_passes_and_its_statement_verifies(
    client: TestClient, registry: Database, tmp_path: Path
) -> None:
    with registry.session() as db:
        export.write(db, CHIYODA, tmp_path)
    login_as(client, registry, STAFF)
    location = _upload(client, _zip(tmp_path), "2.1")
    page = _finished(client, location)
    assert "適合" in page and "不適合" not in page and "適合確認書" in page
    statement = page.split('readonly rows="5" aria-label="適合確認書">', 1)[1].split("</textarea>", 1)[0]
    verified = client.post("/conformance/verify", data={"document": statement}, headers=HTML)
    assert verified.status_code == 200 and "有効な適合確認書です" in verified.text and "2.1" in verified.text
    head, body, signature = statement.split(".")
    forged = client.post(
        "/conformance/verify", data={"document": f"{head}.{body[:-4]}AAAA.{signature}"}, headers=HTML
    )
    assert forged.status_code == 422 and "有効な適合確認書ではありません" in forged.text
    keys = client.get("/api/v1/conformance/keys").json()["keys"]
    assert [k["kid"] for k in keys] == [f"{CHIYODA}#conformance-1"] and "d" not in keys[0]


def test_a_nonconforming_export_fails_and_the_history_keeps_both(
    client: TestClient, registry: Database
) -> None:
    login_as(client, registry, STAFF)
    location = _upload(client, _zip(FIXTURES / "nonconforming"), "1.0")
    page = _finished(client, location)
    assert "不適合" in page and "<svg" in page and "＊＊＊＊-＊＊-＊＊" in page and "1985-02-30" not in page
    check_id = location.rsplit("/", 1)[1]
    status = client.get(f"/api/v1/conformance/checks/{check_id}").json()
    assert status["status"] == "failed" and status["must"] == 18 and status["statement"] is None
    assert client.get(f"/conformance/checks/{check_id}/junit.xml").text.startswith("<?xml")
    listing = client.get("/conformance", headers=HTML).text
    assert "住民記録システム" in listing and "1.0" in listing


def test_bad_uploads_keep_the_values_and_mark_the_field(client: TestClient, registry: Database) -> None:
    login_as(client, registry, STAFF)
    answer = client.post(
        "/conformance",
        data={"system_name": "", "system_version": "1", "vendor_name": "A"},
        files={"file": ("export.pdf", b"%PDF", "application/pdf")},
        headers=HTML,
    )
    assert answer.status_code == 422
    assert 'id="e-system_name"' in answer.text and 'id="e-file"' in answer.text and 'value="A"' in answer.text
    api = client.post(
        "/api/v1/conformance/checks",
        data={"system_name": "x", "system_version": "1", "vendor_name": "A"},
        files={"file": ("export.pdf", b"%PDF", "application/pdf")},
    )
    assert api.status_code == 422 and api.headers["content-type"] == "application/problem+json"


def test_a_resident_cannot_submit(client: TestClient, registry: Database) -> None:
    login_as(client, registry, sessions.Principal(kind="resident", subject_id="r-1"))
    assert client.get("/conformance", headers=HTML).status_code == 403


def test_a_vendor_submits_and_a_viewer_may_not(client: TestClient, registry: Database) -> None:
    vendor = sessions.Principal(
        kind="staff", subject_id="v-1", organization_code="vendor-tsunagi", roles=frozenset({"ベンダー"})
    )
    login_as(client, registry, vendor)
    location = _upload(client, _zip(FIXTURES / "nonconforming"), "0.9")
    assert "不適合" in _finished(client, location)
    login_as(
        client,
        registry,
        sessions.Principal(
            kind="staff", subject_id="s-2", organization_code=CHIYODA, roles=frozenset({"閲覧"})
        ),
    )
    refused = client.post(
        "/api/v1/conformance/checks",
        data={"system_name": "x", "system_version": "1", "vendor_name": "A"},
        files={"file": ("export.zip", b"PK", "application/zip")},
    )
    assert refused.status_code == 403
    assert client.get(location, headers=HTML).status_code == 404  # another organization's check


def test_the_national_migration_overview(client: TestClient, registry: Database) -> None:
    with registry.session() as db:
        municipalities = [pmo.Municipality(f"{i:05d}", f"市{i}", "東京都") for i in range(1, 41)]
        assert pmo.seed(db, municipalities, 1, SilentProgress(), today=date(2026, 11, 22)) == 40 * 20
    page = client.get("/conformance/migration", headers=HTML)
    assert page.status_code == 200 and "住民基本台帳" in page.text and "<svg" in page.text
    overview = client.get("/api/v1/conformance/migration").json()["areas"]
    assert len(overview) == 20 and all(a["municipalities"] == 40 for a in overview)
    assert all(0 < a["migrated"] < 40 for a in overview)
    csv_text = client.get("/conformance/migration.csv").text
    assert csv_text.startswith("\ufeffmunicipality_code,") and csv_text.count("\r\n") == 1 + 800
