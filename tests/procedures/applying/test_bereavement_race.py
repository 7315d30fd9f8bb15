"""Two family members filing the same おくやみ procedure at the same moment: one application stands.

The wife and the son of the deceased each send the 介護保険 資格喪失届 at once — from two writers
that share nothing in this process (each its own Database, as two server processes would be). The
partial unique index on (bundle, procedure) lets one insert win on SQLite and PostgreSQL alike; the
other is told, clearly, who filed it (``bereavement-already-filed`` with the first receipt). A
withdrawn filing no longer counts, so the family can file again.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh import demo
from tsunagu.procedures import meshlink
from tsunagu.procedures import service as procedures
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.bereavement import service as bereavement
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.registry.residents import service as residents

CARE = "kaigo-shikaku-soshitsu"


def _family(database: Database) -> tuple[str, str, str]:
    """鈴木 勇 (世帯主, 80) dies; his wife 幸子 and their son 健一 remain in the 世帯."""
    people = [
        ("勇", "いさむ", date(1946, 5, 3), "1", "555123456787", None),
        ("幸子", "さちこ", date(1949, 9, 9), "2", "555234567898", "妻"),
        ("健一", "けんいち", date(1975, 1, 20), "1", "555345678907", "子"),
    ]
    ids: list[str] = []
    with database.session() as db:
        for given, kana, born, sex, number, relationship in people:
            record = residents.register_move_in(
                db,
                CHIYODA,
                residents.NewResident(
                    name=PersonName("鈴木", given, "すずき", kana),
                    birth_date=born,
                    sex=sex,
                    individual_number=IndividualNumber(number),
                    household_id=None if not ids else _household(db, ids[0]),
                    relationship=relationship or residents.HEAD,
                ),
                residents.Residence(town_id=1001, banchi="5", go="6"),
                moved_in_on=date(1990, 4, 1),
                actor="test",
            )
            ids.append(record.id)
        demo.seed_people(db, [(i, CHIYODA, 1950) for i in ids], seed=11)
        residents.register_death(
            db, ids[0], date_of_death=date(2026, 11, 18), actor="counter", new_head_id=ids[1]
        )
    return ids[0], ids[1], ids[2]


def _household(db: Session, resident_id: str) -> str:
    found = residents.get_resident(db, resident_id)
    assert found is not None
    return found.household_id


def _listed(app: FastAPI, database: Database, who: str, deceased: str) -> bereavement.Checklist:
    """The family member's list, as their page showed it before they pressed the button."""
    mesh = meshlink.NodeGateway(database, app.state.mesh_nodes.context)
    registry = procedures.registry_for(app.state.settings.procedures_dir)
    return bereavement.checklist_for(
        database, mesh, registry, Principal(kind="resident", subject_id=who), deceased
    )


def _file(
    app: FastAPI, database: Database, listed: bereavement.Checklist, who: str, key: str
) -> list[bereavement.Part]:
    """One family member's filing of the care notice, through ``database`` (a writer of its own)."""
    return bereavement.file_online(
        database,
        meshlink.NodeGateway(database, app.state.mesh_nodes.context),
        app.state.settings.resolved_secret_key(),
        listed,
        principal=Principal(kind="resident", subject_id=who),
        chosen=(CARE,),
        answers={},
        key=key,
    )


def test_two_family_members_filing_at_once_get_one_application(
    app: FastAPI, database: Database, world: World
) -> None:
    deceased, wife, son = _family(database)
    writers = [Database(database.url, secret_key=app.state.settings.resolved_secret_key()) for _ in range(2)]
    start = threading.Barrier(2)
    results: dict[str, list[bereavement.Part]] = {}
    failures: list[BaseException] = []

    lists = {who: _listed(app, database, who, deceased) for who in (wife, son)}

    def file(who: str, writer: Database) -> None:
        try:
            start.wait()
            results[who] = _file(app, writer, lists[who], who, f"race-{who}")
        except BaseException as problem:  # reported by the test, not lost in the thread
            failures.append(problem)

    threads = [threading.Thread(target=file, args=(w, d)) for w, d in zip((wife, son), writers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for writer in writers:
        writer.dispose()
    assert not failures, failures
    (first,), (second,) = results[wife], results[son]
    won, lost = (first, second) if first.created else (second, first)
    assert won.created and won.application is not None and not won.problem
    assert not lost.created and lost.problem == bereavement.ALREADY_FILED
    assert lost.application is not None and lost.application.id == won.application.id  # names the first
    with database.session() as db:
        standing = db.scalars(
            select(ProceduresApplication.id).where(
                ProceduresApplication.procedure_id == CARE,
                ProceduresApplication.bundle_id == bereavement.bundle_of(deceased),
            )
        ).all()
    assert standing == [won.application.id]


def test_the_database_refuses_a_second_standing_part_and_frees_a_withdrawn_one(
    app: FastAPI, database: Database, world: World
) -> None:
    deceased, wife, son = _family(database)
    (part,) = _file(app, database, _listed(app, database, wife, deceased), wife, "first")
    assert part.created and part.application is not None
    with database.session() as db:
        row = db.get(ProceduresApplication, part.application.id)
        assert row is not None
        copy = {c.name: getattr(row, c.name) for c in ProceduresApplication.__table__.columns}
    copy |= {"id": "f" * 32, "receipt_number": "2026-131016-999999", "applicant_id": son}
    # written past the service, the index alone stops a second standing application of the part
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(insert(ProceduresApplication).values(copy))
    with database.session() as db:  # withdrawn: the family may file it again
        db.execute(
            update(ProceduresApplication)
            .where(ProceduresApplication.id == part.application.id)
            .values(status="withdrawn")
        )
    (again,) = _file(app, database, _listed(app, database, son, deceased), son, "after-withdrawal")
    assert again.created and not again.problem and again.application is not None
    assert again.application.applicant_id == son
    with database.session() as db:
        assert applications.load(db, again.application.id).bundle_id == bereavement.bundle_of(deceased)
