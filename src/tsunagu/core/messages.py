"""Marking people-facing messages for translation where they are defined (rules, schemas).

The marker lives outside ``core.http`` so that rules can name their messages without importing
HTTP; they are translated when rendered (``core.http.i18n.translate``).
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction where it is translated later (``translate(request, …)``)."""
    return message
