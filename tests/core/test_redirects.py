"""``?next=`` targets stay on this site."""

from __future__ import annotations

import pytest

from tsunagu.core.http.redirects import safe_next


@pytest.mark.parametrize("target", ["/", "/procedures/tenshutsu/apply", "/inbox?page=2"])
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "procedures",
    ],
)
def test_anything_else_falls_back(target: str | None) -> None:
    assert safe_next(target, "/home") == "/home"
