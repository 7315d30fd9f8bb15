"""Configuration from ``TSUNAGU_*`` environment variables (and an optional ``.env`` file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tsunagu.core.errors import ConfigurationError


class MeshSettings(BaseModel):
    """The mesh node's settings (``TSUNAGU_MESH_*``), ``Settings.mesh``: read with the others, from
    the environment and the ``.env`` file, so that one settings object drives a process."""

    model_config = ConfigDict(extra="forbid")

    directory_url: str = Field(
        default="", description="URL of the directory node; empty when it shares this database."
    )
    operator: str = Field(default="digital-agency", description="Organization running the directory.")
    key_file: Path | None = Field(
        default=None, description="PEM private key of this node; derived from the secret if unset."
    )
    freshness_seconds: int = Field(default=30, ge=1, le=600)
    timeout_seconds: float = Field(default=5.0, gt=0)
    push_max_attempts: int = Field(default=8, ge=1)
    push_base_delay_seconds: float = Field(default=2.0, ge=0)
    push_concurrency: int = Field(
        default=8, ge=1, description="Lanes (subscriber and person) delivered side by side."
    )
    checkpoint_every: int = Field(default=1000, ge=1)
    checkpoint_seconds: float = Field(
        default=60.0, gt=0, description="A checkpoint also when the last one is older than this."
    )
    archive_dir: Path | None = Field(
        default=None, description="Where old log entries are archived; <data dir>/mesh-archive if unset."
    )
    disk_alarm_ratio: float = Field(
        default=0.15, gt=0, lt=1, description="Warn when the log's or archive's disk has less free space."
    )


class _OwnDotEnvLines(PydanticBaseSettingsSource):
    """The ``.env`` source without the lines that are not Tsunagu's.

    With ``extra="forbid"`` pydantic-settings turns every ``.env`` line that is no field into an
    error; a misspelt ``TSUNAGU_*`` line should stay one, but a line without the ``TSUNAGU_``
    prefix (``PGPASSWORD=…``) is no one's here, as it is when it comes from the environment.
    """

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self.inner = inner

    def _set_current_state(self, state: dict[str, Any]) -> None:
        super()._set_current_state(state)
        self.inner._set_current_state(state)

    def _set_settings_sources_data(self, states: dict[str, dict[str, Any]]) -> None:
        super()._set_settings_sources_data(states)
        self.inner._set_settings_sources_data(states)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.inner.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        fields = self.settings_cls.model_fields
        return {
            key: value
            for key, value in self.inner().items()
            if key in fields or key.lower().startswith("tsunagu_")
        }


class Settings(BaseSettings):
    """Every setting of a Tsunagu process. See docs/operations.md for the full list."""

    # TSUNAGU_MESH_OPERATOR is mesh.operator: the nested fields split from their section once, at
    # its first "_" after the prefix (env_nested_max_split=1), so mesh names keep their underscores
    model_config = SettingsConfigDict(
        env_prefix="TSUNAGU_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("var"), description="Writable directory for state.")
    database_url: str = Field(default="", description="SQLAlchemy URL; defaults to SQLite in data_dir.")
    secret_key: str = Field(default="", description="Signs sessions and CSRF tokens.")
    base_url: str = Field(
        default="",
        description="Public URL of this deployment (links the server "
        "writes: the QR login URL, the OpenID Connect issuer); unset, it follows the "
        "port: http://HOST:PORT, 127.0.0.1 for a wildcard host.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = True
    default_locale: Literal["ja", "en"] = "ja"
    secure_cookies: bool = Field(
        default=False,
        description="Set the Secure flag on cookies and send "
        "HSTS; unset, it follows the base URL's scheme (true for https).",
    )
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of "
        "reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are "
        "believed; unset, none (the peer address is the client).",
    )
    metrics_token: str = Field(
        default="",
        description="Bearer token a Prometheus scraper sends "
        "to /metrics; without it, only the platform operator's 管理 staff see them.",
    )
    bank_verifier_url: str = Field(
        default="",
        description="口座確認 provider (HTTP) that confirms "
        "公金受取口座; unset, the local test bank in-process.",
    )
    smtp_host: str = Field(
        default="",
        description="SMTP relay that sends お知らせ e-mails; unset, e-mails "
        "wait in the queue until one is configured.",
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    mail_from: str = Field(default="noreply@tsunagu.example", description="From address of お知らせ e-mails.")
    procedures_dir: Path | None = Field(
        default=None, description="Procedure definition files (YAML); the shipped definitions when unset."
    )
    mesh: MeshSettings = Field(default_factory=MeshSettings, description="TSUNAGU_MESH_* settings.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _OwnDotEnvLines(settings_cls, dotenv_settings),
            file_secret_settings,
        )

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value

    @model_validator(mode="after")
    def _base_url_follows_the_port(self) -> Settings:
        if not self.base_url:
            self.base_url = local_base_url(self.host, self.port)
        if self.mesh.archive_dir is None:  # the mesh needs no data_dir of its own to find it
            self.mesh.archive_dir = self.data_dir / "mesh-archive"
        if "secure_cookies" not in self.model_fields_set and self.base_url.startswith("https://"):
            self.secure_cookies = True  # secure by default wherever the public URL is https
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        """``TSUNAGU_TRUSTED_PROXIES`` as a list (empty: trust no forwarded header)."""
        return [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tsunagu.db').as_posix()}"

    def resolved_secret_key(self) -> str:
        """The secret from the environment; outside production a per-installation key in data_dir.

        Production refuses to start without ``TSUNAGU_SECRET_KEY`` so that no secret is ever
        generated silently on a server; development keeps a random key under ``var/`` (never
        committed) so that sessions survive a restart.
        """
        if self.secret_key:
            return self.secret_key
        if self.environment == "production":
            raise ConfigurationError("TSUNAGU_SECRET_KEY must be set in production")
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


def local_base_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server listening on ``host``:``port``."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - recognising a wildcard, not binding one
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning any problem into one ConfigurationError line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper()  # mesh.operator: MESH_OPERATOR
            problems.append(f"{name if name.startswith('TSUNAGU_') else 'TSUNAGU_' + name}: {error['msg']}")
        raise ConfigurationError("invalid configuration: " + "; ".join(problems)) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigurationError(f"cannot read .env file: {exc}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
