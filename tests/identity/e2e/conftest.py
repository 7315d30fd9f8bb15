"""Identity's browser tests reuse the end-to-end server and Chromium fixtures."""

from __future__ import annotations

import pytest
from tests.e2e.conftest import base_url, browser, phone, phone_without_js, server_env

__all__ = ["base_url", "browser", "phone", "phone_without_js", "server_env"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/identity/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))
