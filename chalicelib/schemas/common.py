"""Shapes shared by every resource: the error body and the strict base model."""
from pydantic import BaseModel, ConfigDict


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
