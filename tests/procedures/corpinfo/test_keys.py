"""API keys: one per client, kept hashed, each request admitted against the client's limits a
minute and a day (Asia/Tokyo) and counted per day — refusals too; 401 and 429 problems by name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login_as
from tests.procedures.corpinfo.conftest import COMPANY, DATA, issue
from typer.testing import CliRunner

from tsunagu.cli.main import app as cli
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden, ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings, get_settings
from tsunagu.procedures.corpinfo import service
from tsunagu.procedures.corpinfo.models import CorpinfoClient

URL = f"/api/v1/corporate-info/corporations/{COMPANY}"
OPERATOR_ADMIN = Principal(
    kind="staff", subject_id="op-admin", organization_code="digital-agency", roles=frozenset({"管理"})
)


def test_a_key_is_kept_only_as_its_hash(loaded: Database) -> None:
    with loaded.session() as db:
        issued = service.issue_key(db, name="A社", contact="a@example.jp", issued_by=OPERATOR_ADMIN)
        row = db.scalars(select(CorpinfoClient)).one()
    assert issued.key.startswith("tci_") and len(issued.key) > 40
    stored = [str(getattr(row, c.key)) for c in CorpinfoClient.__table__.columns]
    assert not any(issued.key in value for value in stored)
    assert row.key_prefix == issued.key[:12] and row.issued_by == "op-admin"


def test_missing_unknown_and_revoked_keys(client: TestClient, loaded: Database, key: str) -> None:
    missing = client.get(URL)
    assert (missing.status_code, missing.json()["code"]) == (401, "corpinfo-api-key-missing")
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = client.get(URL, headers={"X-API-Key": key[:-2] + "xx"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "corpinfo-api-key-invalid")
    with loaded.session() as db:
        [record] = service.clients(db, "test")
        service.revoke(db, record.id, "test")
    revoked = client.get(URL, headers={"X-API-Key": key})
    assert (revoked.status_code, revoked.json()["code"]) == (401, "corpinfo-api-key-invalid")


def test_over_the_limit_is_429_with_retry_after_and_counted(
    client: TestClient, loaded: Database, fixed_clock: clock.FixedClock
) -> None:
    key = issue(loaded, per_minute=5, per_day=8)
    fixed_clock.advance(timedelta(seconds=20))  # 10:00:20 JST: 40 s left in the minute
    for _ in range(5):  # the client's 5 a minute
        assert client.get(URL, headers={"X-API-Key": key}).status_code == 200
    refused = client.get(URL, headers={"X-API-Key": key})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "corpinfo-rate-limited" and refused.json()["period"] == "minute"
    assert refused.headers["Retry-After"] == "41"
    fixed_clock.advance(timedelta(minutes=1))
    for _ in range(3):  # the next minute: 3 more reach the 8 a day
        assert client.get(URL, headers={"X-API-Key": key}).status_code == 200
    daily = client.get(URL, headers={"X-API-Key": key})
    assert (daily.status_code, daily.json()["period"]) == (429, "day")
    # the day ends at midnight in Tokyo: 2026-11-22 10:01:20 JST → 13 h 58 min 40 s
    assert int(daily.headers["Retry-After"]) == 13 * 3600 + 58 * 60 + 40 + 1
    with loaded.session() as db:
        [record] = service.clients(db, "test")
        [today] = service.usage_of(db, record.id)
    assert (today.day.isoformat(), today.requests, today.refused) == ("2026-11-22", 8, 2)
    assert record.requests_today == 8
    fixed_clock.advance(timedelta(hours=14))  # past midnight JST: a new day
    assert client.get(URL, headers={"X-API-Key": key}).status_code == 200
    with loaded.session() as db:
        days = service.usage_of(db, record.id)
    assert [(d.day.isoformat(), d.requests) for d in days] == [("2026-11-23", 1), ("2026-11-22", 8)]


def test_issuing_needs_the_operators_administrator(loaded: Database) -> None:
    clerk = Principal(kind="staff", subject_id="c", organization_code="142018", roles=frozenset({"管理"}))
    with loaded.session() as db, pytest.raises(Forbidden):
        service.issue_key(db, name="X", contact="x@example.jp", issued_by=clerk)
    with loaded.session() as db, pytest.raises(ValidationFailed) as refused:
        service.issue_key(db, name=" ", contact="no-at", issued_by="test", per_minute=0, per_day=10)
    assert {e["location"][0] for e in refused.value.errors} == {"name", "contact", "per_minute"}


def test_the_console_issues_shows_once_and_revokes(client: TestClient, loaded: Database) -> None:
    login_as(client, loaded, OPERATOR_ADMIN)
    html = {"accept": "text/html"}
    wrong = client.post(
        "/corporate-info/console",
        headers=html,
        data={"name": "横須賀データ研究会", "contact": "メール", "per_minute": "百", "per_day": ""},
    )
    assert wrong.status_code == 422
    assert (
        "連絡先のメールアドレスを入力してください。" in wrong.text
        and 'value="横須賀データ研究会"' in wrong.text
    )
    done = client.post(
        "/corporate-info/console",
        headers=html,
        data={
            "name": "横須賀データ研究会",
            "contact": "data@example.jp",
            "per_minute": "120",
            "per_day": "5,000",
        },
    )
    assert done.status_code == 201
    key = done.text.split('<code id="issued-key">', 1)[1].split("<", 1)[0]
    assert client.get(URL, headers={"X-API-Key": key}).status_code == 200
    listing = client.get("/corporate-info/console", headers=html).text
    assert key not in listing and key[:12] in listing and "5,000" in listing
    with loaded.session() as db:
        [record] = service.clients(db, "test")
    assert (
        client.post(f"/corporate-info/console/{record.id}/revoke", follow_redirects=False).status_code == 303
    )
    assert client.get(URL, headers={"X-API-Key": key}).status_code == 401
    resident = Principal(kind="resident", subject_id="r1", display_name="住民")
    login_as(client, loaded, resident)
    assert client.get("/corporate-info/console", headers=html).status_code == 403


def test_the_cli_issues_lists_and_imports(
    loaded: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", loaded.url)
    monkeypatch.setenv("TSUNAGU_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    issued = runner.invoke(
        cli, ["corpinfo", "issue-key", "--name", "CLI社", "--contact", "cli@example.jp", "--per-day", "100"]
    )
    assert issued.exit_code == 0, issued.output
    assert issued.stdout.strip().startswith("tci_")
    listed = runner.invoke(cli, ["corpinfo", "clients"])
    assert "CLI社" in listed.stdout and "100/day" in listed.stdout
    bad = runner.invoke(cli, ["corpinfo", "issue-key", "--name", "X", "--contact", "no", "--per-minute", "0"])
    assert bad.exit_code == 1 and "contact" in bad.output
    rejected = runner.invoke(cli, ["corpinfo", "import-subsidies", str(DATA / "subsidies_bad.csv")])
    assert rejected.exit_code == 1
    for line in ("line 2 法人番号", "line 3 交付決定日", "line 4 法人番号", "line 5 交付決定額（円）"):
        assert line in rejected.output, rejected.output
    again = runner.invoke(cli, ["corpinfo", "import-subsidies", str(DATA / "subsidies.csv")])
    assert again.exit_code == 0 and "0 added, 4 replaced" in again.stdout
    get_settings.cache_clear()
