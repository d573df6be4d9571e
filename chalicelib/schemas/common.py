"""Shapes shared by every resource: the error body and the strict base model."""
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


# The characters domain.text.INVISIBLE names (zero-width and bidi controls), as a regex class body
# that ECMA's, Python's and pydantic's regexes all read.
INVISIBLE_CLASS = r"\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
# One character that is neither space (ECMA's \s, plus what Python's str.strip() also removes) nor
# invisible: a name or tag holding one is never empty once trimmed and cleaned.
VISIBLE = rf"[^\s\x1c-\x1f\x85{INVISIBLE_CLASS}]"


class Strict(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    error: ErrorInfo


def refuse_null(*fields: str, message: str = "cannot be null"):
    """A validator for fields a change may leave out but may not set to null."""
    def check(cls, value):
        if value is None:
            raise ValueError(message)
        return value
    return field_validator(*fields)(check)


def _not_nullable(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update({key: value for key, value in branches[0].items() if key not in schema})
    elif branches:
        schema["anyOf"] = branches


def omittable(description: str | None = None) -> Any:
    """`X | None = omittable()`: a field a change may leave out but not set to null (refuse_null
    refuses it). The document shows X alone: no null, no default. Constraints belong on X
    (Annotated), where pydantic applies them to X only."""
    return Field(default=None, description=description, json_schema_extra=_not_nullable)
