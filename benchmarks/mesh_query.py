"""Mesh query round trip through separate node processes over loopback.

A client calls the consumer node (千代田区) which signs the query and sends it to the provider
node (日本年金機構); that node verifies it, asks the directory node (デジタル庁) to authorize and
translate the person's code, reads its records, logs and signs the answer; the consumer verifies
it against the service schema and logs. Targets: ≥ 500 queries/s on 2 cores, p99 ≤ 50 ms.

``python -m benchmarks mesh_query`` (``--queries``, ``--clients`` with ``python -m benchmarks.mesh_query``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks import support
from tsunagu import migrations
from tsunagu.mesh.cluster import LocalCluster

CITY, PENSION = "131016", "jpn-pension"
PEOPLE = 200


def _worker(url: str, token: str, subjects: list[str], count: int, latencies: list[float],
            failures: list[str]) -> None:
    with httpx.Client(headers={"authorization": f"Bearer {token}"}, timeout=30) as client:
        for number in range(count):
            started = time.perf_counter()
            response = client.post(url, json={
                "provider": PENSION, "service": "pension-status", "purpose": f"kaigo-hoken-{CITY}",
                "subject": subjects[number % len(subjects)], "items": ["pension_type", "annual_amount"]})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures.append(response.text[:200])


def run(queries: int, clients: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mesh-bench-") as workdir:
        cluster = LocalCluster(Path(workdir), [CITY, PENSION], migrations.upgrade)
        cluster.prepare()
        subjects = []
        for number in range(PEOPLE):
            codes = cluster.add_person(f"resident-{number}", {CITY: f"resident-{number}",
                                                              PENSION: f"P{number:08d}"})
            cluster.put_record(PENSION, f"P{number:08d}", "pension-status", {
                "pension_type": "老齢基礎年金", "annual_amount": 780_000 + number,
                "insured_since": "1985-04-01"})
            subjects.append(codes[CITY])
        cluster.start_all()
        try:
            url = f"{cluster.url(CITY)}/v1/consumer/query"
            token = cluster.context(CITY).local_token
            _worker(url, token, subjects, 100, [], [])  # warm the caches and connections
            latencies: list[float] = []
            failures: list[str] = []
            per_client = queries // clients
            threads = [threading.Thread(target=_worker, args=(url, token, subjects[i::clients], per_client,
                                                              latencies, failures)) for i in range(clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            cluster.stop_all()
    if failures:
        raise SystemExit(f"{len(failures)} queries failed, e.g. {failures[0]}")
    return {"queries": len(latencies), "clients": clients, "seconds": round(elapsed, 2),
            "throughput_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(support.median(latencies) * 1000, 2),
            "p99_ms": round(support.percentile(latencies, 0.99) * 1000, 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mesh_query")
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv or [])
    figures = run(args.queries, args.clients)
    print(f"queries {figures['queries']} with {figures['clients']} clients in {figures['seconds']} s: "
          f"{figures['throughput_per_s']} queries/s, p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms "
          "(targets: ≥ 500 queries/s, p99 ≤ 50 ms)")
    support.write("mesh_query", {**figures, "load_average_1m": round(os.getloadavg()[0], 1),
                                 "targets": {"throughput_per_s": 500, "p99_ms": 50}})


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
