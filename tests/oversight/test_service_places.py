"""The platform's service KPIs by place: each application counts for the organization it went to
(a municipality, a prefecture, a national office), so the dashboard's prefecture and municipality
filters narrow applications, digital take-up, time to decision, completion and satisfaction —
still counters only, still taken in incrementally."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tsunagu.core.database import Database
from tsunagu.oversight import feedback, service_kpis
from tsunagu.oversight.places import Place
from tsunagu.procedures import feed

from .test_dashboard_places import places  # noqa: F401 — the fixture: the address registry sample
from .test_service_kpis import _application
from .test_web import HTML

TOKYO, CHIYODA, KANAGAWA, YOKOSUKA = (
    Place("13"),
    Place("13", "131016"),
    Place("14"),
    Place("14", "142018"),
)


def _submitted(found: list[service_kpis.ServiceFigures]) -> int:
    return sum(f.submitted for f in found)


def test_applications_count_for_their_organization_and_its_prefecture(database: Database) -> None:
    _application(database, 1, organization="131016", decided_on_day=10)  # 千代田区, in time
    _application(database, 2, organization="130001", by_staff=True)  # 東京都 itself
    _application(database, 3, organization="142018", prefilled=True, decided_on_day=20)  # late
    _application(database, 4, organization="142018")
    _application(database, 5, organization="nta-kojimachi")  # a national office: no prefecture
    with database.session() as db:
        assert service_kpis.catch_up(db, feed.events_since) == 7
    with database.session() as db:
        assert _submitted(service_kpis.figures(db)) == 5
        assert _submitted(service_kpis.figures(db, place=TOKYO)) == 2
        (chiyoda,) = service_kpis.figures(db, place=CHIYODA)
        assert (chiyoda.submitted, chiyoda.decided, chiyoda.in_time_share) == (1, 1, 1.0)
        (yokosuka,) = service_kpis.figures(db, place=YOKOSUKA)
        assert (yokosuka.submitted, yokosuka.prefilled_share, yokosuka.in_time_share) == (2, 0.5, 0.0)
        assert yokosuka.average_days == 19
        (tokyo,) = service_kpis.figures(db, place=TOKYO)
        assert tokyo.digital_take_up == 0.5  # 東京都's was recorded at a counter
    _application(database, 6, organization="142018")
    with database.session() as db:
        assert service_kpis.catch_up(db, feed.events_since) == 1  # only the new event
    with database.session() as db:
        assert _submitted(service_kpis.figures(db, place=KANAGAWA)) == 3
        assert _submitted(service_kpis.figures(db)) == 6


def test_the_funnel_and_the_survey_by_place(database: Database) -> None:
    day = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    with database.session() as db:
        feedback.record_step(db, "tenshutsu", "started", day)  # the form before its 申請先 is known
        feedback.record_step(db, "tenshutsu", "started", day, organization="142018")
        feedback.record_step(db, "tenshutsu", "review", day, organization="142018")
        feedback.record_step(db, "tenshutsu", "submitted", day, organization="142018")
        feedback.record_step(db, "tenshutsu", "started", day, organization="131016")
        feedback.answer(db, "tenshutsu", "5", "", day, organization="142018")
        feedback.answer(db, "tenshutsu", "2", "", day, organization="131016")
        feedback.answer(db, "tenshutsu", "4", "", day, organization="<script>")  # not an organization
    with database.session() as db:
        (everywhere,) = feedback.funnels(db)
        assert everywhere.reached == (3, 1, 1)
        (yokosuka,) = feedback.funnels(db, place=YOKOSUKA)
        assert (yokosuka.reached, yokosuka.completion_rate) == ((1, 1, 1), 1.0)
        (tokyo,) = feedback.funnels(db, place=TOKYO)
        assert tokyo.reached == (1, 0, 0)
        assert feedback.satisfaction(db)[0].total == 3
        (kanagawa,) = feedback.satisfaction(db, KANAGAWA)
        assert (kanagawa.total, kanagawa.satisfied_share) == (1, 1.0)
        assert [s.satisfied_share for s in feedback.satisfaction(db, CHIYODA)] == [0.0]


@pytest.mark.usefixtures("places")
def test_the_dashboard_filters_the_service_kpis_by_place(client: TestClient, database: Database) -> None:
    _application(database, 1, organization="131016")
    _application(database, 2, organization="142018")
    _application(database, 3, organization="142018")
    _application(database, 4, organization="nta-kojimachi")
    everywhere = client.get("/dashboard/services.csv").text
    assert ",4," in everywhere  # 転出届: 4 applications
    kanagawa = client.get("/dashboard/services.csv", params={"prefecture": "神奈川県"}).text
    assert ",2," in kanagawa and ",4," not in kanagawa
    chiyoda = client.get("/dashboard/services.csv", params={"prefecture": "東京都", "municipality": "131016"})
    assert ",1," in chiyoda.text
    page = client.get("/dashboard", params={"prefecture": "神奈川県"}, headers=HTML).text
    assert "神奈川県の地方公共団体が受け付けた申請だけを数えています" in page
