"""The businesses' and the open corporate information's operations answer as the OpenAPI document
says, fuzzed by schemathesis with callers that get past their doors.

``test_openapi_fuzz`` sends every operation as anonymous, a resident, a clerk and the directory's
administrator: the open corporate information then only ever answers 401 (no API key) and the
business routes 401/403 (no business session). Here the same checks run over those routes with a
real API client (``X-API-Key``), a prime account and a member of a corporation the registry holds
(with its 登記, subsidies and procurement, reachable through the mesh), on data where a generated
法人番号 or procedure id often names something real, so the answers with bodies are checked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import strategies as st
from starlette.testclient import TestClient
from tests.web.test_openapi_fuzz import MAX_EXAMPLES, ONLY, disagreement

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.settings import Settings
from tsunagu.identity.business import service as business
from tsunagu.identity.business.service import accounts as business_accounts
from tsunagu.identity.cards import service as cards
from tsunagu.identity.cards.ca import init_ca
from tsunagu.mesh import corporate
from tsunagu.mesh import demo as mesh_demo
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.migrations import upgrade
from tsunagu.procedures.corpinfo import service as corpinfo
from tsunagu.procedures.onestop import service as onestop
from tsunagu.registry.corporations import service as corporations
from tsunagu.web.app import create_app

SECRET = "fuzz-business-secret-not-for-production"
TESTS = Path(__file__).parents[1]
REGISTRY = TESTS / "registry" / "corporations" / "data"
AWARDS = TESTS / "procedures" / "corpinfo" / "data"
COMPANY, CLOSED = "6010001000001", "7010001000009"
BUSINESS_PROCEDURES = [
    "nyusatsu-sanka-shikaku",
    "hojin-setsuritsu-todokede",
    "hojin-setsuritsu-to",
    "hojin-setsuritsu-shi",
    "shinki-tekiyo",
    "hoken-kankei-seiritsu",
]
COVERED = re.compile(r"^/api/v1/(corporate-info|identity/business|procedures/business|registry/corporations)")


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    directory: Path = tmp_path_factory.mktemp("fuzz-business")
    database = Database(f"sqlite:///{directory / 'fuzz.db'}")
    upgrade(database.engine)
    settings_ = Settings(
        environment="test",
        data_dir=directory / "var",
        database_url=database.url,
        secret_key=SECRET,
        log_level="error",
        _env_file=None,
    )  # type: ignore[call-arg]
    with database.session() as db:
        cards.install_ca(db, init_ca(directory / "var"))
        mesh_demo.register(db, SECRET, lambda code: endpoint_of(settings_.base_url, code))
        onestop.prepare_directory(db, mesh_demo.MUNICIPALITIES, "fuzz")
        corporations.import_file(db, REGISTRY / "full_13_tokyo.csv")
        corporations.import_file(db, REGISTRY / "diff_20261120.csv")  # closes one of them
        corporations.import_commercial_file(db, REGISTRY / "commercial_extract.csv")
        corporate.register(db, SECRET, lambda code: endpoint_of(settings_.base_url, code))
        corpinfo.import_file(db, "subsidies", AWARDS / "subsidies.csv")
        corpinfo.import_file(db, "procurements", AWARDS / "procurements.csv")
    app = create_app(settings_, database)
    yield app
    database.dispose()


@pytest.fixture(scope="module")
def numbers(fuzz_app: FastAPI) -> list[str]:
    database: Database = fuzz_app.state.database
    with database.session() as db:
        found, _total = corporations.search(db, limit=50)
    return sorted({r.number for r in found} | {COMPANY, CLOSED})


@pytest.fixture(scope="module")
def credentials(fuzz_app: FastAPI) -> dict[str, dict[str, str]]:
    """The headers of each caller: an API client's key; a prime's and a member's real sessions."""
    database: Database = fuzz_app.state.database
    with database.session() as db:
        key = corpinfo.issue_key(
            db,
            name="ファズ試験",
            contact="fuzz@example.jp",
            issued_by="test",
            per_minute=100_000,
            per_day=10**8,
        ).key
        prime = business_accounts.new_account(
            db,
            SECRET,
            corporate_number=COMPANY,
            login_id="fuzz-prime@example.jp",
            display_name="商事 花子",
            password="correct horse battery staple",
            kind="prime",
            created_by=None,
        ).account
        prime_principal = sessions.Principal(
            kind="business",
            subject_id=prime.id,
            display_name=prime.display_name,
            organization_code=COMPANY,
            roles=frozenset({"gbizid:prime"}),
        )
        member = business.create_member(
            db,
            SECRET,
            prime_principal,
            login_id="fuzz-member@example.jp",
            display_name="総務 次郎",
            password="correct horse battery staple",
            procedures=BUSINESS_PROCEDURES,
        ).account
    member_principal = sessions.Principal(
        kind="business",
        subject_id=member.id,
        display_name=member.display_name,
        organization_code=COMPANY,
        roles=frozenset({*BUSINESS_PROCEDURES, "gbizid:member"}),
    )
    made: dict[str, dict[str, str]] = {"api client": {"X-API-Key": key}}
    for name, principal in (("business prime", prime_principal), ("business member", member_principal)):
        with database.session() as db:
            token = sessions.start(db, principal)
        cookie = csrf.new_cookie_value()
        made[name] = {
            "Cookie": f"{SESSION_COOKIE}={token}; {csrf.COOKIE}={cookie}",
            csrf.HEADER: csrf.token_for(SECRET, cookie, token),
        }
    return made


@pytest.fixture(scope="module")
def api_schema(fuzz_app: FastAPI, numbers: list[str]) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app)

    @schema.hook
    def flatmap_path_parameters(_: schemathesis.HookContext, parameters: dict[str, Any] | None) -> Any:
        """法人番号 and procedure ids the platform has (half the time), so that the answers with
        a body — an activity, a prefill, a registry record — are generated and checked too."""
        if not parameters:
            return st.just(parameters)
        chosen = st.just(parameters)
        if "number" in parameters:
            chosen = chosen.flatmap(
                lambda p: st.one_of(st.just(p), st.sampled_from(numbers).map(lambda n: {**p, "number": n}))
            )
        if "procedure_id" in parameters:
            chosen = chosen.flatmap(
                lambda p: st.one_of(
                    st.just(p), st.sampled_from(BUSINESS_PROCEDURES).map(lambda i: {**p, "procedure_id": i})
                )
            )
        return chosen

    return schema


def test_business_and_corporate_operations_answer_as_documented(
    fuzz_app: FastAPI, api_schema: schemathesis.BaseSchema, credentials: dict[str, dict[str, str]]
) -> None:
    failures: list[str] = []
    tested: list[str] = []
    with TestClient(fuzz_app):  # the app's lifespan: the mesh's embedded nodes answer the prefill
        for result in api_schema.get_all_operations():
            operation = result.ok()
            if not COVERED.search(operation.path) or not re.search(ONLY, operation.label):
                continue
            tested.append(operation.label)
            failure = disagreement(operation, credentials.values(), MAX_EXAMPLES * 2)
            if failure:
                failures.append(failure)
    if not ONLY:
        assert any("/corporate-info/corporations/{number}" in label for label in tested)
        assert any("/procedures/business/" in label for label in tested)
        assert len(tested) >= 20, tested
    assert failures == [], f"{len(failures)} operations disagree with the document:\n\n" + "\n\n".join(
        failures
    )


def test_the_callers_get_past_the_doors(fuzz_app: FastAPI, credentials: dict[str, dict[str, str]]) -> None:
    """The fuzzing above is worth something only if its callers are let in: the key reads a
    corporation, the member reads a prefill from the registry through the mesh, the prime its
    members."""
    with TestClient(fuzz_app) as client:
        found = client.get(
            f"/api/v1/corporate-info/corporations/{COMPANY}", headers=credentials["api client"]
        )
        assert found.status_code == 200 and found.json()["subsidies_total"] == 3
        prefill = client.get(
            "/api/v1/procedures/business/nyusatsu-sanka-shikaku/prefill",
            headers=credentials["business member"],
        )
        assert prefill.status_code == 200, prefill.text
        members = client.get("/api/v1/identity/business/members", headers=credentials["business prime"])
        assert members.status_code == 200 and len(members.json()) >= 1, members.text
