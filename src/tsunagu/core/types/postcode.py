"""郵便番号: seven digits; accepts ``1000001``, ``100-0001``, ``〒１００－０００１``."""

from __future__ import annotations

import re
from typing import Any

import jaconv
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from tsunagu.core.types.base import InvalidValue, string_value_schema

_SEPARATORS = re.compile(r"[\s〒\-‐‑‒–—―−－ー]")


class InvalidPostcode(InvalidValue):
    code = "invalid-postcode"
    title = "Invalid postcode"


class Postcode(str):
    """A canonical 7-digit postcode (``"1000001"``); ``display`` gives ``"100-0001"``."""

    __slots__ = ()

    def __new__(cls, value: str) -> Postcode:
        text = (
            _SEPARATORS.sub("", jaconv.z2h(value, digit=True, ascii=True, kana=False))
            if isinstance(value, str)
            else ""
        )
        if len(text) != 7 or not text.isascii() or not text.isdigit():
            raise InvalidPostcode("postcode", f"a postcode is 7 digits such as 100-0001, got {value!r}")
        return super().__new__(cls, text)

    @property
    def display(self) -> str:
        return f"{self[:3]}-{self[3:]}"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return string_value_schema(cls, cls, str)
