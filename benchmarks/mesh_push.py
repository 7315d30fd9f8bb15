"""Mesh push delivery end to end, with a receiver restart in the middle.

The 千代田区 node publishes address changes (each fanned out by the directory node to the
日本年金機構 node under its legal basis and to the つなぐ電力 node under each person's consent;
separate processes); the delivery worker sends signed webhooks.
Half-way the pension node is stopped and restarted; afterwards a batch of deliveries is replayed
as if the worker had crashed before recording them. The output proves that every event arrived
exactly once at every subscriber (none lost, none applied twice).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from benchmarks import support
from tsunagu import migrations
from tsunagu.core import clock
from tsunagu.mesh.cluster import LocalCluster
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.push import service as push
from tsunagu.mesh.push.models import MeshPushDelivery, MeshPushReceived

CITY, PENSION, POWER, OPERATOR = "131016", "jpn-pension", "tsunagu-power", "digital-agency"
PEOPLE = 50
REPLAYED = 100


def _deliver_all(cluster: LocalCluster, at: list[float]) -> None:
    city = cluster.context(CITY)
    while True:
        run = push.deliver_due(city, limit=1000, now=clock.now() + timedelta(seconds=at[0]))
        if not (run.delivered or run.failed or run.waiting):
            return
        if run.failed or run.waiting:
            at[0] += 3600  # let the backoff expire instead of sleeping


def _received(cluster: LocalCluster, org: str) -> tuple[int, int]:
    with cluster.database(org).session() as db:
        rows = db.scalar(select(func.count()).select_from(MeshPushReceived)) or 0
        keys = db.scalar(select(func.count(func.distinct(MeshPushReceived.idempotency_key)))) or 0
    return rows, keys


def run(events: int) -> dict[str, float | int | bool]:
    with tempfile.TemporaryDirectory(prefix="mesh-push-") as workdir:
        cluster = LocalCluster(Path(workdir), [CITY, PENSION, POWER], migrations.upgrade)
        cluster.prepare()
        for number in range(PEOPLE):
            cluster.add_person(f"resident-{number}", {CITY: f"resident-{number}"})
        with cluster.database(OPERATOR).session() as db:  # the utility receives changes only with consent
            for number in range(PEOPLE):
                directory.grant_consent(
                    db,
                    subscriber=POWER,
                    resident_id=f"resident-{number}",
                    scope="moving",
                    expires_at=clock.now() + timedelta(days=90),
                    source="benchmark",
                )
        cluster.start_all()
        try:
            city = cluster.context(CITY)
            started = time.perf_counter()
            for number in range(events):
                push.publish(
                    city,
                    "address_changed",
                    f"resident-{number % PEOPLE}",
                    {"address": {"text": f"東京都千代田区一番町{number}"}},
                )
            published = time.perf_counter() - started
            offset = [0.0]
            half = events  # deliveries of the first half of the events (two subscribers each)
            steady = time.perf_counter()
            steady_run = push.deliver_due(city, limit=half, now=clock.now())
            steady = time.perf_counter() - steady
            cluster.stop(PENSION)
            push.deliver_due(city, limit=2 * events, now=clock.now())  # pension deliveries fail
            cluster.start(PENSION)
            cluster.wait_ready(PENSION)
            _deliver_all(cluster, offset)
            with city.database.session() as db:  # a worker crash before recording: send them again
                replay = list(
                    db.scalars(select(MeshPushDelivery.id).order_by(MeshPushDelivery.id).limit(REPLAYED))
                )
                db.execute(
                    update(MeshPushDelivery)
                    .where(MeshPushDelivery.id.in_(replay))
                    .values(status=push.PENDING, next_attempt_at=clock.now())
                )
            _deliver_all(cluster, offset)
            elapsed = time.perf_counter() - started
            with city.database.session() as db:
                delivered = (
                    db.scalar(
                        select(func.count())
                        .select_from(MeshPushDelivery)
                        .where(MeshPushDelivery.status == push.DELIVERED)
                    )
                    or 0
                )
            pension_rows, pension_keys = _received(cluster, PENSION)
            power_rows, power_keys = _received(cluster, POWER)
        finally:
            cluster.stop_all()
    exactly_once = pension_rows == pension_keys == events and power_rows == power_keys == events
    return {
        "events": events,
        "deliveries": delivered,
        "publish_per_s": round(events / published, 1),
        "deliveries_per_s": round(delivered / elapsed, 1),
        "seconds": round(elapsed, 2),
        "steady_deliveries_per_s": round(steady_run.delivered / steady, 1),
        "pension_applied": pension_rows,
        "power_applied": power_rows,
        "replayed": REPLAYED,
        "none_lost_none_duplicated": exactly_once,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mesh_push")
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args(argv or [])
    figures = run(args.events)
    print(
        f"{figures['events']} events → {figures['deliveries']} signed webhooks in {figures['seconds']} s "
        f"({figures['deliveries_per_s']} deliveries/s end to end, publishing {figures['publish_per_s']} "
        f"events/s) with the pension node restarted and {figures['replayed']} deliveries replayed; "
        f"delivering alone (both receivers up): {figures['steady_deliveries_per_s']} deliveries/s"
    )
    print(
        f"applied at 日本年金機構: {figures['pension_applied']}, at つなぐ電力: {figures['power_applied']} "
        f"of {figures['events']} → none lost, none duplicated: {figures['none_lost_none_duplicated']}"
    )
    support.write(
        "mesh_push", {**figures, "load_average_1m": round(os.getloadavg()[0], 1), "cores": os.cpu_count()}
    )
    if not figures["none_lost_none_duplicated"]:
        raise SystemExit("push lost or duplicated events")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
