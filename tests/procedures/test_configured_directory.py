"""TSUNAGU_PROCEDURES_DIR: the app serves the configured directory and shows refused files."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.conftest import VALID

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.web.app import create_app


def test_app_serves_the_configured_directory(tmp_path: Path, settings: Settings, database: Database) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "sample.yaml").write_text(VALID, encoding="utf-8")
    (definitions / "broken.yaml").write_text(
        VALID.replace("id: sample", "id: broken").replace("life_events: [moving]", "life_events: [partying]"),
        encoding="utf-8",
    )
    app = create_app(settings.model_copy(update={"procedures_dir": definitions}), database)
    with TestClient(app) as client:
        body = client.get("/api/v1/procedures").json()
        assert [item["id"] for item in body["items"]] == ["sample"]
        assert client.get("/api/v1/procedures/tenshutsu").status_code == 404
        login_as(
            client,
            database,
            sessions.Principal(
                kind="staff", subject_id="s1", organization_code="digital-agency", roles=frozenset({"管理"})
            ),
        )
        page = client.get("/staff/procedures", headers={"accept": "text/html"}).text
        assert "broken.yaml:28" in page and "partying" in page


def test_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TSUNAGU_PROCEDURES_DIR", str(tmp_path))
    assert Settings(_env_file=None).procedures_dir == tmp_path  # type: ignore[call-arg]
