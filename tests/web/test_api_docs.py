"""Every error ``code`` a TsunaguError subclass can carry is documented in docs/api.md.

Clients branch on ``code`` (docs/api.md, Conventions), so a new error class with an
undocumented code fails here: import every module, walk the subclasses, look each code up.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import tsunagu
from tsunagu.core.errors import TsunaguError

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
#: modules that cannot be imported on their own: Alembic's environment and migration scripts
#: (run by Alembic) and ``__main__`` entry points (they parse the command line on import)
NOT_IMPORTABLE = re.compile(r"^tsunagu\.migrations\.(env|versions)\b|\.__main__$")


def _import_everything() -> None:
    for module in pkgutil.walk_packages(tsunagu.__path__, "tsunagu."):
        if not NOT_IMPORTABLE.search(module.name):
            importlib.import_module(module.name)


def _subclasses(cls: type[TsunaguError]) -> Iterator[type[TsunaguError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _documented(code: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text) is not None


def test_every_error_code_is_in_the_api_document() -> None:
    _import_everything()
    text = API_DOC.read_text(encoding="utf-8")
    codes: dict[str, list[str]] = {}
    for cls in _subclasses(TsunaguError):
        if cls.__module__.startswith("tsunagu."):
            codes.setdefault(cls.code, []).append(f"{cls.__module__}.{cls.__qualname__}")
    assert len(codes) > 100  # the walk found the parts' errors, not only core's
    missing = {code: classes for code, classes in sorted(codes.items()) if not _documented(code, text)}
    assert not missing, f"error codes missing from docs/api.md: {missing}"


def test_the_check_notices_an_undocumented_code() -> None:
    assert _documented("mesh-replay", API_DOC.read_text(encoding="utf-8"))
    assert not _documented("mesh-rep", "| `mesh-replay` | 409 |")
