"""Request and response shapes of attachment uploads (AttachmentOut itself is part of a ticket)."""
from pydantic import BaseModel, Field

from chalicelib import config
from chalicelib.schemas.common import Strict

_TOKEN = "[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
# The form media_type accepts, in lower case and without spaces (it also reads others).
CONTENT_TYPE_PATTERN = f"^{_TOKEN}/{_TOKEN}(;[a-z0-9!#$&^_.+-]+=[a-z0-9!#$&^_.+-]+)*$"
from chalicelib.schemas.tickets import AttachmentOut


def _size_limit(schema: dict) -> None:
    # The limit is the stage's setting, read when the document is built.
    schema["maximum"] = config.max_attachment_bytes()


class AttachmentCreate(Strict):
    # Longer names are accepted and shortened: clients send whatever the file system gave them.
    file_name: str = Field(min_length=1, max_length=1024,
                           description="Shown to people and used as the download name; it is cleaned, "
                                       "never used to build a storage key")
    content_type: str = Field(min_length=1, max_length=255,
                              description="A media type such as application/pdf (read in any case, spaces "
                                          "ignored). Images, PDF, plain text, CSV, JSON, office documents, "
                                          "archives, audio and video keep their type (text with a utf-8, "
                                          "us-ascii, iso-8859-1 or windows-1252 charset); any other type (HTML, "
                                          "SVG, XML, scripts...) is stored as application/octet-stream, which "
                                          "the answer's attachment and upload form then carry",
                              json_schema_extra={"pattern": CONTENT_TYPE_PATTERN})
    size: int = Field(ge=0, description="Bytes; the upload must have exactly this size. Over the stage's limit "
                                        "(MAX_ATTACHMENT_BYTES): 413", json_schema_extra=_size_limit)


class UploadForm(BaseModel):
    url: str = Field(description="POST a multipart/form-data body here")
    fields: dict[str, str] = Field(description="Send every one, then the file itself as the last field, `file`")
    expires_at: str = Field(description="The form is refused after this time")


class AttachmentUpload(BaseModel):
    attachment: AttachmentOut
    upload: UploadForm


class AttachmentPage(BaseModel):
    data: list[AttachmentOut]
