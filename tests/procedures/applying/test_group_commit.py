"""Submissions written together (group commit): each keeps its own outcome in a shared
transaction, the same key twice in one batch gives one application, and concurrent submissions
get distinct receipt serials with every row written."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.procedures.applying.conftest import World

from tsunagu.core.database import Database
from tsunagu.core.groupcommit import Job
from tsunagu.notify.models import NotifyMessage
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.applications import service
from tsunagu.procedures.applications.service import submission as submission_store
from tsunagu.procedures.models import ProceduresApplication, ProceduresAudit, ProceduresIdempotencyKey

REGISTRY = catalogue.registry_for(None)
VALUES: dict[str, Any] = {
    "applicant_name": {"family": "佐藤", "given": "花子", "family_kana": "サトウ", "given_kana": "ハナコ"},
    "destination_address": {"text": "神奈川県横須賀市小川町1-1"},
    "moving_date": "2026-11-25",
    "visit_date": "2026-11-26",
    "phone": "0312345678",
}


def _submission(database: Database, world: World, key: str, phone: str = "0312345678") -> service.Submission:
    procedure = catalogue.get_procedure(REGISTRY, "tennyu-yoyaku")
    values = {**VALUES, "phone": phone}
    person = world.resident()
    with database.session() as db:
        prefilled, data, organization, subject = service.prepare(
            db, None, procedure, person, values, sealed=service.Prefilled()
        )
    return service.Submission(procedure, person, subject, organization, data, prefilled, key, values)


def _count(database: Database, entity: Any) -> int:
    with database.session() as db:
        return int(db.scalar(select(func.count()).select_from(entity)) or 0)


def test_a_batch_keeps_each_submissions_outcome(database: Database, world: World) -> None:
    first = _submission(database, world, "batch-key-0001")
    stored, _ = service.submit(database, first)
    reused = replace(
        _submission(database, world, "batch-key-0001", phone="0398765432"), principal=first.principal
    )
    fresh = _submission(database, world, "batch-key-0002")
    twice = replace(fresh, idempotency_key="batch-key-0003")
    jobs = [Job(submission_store._Pending.of(s)) for s in (reused, fresh, twice, twice, first)]
    before = _count(database, ProceduresApplication)

    submission_store._store(database, jobs)

    with pytest.raises(service.IdempotencyKeyReused):
        jobs[0].outcome()
    new, created = jobs[1].outcome()
    same, created_twice = jobs[2].outcome()
    again, created_again = jobs[3].outcome()
    earlier, created_earlier = jobs[4].outcome()
    assert created and created_twice and not created_again and not created_earlier
    assert again.id == same.id and earlier.receipt_number == stored.receipt_number
    assert len({new.receipt_number, same.receipt_number, stored.receipt_number}) == 3
    assert _count(database, ProceduresApplication) == before + 2
    with database.session() as db:
        kept = service.load(db, same.id)
    assert kept.receipt_number == same.receipt_number and [a.to_status for a in kept.audit] == ["submitted"]


def test_concurrent_submissions_get_distinct_receipts_and_all_their_rows(
    database: Database, world: World
) -> None:
    submissions = [_submission(database, world, f"concurrent-{n:04d}") for n in range(24)]
    start = threading.Barrier(len(submissions))
    receipts: dict[str, str] = {}

    def submit(submission: service.Submission) -> None:
        start.wait(10)
        app, created = service.submit(database, submission)
        assert created
        receipts[submission.idempotency_key] = app.receipt_number

    threads = [threading.Thread(target=submit, args=(s,)) for s in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(set(receipts.values())) == len(submissions)
    with database.session() as db:
        stored = set(db.scalars(select(ProceduresApplication.receipt_number)))
        keys = db.scalar(
            select(func.count())
            .select_from(ProceduresIdempotencyKey)
            .where(ProceduresIdempotencyKey.key.like("concurrent-%"))
        )
    assert set(receipts.values()) <= stored and keys == len(submissions)
    assert _count(database, ProceduresAudit) >= len(submissions)
    assert _count(database, NotifyMessage) >= len(submissions)
