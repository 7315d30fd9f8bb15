"""Server-rendered pages: one Jinja2 environment, the user's language, CSRF field, credits.

Times are shown to people in Asia/Tokyo, never in UTC and never as ISO 8601 with ``T``/``Z``
(the ``<time datetime>`` attribute keeps the machine form): ``|jst`` gives 2026年11月22日 10:00,
``|jdate`` the day, ``|wareki`` the 和暦 day Japanese forms use (令和8年11月22日). Codes are shown by
name: ``org_name(code)``, ``staff_name(id)`` and ``bank_name(bank, branch)`` ask the app's :class:`Names`
(installed by ``web``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from tsunagu import __version__
from tsunagu.core.clock import JST
from tsunagu.core.http import csrf, i18n
from tsunagu.core.types.money import format_yen
from tsunagu.core.types.wareki import format_wareki

EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Names(Protocol):
    """What a page needs to show a code by its name (``app.state.names``)."""

    def organization(self, code: str, locale: i18n.Locale) -> str: ...

    def staff(self, staff_id: str) -> str: ...

    def unread(self, resident_id: str) -> int: ...

    def bank(self, bank_code: str, branch_code: str = "") -> str:
        """A bank (or, with ``branch_code``, its branch) by name from the 全銀協 code list."""
        ...


def _day(value: date | datetime | str) -> date:
    if isinstance(value, str):  # a date field's value as a form stores it (2026-11-22)
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return (value.astimezone(JST) if value.tzinfo else value).date()
    return value


def format_day(value: date | datetime | str | None, locale: i18n.Locale) -> str:
    """2026年11月22日 (en: 22 Nov 2026); a datetime is taken in Asia/Tokyo."""
    if value is None:
        return ""
    day = _day(value)
    if locale == "en":
        return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def format_wareki_day(value: date | datetime | str | None, locale: i18n.Locale) -> str:
    """令和8年11月22日 as Japanese forms write it (en: 22 Nov 2026)."""
    if value is None:
        return ""
    if locale == "en":
        return format_day(value, locale)
    return format_wareki(_day(value))


def format_time(value: datetime | str | None, locale: i18n.Locale, *, wareki: bool = False) -> str:
    """2026年11月22日 10:00 in Asia/Tokyo (a naive value is taken as UTC, as the database stores it;
    a string is ISO 8601, as a signed document carries it)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(JST)
    day = format_wareki_day(local, locale) if wareki else format_day(local, locale)
    return f"{day} {local:%H:%M}"


def iso(value: date | datetime | None) -> str:
    """The machine form for ``<time datetime>``: ISO 8601 with the +09:00 offset."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            (value if value.tzinfo else value.replace(tzinfo=UTC))
            .astimezone(JST)
            .isoformat(timespec="minutes")
        )
    return value.isoformat()


@pass_context
def _jst(context: Context, value: datetime | str | None) -> str:
    return format_time(value, context.get("locale", "ja"))


@pass_context
def _jst_wareki(context: Context, value: datetime | str | None) -> str:
    return format_time(value, context.get("locale", "ja"), wareki=True)


@pass_context
def _jdate(context: Context, value: date | datetime | str | None) -> str:
    return format_day(value, context.get("locale", "ja"))


@pass_context
def _wareki(context: Context, value: date | datetime | str | None) -> str:
    return format_wareki_day(value, context.get("locale", "ja"))


@pass_context
def _yen(context: Context, value: int) -> str:
    return format_yen(value, context.get("locale", "ja"))


PACKAGE_DIR = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Templates from ``web/templates`` (layout) and every part's (and sub-package's) ``templates``."""
    search_path = [PACKAGE_DIR / "web" / "templates"]
    search_path += sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web")
    search_path += sorted(PACKAGE_DIR.glob("*/*/templates"))
    env = Environment(
        loader=FileSystemLoader([str(p) for p in search_path]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters.update(
        {
            "jst": _jst,
            "jst_wareki": _jst_wareki,
            "jdate": _jdate,
            "wareki": _wareki,
            "iso": iso,
            "yen": _yen,
        }
    )
    return env


def locale_of(request: Request) -> i18n.Locale:
    cached: i18n.Locale | None = getattr(request.state, "locale", None)
    if cached is None:
        cached = i18n.negotiate(request.cookies.get(i18n.COOKIE), request.app.state.settings.default_locale)
        request.state.locale = cached
    return cached


def translate(request: Request, message: str) -> str:
    return i18n.gettext_for(locale_of(request)).gettext(message)


def _actor_name(names: Names | None, translations: Any, actor: str) -> str:
    """Who recorded something: a staff account by name; the demo's seeding and the system in words."""
    if actor == "seed":
        return str(translations.gettext("初期データの登録"))
    found = names.staff(actor) if names and actor else ""
    return found or str(translations.gettext("担当職員"))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    locale = locale_of(request)
    translations = i18n.gettext_for(locale)
    token = csrf.token(request)
    names: Names | None = getattr(request.app.state, "names", None)
    values: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": token,
        "csrf_input": Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, token),
        "_": translations.gettext,
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "org_name": (lambda code: names.organization(code, locale) if names and code else code or ""),
        # an id that names no account (since removed, a session made in a test) is still no id to show
        "staff_name": (
            lambda staff_id: (
                (names.staff(staff_id) if names and staff_id else "") or translations.gettext("担当職員")
            )
        ),
        "actor_name": (lambda actor: _actor_name(names, translations, actor)),
        # 金融機関・支店 by name (三菱ＵＦＪ銀行, 本店), never as the bare 0005 / 001
        "bank_name": (lambda code, branch="": names.bank(code, branch) if names and code else code or ""),
        # the header's お知らせ count, asked only when a page shows a resident's menu
        "unread_count": (lambda resident_id: names.unread(resident_id) if names else 0),
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)
