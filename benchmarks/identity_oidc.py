"""OIDC token endpoint throughput, in-process (target ≥ 300 tokens/s).

Codes are issued through the service beforehand; the timed part is the HTTP token request:
client authentication, code redemption with PKCE, ES256 ID-token signing and the database write.
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
REDIRECT = "https://bench.example/cb"
VERIFIER = "v" * 64


async def _redeem(app: FastAPI, codes: list[str],
                  registered: service.RegisteredClient) -> tuple[list[float], float]:
    """POST every code to the token endpoint through the ASGI app in one event loop."""
    samples: list[float] = []
    transport = httpx.ASGITransport(app=app)
    auth = (registered.client.client_id, registered.client_secret)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        started = time.perf_counter()
        for code in codes:
            t0 = time.perf_counter()
            response = await client.post("/oidc/token", auth=auth, data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                "code_verifier": VERIFIER})
            samples.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"token request failed: {response.text}")
        elapsed = time.perf_counter() - started
    return samples, elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        database = Database(url)
        migrations.upgrade(database.engine)
        settings = Settings(environment="test", data_dir=Path(workdir), database_url=url,
                            secret_key="benchmark-secret", log_level="error",
                            _env_file=None)  # type: ignore[call-arg]
        app = create_app(settings, database)
        provider = service.Provider(issuer=settings.base_url, secret="benchmark-secret")
        with database.session() as db:
            registered = service.register_client(db, name="bench", organization_code="bench",
                                                 redirect_uris=[REDIRECT])
            request = service.parse_authorization(db, {
                "response_type": "code", "client_id": registered.client.client_id,
                "redirect_uri": REDIRECT, "scope": "openid", "nonce": "n",
                "code_challenge": service.pkce_challenge(VERIFIER), "code_challenge_method": "S256"})
            codes = [service.approve(db, provider, f"resident-{i}", request, remember=False)
                     .split("code=")[1].split("&")[0] for i in range(REQUESTS)]
        samples, elapsed = asyncio.run(_redeem(app, codes, registered))
        database.dispose()
    throughput = REQUESTS / elapsed
    figures = {"requests": REQUESTS, "tokens_per_second": round(throughput, 1),
               "median_ms": round(support.median(samples) * 1000, 2),
               "p99_ms": round(support.percentile(samples, 0.99) * 1000, 2),
               "target_tokens_per_second": 300, "backend": "sqlite",
               "load_average_1min": round(os.getloadavg()[0], 2)}
    print(f"token endpoint: {throughput:.0f} tokens/s, median {figures['median_ms']} ms, "
          f"p99 {figures['p99_ms']} ms (target ≥ 300/s)")
    support.write("identity_oidc", figures)
