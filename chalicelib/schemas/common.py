"""Shapes shared by every resource: the error body and the strict base model."""
from pydantic import BaseModel, ConfigDict, field_validator


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
