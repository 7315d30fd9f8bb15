"""Key rotation: a new current key, the old one verifying only during the overlap, revocation."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from tests.mesh.conftest import CHIYODA, World
from typer.testing import CliRunner

from tsunagu.cli.main import app as cli
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings, get_settings
from tsunagu.mesh import crypto, errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import keys
from tsunagu.mesh.directory.models import MeshPrivateKey
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node

PENSION = "jpn-pension"


def _query_signed_with(key: crypto.SigningKey, world: World, database: Database) -> str:
    """The city's signed query to the pension office for the person, as its node would send it."""
    with database.session() as db:
        subject = codes.code_for(db, CHIYODA, world.resident_id)
    envelope = wire.QueryEnvelope(
        id=uuid.uuid4().hex,
        iat=int(clock.now().timestamp()),
        consumer=CHIYODA,
        provider=PENSION,
        service="pension-status",
        version="v1",
        purpose=f"kaigo-hoken-{CHIYODA}",
        subject=subject,
    )
    return crypto.sign(key, envelope.model_dump(mode="json"), wire.QUERY_TYP)


def _last_denial(database: Database, organization: str) -> str:
    with database.session() as db:
        entries, _ = message_log.recent(db, organization, 1, 0)
    assert entries[0].kind == "denial"
    return entries[0].result


def _rotate(database: Database, settings: Settings, overlap: timedelta) -> str:
    with database.session() as db:
        return keys.rotate(db, CHIYODA, overlap, "test").kid


def test_a_rotated_key_signs_and_the_old_one_verifies_only_during_the_overlap(
    database: Database, settings: Settings, world: World, fixed_clock: clock.FixedClock
) -> None:
    city, pension = world.node(CHIYODA), world.node(PENSION)
    old = city.key
    new_kid = _rotate(database, settings, timedelta(days=1))

    assert city.key.kid == new_kid != old.kid
    jwk = city.key.public_jwk()
    members = json.dumps({"crv": "P-256", "kty": "EC", "x": jwk["x"], "y": jwk["y"]}, separators=(",", ":"))
    assert new_kid == f"{CHIYODA}#{crypto.b64url(hashlib.sha256(members.encode()).digest())}"  # RFC 7638
    answer = node.handle_query(pension, _query_signed_with(city.key, world, database))
    assert crypto.verify(answer, city.directory.public_key, wire.RESPONSE_TYP).signer == PENSION
    node.handle_query(pension, _query_signed_with(old, world, database))  # still inside the overlap

    fixed_clock.advance(timedelta(days=1, seconds=1))
    with pytest.raises(errors.KeyExpired):
        node.handle_query(pension, _query_signed_with(old, world, database))
    assert _last_denial(database, PENSION) == "mesh-key-expired"
    node.handle_query(pension, _query_signed_with(city.key, world, database))
    with database.session() as db:
        statuses = {k.kid: k.status for k in keys.list_keys(db, CHIYODA)}
    assert statuses == {old.kid: "expired", new_kid: "current"}


def test_a_revoked_key_is_refused_with_its_own_code(
    database: Database, settings: Settings, world: World
) -> None:
    city, pension = world.node(CHIYODA), world.node(PENSION)
    old = city.key
    _rotate(database, settings, timedelta(days=7))
    with database.session() as db:
        assert keys.revoke(db, CHIYODA, old.kid, "leaked", "test").status == "revoked"
    with pytest.raises(errors.KeyRevoked):
        node.handle_query(pension, _query_signed_with(old, world, database))
    assert _last_denial(database, PENSION) == "mesh-key-revoked"
    node.handle_query(pension, _query_signed_with(city.key, world, database))


def test_rotated_private_keys_are_encrypted_at_rest_under_the_secret(
    database: Database, settings: Settings, world: World
) -> None:
    kid = _rotate(database, settings, timedelta(days=1))
    with database.session() as db:
        pem = db.scalar(select(MeshPrivateKey.encrypted_pem).where(MeshPrivateKey.kid == kid))
    assert pem is not None and pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert crypto.decrypt_private_key(pem, settings.resolved_secret_key(), kid).kid == kid
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(pem.encode(), password=b"another deployment's secret")


def test_the_cli_rotates_and_revokes(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    get_settings.cache_clear()
    runner = CliRunner()
    rotated = runner.invoke(cli, ["mesh", "rotate-key", CHIYODA, "--overlap-days", "3"])
    assert rotated.exit_code == 0, rotated.output
    with database.session() as db:
        current = next(k for k in keys.list_keys(db, CHIYODA) if k.status == "current")
    assert current.kid in rotated.output
    revoked = runner.invoke(cli, ["mesh", "revoke-key", CHIYODA, current.kid, "--reason", "test"])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    again = runner.invoke(cli, ["mesh", "revoke-key", CHIYODA, current.kid])
    assert again.exit_code == 1 and "already revoked" in again.output
    unknown = runner.invoke(cli, ["mesh", "rotate-key", "no-such-org"])
    assert unknown.exit_code == 1 and "no-such-org" in unknown.output
