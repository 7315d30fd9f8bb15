"""Faults under load: kill -9 of push workers and of mesh nodes while notifications are delivered.

A local mesh of separate processes (the directory, the 千代田区 node and the 日本年金機構 node)
on SQLite, then again with every node's database on one PostgreSQL server (when PostgreSQL is
installed; a throwaway server as the tests use). The city publishes ``EVENTS`` address changes
(each fanned out by the directory to the pension office); **two** push workers (``tsunagu mesh
deliver --org 131016``, separate processes on the city's database) deliver them side by side.
While they work: the pension node is killed with SIGKILL and restarted, one worker is killed with
SIGKILL and restarted, and the directory node is killed with SIGKILL and restarted.

Counted afterwards, from the databases (not from what the processes said): deliveries still
pending or dead, events applied at the pension office (lost = events − distinct applied),
events applied more than once (a primary key makes it impossible; counted anyway), and how many
sends the receiver acknowledged as duplicates (a send repeated after a killed worker's lease
ran out: harmless, never applied twice). The outbox lease (``push.service._claim``) is what keeps
two workers from sending the same delivery.

``python -m benchmarks mesh_faults`` (``FAULTS_EVENTS``: default 100; ``FAULTS_NO_POSTGRES=1``
skips the PostgreSQL run). Written to benchmarks/results/mesh_faults.json.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from benchmarks import support
from tsunagu import migrations
from tsunagu.mesh.cluster import LocalCluster
from tsunagu.mesh.log.models import MeshLogEntry
from tsunagu.mesh.push import service as push
from tsunagu.mesh.push.models import MeshPushDelivery, MeshPushReceived

CITY, PENSION, OPERATOR = "131016", "jpn-pension", "digital-agency"
PEOPLE = 40
DEADLINE_SECONDS = 240.0


@dataclass
class PostgresCluster(LocalCluster):
    """The same mesh, each node's database a PostgreSQL database on one server."""

    server_url: str = ""

    def database_url(self, org: str) -> str:
        name = f"faults_{org.replace('-', '_')}"
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create_databases(self) -> None:
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for org in self.ports:
                name = f"faults_{org.replace('-', '_')}"
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()


def _tsunagu() -> str:
    return str(Path(sys.executable).with_name("tsunagu"))


def _worker(cluster: LocalCluster, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **cluster.environment(CITY),
        "TSUNAGU_MESH_PUSH_BASE_DELAY_SECONDS": "0.2",
        "TSUNAGU_MESH_TIMEOUT_SECONDS": "1",
        "TSUNAGU_MESH_PUSH_MAX_ATTEMPTS": "1000",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [_tsunagu(), "mesh", "deliver", "--org", CITY, "--interval", "0.1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def _kill_node(cluster: LocalCluster, org: str) -> None:
    process = cluster.processes.pop(org)
    _kill(process)


def _outbox(cluster: LocalCluster) -> dict[str, int]:
    with cluster.database(CITY).session() as db:
        rows = db.execute(select(MeshPushDelivery.status, func.count()).group_by(MeshPushDelivery.status))
        return {str(status): int(count) for status, count in rows}


def _applied(cluster: LocalCluster) -> tuple[int, int, int]:
    """(rows applied, distinct keys applied, sends acknowledged as duplicates) at the pension office."""
    with cluster.database(PENSION).session() as db:
        rows = db.scalar(select(func.count()).select_from(MeshPushReceived)) or 0
        keys = db.scalar(select(func.count(func.distinct(MeshPushReceived.idempotency_key)))) or 0
        duplicates = (
            db.scalar(
                select(func.count())
                .select_from(MeshLogEntry)
                .where(
                    MeshLogEntry.organization_code == PENSION,
                    MeshLogEntry.kind == "notification",
                    MeshLogEntry.result == "duplicate",
                )
            )
            or 0
        )
    return int(rows), int(keys), int(duplicates)


def run(backend: str, events: int, workdir: Path, server_url: str = "") -> dict[str, Any]:
    cluster: LocalCluster
    if backend == "postgresql":
        cluster = PostgresCluster(workdir, [CITY, PENSION], migrations.upgrade, server_url=server_url)
        cluster.create_databases()  # type: ignore[attr-defined]
    else:
        cluster = LocalCluster(workdir, [CITY, PENSION], migrations.upgrade)
    cluster.prepare()
    for number in range(PEOPLE):
        cluster.add_person(f"resident-{number}", {CITY: f"resident-{number}", PENSION: f"P-{number}"})
    cluster.start_all()
    workers: list[subprocess.Popen[bytes]] = []
    faults: list[str] = []
    try:
        city = cluster.context(CITY)
        for number in range(events):
            push.publish(
                city,
                "address_changed",
                f"resident-{number % PEOPLE}",
                {"address": {"text": f"東京都千代田区一番町{number}"}},
            )
        started = time.perf_counter()
        workers = [_worker(cluster, workdir / f"worker-{n}.log") for n in range(2)]
        time.sleep(0.5)
        _kill_node(cluster, PENSION)
        faults.append("pension node SIGKILL")
        time.sleep(1.0)
        cluster.start(PENSION)
        cluster.wait_ready(PENSION)
        _kill(workers[0])
        faults.append("push worker 1 SIGKILL")
        workers[0] = _worker(cluster, workdir / "worker-0.log")
        _kill_node(cluster, OPERATOR)
        faults.append("directory node SIGKILL")
        time.sleep(0.5)
        cluster.start(OPERATOR)
        cluster.wait_ready(OPERATOR)
        _kill(workers[1])
        faults.append("push worker 2 SIGKILL")
        workers[1] = _worker(cluster, workdir / "worker-1.log")
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            outbox = _outbox(cluster)
            if outbox.get(push.DELIVERED, 0) == events:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        outbox = _outbox(cluster)
        rows, keys, duplicates = _applied(cluster)
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                _kill(worker)
        cluster.stop_all()
    return {
        "backend": backend,
        "events": events,
        "faults": faults,
        "seconds": round(elapsed, 2),
        "delivered": outbox.get(push.DELIVERED, 0),
        "pending": outbox.get(push.PENDING, 0),
        "dead": outbox.get(push.DEAD, 0),
        "applied": rows,
        "lost": events - keys,
        "applied_twice": rows - keys,
        "duplicate_sends_acknowledged": duplicates,
    }


@contextlib.contextmanager
def _postgres() -> Iterator[str | None]:
    if os.environ.get("FAULTS_NO_POSTGRES"):
        yield None
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres_cluster import throwaway_cluster

    with throwaway_cluster() as url:
        yield url


def main(argv: list[str] | None = None) -> None:
    events = int(os.environ.get("FAULTS_EVENTS", "100"))
    results = []
    with tempfile.TemporaryDirectory(prefix="mesh-faults-") as workdir:
        results.append(run("sqlite", events, Path(workdir) / "sqlite"))
        with _postgres() as url:
            if url:
                results.append(run("postgresql", events, Path(workdir) / "postgresql", url))
            else:
                print("the PostgreSQL run is skipped (FAULTS_NO_POSTGRES, or PostgreSQL is not installed)")
    for figures in results:
        print(
            f"[{figures['backend']}] {figures['events']} events to 日本年金機構 by 2 push workers, with "
            f"{', '.join(figures['faults'])}: delivered {figures['delivered']}, lost {figures['lost']}, "
            f"applied twice {figures['applied_twice']}, pending {figures['pending']}, "
            f"dead {figures['dead']} ({figures['duplicate_sends_acknowledged']} repeated sends "
            f"acknowledged as duplicates, {figures['seconds']} s)"
        )
    support.write(
        "mesh_faults",
        {"runs": results, "load_average_1m": round(os.getloadavg()[0], 1), "cores": os.cpu_count()},
    )
    if any(f["lost"] or f["applied_twice"] or f["pending"] or f["dead"] for f in results):
        raise SystemExit("a fault lost or duplicated a delivery")


if __name__ == "__main__":
    main(sys.argv[1:])
