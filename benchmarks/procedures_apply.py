"""Applying on the server: the time to complete a 転出届 from an authenticated session and
submissions per second through the API with idempotency keys (SQLite, in-process ASGI).

A 転出届 is three requests: the prefilled form (mesh query to the municipality's node), the
review (validation) and the submit (durable commit, receipt, お知らせ). Figures are server-side
time around each request, medians over every resident; throughput is one client submitting in
a loop (first submissions, then the same keys again, which must return the same receipts).

``python -m benchmarks procedures_apply``
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from stdnum.jp import in_

from benchmarks import support
from tsunagu import migrations
from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.settings import Settings
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh import demo
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.migrations.schema import metadata
from tsunagu.procedures.onestop import service as onestop
from tsunagu.registry.residents import service as residents
from tsunagu.web.app import create_app

CHIYODA = "131016"
PEOPLE = 60
SUBMISSIONS = 300
FORM = {
    "destination_address": "神奈川県横須賀市小川町1-1",
    # within the 転出届's window (from 14 days after to 30 days before the move)
    "moving_date": (clock.today_jst().date() + timedelta(days=7)).isoformat(),
    "movers": "whole-household",
    "phone": "090-1234-5678",
}


def _world(database: Database, secret: str, base_url: str) -> list[str]:
    tables = metadata.tables
    with database.engine.begin() as connection:
        connection.execute(
            tables["addresses_prefectures"].insert(),
            [{"code": "13", "name": "東京都"}, {"code": "14", "name": "神奈川県"}],
        )
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [
                {"code": CHIYODA, "prefecture_code": "13", "name": "千代田区", "designated_city_code": None},
                {"code": "142018", "prefecture_code": "14", "name": "横須賀市", "designated_city_code": None},
            ],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": 1,
                    "municipality_code": CHIYODA,
                    "town": "飯田橋三丁目",
                    "koaza": "",
                    "lat": 35.7,
                    "lng": 139.7,
                }
            ],
        )
    people = []
    with database.session() as db:
        for number in range(PEOPLE):
            body = f"{100000000 + number:011d}"
            record = residents.register_move_in(
                db,
                CHIYODA,
                residents.NewResident(
                    name=PersonName("佐藤", "花子", "サトウ", "ハナコ"),
                    birth_date=date(1990, 4, 1),
                    sex="2",
                    individual_number=IndividualNumber(body + in_.calc_check_digit(body)),
                ),
                residents.Residence(town_id=1, banchi="1", go=str(number + 1)),
                moved_in_on=date(2020, 4, 1),
                actor="bench",
            )
            people.append(record.id)
        demo.register(db, secret, lambda code: endpoint_of(base_url, code))
        demo.seed_people(db, [(p, CHIYODA, 1990) for p in people], seed=1)
        onestop.prepare_directory(db, demo.MUNICIPALITIES, "bench")
    return people


def _login(client: TestClient, database: Database, resident_id: str) -> None:
    with database.session() as db:
        client.cookies.set(
            SESSION_COOKIE, sessions.start(db, sessions.Principal(kind="resident", subject_id=resident_id))
        )


def _hidden(html: str) -> dict[str, str]:
    found = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return {k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") for k, v in found.items()}


@contextmanager
def _timed(samples: list[float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    samples.append((time.perf_counter() - started) * 1000)


def _submit_all(
    client: TestClient, database: Database, people: list[str], samples: list[float], receipts: dict[str, str]
) -> float:
    """Submit (or replay) one application per key; returns submissions per second. A person may
    ask for 住民票の写し many times (a 転出届 allows one open at a time)."""
    body = {
        "procedure_id": "juminhyo-utsushi",
        "data": {"scope": "self", "copies": 1, "purpose": "procedure"},
    }
    started = time.perf_counter()
    for number in range(SUBMISSIONS):
        if number % 50 == 0:
            _login(client, database, people[number % len(people)])
        key = f"bench-{number:08d}"
        with _timed(samples):
            response = client.post(
                "/api/v1/procedures/applications", headers={"Idempotency-Key": key}, json=body
            )
        receipt = response.json()["receipt_number"]
        if receipts.setdefault(key, receipt) != receipt:
            raise AssertionError(f"{key} answered {receipt}, first {receipts[key]}")
    return SUBMISSIONS / (time.perf_counter() - started)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="apply-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        database = Database(url)
        migrations.upgrade(database.engine)
        settings = Settings(
            environment="test",
            data_dir=Path(workdir) / "var",
            database_url=url,
            secret_key="bench-secret-not-for-production",
            log_level="warning",
            _env_file=None,
        )
        app = create_app(settings, database)
        people = _world(database, settings.resolved_secret_key(), settings.base_url)
        form_ms: list[float] = []
        review_ms: list[float] = []
        submit_ms: list[float] = []
        with TestClient(app) as client:
            for resident_id in people:
                _login(client, database, resident_id)
                with _timed(form_ms):
                    page = client.get("/procedures/tenshutsu/apply")
                with _timed(review_ms):
                    review = client.post(
                        "/procedures/tenshutsu/apply", data={**_hidden(page.text), **FORM, "step": "review"}
                    )
                with _timed(submit_ms):
                    done = client.post(
                        "/procedures/tenshutsu/apply",
                        data={**_hidden(review.text), "step": "submit"},
                        follow_redirects=False,
                    )
                if done.status_code != 303:
                    raise AssertionError(done.text[:300])
            totals = [a + b + c for a, b, c in zip(form_ms, review_ms, submit_ms, strict=True)]
            api_ms: list[float] = []
            replay_ms: list[float] = []
            receipts: dict[str, str] = {}
            first_rate = _submit_all(client, database, people, api_ms, receipts)
            replay_rate = _submit_all(client, database, people, replay_ms, receipts)
        database.dispose()
    figures = {
        "tenshutsu_complete_ms_median": round(support.median(totals), 1),
        "tenshutsu_form_ms_median": round(support.median(form_ms), 1),
        "tenshutsu_review_ms_median": round(support.median(review_ms), 1),
        "tenshutsu_submit_ms_median": round(support.median(submit_ms), 1),
        "api_submissions_per_second": round(first_rate, 1),
        "api_submit_ms_p50": round(support.percentile(api_ms, 0.5), 1),
        "api_submit_ms_p95": round(support.percentile(api_ms, 0.95), 1),
        "api_replays_per_second": round(replay_rate, 1),
        "api_replay_ms_p50": round(support.percentile(replay_ms, 0.5), 1),
        "residents": PEOPLE,
        "submissions": SUBMISSIONS,
        "database": "sqlite",
        "clients": 1,
    }
    for name, value in figures.items():
        print(f"{name:32} {value}")
    support.write("procedures_apply", figures)


if __name__ == "__main__":
    main()
