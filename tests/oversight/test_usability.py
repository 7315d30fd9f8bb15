"""The anonymous step funnel, the one-question survey after a submission and the keystroke-level
estimate: counted without personal data, shown on the dashboard and in the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from tests.conftest import send_csrf_header
from tests.procedures.applying.conftest import resident_client, world  # noqa: F401 — the applying world's fixtures
from tests.procedures.applying.test_pages import FORM, hidden, open_form, unescape

from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.oversight import feedback
from tsunagu.oversight.models import OversightFeedbackComment, OversightFunnelCount
from tsunagu.procedures import keystrokes
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.loader import SHIPPED_DIR, load_file

HTML = {"accept": "text/html"}


def _tenshutsu() -> Procedure:
    found = load_file(SHIPPED_DIR / "tenshutsu.yaml").procedure
    assert found is not None
    return found


def test_the_funnel_counts_steps_per_day_and_gives_completion_and_drop_off(database: Database) -> None:
    morning = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)  # 09:30 JST
    with database.session() as db:
        for _ in range(4):
            feedback.record_step(db, "tenshutsu", "started", morning)
        for _ in range(3):
            feedback.record_step(db, "tenshutsu", "review", morning)
        feedback.record_step(db, "tenshutsu", "submitted", morning)
        feedback.record_step(
            db, "tenshutsu", "submitted", datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
        )  # 3rd, JST
        with pytest.raises(ValueError, match="unknown funnel step"):
            feedback.record_step(db, "tenshutsu", "paid", morning)
    with database.session() as db:
        rows = (
            db.query(OversightFunnelCount).order_by(OversightFunnelCount.day, OversightFunnelCount.step).all()
        )
        assert [(r.day.isoformat(), r.step, r.count) for r in rows] == [
            ("2026-11-02", "review", 3),
            ("2026-11-02", "started", 4),
            ("2026-11-02", "submitted", 1),
            ("2026-11-03", "submitted", 1),
        ]
        (found,) = feedback.funnels(db)
    assert found.reached == (4, 3, 2)
    assert found.completion_rate == 0.5
    assert found.drop_off() == [("review", 1, 0.25), ("submitted", 1, 1 / 3)]


def test_survey_answers_are_counted_and_comments_kept_without_identity(database: Database) -> None:
    with database.session() as db:
        for level in ("5", "4", "4", "1"):
            feedback.answer(db, "tenshutsu", level, "")
        feedback.answer(db, "tenshutsu", "2", "  郵便番号から住所が出ると助かります  ")
        with pytest.raises(ValidationFailed):
            feedback.answer(db, "tenshutsu", "6", "")
        with pytest.raises(ValidationFailed):
            feedback.answer(db, "tenshutsu", "3", "長" * (feedback.COMMENT_MAX + 1))
    with database.session() as db:
        (found,) = feedback.satisfaction(db)
        assert found.answers == {5: 1, 4: 2, 2: 1, 1: 1}
        assert found.satisfied_share == 3 / 5
        (comment,) = feedback.comments(db, "tenshutsu")
        assert comment.text == "郵便番号から住所が出ると助かります" and comment.level == 2
        columns = {
            c["name"] for c in inspect(db.connection()).get_columns(OversightFeedbackComment.__tablename__)
        }
    assert columns == {"id", "procedure_id", "month", "level", "text"}  # no person, application or time


def test_the_keystroke_estimate_counts_only_what_the_person_types() -> None:
    tenshutsu = _tenshutsu()
    counts = keystrokes.of_procedure(tenshutsu)
    # name and current address come from the registry; destination, date, phone are typed
    assert counts.typed_fields == ("destination_address", "moving_date", "phone")
    assert counts.typed_characters == 12 + 8 + 11
    # 3 page taps + destination, date, phone, movers (choice: focus + pick)
    assert counts.taps == 3 + 1 + 1 + 1 + 2
    assert keystrokes.seconds_of(tenshutsu) == pytest.approx(
        counts.decisions * 1.35 + counts.typed_characters * 0.28 + counts.taps * 1.1
    )


def test_applying_on_the_web_feeds_the_funnel_and_the_survey_follows(
    resident_client: TestClient,  # noqa: F811 — the fixture imported above
) -> None:
    client = resident_client
    _html, fields = open_form(client)
    review = client.post("/procedures/tenshutsu/apply", data={**fields, **FORM, "step": "review"})
    confirmed = {k: unescape(v) for k, v in hidden(review.text).items()}
    done = client.post(
        "/procedures/tenshutsu/apply", data={**confirmed, "step": "submit"}, follow_redirects=False
    )
    again = client.post(
        "/procedures/tenshutsu/apply", data={**confirmed, "step": "submit"}, follow_redirects=False
    )
    assert done.status_code == again.status_code == 303
    receipt = client.get(done.headers["location"], headers=HTML).text
    assert 'action="/feedback/tenshutsu"' in receipt and "どのくらい満足しましたか" in receipt
    survey = receipt[receipt.index('action="/feedback/tenshutsu"') :]
    assert (
        confirmed["idempotency_key"] not in survey.split("</form>")[0]
    )  # nothing ties it to the application

    token = re.search(r'name="csrf_token" value="([^"]+)"', receipt)
    assert token is not None
    wrong = client.post("/feedback/tenshutsu", data={"csrf_token": token.group(1), "comment": "使いやすい"})
    assert wrong.status_code == 422
    assert "満足度を5つの中から選んでください。" in wrong.text and "使いやすい</textarea>" in wrong.text
    thanks = client.post("/feedback/tenshutsu", data={"csrf_token": token.group(1), "level": "4"})
    assert thanks.status_code == 200 and "ご回答ありがとうございました" in thanks.text
    assert (
        client.post("/feedback/no-such", data={"csrf_token": token.group(1), "level": "4"}).status_code == 404
    )

    usability = {u["procedure_id"]: u for u in client.get("/api/v1/oversight/service-usability").json()}
    mine = usability["tenshutsu"]
    assert (mine["started"], mine["reviewed"], mine["submitted"]) == (1, 1, 1)  # the repeat is not counted
    assert mine["completion_rate"] == 1.0 and mine["answers"] == {"4": 1} and mine["satisfied_share"] == 1.0
    assert mine["estimated_seconds"] == pytest.approx(keystrokes.seconds_of(_tenshutsu()), abs=0.05)
    assert all(u["estimated_seconds"] for u in usability.values())  # every shipped procedure is estimated

    page = client.get("/dashboard", headers=HTML).text
    assert 'id="chart-funnel"' in page or "chart-funnel" in page
    assert "完了率" in page and "chart-satisfaction" in page
    funnel_csv = client.get("/dashboard/funnel.csv").text
    assert "転出届,1,1,1,100.0%" in funnel_csv


def test_a_survey_answer_needs_the_csrf_token(client: TestClient) -> None:
    assert client.post("/feedback/tenshutsu", data={"level": "5"}).status_code == 403
    send_csrf_header(client)
    assert client.get("/feedback/tenshutsu", headers=HTML).status_code == 200
