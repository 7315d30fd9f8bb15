"""Server-rendered pages: one Jinja2 environment, the user's language, CSRF field, credits."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from tsunagu import __version__
from tsunagu.core.http import csrf, i18n

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
    return env


def locale_of(request: Request) -> i18n.Locale:
    cached: i18n.Locale | None = getattr(request.state, "locale", None)
    if cached is None:
        cached = i18n.negotiate(request.cookies.get(i18n.COOKIE),
                                request.app.state.settings.default_locale)
        request.state.locale = cached
    return cached


def translate(request: Request, message: str) -> str:
    return i18n.gettext_for(locale_of(request)).gettext(message)


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    locale = locale_of(request)
    translations = i18n.gettext_for(locale)
    secret: str = request.app.state.secret_key
    token = csrf.token_for(secret, csrf.cookie_value(request))
    values: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": token,
        "csrf_input": Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, token),
        "_": translations.gettext,
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)
