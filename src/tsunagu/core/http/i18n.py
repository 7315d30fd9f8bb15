"""Japanese first, English second. Message ids are Japanese; ``en`` is the translation.

Catalogs are the .po files under ``tsunagu/locale/<locale>/LC_MESSAGES/`` (one per part, e.g.
``web.po``, ``registry.po``); they are merged and compiled in memory at start-up so that there is
no build step to forget.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tsunagu.core.messages import N_

__all__ = ["COOKIE", "LOCALES", "LOCALE_DIR", "N_", "Locale", "gettext_for", "negotiate", "translations"]

Locale = Literal["ja", "en"]
LOCALES: tuple[Locale, ...] = ("ja", "en")
LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
COOKIE = "tsunagu_lang"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: Locale) -> gettext.NullTranslations:
    po_paths = sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))
    if not po_paths:
        return gettext.NullTranslations()
    catalog = Catalog(locale=locale)
    for po_path in po_paths:
        with po_path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.string:
                    catalog.add(message.id, message.string)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(locale: Locale) -> gettext.NullTranslations:
    return translations(locale)


def negotiate(cookie_value: str | None, default: Locale) -> Locale:
    if cookie_value in LOCALES:
        return cookie_value
    return default
