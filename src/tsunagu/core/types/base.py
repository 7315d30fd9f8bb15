"""What every standard type shares: one error type and one way to plug into Pydantic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from tsunagu.core.errors import ValidationFailed

T = TypeVar("T")


class InvalidValue(ValidationFailed, ValueError):
    """A value that breaks the rule of its standard type; ``field`` names what was checked."""

    code: ClassVar[str] = "invalid-value"
    title: ClassVar[str] = "Invalid value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors=[{"location": [field], "message": message, "type": self.code}])
        self.field = field


def string_value_schema(
    cls: type[T], parse: Callable[[str], T], serialize: Callable[[T], str]
) -> core_schema.CoreSchema:
    """A Pydantic schema for a value type written as a string in JSON.

    Accepts an instance or a string (parsed with ``parse``); JSON output is ``serialize(value)``.
    """

    def validate(value: Any) -> T:
        if isinstance(value, cls):
            return value
        if not isinstance(value, str):
            raise ValueError(f"a string is expected, got {type(value).__name__}")
        return parse(value)

    return core_schema.no_info_plain_validator_function(
        validate,
        json_schema_input_schema=core_schema.str_schema(),
        serialization=core_schema.plain_serializer_function_ser_schema(serialize),
    )


class StringValue:
    """Mixin for value types whose text form is canonical (``str(value)``) and parsed by ``parse``."""

    @classmethod
    def parse(cls: type[T], text: str) -> T:
        raise NotImplementedError

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return string_value_schema(cls, cls.parse, str)
