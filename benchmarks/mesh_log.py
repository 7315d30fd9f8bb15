"""Mesh message log: verification speed of a hash chain (target ≥ 100,000 entries/s).

Writes ``--entries`` log entries for one organization (with signed checkpoints every 1,000) to a
SQLite file, then recomputes the whole chain and checks every checkpoint signature.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.mesh import crypto
from tsunagu.mesh.log import service as message_log

ORG = "131016"
BATCH = 10_000
TARGET_PER_S, TARGET_PER_CPU_S = 100_000, 150_000


def _events(count: int) -> list[message_log.LogEvent]:
    return [
        message_log.LogEvent(
            role="provider",
            kind="response",
            request_id=uuid.uuid4().hex,
            consumer="jpn-pension",
            provider=ORG,
            service=f"{ORG}/resident-basic/v1",
            purpose=f"nenkin-jukyu-{ORG}",
            subject_code=uuid.uuid4().hex,
            items=("name", "birth_date", "sex", "address"),
            result="ok",
            message_sha256=uuid.uuid4().hex * 2,
        )
        for _ in range(count)
    ]


def run(entries: int) -> dict[str, float]:
    key = crypto.derive_signing_key("benchmark-secret-not-for-production", ORG)
    with tempfile.TemporaryDirectory(prefix="mesh-log-") as workdir:
        database = Database(f"sqlite:///{Path(workdir) / 'log.db'}")
        migrations.upgrade(database.engine)
        started = time.perf_counter()
        for start in range(0, entries, BATCH):
            message_log.append(database, ORG, _events(min(BATCH, entries - start)), key, 1000)
        written = time.perf_counter() - started
        started, cpu_started = time.perf_counter(), time.process_time()
        report = message_log.verify(database, ORG, lambda kid: key.public if kid == key.kid else None)
        verified, verified_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        database.dispose()
    if not report.ok or report.entries != entries:
        raise SystemExit(f"verification failed: {report}")
    return {
        "entries": entries,
        "checkpoints": report.checkpoints,
        "append_per_s": round(entries / written),
        "verify_seconds": round(verified, 3),
        "verify_per_s": round(entries / verified),
        "verify_cpu_seconds": round(verified_cpu, 3),
        "verify_per_cpu_s": round(entries / verified_cpu),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mesh_log")
    parser.add_argument("--entries", type=int, default=200_000)
    args = parser.parse_args(argv or [])
    figures = run(args.entries)
    print(
        f"{figures['entries']} entries ({figures['checkpoints']} signed checkpoints) verified in "
        f"{figures['verify_seconds']} s: {figures['verify_per_s']} entries/s (target ≥ {TARGET_PER_S:,}); "
        f"append {figures['append_per_s']} entries/s in batches of {BATCH}"
    )
    print(
        f"verification CPU {figures['verify_cpu_seconds']} s: {figures['verify_per_cpu_s']} entries "
        f"per CPU second (aim ≥ {TARGET_PER_CPU_S:,} on one core, so that the wall figure holds under "
        f"load); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    verdict = {
        "verify_per_s": figures["verify_per_s"] >= TARGET_PER_S,
        "verify_per_cpu_s": figures["verify_per_cpu_s"] >= TARGET_PER_CPU_S,
    }
    print("targets: " + ", ".join(f"{name} {'pass' if ok else 'FAIL'}" for name, ok in verdict.items()))
    support.write(
        "mesh_log",
        {
            **figures,
            "load_average_1m": round(os.getloadavg()[0], 1),
            "cores": os.cpu_count(),
            "targets": {"verify_per_s": TARGET_PER_S, "verify_per_cpu_s": TARGET_PER_CPU_S, "pass": verdict},
        },
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
