"""Shapes shared by every resource: the error body and the strict base model."""
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
