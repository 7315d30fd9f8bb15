"""Uploads on the apply pages: the real type from the bytes, the field's limits named, the file
held across a re-displayed form, stored with the application, seen only by applicant and office."""

from __future__ import annotations

import hashlib
import re

import httpx
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applications.conftest import JPEG, PDF, PNG
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_pages import hidden, unescape

from tsunagu.core.database import Database

APPLY = "/procedures/tenpu-mihon/apply"


def form_fields(client: TestClient) -> dict[str, str]:
    page = client.get(APPLY)
    assert page.status_code == 200, page.text
    assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text
    assert "PDF・PNG" in page.text and "上限 2 KB" in page.text
    return {k: unescape(v) for k, v in hidden(page.text).items()}


def send(
    client: TestClient, fields: dict[str, str], upload: tuple[str, bytes, str] | None, **extra: str
) -> httpx.Response:
    files = {"plan": upload} if upload else None
    return client.post(APPLY, data={**fields, **extra}, files=files, follow_redirects=False)


def test_a_disguised_file_is_refused_by_its_bytes_with_the_rest_kept(resident_client: TestClient) -> None:
    fields = form_fields(resident_client)
    gif = ("plan.pdf", b"GIF89a not a pdf", "application/pdf")
    disguised = send(resident_client, fields, gif, note="メモ")
    assert disguised.status_code == 422
    assert "このファイル形式は受け付けられません（application/pdf, image/png のみ）" in disguised.text
    assert "もう一度選んでください" in disguised.text and 'value="メモ"' in disguised.text
    jpeg = send(resident_client, fields, ("photo.png", JPEG, "image/png"))
    assert jpeg.status_code == 422 and "application/pdf, image/png のみ" in jpeg.text
    big = send(resident_client, fields, ("plan.pdf", PDF + b"0" * 4096, "application/pdf"))
    assert big.status_code == 422 and "ファイルが大きすぎます（上限 2,048 バイト）" in big.text
    resident_client.cookies.set("tsunagu_lang", "en")
    english = send(resident_client, fields, ("plan.pdf", PDF + b"0" * 4096, "application/pdf"))
    assert "The file is too large (limit 2,048 bytes)." in english.text


def test_the_file_is_held_through_errors_and_stored_with_the_application(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, world.resident())
    fields = form_fields(client)
    too_long = send(client, fields, ("図面.png", PNG, "application/octet-stream"), note="x" * 300)
    assert too_long.status_code == 422 and "受け取り済み: 図面.png" in too_long.text
    review = send(client, fields, None, note="よろしく")
    assert review.status_code == 200 and "図面.png" in review.text, review.text
    confirmed = {k: unescape(v) for k, v in hidden(review.text).items()}
    done = client.post(APPLY, data={**confirmed, "step": "submit"}, follow_redirects=False)
    assert done.status_code == 303
    status = client.get(done.headers["location"]).text
    link = re.search(r'href="(/applications/\w+/attachments/\w+)"', status)
    # the type as a person names it, not a MIME type
    assert link is not None and "PNG · " in status and "image/png" not in status
    download = client.get(link.group(1))
    assert download.content == PNG and download.headers["content-type"] == "image/png"
    application_id = link.group(1).split("/")[2]
    api = client.get(f"/api/v1/procedures/applications/{application_id}").json()
    assert api["data"]["plan"]["sha256"] == hashlib.sha256(PNG).hexdigest()

    login_as(client, database, World.staff())
    detail = client.get(f"/staff/applications/{application_id}").text
    assert link.group(1) in detail
    assert client.get(link.group(1)).content == PNG
    listed = client.get(f"/api/v1/procedures/applications/{application_id}/attachments").json()
    assert [(a["field"], a["filename"], a["size"]) for a in listed] == [("plan", "図面.png", len(PNG))]

    login_as(client, database, World(world.other_resident_id, world.resident_id, world.secret).resident())
    assert client.get(link.group(1)).status_code == 403
    login_as(client, database, World.staff("142018"))
    assert client.get(link.group(1)).status_code == 403


def test_a_body_over_the_request_limit_gets_a_page_naming_the_limit(resident_client: TestClient) -> None:
    fields = form_fields(resident_client)
    limit = resident_client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    page = resident_client.post(
        APPLY,
        data=fields,
        files={"plan": ("big.pdf", PDF + b"0" * limit, "application/pdf")},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 413 and "10.0 MB" in page.text and "<html" in page.text
    api = resident_client.post("/api/v1/procedures/applications", content=b"x" * (limit + 1))
    assert api.status_code == 413 and api.json()["limit"] == limit
