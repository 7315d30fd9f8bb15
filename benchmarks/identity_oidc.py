"""OIDC token endpoint throughput, in-process (target ≥ 300 tokens/s).

Codes are issued through the service beforehand; the timed part is the HTTP token request:
client authentication, code redemption with PKCE, ES256 ID-token signing and the database write.
The run is repeated and the median round is reported (the machine is shared).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.identity.oidc import service
from tsunagu.web.app import create_app

REQUESTS = 600
ROUNDS = 5
SECRET = "benchmark-secret"  # a throwaway database's platform secret
REDIRECT = "https://bench.example/cb"
VERIFIER = "v" * 64


async def _redeem(
    app: FastAPI, codes: list[str], registered: service.RegisteredClient
) -> tuple[list[float], float]:
    """POST every code to the token endpoint through the ASGI app in one event loop."""
    samples: list[float] = []
    transport = httpx.ASGITransport(app=app)
    auth = (registered.client.client_id, registered.client_secret)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        started = time.perf_counter()
        for code in codes:
            t0 = time.perf_counter()
            response = await client.post(
                "/oidc/token",
                auth=auth,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": REDIRECT,
                    "code_verifier": VERIFIER,
                },
            )
            samples.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"token request failed: {response.text}")
        elapsed = time.perf_counter() - started
    return samples, elapsed


async def _baseline(app: FastAPI) -> float:
    """Requests/s of /healthz through the same stack: the ceiling the machine allows right now."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as client:
        started = time.perf_counter()
        for _ in range(REQUESTS):
            await client.get("/healthz")
        return REQUESTS / (time.perf_counter() - started)


def _issue_codes(
    database: Database, provider: service.Provider, registered: service.RegisteredClient
) -> list[str]:
    with database.session() as db:
        request = service.parse_authorization(
            db,
            {
                "response_type": "code",
                "client_id": registered.client.client_id,
                "redirect_uri": REDIRECT,
                "scope": "openid",
                "nonce": "n",
                "code_challenge": service.pkce_challenge(VERIFIER),
                "code_challenge_method": "S256",
            },
        )
        return [
            service.approve(db, provider, f"resident-{i}", request, remember=False)
            .split("code=")[1]
            .split("&")[0]
            for i in range(REQUESTS)
        ]


def main() -> None:
    rounds: list[tuple[float, list[float]]] = []
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        database = Database(url)
        migrations.upgrade(database.engine)
        settings = Settings(
            environment="test",
            data_dir=Path(workdir),
            database_url=url,
            secret_key=SECRET,
            log_level="error",
            _env_file=None,
        )
        app = create_app(settings, database)
        provider = service.Provider(issuer=settings.base_url, secret=SECRET)
        with database.session() as db:
            registered = service.register_client(
                db, SECRET, name="bench", organization_code="bench", redirect_uris=[REDIRECT]
            )
        for _ in range(ROUNDS):
            codes = _issue_codes(database, provider, registered)
            samples, elapsed = asyncio.run(_redeem(app, codes, registered))
            rounds.append((REQUESTS / elapsed, samples))
        baseline = asyncio.run(_baseline(app))
        database.dispose()
    rates = sorted(rate for rate, _ in rounds)
    median_rate, samples = sorted(rounds, key=lambda r: r[0])[ROUNDS // 2]
    figures = {
        "requests_per_round": REQUESTS,
        "rounds": ROUNDS,
        "tokens_per_second": round(median_rate, 1),
        "tokens_per_second_rounds": [round(rate, 1) for rate in rates],
        "median_ms": round(support.median(samples) * 1000, 2),
        "p99_ms": round(support.percentile(samples, 0.99) * 1000, 2),
        "target_tokens_per_second": 300,
        "backend": "sqlite",
        "healthz_requests_per_second": round(baseline, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    print(
        f"token endpoint: {median_rate:.0f} tokens/s (median of {ROUNDS} rounds: "
        f"{', '.join(f'{r:.0f}' for r in rates)}), median {figures['median_ms']} ms, "
        f"p99 {figures['p99_ms']} ms (target ≥ 300/s); /healthz through the same stack "
        f"{baseline:.0f}/s, load {figures['load_average_1min']} on {figures['cpus']} CPUs"
    )
    support.write("identity_oidc", figures)
