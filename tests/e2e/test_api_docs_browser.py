"""/api/v1/docs in Chromium: Swagger UI served from the package renders every operation.

On the main of 2026-12-04 (30f2d71) the page was blank: FastAPI's page loads Swagger UI from a
public CDN and starts it with an inline script, both refused by the product's own content
security policy (and the product runs offline).
"""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Browser

RESULTS = Path(__file__).parent / "results"


def test_the_api_docs_render_the_operations_under_the_policy(browser: Browser, base_url: str) -> None:
    document = httpx.get(f"{base_url}/api/v1/openapi.json", timeout=120).json()  # built on first use
    operations = sum(
        len([m for m in item if m in {"get", "post", "put", "patch", "delete"}])
        for item in document["paths"].values()
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text and "script" in message.text
            else None
        ),
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith((base_url, "data:")) else None
        ),
    )
    page.goto(f"{base_url}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    shown = page.locator(".opblock").count()
    assert shown >= operations > 100, (shown, operations)  # one block per operation and tag
    assert page.locator(".info .title").inner_text().startswith("Tsunagu API")
    page.locator(".opblock").first.click()  # an operation opens with its parameters
    page.wait_for_selector(".opblock-body", timeout=10_000)
    assert not refused, refused
    assert not outside, outside
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "api-docs-desktop.png"))
    page.close()
