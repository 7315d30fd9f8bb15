"""Rules without HTTP: field validation (uploads with the limit named), the state machine, and
durability — an application is committed before anything that can fail after it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.plumbing import find_plumbing
from tests.procedures.applying.conftest import World

from tsunagu.core.database import Database
from tsunagu.procedures import meshlink, statemachine
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.applications import service
from tsunagu.procedures.applications.validation import InvalidApplication, UploadedFile, clean

REGISTRY = catalogue.registry_for(None)


def problems(procedure_id: str, values: dict[str, Any]) -> dict[str, tuple[str, str]]:
    with pytest.raises(InvalidApplication) as caught:
        clean(catalogue.get_procedure(REGISTRY, procedure_id), values, partial=True)
    return {p.field: (p.message_id, p.english) for p in caught.value.problems}


def test_uploads_are_refused_with_the_limit_named() -> None:
    big = UploadedFile("fs.pdf", "application/pdf", 6 * 1024 * 1024, "0" * 64)
    assert (
        problems("nyusatsu-sanka-shikaku", {"financial_statements": big})["financial_statements"][1]
        == "The file is too large (limit 5,242,880 bytes)."
    )
    wrong = UploadedFile("fs.exe", "application/x-msdownload", 10, "0" * 64)
    assert (
        problems("nyusatsu-sanka-shikaku", {"financial_statements": wrong})["financial_statements"][1]
        == "This file type is not accepted (only application/pdf)."
    )


def test_values_are_checked_by_their_standard_type() -> None:
    found = problems(
        "juminhyo-utsushi",
        {
            "copies": "11",
            "scope": "neighbours",
            "unknown": "x",
            "applicant_name": {
                "family": "佐藤",
                "given": "花子",
                "family_kana": "sato",
                "given_kana": "ハナコ",
            },
        },
    )
    assert found["copies"][1] == "Enter 10 or less."
    assert found["scope"][1] == "Choose one of the options."
    assert found["unknown"][1] == "This field is not part of this procedure."
    assert found["applicant_name"][1] == "Write the reading in hiragana or katakana."
    ok = clean(
        catalogue.get_procedure(REGISTRY, "juminhyo-utsushi"), {"copies": "2", "scope": "self"}, partial=True
    )
    assert ok["copies"] == 2 and ok["with_domicile"] is False


@pytest.mark.parametrize(
    ("current", "action", "allowed"),
    [
        ("submitted", "approve", ["start_review", "withdraw"]),
        ("approved", "return", []),
        ("returned", "approve", ["resubmit", "withdraw"]),
    ],
)
def test_illegal_transitions_name_what_is_allowed(current: str, action: str, allowed: list[str]) -> None:
    with pytest.raises(statemachine.IllegalTransition) as caught:
        statemachine.next_status(current, action)
    assert caught.value.extra["allowed"] == allowed


def test_every_open_state_can_be_left_and_final_states_cannot() -> None:
    assert all(
        statemachine.actions_from(s, frozenset(a for _s, a in statemachine.TRANSITIONS))
        for s in statemachine.OPEN
    )
    assert not any(state in statemachine.FINAL for state, _a in statemachine.TRANSITIONS)


class CrashingMesh:
    """A process killed right after the acknowledgement's commit: evidence never fetched."""

    def fetch(self, source: str, **_: object) -> meshlink.Fetched:
        raise SystemExit(f"killed while fetching {source}")


def test_the_application_is_durable_before_anything_after_the_commit(
    database: Database, world: World
) -> None:
    procedure = catalogue.get_procedure(REGISTRY, "tennyu-yoyaku")
    person = world.resident()
    values = {
        "applicant_name": {
            "family": "佐藤",
            "given": "花子",
            "family_kana": "サトウ",
            "given_kana": "ハナコ",
        },
        "destination_address": {"text": "神奈川県横須賀市小川町1-1"},
        "moving_date": "2026-11-25",
        "visit_date": "2026-11-26",
        "phone": "0312345678",
    }
    with database.session() as db:
        prefilled, data, organization, subject = service.prepare(
            db, None, procedure, person, values, sealed=service.Prefilled()
        )
    submission = service.Submission(
        procedure, person, subject, organization, data, prefilled, "durable-0001", values
    )
    app, created = service.submit(database, submission)
    with pytest.raises(SystemExit):
        service.collect_evidence(database, CrashingMesh(), procedure, app.id)
    fresh = Database(database.url)
    try:
        again, created_again = service.submit(fresh, submission)
        assert created and not created_again and again.receipt_number == app.receipt_number
        assert [e.status for e in again.evidence] == ["pending"]
    finally:
        fresh.dispose()


@pytest.mark.parametrize("day", ["0001-01-01", "1867-12-31", "9999-12-31"])
def test_a_date_outside_any_sane_range_is_refused_by_name(day: str) -> None:
    """0001-01-01 and 9999-12-31 were accepted (9999-12-31 as a move overflowed the 転入 visit's
    window: a 500); now every date field of every procedure lies from 1868 to 50 years on."""
    found = problems("tennyu-yoyaku", {"moving_date": day, "visit_date": "2026-12-10"})
    assert found["moving_date"][0] == "%(earliest_ja)s から %(latest_ja)s までの日付を入力してください。"
    assert found["moving_date"][1].startswith("Enter a date from 1868-01-01 to ")
    assert "moving_date" in problems("tenshutsu", {"moving_date": day})


@pytest.mark.parametrize("typed", ["令和8年12月20日", "２０２６－１２－２０", "2026年12月20日", "R8.12.20"])
def test_a_date_is_read_as_people_write_it(typed: str) -> None:
    """A 転出届's date typed in 和暦 or full-width digits (a browser without a date picker, a phone's
    Japanese keyboard) was refused with 「日付を 2026-04-01 のように」; it is the same day."""
    procedure = catalogue.get_procedure(REGISTRY, "tenshutsu")
    cleaned = clean(procedure, {"moving_date": typed}, partial=True)
    assert cleaned["moving_date"] == "2026-12-20"


def test_a_date_that_is_no_date_names_both_ways_to_write_one() -> None:
    found = problems("tenshutsu", {"moving_date": "あした"})
    assert found["moving_date"] == (
        "日付を 令和8年4月1日 または 2026-04-01 のように入力してください。",
        "Enter a date like 令和8年4月1日 or 2026-04-01.",
    )


def test_a_date_window_is_said_in_wareki_on_a_japanese_page() -> None:
    """The moving form said 「2026-11-21 から 2027-01-04 までの日付を入力してください。」; the
    Japanese text names the window in 和暦, the English one (the API's message) keeps ISO dates."""
    procedure = catalogue.get_procedure(REGISTRY, "tenshutsu")
    with pytest.raises(InvalidApplication) as caught:
        clean(procedure, {"moving_date": "2030-01-01"}, partial=True)
    problem = next(p for p in caught.value.problems if p.field == "moving_date")
    japanese = problem.message_id % problem.params
    assert re.search(r"令和\d+年\d+月\d+日 から 令和\d+年\d+月\d+日 までの日付", japanese), japanese
    assert find_plumbing(japanese) == []
    assert re.search(r"from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}", problem.english), problem.english
