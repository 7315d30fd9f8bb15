"""A throwaway local PostgreSQL cluster (``initdb`` + ``pg_ctl``) for tests and benchmarks."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _find_pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    for candidate in ([Path(found)] if found else []) + candidates:
        if candidate.exists() and (candidate.parent / "initdb").exists():
            return candidate.parent
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_cluster() -> Iterator[str | None]:
    """The URL of a fresh server's maintenance database, or None when PostgreSQL is not installed.

    Durability is off (fsync, synchronous_commit, full_page_writes): the cluster is deleted at the end.
    """
    bin_dir = _find_pg_bin()
    if bin_dir is None:
        yield None
        return
    workdir = Path(tempfile.mkdtemp(prefix="tsunagu-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = workdir / "data"
    subprocess.run(
        [
            *run_as,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "tsunagu",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(workdir / "log"),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://tsunagu@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(workdir, ignore_errors=True)
