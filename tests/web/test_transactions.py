"""Every request's transaction commits before its response is sent.

FastAPI runs the exit of ``yield`` dependencies after sending the response unless
``scope="function"`` is given; the multi-process tests caught a replayed OIDC code slipping
through that gap, so no route may open a transaction the other way.
"""

from __future__ import annotations

import re
from pathlib import Path

from tsunagu.core.http.templating import PACKAGE_DIR

UNSCOPED = re.compile(r"Depends\(\s*(db_session|auth_session)\s*\)")


def test_no_route_uses_a_transaction_that_commits_after_the_response() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE_DIR)}:{number}"
        for path in sorted(Path(PACKAGE_DIR).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNSCOPED.search(line)
    ]
    assert not offenders, 'use Depends(db_session, scope="function"): ' + ", ".join(offenders)
