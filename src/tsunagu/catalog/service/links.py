"""Checking that distribution URLs answer (配布先の死活確認), as the MQA does periodically: every
published distribution's address is requested (HEAD, then GET when HEAD is not allowed) and the
answer kept — status, when, what went wrong — for the quality score and the dataset's page.

Only this deployment's own addresses are requested (its base URL, or loopback): nothing else is
reachable here, and the platform does not probe other organizations' servers. Another address is
recorded as not checked, never as answering. Run ``tsunagu catalog check-links`` on a schedule
(docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session

from tsunagu.catalog import store
from tsunagu.catalog.service.search import published_datasets
from tsunagu.catalog.service.tables import distribution_url
from tsunagu.core import clock

__all__ = ["LinkReport", "check_links", "own_address"]

TIMEOUT_SECONDS = 10.0
NOT_HERE = "outside this deployment: not checked"


@dataclass(frozen=True)
class LinkReport:
    checked: int
    answered: int
    failed: list[tuple[str, str, str]]  # dataset, distribution, what went wrong
    skipped: int  # addresses outside this deployment


def own_address(url: str, base_url: str) -> bool:
    """Whether ``url`` is this deployment's (its base URL's host and port) or a loopback address."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if (parts.hostname, parts.port) == (base.hostname, base.port):
        return True
    if parts.hostname == "localhost":
        return True
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _request(client: httpx.Client, url: str) -> tuple[int | None, str]:
    try:
        answer = client.head(url)
        if answer.status_code in (405, 501):  # HEAD not allowed: ask for the start of the body
            with client.stream("GET", url) as streamed:
                answer = streamed
        if answer.status_code >= 400:
            return answer.status_code, f"HTTP {answer.status_code}"
        return answer.status_code, ""
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]


def check_links(
    db: Session, base_url: str, client: httpx.Client | None = None, progress: Callable[[], None] | None = None
) -> LinkReport:
    """Request every published distribution's URL and keep the answers (one transaction)."""
    own = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True)
    checked = answered = skipped = 0
    failed: list[tuple[str, str, str]] = []
    try:
        for dataset in published_datasets(db):
            for distribution in dataset.distributions:
                url = distribution_url(base_url, dataset, distribution)
                if own_address(url, base_url):
                    status, problem = _request(own, url)
                    checked += 1
                else:
                    status, problem = None, NOT_HERE
                    skipped += 1
                ok = not problem
                answered += ok
                if problem and problem != NOT_HERE:
                    failed.append((dataset.id, distribution.id, problem))
                store.save_link_check(
                    db,
                    dataset_id=dataset.id,
                    distribution_id=distribution.id,
                    url=url[:2000],
                    checked_at=clock.now(),
                    status_code=status,
                    ok=ok,
                    problem=problem,
                )
                if progress:
                    progress()
    finally:
        if client is None:
            own.close()
    return LinkReport(checked, answered, failed, skipped)
