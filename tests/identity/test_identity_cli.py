"""The `tsunagu identity` and `tsunagu card` commands, with the card app talking to a live server."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.identity.conftest import AUTH_PIN, SIGN_PIN, World
from typer.testing import CliRunner

from tsunagu.cli.main import app as cli
from tsunagu.core.settings import get_settings
from tsunagu.identity.business import service as business
from tsunagu.identity.cards import service as cards
from tsunagu.identity.cards.virtualcard import VirtualCard
from tsunagu.registry.corporations import service as corporations

runner = CliRunner()


@pytest.fixture
def cli_env(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", world.database.url)
    monkeypatch.setenv("TSUNAGU_DATA_DIR", str(world.settings.data_dir))
    get_settings.cache_clear()
    yield world
    get_settings.cache_clear()


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app on a loopback port, so that the card app makes real HTTP requests."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _issue(world: World, tmp_path: Path) -> Path:
    card_file = tmp_path / "card.json"
    result = runner.invoke(
        cli,
        [
            "card",
            "issue",
            "--resident",
            world.hanako,
            "--out",
            str(card_file),
            "--auth-pin",
            AUTH_PIN,
            "--sign-pin",
            SIGN_PIN,
        ],
    )
    assert result.exit_code == 0, result.output
    return card_file


def test_issue_login_by_qr_and_revoke(cli_env: World, live_server: str, tmp_path: Path) -> None:
    card_file = _issue(cli_env, tmp_path)
    with httpx.Client(base_url=live_server) as browser:
        challenge = browser.post("/api/v1/identity/card-login/challenge").json()
        # the QR URL names TSUNAGU_BASE_URL; this server listens on a random port instead
        url = live_server + challenge["card_app_url"].split("127.0.0.1:8000", 1)[1]
        wrong = runner.invoke(cli, ["card", "login", url, "--card", str(card_file), "--pin", "9999"])
        assert wrong.exit_code == 1 and "wrong PIN" in wrong.output
        assert VirtualCard.load(card_file).failures("authentication") == 1  # kept in the card file
        answered = runner.invoke(cli, ["card", "login", url, "--card", str(card_file), "--pin", AUTH_PIN])
        assert answered.exit_code == 0, answered.output
        replay = runner.invoke(cli, ["card", "login", url, "--card", str(card_file), "--pin", AUTH_PIN])
        assert replay.exit_code == 1 and "already been answered" in replay.output
        page = browser.get("/identity/login")  # a CSRF cookie and token for the form
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        done = browser.post(
            "/identity/login/complete", data={"challenge_id": challenge["challenge_id"], "csrf_token": token}
        )
        assert done.status_code == 303, done.text
        assert browser.get("/api/v1/identity/me").json()["subject_id"] == cli_env.hanako
    card_id = VirtualCard.load(card_file).card_id
    revoked = runner.invoke(cli, ["card", "revoke", "--card", card_id, "--reason", "lost"])
    assert revoked.exit_code == 0, revoked.output


def test_card_sign_output_verifies(cli_env: World, client: TestClient, tmp_path: Path) -> None:
    card_file = _issue(cli_env, tmp_path)
    document = tmp_path / "application.txt"
    document.write_text("転出届", encoding="utf-8")
    signed = runner.invoke(cli, ["card", "sign", str(document), "--card", str(card_file), "--pin", SIGN_PIN])
    assert signed.exit_code == 0, signed.output
    body = json.loads(signed.output)
    check = client.post(
        "/api/v1/identity/signatures/verify",
        json={
            "data": base64.b64encode(document.read_bytes()).decode(),
            "signature": body["signature"],
            "certificate": body["certificate"],
        },
    )
    assert check.status_code == 200, check.text
    assert check.json()["name"] == "佐藤 花子"


def test_issue_refuses_unknown_resident_and_bad_pin(cli_env: World, tmp_path: Path) -> None:
    unknown = runner.invoke(
        cli,
        [
            "card",
            "issue",
            "--resident",
            "nobody",
            "--out",
            str(tmp_path / "a.json"),
            "--auth-pin",
            AUTH_PIN,
            "--sign-pin",
            SIGN_PIN,
        ],
    )
    assert unknown.exit_code == 1 and "no resident" in unknown.output
    bad = runner.invoke(
        cli,
        [
            "card",
            "issue",
            "--resident",
            cli_env.hanako,
            "--out",
            str(tmp_path / "b.json"),
            "--auth-pin",
            "12",
            "--sign-pin",
            SIGN_PIN,
        ],
    )
    assert bad.exit_code == 1 and "4 digits" in bad.output


def test_init_ca_and_create_staff(cli_env: World, tmp_path: Path) -> None:
    again = runner.invoke(cli, ["identity", "init-ca"])
    assert again.exit_code == 1 and "already exists" in again.output
    created = runner.invoke(
        cli,
        [
            "identity",
            "create-staff",
            "--organization",
            "131016",
            "--login-id",
            "chiyoda.new",
            "--name",
            "新任",
            "--role",
            "審査",
            "--role",
            "閲覧",
            "--password",
            "a long enough password",
        ],
    )
    assert created.exit_code == 0, created.output
    assert "TOTP secret" in created.output
    listed = runner.invoke(cli, ["identity", "organizations"])
    assert "千代田区" in listed.output


def test_business_prime_application_signed_with_the_card(cli_env: World, tmp_path: Path) -> None:
    card_file = _issue(cli_env, tmp_path)
    with cli_env.database.session() as db:
        corporations.load_synthetic(db, 5, 1)
        live, _total = corporations.search(db, closed=False)
    number = live[0].number
    command = [
        "business",
        "apply-prime",
        "--corporate-number",
        number,
        "--login-id",
        "ceo@example.jp",
        "--name",
        "代表 花子",
        "--card",
        str(card_file),
        "--sign-pin",
        SIGN_PIN,
        "--password",
        "correct horse battery",
    ]
    unchecked = runner.invoke(cli, command)
    assert unchecked.exit_code == 1 and "no representative" in unchecked.output
    recorded = runner.invoke(
        cli,
        [
            "business",
            "add-representative",
            "--corporate-number",
            number,
            "--resident",
            cli_env.hanako,
            "--source",
            "登記事項証明書（テスト）",
            "--recorded-by",
            "chiyoda.clerk",
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    listed = runner.invoke(cli, ["business", "representatives", number])
    assert "代表取締役" in listed.output and "chiyoda.clerk" in listed.output
    created = runner.invoke(cli, command)
    assert created.exit_code == 0, created.output
    assert f"prime account ceo@example.jp created for {number}" in created.output
    again = runner.invoke(cli, command)
    assert again.exit_code == 1
    assert "already has a prime account" in again.output
    wrong_pin = runner.invoke(cli, [*command[:-4], "--sign-pin", "WRONG1234", "--password", "x" * 12])
    assert wrong_pin.exit_code == 1
    assert "Traceback" not in wrong_pin.output


def test_the_card_app_signs_an_application_from_the_web(cli_env: World, tmp_path: Path) -> None:
    """``tsunagu business sign-application`` signs exactly the downloaded bytes, for upload."""
    card_file = _issue(cli_env, tmp_path)
    document = tmp_path / "gbizid-prime-application.json"
    document.write_bytes(business.application_document("7000012050002", "ceo@example.jp", "代表 花子"))
    signed = runner.invoke(
        cli, ["business", "sign-application", str(document), "--card", str(card_file), "--sign-pin", SIGN_PIN]
    )
    assert signed.exit_code == 0, signed.output
    application = business.read_signed_application(
        (tmp_path / "gbizid-prime-application.signed.json").read_bytes()
    )
    assert (application.corporate_number, application.login_id) == ("7000012050002", "ceo@example.jp")
    with cli_env.database.session() as db:
        signer = cards.verify_signature(
            db, document.read_bytes(), application.signature, application.certificate_pem
        )
    assert signer.resident_id == cli_env.hanako
    document.write_bytes(document.read_bytes().replace(b"{", b"{ "))  # edited by hand
    changed = runner.invoke(
        cli, ["business", "sign-application", str(document), "--card", str(card_file), "--sign-pin", SIGN_PIN]
    )
    assert changed.exit_code == 1 and "Traceback" not in changed.output
