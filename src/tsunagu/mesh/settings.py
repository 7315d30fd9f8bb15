"""Mesh settings (``TSUNAGU_MESH_*``), separate from the platform settings that core owns."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MeshSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TSUNAGU_MESH_", env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    directory_url: str = Field(
        default="", description="URL of the directory node; empty when it shares this database.")
    operator: str = Field(default="digital-agency", description="Organization running the directory.")
    key_file: Path | None = Field(
        default=None, description="PEM private key of this node; derived from the secret if unset.")
    freshness_seconds: int = Field(default=30, ge=1, le=600)
    timeout_seconds: float = Field(default=5.0, gt=0)
    push_max_attempts: int = Field(default=8, ge=1)
    push_base_delay_seconds: float = Field(default=2.0, ge=0)
    push_concurrency: int = Field(default=8, ge=1,
                                  description="Lanes (subscriber and person) delivered side by side.")
    checkpoint_every: int = Field(default=1000, ge=1)
    checkpoint_seconds: float = Field(
        default=60.0, gt=0, description="A checkpoint also when the last one is older than this.")
    archive_dir: Path | None = Field(
        default=None, description="Where old log entries are archived; <data dir>/mesh-archive if unset.")
    disk_alarm_ratio: float = Field(
        default=0.15, gt=0, lt=1, description="Warn when the log's or archive's disk has less free space.")


@lru_cache(maxsize=1)
def get_mesh_settings() -> MeshSettings:
    return MeshSettings()
