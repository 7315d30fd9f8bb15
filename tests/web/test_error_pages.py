"""Errors reach people in their language: every error a service can raise is shown on a Japanese
page as a Japanese message (with English in the English UI), never as the developer's detail."""

from __future__ import annotations

import importlib
import pkgutil
import re

from fastapi.testclient import TestClient
from tests.conftest import login_as

import tsunagu
from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.errors import TsunaguError
from tsunagu.core.http import i18n
from tsunagu.procedures.statemachine import IllegalTransition
from tsunagu.web import errors

HTML = {"accept": "text/html"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
DETAIL = "a detail written for developers, in English"


def _every_error_class() -> list[type[TsunaguError]]:
    for module in pkgutil.walk_packages(tsunagu.__path__, "tsunagu."):
        if module.name.startswith("tsunagu.migrations") or module.name.endswith((".asgi", "__main__")):
            continue
        importlib.import_module(module.name)
    found: list[type[TsunaguError]] = []
    pending: list[type[TsunaguError]] = [TsunaguError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _raised(cls: type[TsunaguError]) -> TsunaguError:
    exc = cls.__new__(cls)  # constructors differ; a person's page reads only code, status and extra
    Exception.__init__(exc, DETAIL)
    exc.detail, exc.extra = DETAIL, {}
    return exc


def test_every_error_a_service_raises_has_a_japanese_message_with_english() -> None:
    classes = _every_error_class()
    assert len(classes) > 100  # the walk found the parts' errors, not only the core's
    english = i18n.translations("en")
    for cls in classes:
        message = errors.message_id_for(_raised(cls))
        assert JAPANESE.search(message), (cls, message)
        assert english.gettext(message) != message, f"{cls.__qualname__}: no English for {message}"


def test_every_named_error_code_exists() -> None:
    codes = {cls.code for cls in _every_error_class()}
    assert not set(errors.PEOPLE_MESSAGES) - codes, "messages for codes no error has"


def test_a_service_error_on_a_page_is_in_words_not_the_detail(client: TestClient, database: Database) -> None:
    login_as(client, database, sessions.Principal(kind="resident", subject_id="r-no-such-person"))
    page = client.get("/inbox/987654", headers=HTML)
    assert page.status_code == 404
    assert "このお知らせは見つかりませんでした。" in page.text
    assert "message" not in re.sub(r"<[^>]+>", " ", page.text.split("<main", 1)[1]).lower()
    client.get("/lang/en?next=/")
    english = client.get("/inbox/987654", headers=HTML)
    assert "This message was not found." in english.text


def test_a_conflict_says_what_happened_and_what_to_do_next() -> None:
    message = errors.message_id_for(_raised(IllegalTransition))
    assert "ほかの職員が処理" in message and "開き直して" in message
