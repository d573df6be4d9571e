"""Shapes shared by every resource: the error body, the strict base models and the rules that the
document states and the API checks alike."""
import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError,
                      ValidationInfo, field_validator)


# The characters domain.text.INVISIBLE names (zero-width and bidi controls), as a regex class body
# that ECMA's, Python's and pydantic's regexes all read.
INVISIBLE_CLASS = r"\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
# One character that is neither space (ECMA's \s, plus what Python's str.strip() also removes) nor
# invisible: a name or tag holding one is never empty once trimmed and cleaned.
VISIBLE = rf"[^\s\x1c-\x1f\x85{INVISIBLE_CLASS}]"


class Strict(BaseModel):
    """Request bodies and query strings: unknown fields are an error, not silently dropped, and a
    field declared omittable() refuses null, as the document says."""
    model_config = ConfigDict(extra="forbid")
    null_refused: ClassVar[str] = "cannot be null"

    # After the field's own validation: a function run before it would hand it a Python value,
    # which strict mode no longer reads as JSON (a date-time string would be refused).
    @field_validator("*", mode="after")
    @classmethod
    def _refuse_null_where_the_document_has_none(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and cls.model_fields[info.field_name].json_schema_extra is _not_nullable:
            raise ValueError(cls.null_refused)
        return value


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    error: ErrorInfo


# A character no reader here takes for a space: ECMA's \s (how the document's patterns are read,
# \ufeff included), Python's str.isspace() (\x1c-\x1f and \x85 included) and Unicode's
# White_Space, which pydantic trims. Listing them all makes the pattern mean the same to each.
NOT_SPACE = r"[^\s\x1c-\x1f\x85\ufeff]"
_NOT_SPACE = re.compile(NOT_SPACE)


def _holds_a_character(value: str) -> str:
    if not _NOT_SPACE.search(value):
        raise ValueError("must hold a character other than spaces and separators")
    return value


# Annotated metadata for text that may not be only spaces (or the separators \x1c-\x1f): stated in
# the document as a pattern, and checked, with a message a person can read.
NOT_BLANK = (Field(json_schema_extra={"pattern": NOT_SPACE}), AfterValidator(_holds_a_character))


def _written_as(kind: type, form: re.Pattern, example: str) -> BeforeValidator:
    """Reads a date or date-time from text of the form the document names (`format`), and only
    from that: pydantic alone would also read a number, or text of digits, as seconds since 1970,
    and (from a query string) a date-time as a date."""
    reader = TypeAdapter(kind)

    def read(value: Any) -> Any:
        if isinstance(value, kind):
            return value  # built in code, not sent
        if not isinstance(value, str) or not form.fullmatch(value):
            raise ValueError(f"must be written as {example}")
        try:
            return reader.validate_strings(value)
        except ValidationError as error:
            raise ValueError(error.errors()[0]["msg"]) from None
    return BeforeValidator(read)


_DAY = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
# RFC 3339's date-time; without an offset, UTC is meant.
_MOMENT = re.compile(_DAY + r"[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?")
DateTime = Annotated[datetime, _written_as(datetime, _MOMENT, "2026-03-01T09:30:00Z")]
Date = Annotated[date, _written_as(date, re.compile(_DAY), "2026-03-01")]


def _not_nullable(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update({key: value for key, value in branches[0].items() if key not in schema})
    elif branches:
        schema["anyOf"] = branches


def omittable(description: str | None = None, alias: str | None = None) -> Any:
    """`X | None = omittable()`: a field a request may leave out but not set to null. The document
    shows X alone: no null, no default; Strict refuses null. Constraints belong on X (Annotated),
    where pydantic applies them to X only."""
    return Field(default=None, description=description, alias=alias, json_schema_extra=_not_nullable)
