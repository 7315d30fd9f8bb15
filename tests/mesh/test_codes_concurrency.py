"""Two requests recording the same person's relation, link and code at once (機関別符号).

Two family members opening the おくやみ list at the same moment both made the pension
organization's first relation with the deceased: each read "none", each inserted, and the second
failed on the primary key with a 500. The second writer must find the first one's row instead.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text
from tests.conftest import TEST_SECRET

from tsunagu.core.database import Database
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.codes.models import MeshPersonLink, MeshPersonRelation, MeshSubjectCode
from tsunagu.mesh.node.models import MeshNodePerson

PENSION = "nenkin"
PERSON = "resident-in-two-requests"


def _waiting_on_a_lock(database: Database) -> bool:
    with database.engine.connect() as connection:
        waiting = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )
    return bool(waiting)


def test_a_second_writer_finds_the_first_ones_relation_code_and_note(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip(
            "SQLite has one writer at a time: a second writer cannot be inside the first one's insert"
        )
    first = database.sessions()
    first.begin()
    code = codes.relate(first, PENSION, PERSON, "record")
    codes.remember(first, PENSION, code, "pension-0001")  # inserted, not yet committed

    second_writer = Database(database.url, secret_key=TEST_SECRET)
    answers: list[str] = []
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with second_writer.session() as db:
                found = codes.relate(db, PENSION, PERSON, "record")
                codes.remember(db, PENSION, found, "pension-0001")
                answers.append(found)
        except BaseException as problem:  # reported by the test, not lost in the thread
            failures.append(problem)

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 20
    while not _waiting_on_a_lock(database) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _waiting_on_a_lock(database), "the second writer never reached the first one's rows"
    first.commit()
    first.close()
    thread.join(30)
    second_writer.dispose()

    assert not failures, failures
    assert answers == [code]
    with database.session() as db:
        for model in (MeshPersonLink, MeshPersonRelation, MeshSubjectCode, MeshNodePerson):
            assert db.scalar(select(func.count()).select_from(model)) == 1, model.__tablename__


def test_recording_twice_in_one_session_keeps_one_of_each(database: Database) -> None:
    with database.session() as db:
        code = codes.relate(db, PENSION, PERSON, "record")
        assert codes.relate(db, PENSION, PERSON, "record", reference="again") == code
        assert codes.issue_for_resident(db, PENSION, PERSON) == code
        codes.remember(db, PENSION, code, "pension-0001")
        codes.remember(db, PENSION, code, "pension-0001")
        assert codes.local_id_of(db, PENSION, code) == "pension-0001"
    with database.session() as db:
        for model in (MeshPersonLink, MeshPersonRelation, MeshSubjectCode, MeshNodePerson):
            assert db.scalar(select(func.count()).select_from(model)) == 1, model.__tablename__
