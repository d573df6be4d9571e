"""Request and response shapes of attachment uploads (AttachmentOut itself is part of a ticket)."""
from pydantic import BaseModel, Field

from chalicelib.schemas.common import Strict
from chalicelib.schemas.tickets import AttachmentOut


class AttachmentCreate(Strict):
    # Longer names are accepted and shortened: clients send whatever the file system gave them.
    file_name: str = Field(min_length=1, max_length=1024,
                           description="Shown to people and used as the download name; it is cleaned, "
                                       "never used to build a storage key")
    content_type: str = Field(min_length=1, max_length=255, description="A media type such as application/pdf")
    size: int = Field(ge=0, description="Bytes; the upload must have exactly this size")


class UploadForm(BaseModel):
    url: str = Field(description="POST a multipart/form-data body here")
    fields: dict[str, str] = Field(description="Send every one, then the file itself as the last field, `file`")
    expires_at: str = Field(description="The form is refused after this time")


class AttachmentUpload(BaseModel):
    attachment: AttachmentOut
    upload: UploadForm


class AttachmentPage(BaseModel):
    data: list[AttachmentOut]
