"""Names for codes, so that pages never show an organization code or a staff id to people.

Organizations come from identity's organization table (Japanese and English names), a
municipality that is not a participant from the address registry; staff by their display name.
Both change rarely, so a name is kept for a minute (each app process has its own copy).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from tsunagu.core.database import Database
from tsunagu.core.errors import TsunaguError
from tsunagu.core.http.i18n import N_, Locale, gettext_for
from tsunagu.identity.organizations import service as organizations
from tsunagu.identity.staff import service as staff
from tsunagu.notify import service as notify
from tsunagu.procedures import service as procedures
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.addresses import service as addresses

TTL_SECONDS = 60.0
#: shown when a code names no organization we know of
UNKNOWN_ORGANIZATION = N_("行政機関")


class AppNames:
    """``app.state.names``: :class:`tsunagu.core.http.templating.Names` over the database."""

    def __init__(
        self, database: Database, *, ttl: float = TTL_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._database = database
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._organizations: dict[str, tuple[str, str]] = {}
        self._loaded_at = float("-inf")
        self._staff: dict[str, tuple[str, float]] = {}

    def _organization_names(self) -> dict[str, tuple[str, str]]:
        now = self._monotonic()
        with self._lock:
            if now - self._loaded_at < self._ttl:
                return self._organizations
        with self._database.session() as db:
            loaded = {o.code: (o.name_ja, o.name_en) for o in organizations.list_organizations(db)}
        with self._lock:
            self._organizations, self._loaded_at = loaded, now
        return loaded

    def _municipality(self, code: str) -> tuple[str, str] | None:
        if not organizations.is_local_government_code(code):
            return None
        try:
            with self._database.session() as db:
                found = addresses.get_municipality(db, code)
        except TsunaguError:
            return None
        if found is None:
            return None
        name = found.prefecture + found.name
        return name, name

    def organization(self, code: str, locale: Locale) -> str:
        names = self._organization_names().get(code) or self._municipality(code)
        if names is None:
            return gettext_for(locale).gettext(UNKNOWN_ORGANIZATION)
        return names[1] if locale == "en" and names[1] else names[0]

    def bank(self, bank_code: str, branch_code: str = "") -> str:
        """金融機関 (or its 支店) by its name in the 全銀協 code list; a code not in it as it is."""
        if branch_code:
            return accounts.branch_name(bank_code, branch_code) or branch_code
        return accounts.bank_name(bank_code) or bank_code

    def unread(self, resident_id: str) -> int:
        """The resident's unread お知らせ, for the header (read each time: it changes as they read)."""
        return _unread(self._database, resident_id)

    def staff(self, staff_id: str) -> str:
        now = self._monotonic()
        with self._lock:
            cached = self._staff.get(staff_id)
        if cached and now - cached[1] < self._ttl:
            return cached[0]
        with self._database.session() as db:
            record = staff.get_staff(db, staff_id)
        name = record.display_name if record and record.display_name else ""
        with self._lock:
            if len(self._staff) > 10_000:
                self._staff.clear()
            self._staff[staff_id] = (name, now)
        return name


def _unread(database: Database, resident_id: str) -> int:
    with database.session() as db:
        return notify.unread_count(db, resident_id)


def procedure_names(directory: Path | None) -> Callable[[Locale], dict[str, str]]:
    """``app.state.procedure_names``: the live procedures by name, for parts below ``procedures``
    (the proxies page offers them as choices)."""

    def names(locale: Locale) -> dict[str, str]:
        live = procedures.registry_for(directory).snapshot().procedures
        listed = sorted(live.values(), key=lambda p: p.name_kana or p.id)
        return {p.id: p.name.text(locale) for p in listed}

    return names
