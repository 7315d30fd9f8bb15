"""Faults under load: kill -9 of the web server while people submit applications.

A real ``tsunagu serve`` (its own process group, 2 workers) over a seeded database, people logged
in with the product's card login, and a load process submitting 住民票の写し交付請求 with unique
Idempotency-Keys (as ``procedures_submit_load`` does). Once the first 30 are stored, the whole
server is killed with SIGKILL and started again; the clients keep going (a request that meets the
dead server is an error, never an acknowledgement).

On SQLite: one server. On PostgreSQL (a throwaway server, as the tests use): **two** servers on two
ports against the same database, the clients split between them, and one of them killed and
restarted. Counted afterwards from the database: acknowledged receipts missing from it (lost),
receipt numbers stored more than once (issued twice), and the number of acknowledgements.

``python -m benchmarks procedures_faults`` (``FAULTS_SECONDS``: default 25; ``FAULTS_NO_POSTGRES=1``
skips PostgreSQL). Written to benchmarks/results/procedures_faults.json.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("SUBMIT_LOAD_CLIENTS", "20")  # fewer people than the throughput benchmark

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks import procedures_submit_load as load
from benchmarks import support

SECONDS = float(os.environ.get("FAULTS_SECONDS", "25"))
RESIDENTS = 120


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            load._tsunagu("serve", "--port", str(port), "--workers", "2"),
            env={**env, "TSUNAGU_BASE_URL": f"http://127.0.0.1:{port}"},
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return process
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-2000:])
        time.sleep(0.3)
    raise RuntimeError("the server did not start")


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _receipts(url: str) -> tuple[int, set[str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        numbers = [
            row[0] for row in connection.execute(text("SELECT receipt_number FROM procedures_applications"))
        ]
    engine.dispose()
    return len(numbers), set(numbers)


def run(backend: str, workdir: Path, database_url: str) -> dict[str, Any]:
    ports = [load._free_port() for _ in range(2 if backend == "postgresql" else 1)]
    env = {**load._environment(workdir, ports[0]), "TSUNAGU_DATABASE_URL": database_url}
    subprocess.run(
        load._tsunagu("seed", "--residents", str(RESIDENTS), "--corporations", "0"),
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    holders = load._card_holders(database_url, workdir / "var")
    servers = [_start(env, port, workdir / f"server-{port}.log") for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        tokens = [load._log_in(bases[0], card) for card in holders]  # sessions live in the database
        _, before = _receipts(database_url)
        killed: list[str] = []

        def fault() -> None:
            # kill once submissions are being stored (the load process needs a moment to start)
            deadline = time.monotonic() + 60
            while _receipts(database_url)[0] < len(before) + 30 and time.monotonic() < deadline:
                time.sleep(0.2)
            _kill(servers[0])
            killed.append(f"web server on :{ports[0]} SIGKILL")
            servers[0] = _start(env, ports[0], workdir / f"server-{ports[0]}.log")

        thread = threading.Thread(target=fault)
        thread.start()
        halves = [tokens[number :: len(bases)] for number in range(len(bases))]
        outcomes = [None] * len(bases)

        def drive(index: int) -> None:
            outcomes[index] = load.load_from_another_process(  # type: ignore[call-overload]
                bases[index], halves[index], load.Phase(f"faults{index}", SECONDS)
            )

        drivers = [threading.Thread(target=drive, args=(index,)) for index in range(len(bases))]
        for driver in drivers:
            driver.start()
        for driver in drivers:
            driver.join()
        thread.join()
    finally:
        for server in servers:
            _kill(server)
    acknowledged = {receipt for outcome in outcomes if outcome for receipt in outcome.receipts.values()}
    errors = sum(len(outcome.errors) for outcome in outcomes if outcome)
    kinds: dict[str, int] = {}
    for outcome in outcomes:
        for error in outcome.errors if outcome else []:
            kinds[error[:160]] = kinds.get(error[:160], 0) + 1
    rows, stored = _receipts(database_url)
    return {
        "backend": backend,
        "web_servers": len(ports),
        "faults": killed,
        "seconds": SECONDS,
        "acknowledged": len(acknowledged),
        "refused_or_failed_while_down": errors,
        "lost": len(acknowledged - stored),
        "receipt_numbers_issued_twice": rows - len(stored),
        "rows_added": len(stored - before),
        "errors_by_kind": dict(sorted(kinds.items(), key=lambda kind: -kind[1])[:5]),
    }


@contextlib.contextmanager
def _postgres() -> Iterator[str | None]:
    if os.environ.get("FAULTS_NO_POSTGRES"):
        yield None
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres_cluster import throwaway_cluster

    with throwaway_cluster() as server:
        if server is None:
            yield None
            return
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "faults_web"'))
        admin.dispose()
        yield make_url(server).set(database="faults_web").render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> None:
    results = []
    with tempfile.TemporaryDirectory(prefix="procedures-faults-") as directory:
        workdir = Path(directory)
        (workdir / "sqlite").mkdir()
        results.append(run("sqlite", workdir / "sqlite", f"sqlite:///{workdir / 'sqlite' / 'load.db'}"))
        with _postgres() as url:
            if url:
                (workdir / "postgresql").mkdir()
                results.append(run("postgresql", workdir / "postgresql", url))
            else:
                print("the PostgreSQL run is skipped (FAULTS_NO_POSTGRES, or PostgreSQL is not installed)")
    for figures in results:
        print(f"errors seen by the clients: {figures['errors_by_kind']}")
        print(
            f"[{figures['backend']}] {figures['web_servers']} web server(s), "
            f"{', '.join(figures['faults'])} during {figures['seconds']:g} s of submissions: "
            f"acknowledged {figures['acknowledged']}, lost {figures['lost']}, receipt numbers issued "
            f"twice {figures['receipt_numbers_issued_twice']} ({figures['refused_or_failed_while_down']} "
            "requests failed while a server was down)"
        )
    support.write(
        "procedures_faults",
        {"runs": results, "load_average_1m": round(os.getloadavg()[0], 1), "cores": os.cpu_count()},
    )
    if any(f["acknowledged"] == 0 for f in results):
        raise SystemExit("no submission was acknowledged: the load did not run")
    if any(f["lost"] or f["receipt_numbers_issued_twice"] for f in results):
        raise SystemExit("a kill lost an acknowledged submission or issued a receipt number twice")


if __name__ == "__main__":
    main(sys.argv[1:])
