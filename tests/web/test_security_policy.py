"""The content security policy: strict everywhere, ``form-action`` widened only to origins."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tsunagu.web.middleware import SECURITY_HEADERS, content_security_policy


def test_every_page_posts_forms_only_to_this_site(client: TestClient) -> None:
    for path in ("/", "/identity/login", "/business/login"):
        policy = client.get(path).headers["content-security-policy"]
        assert policy == SECURITY_HEADERS["content-security-policy"]
        assert policy.endswith("form-action 'self'") and "frame-ancestors 'none'" in policy


def test_only_bare_origins_are_added_to_form_action() -> None:
    policy = content_security_policy(
        ["https://shop.example", "http://127.0.0.1:8001", "http://[::1]:9000", "https://shop.example"]
    )
    assert policy.endswith("form-action 'self' https://shop.example http://127.0.0.1:8001 http://[::1]:9000")
    for smuggled in (
        "https://a.example; script-src *",
        "*",
        "https://a.example/path",
        "'unsafe-inline'",
        "javascript:alert(1)",
        "https://a.example 'self'",
    ):
        assert content_security_policy([smuggled]) == SECURITY_HEADERS["content-security-policy"], smuggled
