"""Settings from the environment: defaults, validation and the production secret rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsunagu.core.errors import ConfigurationError
from tsunagu.core.settings import MeshSettings, Settings, load_settings


def test_defaults_to_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/tsunagu.db"


def test_postgres_url_is_used_as_given() -> None:
    url = "postgresql+psycopg://u:p@127.0.0.1:5432/tsunagu"
    assert Settings(database_url=url, _env_file=None).resolved_database_url == url  # type: ignore[call-arg]


def test_invalid_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_LOG_LEVEL", "loud")
    with pytest.raises(ConfigurationError, match="TSUNAGU_LOG_LEVEL"):
        load_settings(_env_file=None)


def test_production_requires_a_secret(tmp_path: Path) -> None:
    settings = Settings(environment="production", data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="TSUNAGU_SECRET_KEY"):
        settings.resolved_secret_key()


def test_development_keeps_a_private_secret_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    first = settings.resolved_secret_key()
    assert first == settings.resolved_secret_key()
    assert len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_dotenv_file_may_hold_the_mesh_settings(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "TSUNAGU_PORT=9001\nTSUNAGU_MESH_FRESHNESS_SECONDS=10\nPGPASSWORD=x\n", encoding="utf-8"
    )
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.port == 9001
    assert settings.mesh.freshness_seconds == 10
    assert settings.mesh.operator == MeshSettings().operator  # the others keep their defaults


def test_the_mesh_settings_keep_their_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_MESH_DIRECTORY_URL", "http://127.0.0.1:8100")
    monkeypatch.setenv("TSUNAGU_MESH_PUSH_BASE_DELAY_SECONDS", "0.5")
    mesh = Settings(_env_file=None).mesh  # type: ignore[call-arg]
    assert (mesh.directory_url, mesh.push_base_delay_seconds) == ("http://127.0.0.1:8100", 0.5)


def test_a_misspelt_or_invalid_mesh_setting_is_named_in_the_error(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "TSUNAGU_MESH_FRESHNES_SECONDS=10\nTSUNAGU_MESH_TIMEOUT_SECONDS=0\n", encoding="utf-8"
    )
    with pytest.raises(ConfigurationError) as refused:
        load_settings(_env_file=env_file)
    assert "TSUNAGU_MESH_FRESHNES_SECONDS" in str(refused.value)
    assert "TSUNAGU_MESH_TIMEOUT_SECONDS" in str(refused.value)


def test_a_misspelt_setting_in_the_dotenv_file_is_still_refused(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TSUNAGU_PROT=9001\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"(?i)TSUNAGU_PROT"):
        load_settings(_env_file=env_file)
