"""The deployment beyond one machine (deploy/): the compose file, the image, the database roles
and the reverse proxy, each checked by the real tool that will run it.

- the compose file by ``docker-compose config`` (Compose's own parser, interpolation and schema);
- every command a service runs by the CLI's own parser;
- the roles script by a real PostgreSQL, then the web app, the push worker and a mesh node each
  running under their own role;
- the proxy configuration by a real nginx in front of a real ``tsunagu serve``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.postgres_cluster import throwaway_cluster

from tsunagu.cli.main import app as cli_app
from tsunagu.core.database import Database
from tsunagu.mesh import demo as mesh_demo
from tsunagu.mesh.log import service as log
from tsunagu.migrations import upgrade

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
APP_SERVICES = ("web", "push-worker", "mesh-directory", "mesh-node-a", "mesh-node-b")
TEST_SECRETS = {  # throwaway values for the checks below, never a deployment's
    "TSUNAGU_BASE_URL": "https://tsunagu.example.lg.jp",
    "TSUNAGU_SECRET_KEY": "test-only-secret",
    "POSTGRES_PASSWORD": "pg",
    "TSUNAGU_OWNER_PASSWORD": "owner",
    "TSUNAGU_WEB_PASSWORD": "web",
    "TSUNAGU_WORKER_PASSWORD": "worker",
    "TSUNAGU_DIRECTORY_PASSWORD": "directory",
    "TSUNAGU_NODE_A_PASSWORD": "a",
    "TSUNAGU_NODE_B_PASSWORD": "b",
    "TSUNAGU_NODE_A_ORG": "131016",
    "TSUNAGU_NODE_B_ORG": "142018",
    "TSUNAGU_TLS_DIR": "/nonexistent-tls",
}
STARTUP_SECONDS = 120.0


def _compose_config(tmp_path: Path, values: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env_file = tmp_path / "secrets.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in values.items()), encoding="utf-8")
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("TSUNAGU_", "POSTGRES_"))}
    return subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        env=clean,
        check=False,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The compose file as Compose itself resolves it (interpolated, merged, validated)."""
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is not installed (.ci/run installs Debian's docker-compose)")
    done = _compose_config(tmp_path_factory.mktemp("compose"), TEST_SECRETS)
    assert done.returncode == 0, done.stderr
    resolved: dict[str, Any] = yaml.safe_load(done.stdout)
    return resolved


def test_compose_runs_every_part_with_its_own_database_role(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "proxy", *APP_SERVICES}
    roles = {
        name: make_url(services[name]["environment"]["TSUNAGU_DATABASE_URL"]).username
        for name in APP_SERVICES
    }
    assert len(set(roles.values())) == len(roles), roles
    # Nothing an app process runs as may own its database (the owner roles migrate, nothing else).
    assert "tsunagu_owner" not in roles.values()
    for name in APP_SERVICES:
        service = services[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_refuses_to_start_without_each_secret(tmp_path: Path) -> None:
    for missing in ("TSUNAGU_SECRET_KEY", "TSUNAGU_WEB_PASSWORD", "TSUNAGU_NODE_B_PASSWORD"):
        values = {key: value for key, value in TEST_SECRETS.items() if key != missing}
        done = _compose_config(tmp_path, values)
        assert done.returncode != 0 and missing in done.stderr, (missing, done.stderr)


def test_compose_holds_no_secret_value() -> None:
    """Every password and key in the file is a ${VAR} the operator supplies, or a secrets file."""
    text_ = COMPOSE.read_text(encoding="utf-8")
    for line in text_.splitlines():
        match = re.match(r"\s*([A-Z_]*(PASSWORD|SECRET_KEY)[A-Z_]*):\s*(.+)$", line)
        if match:
            assert match.group(3).startswith("${"), line
        for url in re.findall(r"postgresql\+psycopg://([^@\s]+)@", line):
            assert ":${" in url, line


def _parse_cli(args: list[str]) -> None:
    """Parse ``args`` with the CLI's own parser, as the process would, without running it."""
    command: Any = typer.main.get_command(cli_app)  # Typer carries its own copy of click
    while hasattr(command, "get_command"):
        name, *args = args
        sub = command.get_command(command.context_class(command), name)
        assert sub is not None, f"unknown command {name!r}"
        command = sub
    command.make_context(command.name or "", list(args))


def test_every_command_in_compose_is_one_the_cli_accepts(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        _parse_cli([str(part) for part in compose["services"][name]["command"]])
    with pytest.raises(Exception, match="No such option"):
        _parse_cli(["mesh", "node", "--org", "x", "--listen", "0.0.0.0"])


def test_image_is_pinned_runs_as_a_user_and_carries_no_secret() -> None:
    lines = (DEPLOY / "Containerfile").read_text(encoding="utf-8").splitlines()
    bases = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert bases and all(re.search(r":\d+\.\d+\.\d+", base) for base in bases), bases
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert not [line for line in lines if re.search(r"(PASSWORD|SECRET|KEY)=", line)]
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", "var", ".git", "deploy/secrets.env"} <= set(ignored)


def test_the_wheel_carries_every_file_the_package_reads(tmp_path: Path) -> None:
    """The image installs the wheel, not the checkout: templates, YAML definitions, translations,
    static files and shipped data must all be in it."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    import zipfile

    (wheel,) = tmp_path.glob("tsunagu-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "src"
    wanted = {
        str(path.relative_to(package))
        for path in (package / "tsunagu").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert wanted - packed == set()


# --- the database roles, on a real PostgreSQL ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _url(server: str, role: str, database: str) -> str:
    return (
        make_url(server)
        .set(
            username=role,
            password=TEST_SECRETS.get(f"TSUNAGU_{role.upper()}_PASSWORD", "x"),
            database=database,
        )
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="module")
def roles_cluster() -> Iterator[str]:
    """A fresh PostgreSQL with deploy/postgres/init-roles.sh applied (roles are cluster-wide, so
    this never touches the shared test server)."""
    with throwaway_cluster() as server:
        if server is None:
            pytest.fail("PostgreSQL is not installed (.ci/run installs it)")
        url = make_url(server)
        env = {
            **os.environ,
            "PGHOST": str(url.host),
            "PGPORT": str(url.port),
            "PGUSER": str(url.username),
            **{key: value for key, value in TEST_SECRETS.items() if key.endswith("PASSWORD")},
        }
        done = subprocess.run(
            ["sh", str(DEPLOY / "postgres" / "init-roles.sh")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        for role, database in (("tsunagu_owner", "tsunagu"), ("mesh_node_a", "mesh_node_a")):
            engine = Database(_url(server, role, database)).engine
            upgrade(engine)
            engine.dispose()
        yield server


def test_roles_give_each_process_what_it_needs_and_no_more(roles_cluster: str) -> None:
    admin = create_engine(make_url(roles_cluster).set(database="tsunagu"))
    with admin.connect() as connection:
        tables = (
            connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            .scalars()
            .all()
        )
        assert len(tables) > 50
        for role in ("tsunagu_web", "tsunagu_worker"):
            missing = [
                table
                for table in tables
                if not connection.execute(
                    text("SELECT has_table_privilege(:role, :table, 'SELECT,INSERT,UPDATE,DELETE')"),
                    {"role": role, "table": f"public.{table}"},
                ).scalar()
            ]
            assert missing == [], (role, missing)
            assert (
                connection.execute(
                    text("SELECT has_schema_privilege(:role, 'public', 'CREATE')"), {"role": role}
                ).scalar()
                is False
            )
            for other in ("mesh_directory", "mesh_node_a", "mesh_node_b"):
                assert (
                    connection.execute(
                        text("SELECT has_database_privilege(:role, :db, 'CONNECT')"),
                        {"role": role, "db": other},
                    ).scalar()
                    is False
                )
        assert (
            connection.execute(
                text("SELECT has_database_privilege('mesh_node_a', 'tsunagu', 'CONNECT')")
            ).scalar()
            is False
        )
    admin.dispose()


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tsunagu.cli.main", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: process exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            answer = httpx.get(url, timeout=2, verify=False)
            if answer.status_code < 500:
                return answer
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {STARTUP_SECONDS} s: {log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _production_env(tmp_path: Path, database_url: str, port: int) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("TSUNAGU_")}
    return {
        **clean,
        "TSUNAGU_ENVIRONMENT": "production",
        "TSUNAGU_DATABASE_URL": database_url,
        "TSUNAGU_SECRET_KEY": TEST_SECRETS["TSUNAGU_SECRET_KEY"],
        "TSUNAGU_DATA_DIR": str(tmp_path),
        "TSUNAGU_PORT": str(port),
        "TSUNAGU_BASE_URL": f"http://127.0.0.1:{port}",
        "TSUNAGU_LOG_LEVEL": "warning",
    }


@pytest.mark.multiprocess
def test_web_worker_and_node_run_under_their_own_roles(roles_cluster: str, tmp_path: Path) -> None:
    web_port, node_port = _free_port(), _free_port()
    web_env = _production_env(tmp_path, _url(roles_cluster, "tsunagu_web", "tsunagu"), web_port)
    web_log = tmp_path / "web.log"
    web = _start(["serve"], web_env, web_log)
    try:
        assert _wait(f"http://127.0.0.1:{web_port}/readyz", web, web_log).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{web_port}/", timeout=10).status_code == 200
    finally:
        _stop(web)

    worker_env = _production_env(tmp_path, _url(roles_cluster, "tsunagu_worker", "tsunagu"), web_port)
    done = subprocess.run(
        [sys.executable, "-m", "tsunagu.cli.main", "mesh", "deliver", "--once"],
        env=worker_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    key = tmp_path / "node-a.pem"
    key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    node_env = {
        **_production_env(tmp_path, _url(roles_cluster, "mesh_node_a", "mesh_node_a"), node_port),
        "TSUNAGU_MESH_KEY_FILE": str(key),
    }
    node_log = tmp_path / "node.log"
    node = _start(["mesh", "node", "--org", "131016", "--port", str(node_port)], node_env, node_log)
    try:
        assert _wait(f"http://127.0.0.1:{node_port}/healthz", node, node_log).status_code == 200
    finally:
        _stop(node)


# --- the reverse proxy, a real nginx -------------------------------------------------------------


def _self_signed(directory: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (directory / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _nginx_config(tmp_path: Path, upstream: str, port: int) -> Path:
    """The shipped template, filled as the nginx image fills it, inside a minimal main config."""
    server = (DEPLOY / "proxy" / "tsunagu.conf.template").read_text(encoding="utf-8")
    for name, value in {
        "TSUNAGU_UPSTREAM": upstream,
        "TSUNAGU_MAX_BODY": "1m",
        "TSUNAGU_PROXY_PORT": f"127.0.0.1:{port}",
    }.items():
        server = server.replace("${" + name + "}", value)
    server = server.replace("/etc/nginx/tls", str(tmp_path))
    assert "${" not in server
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  fastcgi_temp_path {tmp_path}/fcgi;\n"
        f"  uwsgi_temp_path {tmp_path}/uwsgi;\n  scgi_temp_path {tmp_path}/scgi;\n{server}\n}}\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.multiprocess
def test_the_proxy_limits_bodies_and_forwards_to_the_app(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed (.ci/run installs nginx-light)")
    _self_signed(tmp_path)
    web_port, proxy_port = _free_port(), _free_port()
    database = f"sqlite:///{tmp_path / 'proxy.db'}"
    engine = Database(database).engine
    upgrade(engine)
    engine.dispose()
    config = _nginx_config(tmp_path, f"127.0.0.1:{web_port}", proxy_port)
    checked = subprocess.run(
        [nginx, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    env = _production_env(tmp_path, database, web_port)
    web_log = tmp_path / "web.log"
    web = _start(["serve"], env, web_log)
    proxy = subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"])
    try:
        _wait(f"http://127.0.0.1:{web_port}/readyz", web, web_log)
        through = _wait(f"https://127.0.0.1:{proxy_port}/readyz", proxy, tmp_path / "error.log")
        assert through.status_code == 200
        too_big = httpx.post(
            f"https://127.0.0.1:{proxy_port}/api/v1/procedures/applications",
            content=b"x" * (2 * 1024 * 1024),
            verify=False,
            timeout=30,
        )
        assert too_big.status_code == 413
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        _stop(web)


# --- backup and a tested restore -----------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        pytest.fail(f"{name} is not installed (.ci/run installs PostgreSQL)")
    return str(found)


@pytest.mark.multiprocess
def test_a_node_database_restored_from_backup_verifies(roles_cluster: str, tmp_path: Path) -> None:
    """docs/deployment.md's backup (pg_dump -Fc) and restore (pg_restore into a new database):
    the restored node's signed log still verifies and its schema is at head."""
    node_url = _url(roles_cluster, "mesh_node_a", "mesh_node_a")
    env = _production_env(tmp_path, node_url, _free_port())
    node_db = Database(node_url, secret_key=TEST_SECRETS["TSUNAGU_SECRET_KEY"])
    with node_db.session() as db:  # the directory embedded in the node's database (one machine)
        mesh_demo.register(db, TEST_SECRETS["TSUNAGU_SECRET_KEY"], lambda code: f"http://127.0.0.1:9/{code}")
    log.append(
        node_db,
        "131016",
        [
            log.LogEvent(
                role="provider",
                kind="response",
                request_id=f"backup-test-{n}",
                consumer="digital-agency",
                provider="131016",
                service="resident-basic",
                purpose="backup-test",
                subject_code="subject",
                items=("氏名",),
                result="ok",
                message_sha256="0" * 64,
            )
            for n in range(3)
        ],
    )
    node_db.engine.dispose()
    for args in (["mesh", "checkpoint", "--org", "131016"], ["mesh", "verify-log", "--org", "131016"]):
        done = subprocess.run(
            [sys.executable, "-m", "tsunagu.cli.main", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr[-2000:])
    server = make_url(roles_cluster)
    connection = ["-h", str(server.host), "-p", str(server.port), "-U", str(server.username)]
    dump = tmp_path / "mesh_node_a.dump"
    subprocess.run([_pg_tool("pg_dump"), *connection, "-Fc", "-f", str(dump), "mesh_node_a"], check=True)
    subprocess.run(
        [_pg_tool("createdb"), *connection, "-O", "mesh_node_a", "mesh_node_a_restored"], check=True
    )
    subprocess.run(
        [
            _pg_tool("pg_restore"),
            *connection,
            "--no-owner",
            "--role",
            "mesh_node_a",
            "-d",
            "mesh_node_a_restored",
            str(dump),
        ],
        check=True,
    )
    restored = {**env, "TSUNAGU_DATABASE_URL": _url(roles_cluster, "mesh_node_a", "mesh_node_a_restored")}
    for args in (["db", "check"], ["mesh", "verify-log", "--org", "131016"]):
        done = subprocess.run(
            [sys.executable, "-m", "tsunagu.cli.main", *args],
            env=restored,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr[-2000:])
    admin = create_engine(make_url(roles_cluster).set(database="mesh_node_a_restored"))
    with admin.connect() as connection_:
        assert connection_.execute(text("SELECT count(*) FROM mesh_log_entries")).scalar() == 3
        assert connection_.execute(text("SELECT count(*) FROM mesh_log_checkpoints")).scalar() >= 1
    admin.dispose()
