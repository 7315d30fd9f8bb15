"""Corporate look-up through the mesh next to the resident look-up, in one run on one machine.

Both go the same way a procedure's prefill goes (``procedures.meshlink.NodeGateway``, embedded
nodes in this process): the consumer (横須賀市) signs the query, the directory authorizes it under a
事務 and translates the subject code, the provider's node reads its register (the 法務局's
commercial registry by 法人番号, or 千代田区's resident register), logs and signs the answer, the
consumer verifies it against the service schema and logs. Queries run one after another, the two
kinds interleaved, so both see the same machine; the ratio is the figure to read.

``python -m benchmarks mesh_corporate``; ``python -m benchmarks.mesh_corporate --queries 2000``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from stdnum.jp import in_

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh import corporate, demo
from tsunagu.mesh.node.embedded import EmbeddedNodes
from tsunagu.mesh.settings import MeshSettings
from tsunagu.migrations.schema import metadata
from tsunagu.procedures import meshlink
from tsunagu.registry.corporations import service as corporations
from tsunagu.registry.residents import service as residents

SECRET = "benchmark-secret-not-for-production"
CITY, CONSUMER = "131016", "142018"
SUBJECTS = 200


def _world(database: Database) -> tuple[list[str], list[str]]:
    """SUBJECTS residents of 千代田区 and SUBJECTS companies with a 登記; their subject keys."""
    tables = metadata.tables
    with database.engine.begin() as connection:
        connection.execute(tables["addresses_prefectures"].insert(), [{"code": "13", "name": "東京都"}])
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [{"code": CITY, "prefecture_code": "13", "name": "千代田区", "designated_city_code": None}],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": 1,
                    "municipality_code": CITY,
                    "town": "霞が関一丁目",
                    "koaza": "",
                    "lat": 35.67,
                    "lng": 139.75,
                }
            ],
        )
    people = []
    with database.session() as db:
        for index in range(SUBJECTS):
            body = f"{100000000 + index:011d}"
            person = residents.register_move_in(
                db,
                CITY,
                residents.NewResident(
                    name=PersonName("試験", f"太郎{index}", "しけん", "たろう"),
                    birth_date=date(1980, 1, 1),
                    sex="1",
                    individual_number=IndividualNumber(body + in_.calc_check_digit(body)),
                ),
                residents.Residence(town_id=1, banchi=str(index + 1), go="1"),
                moved_in_on=date(2020, 4, 1),
                actor="benchmark",
            )
            people.append(person.id)
        residents.mark_delivered(db, [e.event_id for e in residents.pending_events(db, 0, 10 * SUBJECTS)])
        corporations.load_synthetic(db, SUBJECTS, seed=7)
        corporations.seed_commercial(db, 7)
        companies, _ = corporations.search(db, closed=False, limit=SUBJECTS)
        endpoint = lambda code: f"http://127.0.0.1:1/mesh/nodes/{code}"  # noqa: E731 - embedded, never dialled
        demo.register(db, SECRET, endpoint)
        corporate.register(db, SECRET, endpoint)
    return people, [corporate.subject_of(c.number) for c in companies]


def run(queries: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mesh-corporate-") as workdir:
        database = Database(f"sqlite:///{Path(workdir) / 'mesh.db'}", secret_key=SECRET)
        migrations.upgrade(database.engine)
        people, companies = _world(database)
        gateway = meshlink.NodeGateway(database, EmbeddedNodes(database, SECRET, MeshSettings()).context)
        timings: dict[str, list[float]] = {"resident": [], "corporate": []}
        for number in range(queries):
            for kind in ("resident", "corporate"):
                started = time.perf_counter()
                if kind == "resident":
                    gateway.fetch(
                        "residents.basic4",
                        consumer=CONSUMER,
                        resident_id=people[number % len(people)],
                        resident_municipality=CITY,
                        items=("name", "address"),
                    )
                else:
                    gateway.fetch(
                        "corporations.basic",
                        consumer=CONSUMER,
                        resident_id=companies[number % len(companies)],
                        resident_municipality="",
                        items=("name", "head_office_address", "status"),
                    )
                timings[kind].append(time.perf_counter() - started)
        database.dispose()
    figures: dict[str, float] = {"queries_each": queries}
    for kind, samples in timings.items():
        figures[f"{kind}_per_s"] = round(len(samples) / sum(samples), 1)
        figures[f"{kind}_p50_ms"] = round(support.median(samples) * 1000, 2)
        figures[f"{kind}_p99_ms"] = round(support.percentile(samples, 0.99) * 1000, 2)
    figures["corporate_to_resident_ratio"] = round(figures["corporate_per_s"] / figures["resident_per_s"], 2)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mesh_corporate")
    parser.add_argument("--queries", type=int, default=300, help="look-ups of each kind")
    args = parser.parse_args(argv or [])
    figures = run(args.queries)
    print(
        f"{args.queries} look-ups each, one at a time, same run: "
        f"corporate {figures['corporate_per_s']}/s (p50 {figures['corporate_p50_ms']} ms, "
        f"p99 {figures['corporate_p99_ms']} ms); resident {figures['resident_per_s']}/s "
        f"(p50 {figures['resident_p50_ms']} ms, p99 {figures['resident_p99_ms']} ms); "
        f"ratio corporate/resident {figures['corporate_to_resident_ratio']}"
    )
    print(f"wrote {support.write('mesh_corporate', figures)}")


if __name__ == "__main__":
    main()
