"""Mesh query round trip through separate node processes over loopback.

A client calls the consumer node (千代田区) which signs the query and sends it to the provider
node (日本年金機構); that node verifies it, asks the directory node (デジタル庁) to authorize and
translate the person's code, reads its records, logs and signs the answer; the consumer verifies
it against the service schema and logs. Targets: ≥ 500 queries/s on 2 cores, p99 ≤ 50 ms.

Runs the same cluster at several client counts (default 8, 16 and 32 queries in flight: the curve)
and judges the targets at 16 (``--target-clients``). CPU time per query is given per process, the
figure that others' load on a shared machine distorts least.

``python -m benchmarks mesh_query``; ``python -m benchmarks.mesh_query --queries 3000 --clients 8,16,32``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvloop

from benchmarks import support
from benchmarks.loadclient import KeepAlive, RequestFailed
from tsunagu import migrations
from tsunagu.mesh import demo
from tsunagu.mesh.cluster import LocalCluster

CITY, PENSION = "131016", "jpn-pension"
PEOPLE = 200
_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a node process (Linux /proc; the nodes are not our children yet)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


async def _client(
    url: str, token: str, subjects: list[str], count: int, latencies: list[float], failures: list[str]
) -> None:
    """One client with one keep-alive connection (the lean asyncio client of the load benchmarks:
    less of the two cores for the load generator, and no thread of its own waiting for the GIL
    inside the measured latency)."""
    target = urlsplit(url)
    http = KeepAlive(target.hostname or "127.0.0.1", target.port or 80, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        for number in range(count):
            body = json.dumps(
                {
                    "provider": PENSION,
                    "service": "pension-status",
                    "purpose": f"kaigo-hoken-{CITY}",
                    "subject": subjects[number % len(subjects)],
                    "items": ["pension_type", "annual_amount"],
                }
            )
            started = time.perf_counter()
            try:
                status, answer = await http.request("POST", target.path, body.encode(), headers)
            except RequestFailed as exc:
                failures.append(str(exc))
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures.append(answer[:200].decode("utf-8", "replace"))
    finally:
        http.close()


def _clients(
    url: str,
    token: str,
    subjects: list[str],
    per_client: int,
    clients: int,
    latencies: list[float],
    failures: list[str],
) -> None:
    """``clients`` clients in flight at once, on one event loop in this process."""

    async def together() -> None:
        await asyncio.gather(
            *(
                _client(url, token, subjects[i::clients], per_client, latencies, failures)
                for i in range(clients)
            )
        )

    uvloop.run(together())


TARGET_THROUGHPUT, TARGET_P99_MS = 500, 50


def _cluster(workdir: Path) -> tuple[LocalCluster, list[str]]:
    cluster = LocalCluster(workdir, [CITY, PENSION], migrations.upgrade)
    cluster.prepare()
    subjects = []
    for number in range(PEOPLE):
        codes = cluster.add_person(
            f"resident-{number}", {CITY: f"resident-{number}", PENSION: f"P{number:08d}"}
        )
        cluster.put_record(
            PENSION,
            f"P{number:08d}",
            "pension-status",
            {
                "pension_type": "老齢基礎年金",
                "annual_amount": 780_000 + number,
                "insured_since": "1985-04-01",
            },
        )
        subjects.append(codes[CITY])
    return cluster, subjects


def _round(cluster: LocalCluster, subjects: list[str], queries: int, clients: int) -> dict[str, Any]:
    """``queries`` queries from ``clients`` clients in flight at once; latency and CPU per process."""
    url = f"{cluster.url(CITY)}/v1/consumer/query"
    token = cluster.context(CITY).local_token
    latencies: list[float] = []
    failures: list[str] = []
    pids = {org: cluster.processes[org].pid for org in (CITY, PENSION, demo.OPERATOR)}
    cpu_before = {org: _cpu_seconds(pid) for org, pid in pids.items()}
    client_before = time.process_time()
    started = time.perf_counter()
    _clients(url, token, subjects, queries // clients, clients, latencies, failures)
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    cpu = {org: _cpu_seconds(pid) - cpu_before[org] for org, pid in pids.items()}
    if failures:
        raise SystemExit(f"{len(failures)} queries failed, e.g. {failures[0]}")
    return {
        "queries": len(latencies),
        "clients": clients,
        "seconds": round(elapsed, 2),
        "throughput_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(support.median(latencies) * 1000, 2),
        "p95_ms": round(support.percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(support.percentile(latencies, 0.99) * 1000, 2),
        "cpu_ms_per_query": {
            "consumer_node": _per_query(cpu[CITY], latencies),
            "provider_node": _per_query(cpu[PENSION], latencies),
            "directory_node": _per_query(cpu[demo.OPERATOR], latencies),
            "nodes_total": _per_query(sum(cpu.values()), latencies),
            "benchmark_client": _per_query(client_cpu, latencies),
        },
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def run(queries: int, clients: list[int]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="mesh-bench-") as workdir:
        cluster, subjects = _cluster(Path(workdir))
        cluster.start_all()
        try:
            url = f"{cluster.url(CITY)}/v1/consumer/query"
            _clients(url, cluster.context(CITY).local_token, subjects, 100, 1, [], [])  # warm caches
            return [_round(cluster, subjects, queries, count) for count in clients]
        finally:
            cluster.stop_all()


def _per_query(seconds: float, latencies: list[float]) -> float:
    return round(seconds * 1000 / len(latencies), 2)


def _verdict(figures: dict[str, Any]) -> dict[str, bool]:
    return {
        "throughput": figures["throughput_per_s"] >= TARGET_THROUGHPUT,
        "p99": figures["p99_ms"] <= TARGET_P99_MS,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mesh_query")
    parser.add_argument("--queries", type=int, default=3000, help="queries per client count")
    parser.add_argument("--clients", default="8,16,32", help="client counts, comma-separated")
    parser.add_argument(
        "--target-clients", type=int, default=16, help="the client count the targets are judged at"
    )
    args = parser.parse_args(argv or [])
    counts = [int(count) for count in args.clients.split(",")]
    curve = run(args.queries, counts)
    for figures in curve:
        verdict = _verdict(figures)
        print(
            f"{figures['clients']:>3} clients: {figures['throughput_per_s']} queries/s "
            f"[{'pass' if verdict['throughput'] else 'FAIL'} ≥ {TARGET_THROUGHPUT}], "
            f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms "
            f"[{'pass' if verdict['p99'] else 'FAIL'} ≤ {TARGET_P99_MS}]; load average "
            f"{figures['load_average_1m']} on {os.cpu_count()} cores"
        )
        print(
            "     CPU ms per query: "
            + ", ".join(f"{who} {ms}" for who, ms in figures["cpu_ms_per_query"].items())
        )
    judged = next((f for f in curve if f["clients"] == args.target_clients), curve[len(curve) // 2])
    support.write(
        "mesh_query",
        {
            **judged,
            "cores": os.cpu_count(),
            "curve": curve,
            "targets": {
                "throughput_per_s": TARGET_THROUGHPUT,
                "p99_ms": TARGET_P99_MS,
                "judged_at_clients": judged["clients"],
                "pass": _verdict(judged),
            },
        },
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
