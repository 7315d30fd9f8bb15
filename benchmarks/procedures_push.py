"""Push-type notices (プッシュ型のお知らせ): rule evaluation over a year of registry events, and the
time from a registry event to the お知らせ in the inbox.

Setup (not timed): N synthetic residents of 横須賀市 imported as the registry imports them, then a
year's worth of change events for them at Japan's rates — births 6 ‰ (人口動態統計 2023: 727,000
births), deaths 12.6 ‰ (1.58 million), moves in from another municipality 42 ‰ (住民基本台帳人口移動
報告: about 5.2 million moves between municipalities a year; half of the newcomers with a child) —
each registered through the registry's own use cases, so the outbox holds real events. 20 rules:
the 4 shipped ones and 16 variants (other ages, thresholds, life events) written as YAML and
loaded as the server loads them. The birthdays of ``age_reached`` rules are read for the 31 days
the reader catches up.

Timed: ``push.service.run_pass`` until the outbox is read (events/s, notices, CPU). Latency: the
``tsunagu notify push`` CLI runs in its own process polling every second (as the demo server
does), births are registered one by one, and each お知らせ's ``created_at`` is compared with its
registry event's: p50/p95 in ms.

``python -m benchmarks procedures_push`` runs 20,000 residents;
``python -m benchmarks.procedures_push --residents 1000000`` the full size (written beside the default
result as ``procedures_push_<residents>.json``); ``--postgres`` runs on a throwaway PostgreSQL cluster
(``procedures_push_<residents>_postgresql.json``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks import support
from benchmarks.registry_residents import SECRET, demo_towns
from tsunagu import migrations
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.migrations.schema import metadata
from tsunagu.notify.models import NotifyMessage
from tsunagu.procedures.push import service as push
from tsunagu.procedures.push.definition import RULES_DIR
from tsunagu.registry.residents import service as residents
from tsunagu.registry.residents.models import Resident
from tsunagu.registry.residents.numbers import check_digit
from tsunagu.registry.residents.synthetic.generator import ResidentGenerator

YOKOSUKA = "142018"
RATES = {"birth": 0.006, "death": 0.0126, "move_in": 0.042}  # a year, per resident
LATENCY_BIRTHS = 100
POLL_SECONDS = 1.0
VARIANTS = [  # (id, event, extra keys, eligibility, life event)
    (f"v{n:02d}", event, extra, rule, life)
    for n, (event, extra, rule, life) in enumerate(
        [
            ("birth", "", "{attribute: children_in_care, op: gte, value: 2}", "child_rearing"),
            ("birth", "", "{attribute: age, op: lt, value: 30}", "birth"),
            ("birth", "", "{attribute: prefecture_code, op: eq, value: '14'}", "child_rearing"),
            ("move_in", "", "{attribute: age, op: gte, value: 65}", "care"),
            ("move_in", "", "{attribute: age, op: lt, value: 30}", "moving"),
            ("move_in", "", "{attribute: children_in_care, op: gte, value: 3}", "child_rearing"),
            ("move_in", "", "{attribute: municipality_code, op: eq, value: '142018'}", "moving"),
            ("death", "", "{attribute: age, op: gte, value: 65}", "bereavement"),
            ("death", "", "{attribute: children_in_care, op: gte, value: 1}", "bereavement"),
            ("address_change", "", "{attribute: age, op: gte, value: 18}", "moving"),
            ("move_out", "", "{attribute: age, op: gte, value: 18}", "moving"),
            ("age_reached", "age: 60\n", "{attribute: age, op: gte, value: 60}", "care"),
            ("age_reached", "age: 70\n", "{attribute: age, op: gte, value: 70}", "care"),
            ("age_reached", "age: 75\n", "{attribute: age, op: gte, value: 75}", "care"),
            ("age_reached", "age: 18\n", "{attribute: age, op: gte, value: 18}", "certificates"),
            ("age_reached", "age: 40\n", "{attribute: age, op: gte, value: 40}", "care"),
        ]
    )
]
RULE = """\
id: {id}
event: {event}
{extra}recipients: {recipients}
eligibility:
  all:
    - {{attribute: status, op: eq, value: resident}}
    - {rule}
deadline_days: 14
life_event: {life}
title: {{ja: 計測用のご案内 {id}, en: Benchmark notice {id}}}
body:
  ja: "{{event_date}}の届出を受け付けました。{{deadline}}までに"
  en: "Recorded {{event_date}}; by {{deadline}}"
"""


def write_rules(directory: Path) -> list[push.PushRule]:
    """The 4 shipped rules and 16 variants, as YAML files, loaded as the server loads them."""
    for shipped in RULES_DIR.glob("*.yaml"):
        (directory / shipped.name).write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    for rule_id, event, extra, rule, life in VARIANTS:
        recipients = "household_adults" if event in ("birth", "death") else "subject"
        (directory / f"{rule_id}.yaml").write_text(
            RULE.format(id=rule_id, event=event, extra=extra, recipients=recipients, rule=rule, life=life),
            encoding="utf-8",
        )
    return push.load_rules(directory)


class Numbers:
    """Fresh 個人番号 for newcomers and newborns, far from the generator's."""

    def __init__(self) -> None:
        self.next = 98_000_000_000

    def __call__(self) -> IndividualNumber:
        self.next += 1
        eleven = f"{self.next:011d}"
        return IndividualNumber(eleven + check_digit(eleven))


def _newcomer(
    numbers: Numbers, born: date, household: str | None, relationship: str
) -> residents.NewResident:
    return residents.NewResident(
        name=PersonName("計測", "太郎", "けいそく", "たろう"),
        birth_date=born,
        sex="1",
        individual_number=numbers(),
        household_id=household,
        relationship=relationship,
    )


def _address_registry(database: Database, towns: list[Any]) -> None:
    """横須賀市 and its real 町字 in the address registry (registrations check them)."""
    tables = metadata.tables
    with database.engine.begin() as connection:
        connection.execute(tables["addresses_prefectures"].insert(), [{"code": "14", "name": "神奈川県"}])
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [{"code": YOKOSUKA, "prefecture_code": "14", "name": "横須賀市", "designated_city_code": None}],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": t.id,
                    "municipality_code": YOKOSUKA,
                    "town": t.town,
                    "koaza": t.koaza,
                    "lat": t.lat,
                    "lng": t.lng,
                }
                for t in towns
            ],
        )


def populate(database: Database, count: int, numbers: Numbers) -> dict[str, Any]:
    migrations.upgrade(database.engine)
    towns = [t for t in demo_towns() if t.municipality_code == YOKOSUKA]
    _address_registry(database, towns)
    with database.session() as db:
        residents.import_residents(db, ResidentGenerator(towns, 1).rows(count), SilentProgress(), total=count)
        people = db.execute(
            select(Resident.id, Resident.birth_date, Resident.household_id, Resident.relationship)
        ).all()
    today = clock.today_jst().date()
    rng = random.Random(18)
    parents = [p for p in people if 20 <= (today - p.birth_date).days // 365 <= 45]
    # a death of a 世帯主 needs the new head named (a counter's choice): the members die here
    elderly = [
        p for p in people if (today - p.birth_date).days // 365 >= 70 and p.relationship != residents.HEAD
    ]
    town = towns[0].id
    started = time.perf_counter()
    counts = {kind: round(count * rate) for kind, rate in RATES.items()}
    with database.session() as db:
        for parent in rng.sample(parents, min(counts["birth"], len(parents))):
            residents.register_birth(
                db,
                YOKOSUKA,
                _newcomer(numbers, today - timedelta(days=rng.randrange(1, 10)), parent.household_id, "子"),
                actor="bench",
            )
        for person in rng.sample(elderly, min(counts["death"], len(elderly))):
            residents.register_death(db, person.id, date_of_death=today - timedelta(days=1), actor="bench")
        for n in range(counts["move_in"]):
            moved_in = today - timedelta(days=rng.randrange(0, 10))
            where = residents.Residence(town_id=town, banchi=str(n % 50 + 1))
            head = residents.register_move_in(
                db,
                YOKOSUKA,
                _newcomer(numbers, date(1985, 1, 1) + timedelta(days=rng.randrange(0, 9000)), None, "世帯主"),
                where,
                moved_in_on=moved_in,
                actor="bench",
            )
            if n % 2:
                residents.register_move_in(
                    db,
                    YOKOSUKA,
                    _newcomer(numbers, date(2018, 4, 1), head.household_id, "子"),
                    where,
                    moved_in_on=moved_in,
                    actor="bench",
                )
    return {
        "residents": count,
        "births": counts["birth"],
        "deaths": counts["death"],
        "move_in_households": counts["move_in"],
        "events_registered_s": round(time.perf_counter() - started, 1),
    }


def evaluate(database: Database, rules: list[push.PushRule]) -> dict[str, Any]:
    totals = push.PassReport()
    with database.session() as db:  # the birthdays of the last month are read too
        cursor = db.get(push.PushCursor, 1) or push.PushCursor(id=1, last_sequence=0)
        cursor.birthdays_through = clock.today_jst().date() - timedelta(days=push.MAX_CATCH_UP_DAYS + 1)
        db.add(cursor)
    started, cpu, passes = time.perf_counter(), time.process_time(), 0
    while True:
        report = push.run_pass(database, rules)
        passes += 1
        for field in ("events", "notified", "not_eligible", "declined", "too_late", "withdrawn"):
            setattr(totals, field, getattr(totals, field) + getattr(report, field))
        if report.events == 0:
            break
    wall = time.perf_counter() - started
    return {
        "rules": len(rules),
        "events": totals.events,
        "firings": totals.notified + totals.not_eligible + totals.declined + totals.too_late,
        "notified": totals.notified,
        "not_eligible": totals.not_eligible,
        "withdrawn": totals.withdrawn,
        "passes": passes,
        "wall_s": round(wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "events_per_s": round(totals.events / wall) if wall else 0,
        # the machine is shared: events per CPU-second of this process says more than wall time
        "events_per_cpu_s": round(totals.events / cpu_s) if (cpu_s := time.process_time() - cpu) else 0,
    }


def latency(url: str, database: Database, rules_dir: Path, numbers: Numbers) -> dict[str, Any]:
    """Births registered one by one while ``tsunagu notify push`` polls in its own process."""
    with database.session() as db:
        parents = [
            row
            for row in db.execute(
                select(Resident.id, Resident.household_id, Resident.birth_date).limit(20_000)
            )
            if 25 <= (clock.today_jst().date() - row.birth_date).days // 365 <= 40
        ]
    parents = list({row.household_id: row for row in parents}.values())[:LATENCY_BIRTHS]  # one per household
    env = {**os.environ, "TSUNAGU_DATABASE_URL": url, "TSUNAGU_SECRET_KEY": SECRET}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tsunagu.cli.main", "notify", "push", "--interval", str(POLL_SECONDS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    born: dict[str, float] = {}
    try:
        time.sleep(2)  # the worker is up and has read what was there
        rng = random.Random(65)
        for parent in parents:
            with database.session() as db:
                residents.register_birth(
                    db,
                    YOKOSUKA,
                    _newcomer(numbers, clock.today_jst().date(), parent.household_id, "子"),
                    actor="bench",
                )
            born[parent.id] = time.time()
            time.sleep(rng.uniform(0.02, 0.2))
        deadline = time.monotonic() + 60
        waits: list[float] = []
        while time.monotonic() < deadline:
            with database.session() as db:
                arrived = {
                    recipient: created.timestamp()
                    for recipient, created in db.execute(
                        select(NotifyMessage.recipient_id, NotifyMessage.created_at).where(
                            NotifyMessage.recipient_id.in_(list(born)), NotifyMessage.title.like("ご出産%")
                        )
                    )
                }
            if len(arrived) == len(born):
                waits = [(arrived[k] - born[k]) * 1000 for k in born]
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    waits.sort()
    return {
        "births": len(born),
        "notified": len(waits),
        "poll_s": POLL_SECONDS,
        "p50_ms": round(statistics.median(waits)) if waits else None,
        "p95_ms": round(support.percentile(waits, 0.95)) if waits else None,
        "max_ms": round(waits[-1]) if waits else None,
    }


@contextmanager
def _database_url(workdir: str, postgres: bool) -> Iterator[str]:
    """SQLite (the default, short run) or, with ``--postgres``, a throwaway PostgreSQL cluster."""
    if postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.postgres_cluster import throwaway_cluster

        with throwaway_cluster() as url:
            if url is None:
                raise SystemExit("--postgres: PostgreSQL is not installed here")
            yield url
            return
    yield f"sqlite:///{workdir}/bench.db"


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--postgres", action="store_true")
    known, _ = parser.parse_known_args()
    with (
        tempfile.TemporaryDirectory(prefix="tsunagu-bench-push-") as workdir,
        _database_url(workdir, known.postgres) as url,
    ):
        database = Database(url, secret_key=SECRET)
        numbers = Numbers()
        rules_dir = Path(workdir) / "rules"
        rules_dir.mkdir()
        rules = write_rules(rules_dir)
        figures: dict[str, Any] = {"setup": populate(database, known.residents, numbers)}
        print("setup:", figures["setup"], flush=True)
        figures["evaluation"] = evaluate(database, rules)
        print("evaluation:", figures["evaluation"], flush=True)
        figures["event_to_inbox"] = latency(url, database, rules_dir, numbers)
        print("event to inbox:", figures["event_to_inbox"], flush=True)
        database.dispose()
    # the default (short) run is the one `make bench` records; a larger run is kept beside it
    default = known.residents == parser.get_default("residents") and not known.postgres
    figures["database"] = "postgresql" if known.postgres else "sqlite"
    name = "procedures_push" if default else f"procedures_push_{known.residents}"
    support.write(name + ("_postgresql" if known.postgres else ""), figures)


if __name__ == "__main__":
    main()
