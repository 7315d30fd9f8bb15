"""Every Japanese message shown to people has an English translation."""

from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from tsunagu.core.http import i18n
from tsunagu.core.http.templating import PACKAGE_DIR

METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "translate": (2,)}


def _message_ids() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE_DIR, METHOD_MAP, keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for message_id in ids:
            if message_id:
                found.setdefault(message_id, f"{filename}:{lineno}")
    return found


def test_every_message_has_an_english_translation() -> None:
    english = i18n.translations("en")
    missing = [
        f"{where}: {message}"
        for message, where in sorted(_message_ids().items())
        if english.gettext(message) == message
    ]
    assert not missing, "untranslated messages:\n" + "\n".join(missing)


def test_messages_were_found() -> None:
    assert "職員コンソール" in _message_ids()
