"""An income change as a real event: the municipality records (or corrects) a 住民税 assessment in
its 課税台帳; the event goes to the outbox (the year, never the amount) and the push rule
income-hikazei-kyufu tells a person found 非課税 once, nobody else, and withdraws its notice when a
correction (更正) makes them 課税."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.procedures.applying.conftest import CHIYODA, YOKOSUKA, World
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import get_settings
from tsunagu.identity.organizations import service as organizations
from tsunagu.identity.staff import service as staff
from tsunagu.mesh.push import registry_events
from tsunagu.notify import service as notify
from tsunagu.procedures.push import service as push
from tsunagu.registry.residents import service as residents
from tsunagu.registry.taxation import service as taxation

RULES = push.load_rules()
TAX_OFFICE = Principal(
    kind="staff", subject_id="kazei-1", organization_code=CHIYODA, roles=frozenset({"管理"})
)
HEADER = "resident_id,fiscal_year,total_income,taxable\n"


def _record(database: Database, text: str, principal: Principal = TAX_OFFICE) -> taxation.ImportReport:
    with database.session() as db:
        return taxation.record(db, principal, taxation.parse(text))


def _messages(database: Database, resident_id: str) -> list[notify.Message]:
    with database.session() as db:
        return [
            m for m in notify.inbox(db, resident_id)[0] if m.extra.get("push_rule") == "income-hikazei-kyufu"
        ]


def _events(database: Database) -> list[residents.EventRecord]:
    with database.session() as db:
        return [e for e in residents.pending_events(db, 0, 500) if e.kind == "income_assessed"]


def test_a_tax_exempt_assessment_tells_the_person_once_and_nobody_else(
    database: Database, world: World
) -> None:
    report = _record(
        database,
        HEADER + f"{world.resident_id},2026,980000,非課税\n{world.other_resident_id},2026,4200000,課税\n",
    )
    assert (report.recorded, report.corrected, report.unchanged) == (2, 0, 0)
    events = _events(database)
    assert len(events) == 2 and {e.payload["fiscal_year"] for e in events} == {2026}
    assert all(
        "980000" not in str(e.payload) and "total_income" not in e.payload for e in events
    )  # no amount
    assert "income_assessed" in registry_events.EVENT_KINDS  # the mesh's pump publishes it to subscribers

    assert push.run_pass(database, RULES).notified == 1
    with database.session() as db:
        (other,) = [
            f for f in push.firings_of(db, world.other_resident_id) if f.rule_id == "income-hikazei-kyufu"
        ]
    assert other.eligible is False and other.message_id is None  # read, judged, not told
    (message,) = _messages(database, world.resident_id)
    assert message.title == "住民税が非課税の方へ — 給付金のご案内" and message.link == "/registry/me/account"
    assert "令和" in message.body and "2026" not in message.body  # 和暦, as the notice says dates
    assert _messages(database, world.other_resident_id) == []  # 課税: never told

    again = _record(database, HEADER + f"{world.resident_id},2026,980000,非課税\n")  # the same result
    assert (again.unchanged, len(_events(database))) == (1, 2)  # nothing announced
    assert push.run_pass(database, RULES).notified == 0
    with database.session() as db:
        assert taxation.latest_of(db, world.resident_id).revision == 1  # type: ignore[union-attr]


def test_a_correction_out_of_eligibility_withdraws_the_notice_and_sends_nothing_new(
    database: Database, world: World
) -> None:
    _record(database, HEADER + f"{world.resident_id},2026,980000,非課税\n")
    push.run_pass(database, RULES)
    corrected = _record(database, HEADER + f"{world.resident_id},2026,3100000,課税\n")  # 更正
    assert corrected.corrected == 1
    report = push.run_pass(database, RULES)
    assert (report.notified, report.withdrawn) == (0, 1)
    (message,) = _messages(database, world.resident_id)
    assert message.withdrawn_at is not None and "条件に当てはまらなくなった" in message.withdrawn_reason
    back = _record(database, HEADER + f"{world.resident_id},2026,980000,非課税\n")  # corrected back
    assert back.corrected == 1 and push.run_pass(database, RULES).notified == 0  # once per person and year
    with database.session() as db:
        assert taxation.latest_of(db, world.resident_id).revision == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("resident_id,year,income,taxable\n", "the first line must be the header"),
        (HEADER + "r1,2026,980000,免除\n", "line 2: taxable '免除' is neither 課税 nor 非課税"),
        (HEADER + "r1,令和8,980000,課税\n", "line 2: fiscal_year '令和8' is not a year"),
        (HEADER + "r1,2026,98万,課税\n", "line 2: total_income '98万' is not a whole number of yen"),
        (HEADER + "r1,2026,1,課税\nr1,2026,2,課税\n", "line 3: a second line for r1 in 2026"),
        (HEADER + "r1,2026\n", "line 2: expected 4 values, got 2"),
    ],
)
def test_a_bad_file_is_refused_by_line(text: str, expected: str) -> None:
    with pytest.raises(taxation.AssessmentsInvalid) as refused:
        taxation.parse(text)
    assert expected in str(refused.value) or any(expected in e["message"] for e in refused.value.errors)


def test_only_the_municipalitys_administrators_record_its_own_residents(
    database: Database, world: World
) -> None:
    line = HEADER + f"{world.resident_id},2026,980000,非課税\n"
    clerk = Principal(kind="staff", subject_id="c-1", organization_code=CHIYODA, roles=frozenset({"審査"}))
    with pytest.raises(Forbidden):
        _record(database, line, clerk)
    elsewhere = Principal(
        kind="staff", subject_id="y-1", organization_code=YOKOSUKA, roles=frozenset({"管理"})
    )
    with pytest.raises(taxation.AssessmentsInvalid, match="does not register"):
        _record(database, line, elsewhere)  # 横須賀市 does not assess 千代田区's residents
    assert _events(database) == []


def test_a_rule_on_an_unknown_attribute_is_refused_at_load(tmp_path: Path) -> None:
    text = (
        (push.RULES_DIR / "income-hikazei-kyufu.yaml")
        .read_text(encoding="utf-8")
        .replace("resident_tax_exempt", "household_income_below")
    )
    with pytest.raises(push.PushRuleInvalid, match="unknown applicant attribute 'household_income_below'"):
        push.parse_rule(tmp_path / "r.yaml", text)


def test_the_tax_section_imports_its_file_from_the_command_line(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    get_settings.cache_clear()
    with database.session() as db:
        organizations.seed_demo_organizations(db)
        staff.create_staff(
            db,
            CHIYODA,
            "chiyoda.kazei",
            display_name="千代田 課税",
            roles={"管理"},
            password="correct horse battery",
        )
    good, bad, sjis = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "sjis.csv"
    good.write_text("\ufeff" + HEADER + f"{world.resident_id},2026,980000,非課税\n", encoding="utf-8")
    bad.write_text(HEADER + f"{world.resident_id},2026,980000,免除\n", encoding="utf-8")
    sjis.write_bytes((HEADER + f"{world.resident_id},2026,980000,非課税\n").encode("shift_jis"))
    command = ["registry", "import-assessments", "--organization", CHIYODA, "--staff", "chiyoda.kazei"]
    try:
        done = CliRunner().invoke(app, [*command, str(good)])
        assert done.exit_code == 0, done.output
        assert "1 recorded, 0 corrected, 0 unchanged" in done.output
        refused = CliRunner().invoke(app, [*command, str(bad)])
        assert (
            refused.exit_code != 0 and "line 2: taxable '免除' is neither 課税 nor 非課税" in refused.output
        )
        wrong = CliRunner().invoke(app, [*command, str(sjis)])
        assert wrong.exit_code != 0 and "is not UTF-8 text" in wrong.output
    finally:
        get_settings.cache_clear()
    assert len(_events(database)) == 1  # only the good file was recorded
