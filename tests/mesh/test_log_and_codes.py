"""Hash-chained logs (tampering found, first broken entry named) and 機関別符号 (unlinkable codes)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete, update
from typer.testing import CliRunner

from tsunagu.cli.main import app as cli
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.mesh import crypto
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogEntry

ORG = "jpn-pension"
KEY = crypto.derive_signing_key("mesh-test-secret-not-for-production", ORG)


def _event(number: int) -> message_log.LogEvent:
    return message_log.LogEvent(
        role="provider",
        kind="response",
        request_id=f"{number:032x}",
        consumer="131016",
        provider=ORG,
        service=f"{ORG}/pension-status/v1",
        purpose="kaigo-hoken-131016",
        subject_code=f"code-{number}",
        items=("pension_type",),
        result="ok",
        message_sha256="0" * 64,
    )


def _resolve(kid: str) -> ec.EllipticCurvePublicKey | None:
    return KEY.public if kid == KEY.kid else None


@pytest.fixture
def chain(database: Database) -> Database:
    for number in range(1, 8):
        message_log.append(database, ORG, [_event(number)], KEY, checkpoint_every=3)
    return database


def test_an_intact_chain_verifies_with_its_signed_checkpoints(chain: Database) -> None:
    report = message_log.verify(chain, ORG, _resolve)
    # the fresh chain's first entry (time-based: no checkpoint yet), then every third entry
    assert report.ok and (report.entries, report.checkpoints) == (7, 3)


@pytest.mark.parametrize(
    ("change", "broken", "reason"),
    [
        ({"result": "denied"}, 4, "content"),
        ({"items": ["pension_type", "annual_amount"]}, 4, "content"),
        ({"prev_hash": "f" * 64}, 4, "link"),
    ],
)
def test_the_first_altered_entry_is_named(
    chain: Database, change: dict[str, object], broken: int, reason: str
) -> None:
    with chain.session() as db:
        db.execute(
            update(MeshLogEntry)
            .where(MeshLogEntry.organization_code == ORG, MeshLogEntry.seq == 4)
            .values(**change)
        )
    report = message_log.verify(chain, ORG, _resolve)
    assert report.broken_seq == broken and reason in report.reason


def test_appends_from_two_processes_interleave_into_one_chain(chain: Database) -> None:
    """Two engines (as two processes would have) take turns on the chain's write lock and each
    reads the head the other left."""
    other = Database(chain.url)
    try:
        for number in range(8, 14):
            message_log.append(other if number % 2 else chain, ORG, [_event(number), _event(number + 50)])
    finally:
        other.dispose()
    report = message_log.verify(chain, ORG, _resolve)
    assert report.ok and report.entries == 7 + 12


def test_a_removed_entry_is_found(chain: Database) -> None:
    with chain.session() as db:
        db.execute(delete(MeshLogEntry).where(MeshLogEntry.organization_code == ORG, MeshLogEntry.seq == 5))
    report = message_log.verify(chain, ORG, _resolve)
    assert report.broken_seq == 5 and "missing" in report.reason


def test_a_rewritten_chain_fails_its_signed_checkpoint(chain: Database) -> None:
    """Whoever rewrites every hash after an entry still cannot forge the node's checkpoint."""
    forger = Database(chain.url)  # another process: it reads the head from the table it tampered with
    with forger.session() as db:
        db.execute(delete(MeshLogEntry).where(MeshLogEntry.organization_code == ORG, MeshLogEntry.seq >= 2))
    for number in range(2, 8):
        message_log.append(forger, ORG, [_event(number + 100)])
    forger.dispose()
    report = message_log.verify(chain, ORG, _resolve)
    assert report.broken_seq is None and not report.ok
    assert any("checkpoint at entry 3" in problem for problem in report.problems)


def test_verify_log_command_exits_1_naming_the_entry(
    chain: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", chain.url)
    monkeypatch.setenv("TSUNAGU_SECRET_KEY", "mesh-test-secret-not-for-production")
    get_settings.cache_clear()
    runner = CliRunner()
    ok = runner.invoke(cli, ["mesh", "verify-log", "--org", ORG])
    assert ok.exit_code == 0, ok.output
    with chain.session() as db:
        db.execute(
            update(MeshLogEntry)
            .where(MeshLogEntry.organization_code == ORG, MeshLogEntry.seq == 6)
            .values(subject_code="someone-else")
        )
    broken = runner.invoke(cli, ["mesh", "verify-log", "--org", ORG])
    get_settings.cache_clear()
    assert broken.exit_code == 1
    assert "broken at entry 6" in broken.output


def test_codes_differ_per_organization_and_only_the_directory_links_them(database: Database) -> None:
    with database.session() as db:
        city = codes.code_for(db, "131016", "resident-1")
        pension = codes.issue_for_resident(db, "jpn-pension", "resident-1")
        assert codes.code_for(db, "131016", "resident-1") == city  # stable
        assert city != pension and "resident-1" not in city + pension
        assert codes.translate(db, "131016", city, "jpn-pension") == (
            codes.link_of(db, "131016", city),
            pension,
            None,
        )  # no relation yet
        codes.relate(db, "131016", "resident-1", "resident")
        assert codes.translate(db, "131016", city, "jpn-pension")[2] == "resident"  # type: ignore[index]
        assert codes.translate(db, "131016", pension, "jpn-pension") is None  # not the city's code
        assert codes.local_id_of(db, "131016", city) == "resident-1"
