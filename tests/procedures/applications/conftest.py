"""The applying world, plus a resident procedure with an upload field (PDF or PNG, 2 KiB)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.procedures.applying.conftest import resident_client, world  # noqa: F401
from tests.procedures.conftest import VALID

from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.procedures.service import SHIPPED_DIR

UPLOAD_PROCEDURE = VALID.replace("id: sample", "id: tenpu-mihon").replace(
    "    label: {ja: 備考, en: Note}\n",
    "    label: {ja: 備考, en: Note}\n"
    "  - name: plan\n"
    "    type: file\n"
    "    max_bytes: 2048\n"
    "    content_types: [application/pdf, image/png]\n"
    "    label: {ja: 図面, en: Plan}\n",
)
PDF = b"%PDF-1.7\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"2" * 200


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    directory = tmp_path / "procedures"
    shutil.copytree(SHIPPED_DIR, directory)
    (directory / "tenpu-mihon.yaml").write_text(UPLOAD_PROCEDURE, encoding="utf-8")
    return Settings(
        environment="test",
        data_dir=tmp_path / "var",
        database_url=database.url,
        secret_key="test-secret-key-not-for-production",
        log_json=True,
        log_level="warning",
        procedures_dir=directory,
        _env_file=None,
    )  # type: ignore[call-arg]
