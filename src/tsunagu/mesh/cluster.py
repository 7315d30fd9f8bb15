"""A local mesh of separate processes on loopback: the directory and nodes, each with its own
SQLite file (multi-process tests, benchmarks, trying the mesh out on one machine)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine

from tsunagu.core.database import Database
from tsunagu.mesh import demo
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.node import adapters
from tsunagu.mesh.node.context import NodeContext, build
from tsunagu.mesh.settings import MeshSettings

STARTUP_SECONDS = 180.0  # generous: CI machines (and shared development ones) can be very busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalCluster:
    workdir: Path
    organizations: Sequence[str]
    migrate: Callable[[Engine], None]
    secret: str = "local-cluster-secret-not-for-production"  # noqa: S105 - throwaway test clusters
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _databases: dict[str, Database] = field(default_factory=dict)
    _contexts: dict[str, NodeContext] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for org in (demo.OPERATOR, *self.organizations):
            self.ports.setdefault(org, free_port())

    def url(self, org: str) -> str:
        return f"http://127.0.0.1:{self.ports[org]}" if org in self.ports else "http://127.0.0.1:9"

    def database_url(self, org: str) -> str:
        return f"sqlite:///{self.workdir / (org + '.db')}"

    def database(self, org: str) -> Database:
        if org not in self._databases:
            self._databases[org] = Database(self.database_url(org), secret_key=self.secret)
        return self._databases[org]

    def mesh_settings(self) -> MeshSettings:
        return MeshSettings(directory_url=self.url(demo.OPERATOR))

    def context(self, org: str) -> NodeContext:
        """This organization's node context in the calling process (e.g. for the delivery worker)."""
        if org not in self._contexts:
            self._contexts[org] = build(org, self.database(org), self.secret, self.mesh_settings())
        return self._contexts[org]

    def prepare(self) -> None:
        """Migrate every node's database (``migrate``: the schema upgrade, e.g.
        ``tsunagu.migrations.upgrade``) and register the demo directory with these ports."""
        for org in self.ports:
            self.migrate(self.database(org).engine)
        with self.database(demo.OPERATOR).session() as db:
            demo.register(db, self.secret, self.url)

    def add_person(self, resident_id: str, local_ids: dict[str, str]) -> dict[str, str]:
        """Issue codes for a person at each organization (directory), each with its relation (a
        municipality's resident, another organization's record), and note them at each node."""
        issued = {}
        with self.database(demo.OPERATOR).session() as db:
            for org, local_id in local_ids.items():
                relation = "resident" if org in demo.MUNICIPALITIES else "record"
                issued[org] = codes.relate(db, org, resident_id, relation, local_id)
        for org, local_id in local_ids.items():
            with self.database(org).session() as db:
                codes.remember(db, org, issued[org], local_id)
        return issued

    def put_record(self, org: str, local_id: str, service_code: str, data: dict[str, object]) -> None:
        with self.database(org).session() as db:
            adapters.put_record(db, org, local_id, service_code, data)

    def environment(self, org: str) -> dict[str, str]:
        return {
            **os.environ,
            "TSUNAGU_DATABASE_URL": self.database_url(org),
            "TSUNAGU_SECRET_KEY": self.secret,
            "TSUNAGU_ENVIRONMENT": "test",
            "TSUNAGU_DATA_DIR": str(self.workdir),
            "TSUNAGU_LOG_LEVEL": "warning",
            "TSUNAGU_MESH_DIRECTORY_URL": self.url(demo.OPERATOR),
        }

    def start(self, org: str) -> None:
        command = [sys.executable, "-m", "tsunagu.mesh.node", "--org", org, "--port", str(self.ports[org])]
        with (self.workdir / f"{org}.log").open("ab") as log:
            self.processes[org] = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                command, env=self.environment(org), stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, org: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            process = self.processes[org]
            if process.poll() is not None:
                raise RuntimeError(f"node {org} exited: {(self.workdir / f'{org}.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url(org)}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"node {org} did not start within {STARTUP_SECONDS} s")

    def start_all(self) -> None:
        for org in self.ports:
            self.start(org)
        for org in self.ports:
            self.wait_ready(org)

    def stop(self, org: str) -> None:
        process = self.processes.pop(org, None)
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for org in list(self.processes):
            self.stop(org)
        for ctx in self._contexts.values():
            ctx.http.close()
        for database in self._databases.values():
            database.dispose()
