"""The directory anchors each node's log checkpoints, so a node cannot quietly rewrite its past:
deleting the log's tail, recomputing the whole chain, or deleting its checkpoints first is found.
A fresh chain is checkpointed at its first write, and again after ``checkpoint_seconds``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from tests.mesh.conftest import CHIYODA, World
from typer.testing import CliRunner

from tsunagu.cli.main import app as cli
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings, get_settings
from tsunagu.mesh import crypto, errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import desk
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogAnchor, MeshLogCheckpoint, MeshLogEntry
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node


def _exchange(database: Database, world: World) -> None:
    with database.session() as db:
        subject = codes.code_for(db, CHIYODA, world.resident_id)
    node.query(
        world.node(CHIYODA),
        wire.LocalQuery(
            provider="jpn-pension",
            service="pension-status",
            purpose=f"kaigo-hoken-{CHIYODA}",
            subject=subject,
        ),
    )


def _settle(database: Database) -> None:
    """Wait for the background anchoring, then anchor anything left (deterministic for the test)."""
    message_log.anchoring_settled()
    for organization in (CHIYODA, "jpn-pension", "digital-agency"):
        message_log.anchor_pending(database, organization)


def _head(database: Database, organization: str) -> int:
    with database.session() as db:
        return int(
            db.scalar(
                select(func.max(MeshLogEntry.seq)).where(MeshLogEntry.organization_code == organization)
            )
            or 0
        )


def _anchored(database: Database, organization: str) -> list[int]:
    with database.session() as db:
        return list(
            db.scalars(
                select(MeshLogAnchor.seq)
                .where(MeshLogAnchor.organization_code == organization)
                .order_by(MeshLogAnchor.seq)
            )
        )


def test_a_fresh_chain_is_checkpointed_and_anchored_then_again_after_the_interval(
    database: Database, world: World, fixed_clock: clock.FixedClock
) -> None:
    _exchange(database, world)
    _settle(database)
    first = {}
    for organization in (CHIYODA, "jpn-pension", "digital-agency"):
        first[organization] = _head(database, organization)
        # far below 1,000 entries, the head is checkpointed and anchored
        assert _anchored(database, organization) == [first[organization]], organization
        report = message_log.verify(database, organization)
        assert report.ok and report.anchors == 1
    _exchange(database, world)  # within the interval: no new checkpoint
    _settle(database)
    assert _anchored(database, CHIYODA) == [first[CHIYODA]]
    fixed_clock.advance(timedelta(seconds=61))
    _exchange(database, world)
    _settle(database)
    assert _anchored(database, CHIYODA) == [first[CHIYODA], _head(database, CHIYODA)]
    with database.session() as db:
        kept = db.scalars(
            select(MeshLogCheckpoint).where(MeshLogCheckpoint.organization_code == CHIYODA)
        ).all()
    assert all(point.anchor for point in kept)  # each checkpoint holds the directory's countersignature


@pytest.mark.parametrize("attack", ["tail", "tail-and-checkpoints", "recomputed-chain"])
def test_rewriting_a_nodes_history_is_found_against_the_directorys_anchors(
    database: Database, world: World, attack: str
) -> None:
    _exchange(database, world)
    _settle(database)
    where = MeshLogEntry.organization_code == CHIYODA
    with database.session() as db:
        if attack.startswith("tail"):  # drop every entry after the first (the chain stays valid)
            db.execute(delete(MeshLogEntry).where(where, MeshLogEntry.seq > 1))
            if attack == "tail-and-checkpoints":
                db.execute(delete(MeshLogCheckpoint).where(MeshLogCheckpoint.organization_code == CHIYODA))
        else:  # change the first entry and recompute every hash after it, and drop the checkpoints
            rows = db.scalars(select(MeshLogEntry).where(where).order_by(MeshLogEntry.seq)).all()
            prev = message_log.GENESIS
            for row in rows:
                row.subject_code = "someone-else" if row.seq == 1 else row.subject_code
                event = message_log.LogEvent(
                    role=row.role,
                    kind=row.kind,
                    request_id=row.request_id,
                    consumer=row.consumer,
                    provider=row.provider,
                    service=row.service,
                    purpose=row.purpose,
                    subject_code=row.subject_code,
                    items=tuple(row.items),
                    result=row.result,
                    message_sha256=row.message_sha256,
                    person_link=row.person_link,
                    visible_from=row.visible_from,
                )
                row.prev_hash, row.entry_hash = prev, message_log.entry_hash(prev, row.seq, row.at, event)
                prev = row.entry_hash
            db.execute(delete(MeshLogCheckpoint).where(MeshLogCheckpoint.organization_code == CHIYODA))
    report = message_log.verify(database, CHIYODA)
    assert report.broken_seq is None  # the node's own chain looks whole…
    assert not report.ok  # …but not against what the directory keeps
    expected = {"tail": "missing", "tail-and-checkpoints": "missing", "recomputed-chain": "rewritten"}[attack]
    assert any(expected in problem for problem in report.problems), report.problems
    if attack != "tail":
        assert any("gone from the node" in problem for problem in report.problems)


def test_the_directory_keeps_what_was_anchored(database: Database, world: World) -> None:
    _exchange(database, world)
    _settle(database)
    ctx = world.node(CHIYODA)
    with database.session() as db:
        first = db.scalar(select(MeshLogCheckpoint).where(MeshLogCheckpoint.organization_code == CHIYODA))
        assert first is not None
        db.execute(
            update(MeshLogEntry).where(MeshLogEntry.organization_code == CHIYODA).values(entry_hash="f" * 64)
        )
    # the same checkpoint again: the same countersignature
    assert ctx.directory.anchor(first.signature) == first.anchor
    # another hash for an anchored entry, signed by the node itself: refused
    forged = crypto.sign(
        ctx.key,
        {"org": CHIYODA, "seq": first.seq, "hash": "f" * 64, "at": "2026-01-01T00:00:00+00:00"},
        message_log.CHECKPOINT_TYP,
    )
    with pytest.raises(errors.CheckpointConflict):
        desk.anchor_signed(database, ctx.directory.operator_key, forged, "digital-agency")  # type: ignore[attr-defined]


def test_verify_log_command_checks_the_directorys_anchors(
    database: Database, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _exchange(database, world)
    _settle(database)
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    monkeypatch.setenv("TSUNAGU_SECRET_KEY", settings.resolved_secret_key())
    get_settings.cache_clear()
    runner = CliRunner()
    intact = runner.invoke(cli, ["mesh", "verify-log", "--org", CHIYODA])
    assert intact.exit_code == 0, intact.output
    assert "1 of them against the directory's anchors" in " ".join(intact.output.split())
    with database.session() as db:  # the node's own checkpoints first, then its tail
        db.execute(delete(MeshLogCheckpoint).where(MeshLogCheckpoint.organization_code == CHIYODA))
        db.execute(
            delete(MeshLogEntry).where(MeshLogEntry.organization_code == CHIYODA, MeshLogEntry.seq > 1)
        )
    broken = runner.invoke(cli, ["mesh", "verify-log", "--org", CHIYODA])
    get_settings.cache_clear()
    assert broken.exit_code == 1 and "anchored by the directory" in " ".join(broken.output.split())
