"""Submissions under load: a real ``tsunagu serve`` and 50 concurrent clients in another process.

The server is started as a separate process (``tsunagu serve --workers N``) on 127.0.0.1 over a
temporary SQLite database that ``tsunagu seed`` migrated and filled with demo residents. Some
of them receive virtual My Number Cards and log in through the product's own card login
(challenge → signed nonce → session cookie). A second process then submits 住民票の写し交付請求
(a procedure a person may file many times; a 転出届 allows one open per person) through the
API with unique Idempotency-Keys for ``DURATION`` seconds from ``CLIENTS`` concurrent clients,
after ``WARMUP`` seconds of the same load that are not counted (each worker process builds its
routes and loads the procedure definitions on its first requests).

Each client is one person and does what an API client of the form does: it asks for the
prefilled registry values once (GET …/juminhyo-utsushi/prefill, one mesh round trip, sealed) and sends
the seal back with every submission. Those prefill requests fall inside the measured window, so
their CPU is counted in the CPU per submission. A second measured phase (``PER_APPLICATION``
seconds) fetches the prefill before every submission — one application per person — and its
CPU per submission includes both requests.

Printed and written to benchmarks/results/procedures_submit_load.json: throughput, latency
p50/p95/p99, errors (must be 0), the rows in the database afterwards (must equal the
acknowledged receipts: none lost), a replay of every key (same receipts, no new rows), the
server's CPU time per submission (all its processes; meaningful even on a busy machine) and the
load average while measuring.

The first phase is closed-loop (each client sends its next submission the moment the last is
answered): it measures the capacity, and its latency is the queue that 50 always-waiting clients
make (by Little's law, 50 clients at 200/s wait 250 ms on average however fast each answer is).
The last phase is paced (open-loop): the 50 clients together offer ``OFFERED`` submissions per
second, each on its own schedule, and latency counts from when a submission was due, so a slow
server cannot hide its backlog by delaying the next request. Each person fetches the prefill
before the schedule starts (its CPU is still counted): 50 mesh round trips at the first
instant would otherwise be a burst that no steady 200/s offers. The targets (≥ 200/s with p95 ≤
100 ms at 50 clients) are judged on that phase.

``python -m benchmarks procedures_submit_load`` (``SUBMIT_LOAD_SECONDS``, ``SUBMIT_LOAD_WORKERS``,
``SUBMIT_LOAD_CLIENTS`` and ``SUBMIT_LOAD_RATE`` override the defaults).
"""

from __future__ import annotations

import asyncio
import base64
import json
import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvloop
from sqlalchemy import select

from benchmarks import support
from benchmarks.loadclient import KeepAlive, RequestFailed
from tsunagu.core.database import Database
from tsunagu.identity.cards import ca as card_ca
from tsunagu.identity.cards import service as cards
from tsunagu.identity.cards.virtualcard import VirtualCard
from tsunagu.migrations.schema import metadata

DURATION = float(os.environ.get("SUBMIT_LOAD_SECONDS", "20"))
OFFERED = float(os.environ.get("SUBMIT_LOAD_RATE", "200"))  # the paced phase's offered submissions/s
WARMUP = float(os.environ.get("SUBMIT_LOAD_WARMUP_SECONDS", "3"))
PER_APPLICATION = float(os.environ.get("SUBMIT_LOAD_PER_APPLICATION_SECONDS", "10"))
WORKERS = int(os.environ.get("SUBMIT_LOAD_WORKERS", "2"))
CLIENTS = int(os.environ.get("SUBMIT_LOAD_CLIENTS", "50"))
RESIDENTS = 400
CARD_HOLDERS = CLIENTS
PIN = "1234"
TARGETS = {"submissions_per_second": 200, "p95_ms": 100, "clients": 50, "errors": 0}
BODY = {
    "procedure_id": "juminhyo-utsushi",
    "data": {"scope": "self", "copies": 1, "purpose": "procedure"},
}
SUBMIT = "/api/v1/procedures/applications"
PREFILL = "/api/v1/procedures/juminhyo-utsushi/prefill"


@dataclass
class Outcome:
    """What one load phase saw: per-request latencies (ms), receipts by (token, key), errors."""

    latencies: list[float] = field(default_factory=list)
    receipts: dict[tuple[str, str], str] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    prefills: int = 0
    client_cpu_seconds: float = 0.0


@dataclass(frozen=True)
class Phase:
    """One run of the clients: for ``seconds`` with new keys (named ``label``), or replaying
    ``keys``; the prefill is fetched once per client, or before every submission."""

    label: str
    seconds: float = 0.0
    keys: dict[str, list[str]] | None = None
    prefill_every_submission: bool = False
    rate: float | None = None  # submissions per second offered by all clients together (paced)


# ------------------------------------------------------------------ the server process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(workdir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "TSUNAGU_DATABASE_URL": f"sqlite:///{workdir / 'load.db'}",
        "TSUNAGU_DATA_DIR": str(workdir / "var"),
        "TSUNAGU_SECRET_KEY": "load-bench-secret-not-for-production",
        "TSUNAGU_BASE_URL": f"http://127.0.0.1:{port}",
        "TSUNAGU_LOG_LEVEL": "warning",
    }


def _tsunagu(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("tsunagu")), *args]


@contextmanager
def _server(env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """``tsunagu serve`` in its own process group; yields its pid once /readyz answers."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            _tsunagu("serve", "--port", str(port), "--workers", str(WORKERS)),
            env=env,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline, answer = time.monotonic() + 120, "no answer"
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                if ready.status_code == 200:
                    break
                answer = ready.text
            except httpx.HTTPError as exc:
                answer = repr(exc)
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the server did not start: {answer}\n{tail}")
            time.sleep(0.3)
        yield process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and every live descendant (uvicorn's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        tree.update(children)
        frontier += children
    ticks = 0
    for member in tree:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ residents with cards


def _card_holders(url: str, data_dir: Path) -> list[VirtualCard]:
    """Virtual cards for the first residents of the register (カード交付, the product's own)."""
    database = Database(url)
    people = metadata.tables["residents_people"]
    authority = card_ca.load_ca(data_dir)
    with database.session() as db:
        ids = db.scalars(
            select(people.c.id).where(people.c.status == "resident").order_by(people.c.id).limit(CARD_HOLDERS)
        ).all()
        issued = [
            cards.issue_card(db, authority, resident_id, PIN, "SIGN1234", kdf_iterations=1_000).file
            for resident_id in ids
        ]
    database.dispose()
    return issued


def _log_in(base: str, card: VirtualCard) -> str:
    """The card login any browser does; returns the session token of the cookie."""
    with httpx.Client(base_url=base, timeout=30) as client:
        challenge = client.post("/api/v1/identity/card-login/challenge").json()
        signature = card.sign_raw("authentication", PIN, challenge["nonce"].encode())
        answer = client.post(
            "/api/v1/identity/card-login/verify",
            json={
                "challenge_id": challenge["challenge_id"],
                "nonce": challenge["nonce"],
                "certificate": card.certificate_pem("authentication").decode(),
                "signature": base64.urlsafe_b64encode(signature).decode().rstrip("="),
            },
        )
        answer.raise_for_status()
        return str(client.cookies["tsunagu_session"])


# ------------------------------------------------------------------ the load process


async def _prefill_seal(http: KeepAlive, token: str, outcome: Outcome) -> str | None:
    """The sealed registry values of a new 転出届 (None after an error, which is recorded)."""
    outcome.prefills += 1
    try:
        status, answer = await http.request("GET", PREFILL, headers={"Cookie": f"tsunagu_session={token}"})
    except RequestFailed as exc:
        outcome.errors.append(f"prefill {exc}")
        return None
    if status != 200:
        outcome.errors.append(f"prefill {status}: {answer[:200]!r}")
        return None
    return str(json.loads(answer)["prefill_seal"])


async def _client(
    http: KeepAlive, token: str, number: int, phase: Phase, stop_at: float, outcome: Outcome, seal: str | None
) -> None:
    """One person: fetches the prefill (unless given), then submits one application after another."""
    keys = None if phase.keys is None else phase.keys.get(token, [])
    sent = 0
    interval = None if phase.rate is None else CLIENTS / phase.rate
    due = time.perf_counter() + (0.0 if interval is None else interval * number / CLIENTS)
    while (keys is None and time.perf_counter() < stop_at) or (keys is not None and sent < len(keys)):
        key = keys[sent] if keys is not None else f"{phase.label}-{number:03d}-{sent:07d}"
        sent += 1
        if interval is not None:  # paced: latency counts from when it was due (no hidden queueing)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            started, due = due, due + interval
        else:
            started = time.perf_counter()
        if seal is None or phase.prefill_every_submission:
            seal = await _prefill_seal(http, token, outcome)
            if seal is None:
                continue
        body = json.dumps({**BODY, "prefill_seal": seal}).encode()
        try:
            status, answer = await http.request(
                "POST",
                SUBMIT,
                body,
                {
                    "Content-Type": "application/json",
                    "Idempotency-Key": key,
                    "Cookie": f"tsunagu_session={token}",
                },
            )
        except RequestFailed as exc:
            outcome.errors.append(str(exc))
            continue
        outcome.latencies.append((time.perf_counter() - started) * 1000)
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        if status in (200, 201):
            outcome.receipts[(token, key)] = json.loads(answer)["receipt_number"]
        else:
            outcome.errors.append(f"{status}: {answer[:200]!r}")


async def _drive(base: str, tokens: list[str], phase: Phase) -> Outcome:
    outcome = Outcome()
    server = urlsplit(base)
    connections = [KeepAlive(server.hostname or "127.0.0.1", server.port or 80) for _ in tokens]
    seals: list[str | None] = [None] * len(tokens)
    if phase.rate is not None:  # paced: each person has the prefill before the schedule starts
        seals = list(
            await asyncio.gather(
                *(
                    _prefill_seal(http, token, outcome)
                    for http, token in zip(connections, tokens, strict=True)
                )
            )
        )
    started = time.perf_counter()
    stop_at = started + phase.seconds
    try:
        await asyncio.gather(
            *(
                _client(http, token, number, phase, stop_at, outcome, seal)
                for number, (http, token, seal) in enumerate(zip(connections, tokens, seals, strict=True))
            )
        )
    finally:
        for http in connections:
            http.close()
    outcome.seconds = time.perf_counter() - started
    return outcome


def _load_process(
    base: str, tokens: list[str], phase: Phase, results: multiprocessing.Queue[Outcome]
) -> None:
    started = time.process_time()
    outcome = uvloop.run(_drive(base, tokens, phase))
    outcome.client_cpu_seconds = time.process_time() - started
    results.put(outcome)


def load_from_another_process(base: str, tokens: list[str], phase: Phase) -> Outcome:
    """Run one phase of load in a separate process (so the clients do not share our interpreter)."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[Outcome] = context.Queue()
    worker = context.Process(target=_load_process, args=(base, tokens, phase, results))
    worker.start()
    outcome = results.get()
    worker.join()
    return outcome


def measured(pid: int, base: str, tokens: list[str], phase: Phase) -> tuple[Outcome, float]:
    """A phase and the server's CPU seconds (all its processes) spent during it."""
    before = process_tree_cpu(pid)
    outcome = load_from_another_process(base, tokens, phase)
    return outcome, process_tree_cpu(pid) - before


def _ms(samples: list[float], fraction: float) -> float | None:
    return round(support.percentile(samples, fraction), 1) if samples else None


def _stored_applications(database_file: Path) -> set[str]:
    with sqlite3.connect(database_file) as connection:
        return {row[0] for row in connection.execute("SELECT receipt_number FROM procedures_applications")}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="submit-load-") as directory:
        workdir = Path(directory)
        port = _free_port()
        env = _environment(workdir, port)
        base = env["TSUNAGU_BASE_URL"]
        subprocess.run(
            _tsunagu("seed", "--residents", str(RESIDENTS), "--corporations", "0"),
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        holders = _card_holders(env["TSUNAGU_DATABASE_URL"], workdir / "var")
        with _server(env, port, workdir / "server.log") as pid:
            tokens = [_log_in(base, card) for card in holders]
            load_from_another_process(base, tokens, Phase("warmup", WARMUP))
            warmed_up = _stored_applications(workdir / "load.db")
            load_before = os.getloadavg()[0]
            first, cpu_first = measured(pid, base, tokens, Phase("load", DURATION))
            load_after = os.getloadavg()[0]
            stored = _stored_applications(workdir / "load.db")
            keys_of: dict[str, list[str]] = {}
            for token, key in first.receipts:
                keys_of.setdefault(token, []).append(key)
            again, cpu_replay = measured(pid, base, tokens, Phase("replay", keys=keys_of))
            stored_after_replay = _stored_applications(workdir / "load.db")
            each, cpu_each = measured(
                pid, base, tokens, Phase("each", PER_APPLICATION, prefill_every_submission=True)
            )
            paced, cpu_paced = measured(pid, base, tokens, Phase("paced", DURATION, rate=OFFERED))
    acknowledged = set(first.receipts.values())
    changed = sum(1 for pair, receipt in again.receipts.items() if first.receipts.get(pair) != receipt)
    submitted = len(first.latencies)
    figures = {
        "submissions_per_second": round(submitted / first.seconds, 1),
        "submit_ms_p50": _ms(first.latencies, 0.5),
        "submit_ms_p95": _ms(first.latencies, 0.95),
        "submit_ms_p99": _ms(first.latencies, 0.99),
        "prefill_requests": first.prefills,
        "errors": len(first.errors),
        "statuses": {str(k): v for k, v in sorted(first.statuses.items())},
        "acknowledged": len(acknowledged),
        "rows_in_database": len(stored - warmed_up),
        "acknowledged_missing_from_database": len(acknowledged - stored),
        "server_cpu_ms_per_submission": round(cpu_first * 1000 / max(submitted, 1), 2),
        "client_cpu_ms_per_submission": round(first.client_cpu_seconds * 1000 / max(submitted, 1), 2),
        "replays_per_second": round(len(again.latencies) / again.seconds, 1),
        "replay_ms_p95": _ms(again.latencies, 0.95),
        "replay_errors": len(again.errors),
        "replay_changed_receipts": changed,
        "rows_added_by_replay": len(stored_after_replay) - len(stored),
        "server_cpu_ms_per_replay": round(cpu_replay * 1000 / max(len(again.latencies), 1), 2),
        "prefill_each_submissions_per_second": round(len(each.latencies) / each.seconds, 1),
        "prefill_each_ms_p95": _ms(each.latencies, 0.95),
        "prefill_each_errors": len(each.errors),
        "prefill_each_server_cpu_ms_per_submission": round(cpu_each * 1000 / max(len(each.latencies), 1), 2),
        "paced_offered_per_second": OFFERED,
        "paced_submissions_per_second": round(len(paced.latencies) / paced.seconds, 1),
        "paced_ms_p50": _ms(paced.latencies, 0.5),
        "paced_ms_p95": _ms(paced.latencies, 0.95),
        "paced_ms_p99": _ms(paced.latencies, 0.99),
        "paced_errors": len(paced.errors),
        "paced_server_cpu_ms_per_submission": round(cpu_paced * 1000 / max(len(paced.latencies), 1), 2),
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        "cpus": os.cpu_count(),
        "seconds": round(first.seconds, 1),
        "clients": len(tokens),
        "server_workers": WORKERS,
        "database": "sqlite",
        "targets": TARGETS,
    }
    for name, value in figures.items():
        print(f"{name:36} {value}")
    for error in (first.errors + again.errors + each.errors + paced.errors)[:5]:
        print("error:", error)
    support.write("procedures_submit_load", figures)


if __name__ == "__main__":
    main()
