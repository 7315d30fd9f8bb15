"""Benefit payment run (給付金): time to the 全銀 総合振込 file for N residents, and its peak memory.

Setup (not timed): N synthetic residents of 横須賀市 imported as the registry imports them, 80 % of
them with a 公金受取口座 (written straight into its table: verifying a million accounts against
the test bank is not what is measured). Timed: ``benefits.service.execute`` in a fresh child
process, so that its peak RSS is the run's own, for two runs over the same register: everyone
aged 18 or more (most people paid, the others told) and 100 or more (almost nobody). Both read
every page of the register; the difference of their peak RSS is what the payees cost — flat
memory means it stays near zero as N grows.

``python -m benchmarks procedures_benefits`` runs 20,000 residents;
``python -m benchmarks.procedures_benefits --residents 1000000`` the full size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from benchmarks import support
from benchmarks.registry_residents import SECRET, demo_towns
from tsunagu import migrations
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.sessions import Principal
from tsunagu.procedures.benefits import definition, service, zengin
from tsunagu.registry.accounts import kana
from tsunagu.registry.accounts.models import AccountsPublicMoney
from tsunagu.registry.residents import service as residents
from tsunagu.registry.residents.models import Resident
from tsunagu.registry.residents.synthetic.generator import ResidentGenerator

YOKOSUKA = "142018"
REFERENCE = date(2026, 12, 1)
RUN = """\
id: bench-{min_age}
name: {{ja: 計測用給付金, en: Benchmark payment}}
organization: "142018"
amount_yen: 30000
eligibility:
  all:
    - {{attribute: status, op: eq, value: resident}}
    - {{attribute: age, op: gte, value: {min_age}}}
payer:
  consignor_code: "1420180001"
  name_kana: ﾖｺｽｶｼ
  bank_code: "0138"
  branch_code: "200"
  account_type: futsu
  account_number: "0123456"
"""
ADMIN = Principal(kind="staff", subject_id="bench", organization_code=YOKOSUKA, roles=frozenset({"管理"}))


def populate(database: Database, count: int) -> dict[str, Any]:
    migrations.upgrade(database.engine)
    towns = [t for t in demo_towns() if t.municipality_code == YOKOSUKA]
    started = time.perf_counter()
    with database.session() as db:
        residents.import_residents(db, ResidentGenerator(towns, 1).rows(count), SilentProgress(), total=count)
    imported = time.perf_counter() - started
    accounts, after, now = 0, "", clock.now()
    while True:
        with database.session() as db:
            page = db.execute(
                select(Resident.id, Resident.family_kana, Resident.given_kana)
                .where(Resident.id > after)
                .order_by(Resident.id)
                .limit(20_000)
            ).all()
            if not page:
                break
            after = page[-1][0]
            rows = [
                {
                    "resident_id": rid,
                    "bank_code": "0005",
                    "branch_code": "001",
                    "account_type": "futsu",
                    "account_number": f"{accounts + n:07d}",
                    "holder_kana": kana.to_zengin(f"{fk} {gk}"),
                    "verification_reference": "bench",
                    "verified_at": now,
                    "registered_at": now,
                }
                for n, (rid, fk, gk) in enumerate(page)
                if zlib.crc32(rid.encode()) % 5
            ]  # 4 in 5
            db.execute(insert(AccountsPublicMoney), rows)
            accounts += len(rows)
    return {"residents": count, "import_s": round(imported, 1), "accounts": accounts}


def execute_in_child(url: str, min_age: int, workdir: str) -> dict[str, Any]:
    """Run the child process below and read its figures (peak RSS is the child's alone)."""
    output = Path(workdir) / f"zengin-{min_age}.txt"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.procedures_benefits",
            "--execute",
            url,
            "--min-age",
            str(min_age),
            "--out",
            str(output),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    records = list(zengin.read(output.read_bytes()))  # the file is read back, its trailer checked
    trailer = records[-2]
    assert int(trailer["count"]) == figures["transfers"] == len(records) - 3
    assert int(trailer["total"]) == figures["total_yen"]
    figures["file_mb"] = round(output.stat().st_size / 1e6, 1)
    return figures


def _status_mb(field: str) -> float:
    """VmRSS / VmHWM of this process (ru_maxrss would carry the forking parent's peak over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def child(url: str, min_age: int, output: Path) -> None:
    database = Database(url, secret_key=SECRET)
    run = definition.parse_run(Path("bench.yaml"), RUN.format(min_age=min_age))
    before_mb = _status_mb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    with database.session() as db, output.open("wb") as file:
        report = service.execute(
            db,
            ADMIN,
            run,
            reference_date=REFERENCE,
            transfer_date=REFERENCE,
            out=file,
            progress=SilentProgress(),
        )
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "min_age": min_age,
                "eligible": report.eligible,
                "transfers": report.transferred,
                "total_yen": report.total_yen,
                "without_account": report.without_account,
                "run_s": round(wall, 1),
                "run_min": round(wall / 60, 2),
                "cpu_s": round(time.process_time() - cpu, 1),
                "eligible_per_s": round(report.eligible / wall) if wall else 0,
                "peak_rss_mb": _status_mb("VmHWM"),
                "rss_before_run_mb": before_mb,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--execute")
    parser.add_argument("--min-age", type=int, default=18)
    parser.add_argument("--out", type=Path)
    known, _ = parser.parse_known_args()
    if known.execute:
        child(known.execute, known.min_age, known.out)
        return
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-benefits-") as workdir:
        url = f"sqlite:///{workdir}/bench.db"
        database = Database(url, secret_key=SECRET)
        figures: dict[str, Any] = {"setup": populate(database, known.residents)}
        database.dispose()
        print("setup:", figures["setup"], flush=True)
        for min_age in (100, 18):
            figures[f"age_{min_age}_plus"] = execute_in_child(url, min_age, workdir)
            print(f"age {min_age}+:", figures[f"age_{min_age}_plus"], flush=True)
        figures["payees_cost_rss_mb"] = round(
            figures["age_18_plus"]["peak_rss_mb"] - figures["age_100_plus"]["peak_rss_mb"], 1
        )
        print("peak RSS, paying most people minus paying almost nobody:", figures["payees_cost_rss_mb"], "MB")
    support.write("procedures_benefits", figures)


if __name__ == "__main__":
    main()
