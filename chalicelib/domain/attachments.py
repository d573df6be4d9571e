"""Attachment rules: object keys, safe file names, the content types a file keeps, size checks,
headers."""
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from chalicelib.errors import AttachmentTooLarge, Conflict, UploadRejected, ValidationFailed

PENDING = "pending"
AVAILABLE = "available"

MAX_FILE_NAME_LENGTH = 255
FALLBACK_FILE_NAME = "attachment"
# Kept when a long name is shortened, so the file still opens with the right program.
MAX_KEPT_EXTENSION = 16

# Unicode categories that never belong in a name: controls (CR/LF, NUL, ESC...), format characters
# (bidi overrides that make "exe.txt" read as "txt.exe"), surrogates, private use, line separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
# Characters that Windows refuses in file names, and that would need quoting in headers.
_REPLACED = frozenset('<>:"|?*')
_PATH_SEPARATORS = re.compile(r"[/\\]")

# RFC 6838 restricted names; optional `; name=value` parameters of token characters.
_TOKEN = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
_CONTENT_TYPE = re.compile(rf"({_TOKEN})/({_TOKEN})((?:;[a-z0-9!#$&^_.+-]+=[a-z0-9!#$&^_.+-]+)*)")
OCTET_STREAM = "application/octet-stream"
# The types an attachment keeps as declared: what tickets carry (screenshots, recordings, logs,
# exports, documents, archives, captures), none of which a browser runs. Any other type, HTML,
# SVG, XML and every spelling of JavaScript included (text/x-javascript, text/jscript,
# application/x-ecmascript, text/livescript...), is stored and served as application/octet-stream:
# a list of what is allowed cannot miss a dangerous alias, as a list of what is refused would.
ALLOWED_CONTENT_TYPES = frozenset({
    # images (no SVG: it runs scripts)
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff", "image/avif",
    "image/heic", "image/heif",
    # text and data
    "text/plain", "text/csv", "text/tab-separated-values", "text/markdown", "text/calendar", "application/json",
    # documents
    "application/pdf", "application/rtf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    # archives
    "application/zip", "application/gzip", "application/x-gzip", "application/x-tar", "application/x-bzip2",
    "application/x-xz", "application/zstd", "application/x-7z-compressed", "application/vnd.rar",
    # audio and video (call recordings, screen recordings)
    "audio/mpeg", "audio/ogg", "audio/wav", "audio/webm", "video/mp4", "video/webm", "video/quicktime",
    # network captures
    "application/vnd.tcpdump.pcap",
    OCTET_STREAM,
})
# The only parameter kept, and only on text types: a charset no browser can be led by into reading
# markup where there is none (UTF-7 can spell `<script>` without a `<`). Other parameters are dropped.
TEXT_CHARSETS = frozenset({"utf-8", "us-ascii", "iso-8859-1", "windows-1252"})

# attr-char of RFC 8187 (the successor of RFC 5987) besides letters and digits; quote() keeps
# "_.-~" and alphanumerics on its own.
_ATTR_CHAR_EXTRAS = "!#$&+^`|"


@dataclass(frozen=True)
class Attachment:
    id: str
    ticket_id: str
    project_id: str
    file_name: str
    content_type: str
    size: int
    status: str
    uploaded_by: str
    created_at: str
    uploaded_at: str | None = None
    expires_at: int | None = None     # epoch seconds; a pending record is void after it
    # The stored version confirmed, the only one ever served: the upload form stays valid after
    # its first use, and a second post only adds a newer version of the object (the bucket is
    # versioned). None for records confirmed before versions were recorded.
    version_id: str | None = None
    etag: str | None = None

    @property
    def key(self) -> str:
        return object_key(self.project_id, self.ticket_id, self.id)

    @property
    def is_available(self) -> bool:
        return self.status == AVAILABLE

    def is_live(self, now_epoch: float) -> bool:
        """Available, or pending and not yet expired (DynamoDB's TTL deletes lag by up to days)."""
        return self.is_available or (self.expires_at is not None and self.expires_at > now_epoch)

    def summary(self) -> dict:
        """What a history entry records about the file."""
        return {"id": self.id, "file_name": self.file_name, "content_type": self.content_type, "size": self.size}


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str
    version_id: str | None = None
    etag: str | None = None


def object_key(project_id: str, ticket_id: str, attachment_id: str) -> str:
    """Built from ids only: nothing a client sends ever becomes part of a key."""
    return f"{ticket_prefix(project_id, ticket_id)}{attachment_id}"


def ticket_prefix(project_id: str, ticket_id: str) -> str:
    return f"{project_id}/{ticket_id}/"


_KEY = re.compile(r"([0-9a-z]{1,64})/([0-9a-z]{1,64})/([0-9a-z]{1,64})")


def parse_object_key(key: str) -> tuple[str, str, str] | None:
    """(project id, ticket id, attachment id), or None for a key we did not make."""
    match = _KEY.fullmatch(key)
    return match.groups() if match else None


def clean_file_name(raw: str) -> str:
    """A name safe to show and to put in a header: the last path segment, without control or
    bidi characters, at most 255 characters."""
    name = "".join(ch for ch in unicodedata.normalize("NFC", raw)
                   if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    segments = [s for s in _PATH_SEPARATORS.split(name) if s.strip(" .")]
    name = segments[-1] if segments else ""
    name = "".join("_" if ch in _REPLACED else ch for ch in name)
    name = name.strip().rstrip(". ")  # Windows drops trailing dots and spaces itself
    if not name.strip("."):
        return FALLBACK_FILE_NAME
    if len(name) > MAX_FILE_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= MAX_KEPT_EXTENSION:
            name = stem[:MAX_FILE_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_FILE_NAME_LENGTH].rstrip()
    return name


def media_type(raw: str) -> str:
    """`type/subtype[; name=value...]` as written, in lower case and without spaces; refuses
    anything else."""
    value = "".join(raw.split()).lower()
    if _CONTENT_TYPE.fullmatch(value) is None:
        raise ValidationFailed.on("content_type", "must be a media type such as application/pdf or image/png")
    return value.replace(";", "; ")


def stored_content_type(raw: str) -> str:
    """What a file declared as `raw` is stored and served as: an allowed type as declared (a text
    type with its charset, if a safe one), any other well-formed type as application/octet-stream."""
    essence, *parameters = media_type(raw).split("; ")
    if essence not in ALLOWED_CONTENT_TYPES:
        return OCTET_STREAM
    charsets = [p for p in parameters if p.startswith("charset=") and p.removeprefix("charset=") in TEXT_CHARSETS]
    if essence.startswith("text/") and charsets:
        return f"{essence}; {charsets[0]}"
    return essence


def check_announced_size(size: int, limit: int) -> None:
    if size > limit:
        raise AttachmentTooLarge(f"size: {size} bytes is over the {limit}-byte limit for an attachment")


def check_stored_object(attachment: Attachment, stored: StoredObject, limit: int) -> None:
    """Storage may not enforce the upload policy (moto does not), so the stored object itself must
    match what was announced."""
    if stored.size > limit:
        raise AttachmentTooLarge(f"the uploaded file has {stored.size} bytes, over the {limit}-byte limit; "
                                 "it has been deleted")
    if stored.size != attachment.size:
        raise UploadRejected(f"the uploaded file has {stored.size} bytes, not the {attachment.size} announced; "
                             "it has been deleted")
    if not _same_type(stored.content_type, attachment.content_type):
        raise UploadRejected(f"the uploaded file is {stored.content_type or 'untyped'}, not the "
                             f"{attachment.content_type} announced; it has been deleted")


def _same_type(stored: str, announced: str) -> bool:
    # As stored, not as it would be recorded: a file stored as text/html is no application/octet-stream.
    try:
        return media_type(stored) == announced
    except ValidationFailed:
        return False


def content_disposition(file_name: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact name in `filename*` (UTF-8)."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in file_name)
    encoded = quote(file_name, safe=_ATTR_CHAR_EXTRAS)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


class AttachmentChanged(Conflict):
    """The attachment or its ticket changed (or went) between our read and our write."""


@dataclass(frozen=True)
class Additions:
    """Where a ticket's attachment additions stood when it was read: its version and its count of
    additions. A ticket update rewrites the whole item and drops the count, but moves the version,
    so the pair never comes back to a value it had."""
    version: int
    count: int
