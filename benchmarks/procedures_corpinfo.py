"""Open corporate information API: requests/s and p99 of a look-up by 法人番号 on PostgreSQL.

A throwaway PostgreSQL cluster (tests/postgres_cluster.py, or TSUNAGU_BENCH_POSTGRES_URL) gets N
synthetic corporations (the NTA file layout, imported the production way), 300 of them with a
登記 (capital, representative) and 5,000 subsidy and 1,000 procurement records; a real
``tsunagu serve`` (2 workers) answers ``GET /api/v1/corporate-info/corporations/{number}`` with a
real API key (checked and counted on every call) to 16 keep-alive clients in this process, for
random numbers. In the same run and the same server the registry's own look-up
(``GET /api/v1/registry/corporations/{number}``, no key, no activity) is the raw baseline: the
ratio is what the key, the counting and the activity cost.

``python -m benchmarks procedures_corpinfo`` (100,000 corporations);
``python -m benchmarks.procedures_corpinfo --full`` (1,000,000).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks import support
from benchmarks.loadclient import KeepAlive, RequestFailed
from benchmarks.procedures_submit_load import _free_port, _server, process_tree_cpu
from benchmarks.registry_residents import postgres_database
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.procedures.corpinfo import service as corpinfo
from tsunagu.registry.corporations import generator, nta_format
from tsunagu.registry.corporations import service as corporations
from tsunagu.registry.corporations.models import Corporation

CLIENTS, SAMPLE = 16, 5000
# 登記, subsidies and procurement for some of the looked-up corporations (the rest have none)
REGISTERED, SUBSIDIES, PROCUREMENTS = 300, 5000, 1000


def _load(database: Database, count: int, workdir: Path) -> tuple[list[str], dict[str, Any]]:
    started = time.perf_counter()
    path = workdir / "corporations.csv"
    nta_format.write(path, generator.corporations(count, seed=7))
    with database.session() as db:
        report = corporations.import_file(db, path)
    imported = time.perf_counter() - started
    rng = random.Random(7)
    with database.session() as db:
        numbers = list(db.scalars(select(Corporation.number).where(Corporation.close_date.is_(None))))
        sample = rng.sample(numbers, min(SAMPLE, len(numbers)))
        for number in sample[:REGISTERED]:
            corporations.register(
                db,
                number,
                registry_office="東京法務局",
                purposes=["各種商品の販売"],
                capital_yen=rng.choice([3_000_000, 10_000_000, 50_000_000]),
                established_on=date(2010, 4, 1),
            )
            corporations.appoint(
                db,
                number,
                title="代表取締役",
                name="試験 太郎",
                address="東京都千代田区丸の内一丁目1番1号",
                representative=True,
                appointed_on=date(2010, 4, 1),
            )
        corpinfo.import_awards(db, "subsidies", _awards(rng, sample, SUBSIDIES, subsidy=True))
        corpinfo.import_awards(db, "procurements", _awards(rng, sample, PROCUREMENTS, subsidy=False))
    return sample, {
        "corporations": report.created,
        "import_s": round(imported, 1),
        "total_load_s": round(time.perf_counter() - started, 1),
    }


def _awards(rng: random.Random, numbers: list[str], count: int, *, subsidy: bool) -> str:
    out = io.StringIO()
    header = corpinfo.SUBSIDY_HEADER if subsidy else corpinfo.PROCUREMENT_HEADER
    out.write(",".join(header) + "\n")
    for index in range(count):
        number = rng.choice(numbers)
        day = f"20{rng.randint(20, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        amount = rng.randint(1, 500) * 100_000
        if subsidy:
            out.write(f"{number},{day},合成補助金{index},合成事業,{amount},合成省,合成データ,S{index}\n")
        else:
            out.write(f"{number},{day},合成調達{index},{amount},合成市,合成データ,P{index}\n")
    return out.getvalue()


async def _client(
    port: int,
    paths: list[str],
    headers: dict[str, str],
    until: float,
    latencies: list[float],
    failures: list[str],
) -> None:
    http = KeepAlive("127.0.0.1", port, timeout=30)
    rng = random.Random(len(latencies))
    try:
        while time.perf_counter() < until:
            path = rng.choice(paths)
            started = time.perf_counter()
            try:
                status, body = await http.request("GET", path, b"", headers)
            except RequestFailed as exc:
                failures.append(str(exc))
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures.append(f"{status} {body[:200]!r}")
    finally:
        http.close()


def _phase(port: int, pid: int, paths: list[str], headers: dict[str, str], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    cpu_before = process_tree_cpu(pid)
    started = time.perf_counter()

    async def run() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(port, paths, headers, until, latencies, failures) for _ in range(CLIENTS))
        )

    asyncio.run(run())
    elapsed = time.perf_counter() - started
    cpu = process_tree_cpu(pid) - cpu_before
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "first_failures": failures[:3],
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(support.percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(support.percentile(latencies, 0.99) * 1000, 2),
        "server_cpu_ms_per_request": round(cpu * 1000 / max(len(latencies), 1), 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.procedures_corpinfo")
    parser.add_argument("--full", action="store_true", help="1,000,000 corporations (default 100,000)")
    parser.add_argument("--corporations", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="per phase (default 10; --full 30)")
    args = parser.parse_args(argv or [])
    count = args.corporations or (1_000_000 if args.full else 100_000)
    seconds = args.seconds or (30.0 if args.full else 10.0)
    figures: dict[str, Any] = {
        "load_average": os.getloadavg()[0],
        "cores": os.cpu_count(),
        "clients": CLIENTS,
    }
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="tsunagu-bench-corpinfo-") as workdir:
        database = postgres_database(stack)
        if database is None:
            support.write("procedures_corpinfo", {**figures, "skipped": "no PostgreSQL"})
            return
        migrations.upgrade(database.engine)
        sample, figures["load"] = _load(database, count, Path(workdir))
        print(f"loaded: {figures['load']}", flush=True)
        with database.session() as db:
            key = corpinfo.issue_key(
                db,
                name="benchmark",
                contact="bench@example.jp",
                issued_by="benchmark",
                per_minute=100_000,
                per_day=100_000_000,
            ).key
        port = _free_port()
        env = {
            **os.environ,
            "TSUNAGU_DATABASE_URL": database.url,
            "TSUNAGU_DATA_DIR": str(Path(workdir) / "var"),
            "TSUNAGU_SECRET_KEY": "corpinfo-bench-secret-not-for-production",
            "TSUNAGU_BASE_URL": f"http://127.0.0.1:{port}",
            "TSUNAGU_LOG_LEVEL": "warning",
        }
        with _server(env, port, Path(workdir) / "server.log") as pid:
            warm = [f"/api/v1/corporate-info/corporations/{n}" for n in sample[:50]]
            _phase(port, pid, warm, {"X-API-Key": key}, 2.0)
            open_api = _phase(
                port,
                pid,
                [f"/api/v1/corporate-info/corporations/{n}" for n in sample],
                {"X-API-Key": key},
                seconds,
            )
            print("open API:", open_api, flush=True)
            baseline = _phase(port, pid, [f"/api/v1/registry/corporations/{n}" for n in sample], {}, seconds)
            print("registry look-up (baseline):", baseline, flush=True)
        with database.session() as db:
            [client] = corpinfo.clients(db, "benchmark")
    figures |= {
        "corporations": count,
        "seconds_per_phase": seconds,
        "open_api": open_api,
        "registry_lookup_baseline": baseline,
        "ratio_requests_per_s": round(open_api["requests_per_s"] / max(baseline["requests_per_s"], 0.1), 2),
        "requests_counted_today": client.requests_today,
    }
    print(
        f"{count:,} corporations: open API {open_api['requests_per_s']} req/s, p99 {open_api['p99_ms']} ms; "
        f"registry look-up {baseline['requests_per_s']} req/s, p99 {baseline['p99_ms']} ms "
        f"(ratio {figures['ratio_requests_per_s']}); counted {client.requests_today:,}",
        flush=True,
    )
    support.write("procedures_corpinfo" + ("_full" if count >= 1_000_000 else ""), figures)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
