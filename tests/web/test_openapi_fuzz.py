"""The OpenAPI document is true: schemathesis (a property-based API tester) generates requests for
every operation from the document, as an anonymous caller, a resident and a clerk, and checks
each answer against it.

Checks: no server error; every status code, content type and response body documented;
schema-valid requests not refused for their shape (a domain rule a schema cannot state, such as
a check digit or a date in the past, may refuse them with its own code). The examples are
bounded (``MAX_EXAMPLES`` per operation and caller) so the run stays near a minute;
``TSUNAGU_FUZZ_EXAMPLES`` raises it for a deeper run. On the main of 2026-12-04 (30f2d71) the
document disagreed with the API in 128 places (96 undocumented status codes, 18 undocumented
problem+json bodies, 11 schema-valid inputs refused) and 3 operations answered 503 undocumented.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic_core.core_schema import ErrorType
from schemathesis import checks
from sqlalchemy import select
from starlette.testclient import TestClient

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.http.params import MAX_DAY, MIN_DAY
from tsunagu.core.settings import Settings
from tsunagu.identity.cards import service as cards
from tsunagu.identity.cards.ca import init_ca
from tsunagu.mesh import demo as mesh_demo
from tsunagu.mesh.directory.models import MeshOrganization
from tsunagu.migrations import upgrade
from tsunagu.web.app import create_app

SECRET = "fuzz-secret-not-for-production"
MAX_EXAMPLES = int(os.environ.get("TSUNAGU_FUZZ_EXAMPLES", "6"))
ONLY = os.environ.get("TSUNAGU_FUZZ_ONLY", "")  # a regex over "METHOD /path", to chase one failure
CALLERS = {
    "anonymous": None,
    "resident": sessions.Principal(kind="resident", subject_id="fuzz-resident", display_name="試験 太郎"),
    "clerk": sessions.Principal(
        kind="staff",
        subject_id="fuzz-clerk",
        display_name="試験 窓口",
        organization_code="131016",
        roles=frozenset({"閲覧", "審査", "決裁", "住基", "管理"}),
    ),
    # The directory operator's administrator: everything it may do to the directory is fuzzed
    # with the demo's real organization codes and keys; the mesh must still work afterwards.
    "directory admin": sessions.Principal(
        kind="staff",
        subject_id="fuzz-admin",
        display_name="試験 管理",
        organization_code=mesh_demo.OPERATOR,
        roles=frozenset({"管理"}),
    ),
}
# The CKAN-compatible action API and the OpenID Connect endpoints follow their own protocols'
# error formats (CKAN's envelope, RFC 6749 errors), documented in docs/api.md, not problem+json.
EXCLUDED_PATHS = ("/api/3/", "/api/action/", "/oidc/")


# JSON Schema cannot bound a `format: date` string; the API's dates lie within the range every
# date parameter accepts (core/http/params.py, docs/api.md), so generate dates in it.
schemathesis.openapi.format("date", st.dates(MIN_DAY, MAX_DAY).map(date.isoformat))


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    database = Database(f"sqlite:///{directory / 'fuzz.db'}")
    upgrade(database.engine)
    with database.session() as db:  # a configured platform, as after `tsunagu identity init-ca`
        cards.install_ca(db, init_ca(directory / "var"))
    settings_ = Settings(
        environment="test",
        data_dir=directory / "var",
        database_url=database.url,
        secret_key=SECRET,
        log_level="error",
        _env_file=None,
    )  # type: ignore[call-arg]
    with database.session() as db:
        mesh_demo.register(db, SECRET, lambda code: f"http://127.0.0.1:9/mesh/nodes/{code}")
    app = create_app(settings_, database)
    with TestClient(app) as client:  # load the address normalizer's shipped data once, untimed
        assert client.get("/api/v1/registry/addresses/normalize", params={"address": "東京都"}).is_success
    yield app
    database.dispose()


def _directory(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    """Each registered organization's published keys (JWKs), by code."""
    database: Database = app.state.database
    with database.session() as db:
        return {org.code: list(org.keys) for org in db.scalars(select(MeshOrganization))}


@pytest.fixture(scope="module")
def api_schema(fuzz_app: FastAPI) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app)
    keys = {code: [jwk["kid"] for jwk in jwks] for code, jwks in _directory(fuzz_app).items()}

    @schema.hook
    def flatmap_path_parameters(_: schemathesis.HookContext, parameters: dict[str, Any] | None) -> Any:
        """Organization codes and key ids the directory really has, so that the admin's calls
        reach real members (random codes would only ever get 404s)."""
        if not parameters or ("code" not in parameters and "provider" not in parameters):
            return st.just(parameters)
        name = "code" if "code" in parameters else "provider"

        def real(code: str) -> dict[str, Any]:
            chosen = {**parameters, name: code}
            if "kid" in parameters and keys[code]:
                chosen["kid"] = keys[code][0]
            return chosen

        return st.sampled_from(sorted(keys)).map(real)

    return schema


@pytest.fixture(scope="module")
def credentials(fuzz_app: FastAPI) -> dict[str, dict[str, str]]:
    """Cookie and CSRF header of a real server-side session for each caller."""
    database: Database = fuzz_app.state.database
    secret: str = fuzz_app.state.secret_key
    made = {}
    for name, principal in CALLERS.items():
        if principal is None:
            made[name] = {}
            continue
        with database.session() as db:
            token = sessions.start(db, principal)
        cookie = csrf.new_cookie_value()
        made[name] = {
            "Cookie": f"{SESSION_COOKIE}={token}; {csrf.COOKIE}={cookie}",
            csrf.HEADER: csrf.token_for(secret, cookie, token),
        }
    return made


PARSER_ERRORS = frozenset(get_args(ErrorType))  # what Pydantic itself refuses (not a use case's rule)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _refused_as_malformed(response: schemathesis.Response) -> bool:
    """A schema-valid request refused for its shape: the request parser (FastAPI, Pydantic)
    refused a field of the body, query, path or headers that the document said was fine. A rule
    the schema cannot state (a check digit, an unknown organization, a date before today) is
    refused by the use case with its own code, or with field errors that name no request part."""
    if response.status_code not in (400, 422):
        return False
    try:
        body = response.json()
    except ValueError:
        return True
    if body.get("code") in {"malformed-json", "http-error"}:
        return True
    parts = {"body", "query", "path", "header", "cookie"}
    return body.get("code") == "validation-failed" and any(
        (error.get("location") or [""])[0] in parts and error.get("type") in PARSER_ERRORS
        for error in body.get("errors") or []
    )


def _described(exc: BaseException) -> str:
    """The failure and, for a group (Hypothesis, Schemathesis), each failure inside it."""
    inner = getattr(exc, "exceptions", ())
    text = str(exc).strip()[:1500]
    return text + "".join(f"\n  - {_described(sub)}" for sub in inner)


def disagreement(
    operation: schemathesis.APIOperation, callers: Iterable[dict[str, str]], examples: int
) -> str | None:
    """How the operation's generated requests, each sent as every caller, disagree with the
    document (a server error, an undocumented status or body, a schema-valid request refused for
    its shape), or None."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: schemathesis.Case) -> None:
        for headers in callers:  # the same request as each caller
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert not _refused_as_malformed(response), (
                f"schema-valid request refused: {response.status_code} {response.text[:600]}\n"
                f"{case.as_curl_command()}"
            )

    try:
        answers_as_documented()
    except (Exception, BaseExceptionGroup) as exc:
        return f"{operation.label}: {_described(exc)}"
    return None


def test_every_operation_answers_as_documented(
    fuzz_app: FastAPI, api_schema: schemathesis.BaseSchema, credentials: dict[str, dict[str, str]]
) -> None:
    """Each operation's generated requests, sent as each caller; every disagreement is listed."""
    failures: list[str] = []
    tested = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(EXCLUDED_PATHS) or not re.search(ONLY, operation.label):
            continue
        tested += 1
        failure = disagreement(operation, credentials.values(), MAX_EXAMPLES)
        if failure:
            failures.append(failure)
    assert tested > (100 if not ONLY else 0)
    directory = _directory(fuzz_app)
    for code, _, _, _ in mesh_demo.ORGANIZATIONS:  # every member can still sign, and is a member
        assert any(not jwk.get("revoked") for jwk in directory[code]), f"{code} has no usable key left"
    with fuzz_app.state.database.session() as db:
        operator = db.get(MeshOrganization, mesh_demo.OPERATOR)
        assert operator is not None and operator.active, "the directory operator was deactivated"
    assert failures == [], f"{len(failures)} operations disagree with the document:\n\n" + "\n\n".join(
        failures
    )


def test_the_document_names_a_problem_for_every_error(fuzz_app: FastAPI) -> None:
    with TestClient(fuzz_app) as client:
        document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and not path.startswith(EXCLUDED_PATHS):
                    assert "application/problem+json" in response.get("content", {}), (method, path, status)
            assert "503" in operation["responses"], (method, path)
