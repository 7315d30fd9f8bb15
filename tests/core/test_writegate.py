"""The write gate: one writer of a SQLite database at a time, in and across processes."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from tsunagu.core.database import Database
from tsunagu.core.writegate import WriteGate


def _hold_and_note(database_file: str, notes: str, name: str, held: object, go_on: object) -> None:
    gate = WriteGate(Path(database_file))
    with gate.held():
        with Path(notes).open("a") as out:
            out.write(f"{name} in\n")
        held.set()  # type: ignore[attr-defined]
        go_on.wait(30)  # type: ignore[attr-defined]
        with Path(notes).open("a") as out:
            out.write(f"{name} out\n")
    gate.close()


def test_a_second_process_waits_until_the_first_is_done(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    notes, database_file = tmp_path / "notes", str(tmp_path / "app.db")
    first_held, second_held, release = context.Event(), context.Event(), context.Event()
    first = context.Process(target=_hold_and_note, args=(database_file, notes, "first", first_held, release))
    first.start()
    assert first_held.wait(60)
    free_to_go = context.Event()
    free_to_go.set()
    second = context.Process(
        target=_hold_and_note, args=(database_file, notes, "second", second_held, free_to_go)
    )
    second.start()
    assert not second_held.wait(1)  # it is queued behind the first
    release.set()
    assert second_held.wait(60)
    for process in (first, second):
        process.join(60)
    assert notes.read_text().splitlines() == ["first in", "first out", "second in", "second out"]


def test_threads_take_turns_and_a_nested_writer_of_the_same_thread_goes_on(tmp_path: Path) -> None:
    gate, order = WriteGate(tmp_path / "app.db"), []

    def other() -> None:
        with gate.held():
            order.append("other")

    with gate.held():
        thread = threading.Thread(target=other)
        thread.start()
        with gate.held():  # e.g. a log append inside a write: no deadlock with itself
            order.append("nested")
        thread.join(0.5)  # it cannot get in while this thread holds the gate
        order.append("outer done")
    thread.join(10)
    assert order == ["nested", "outer done", "other"]
    gate.close()


def test_postgresql_and_memory_databases_have_no_lock_file(tmp_path: Path) -> None:
    memory = Database("sqlite://")
    assert memory.write_gate is not None and memory.write_gate.lock_file is None
    on_disk = Database(f"sqlite:///{tmp_path / 'app.db'}")
    assert on_disk.write_gate is not None and on_disk.write_gate.lock_file == tmp_path / "app.db-writer.lock"
    assert Database("postgresql+psycopg://u:p@127.0.0.1:1/x").write_gate is None
