"""create_app(settings) controls every secret: two apps in one process, each created with its own
settings, keep the 個人番号 vault and the staff TOTP secrets apart, without environment variables
or cache clearing (issue 20)."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from fastapi import FastAPI

from tsunagu.core.database import Database, installation_secret
from tsunagu.core.errors import ConfigurationError
from tsunagu.core.settings import Settings
from tsunagu.identity.organizations import service as organizations
from tsunagu.identity.staff import secrets_at_rest
from tsunagu.identity.staff import service as staff
from tsunagu.identity.staff.models import StaffAccount
from tsunagu.registry.residents.numbers import vault
from tsunagu.web.app import create_app

NUMBER = "123456789018"  # check digit valid; synthetic
PASSWORD = "a long enough staff password 2026"


def _app(tmp_path: Path, database: Database, name: str) -> FastAPI:
    return create_app(
        Settings(
            environment="test",
            data_dir=tmp_path / name,
            database_url=database.url,
            secret_key=f"{name}-secret-not-for-production",
            log_level="warning",
            _env_file=None,
        )
    )  # type: ignore[call-arg]


@pytest.fixture
def apps(tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[FastAPI, FastAPI]:
    monkeypatch.delenv("TSUNAGU_SECRET_KEY", raising=False)  # whatever the process has, it is not read
    return _app(tmp_path, database, "first"), _app(tmp_path, database, "second")


def test_each_app_vaults_individual_numbers_under_its_own_secret(apps: tuple[FastAPI, FastAPI]) -> None:
    first, second = (app.state.database for app in apps)
    with first.session() as db:
        sealed, first_hash = vault(db).encrypt(NUMBER, "r1"), vault(db).lookup_hash(NUMBER)
        assert vault(db).decrypt(sealed, "r1") == NUMBER
    with second.session() as db:
        assert vault(db).lookup_hash(NUMBER) != first_hash  # its hashes cannot be joined with the first's
        with pytest.raises(ConfigurationError):
            vault(db).decrypt(sealed, "r1")


def test_each_app_seals_staff_totp_secrets_under_its_own_secret(apps: tuple[FastAPI, FastAPI]) -> None:
    first, second = (app.state.database for app in apps)
    with first.session() as db:
        organizations.seed_demo_organizations(db)
        created = staff.create_staff(
            db, "131016", "clerk-a", display_name="窓口 花子", roles={"閲覧"}, password=PASSWORD
        )
        principal, _ = staff.login(db, "clerk-a", PASSWORD, pyotp.TOTP(created.totp_secret).now())
        assert principal.subject_id == created.record.id
        sealed = db.get_one(StaffAccount, created.record.id).totp_secret
    with second.session() as db, pytest.raises(ConfigurationError, match="TSUNAGU_SECRET_KEY has changed"):
        secrets_at_rest.unseal(installation_secret(db), sealed, created.record.id)


def test_a_database_without_a_secret_refuses_instead_of_reading_the_process_settings(
    database: Database,
) -> None:
    bare = Database(database.url)
    try:
        with bare.session() as db, pytest.raises(ConfigurationError, match="no installation secret"):
            vault(db)
    finally:
        bare.dispose()
