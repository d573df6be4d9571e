"""Attachment files in memory, in place of the S3 bucket (adapters/attachment_store.py): each key's
versions, newest last, for tests of the use cases that store files themselves."""
import hashlib
from dataclasses import dataclass, field
from itertools import count

from chalicelib.adapters.attachment_store import UploadForm
from chalicelib.domain.attachments import StoredObject


@dataclass
class StoredFile:
    data: bytes
    content_type: str
    version_id: str
    pending: bool = False


@dataclass
class MemoryAttachmentStore:
    bucket: str = "memory"
    files: dict[str, list[StoredFile]] = field(default_factory=dict)
    _versions: count = field(default_factory=lambda: count(1))

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        return UploadForm(f"memory://{self.bucket}", {"key": key, "Content-Type": content_type}, "")

    def origin(self) -> str:
        return f"memory://{self.bucket}"

    def download_url(self, key: str, version_id: str | None, content_type: str, content_disposition: str,
                     expires_in: int) -> str:
        return f"memory://{self.bucket}/{key}" + (f"?versionId={version_id}" if version_id else "")

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        stored = StoredFile(data, content_type, f"v{next(self._versions)}")
        self.files.setdefault(key, []).append(stored)
        return self._object(stored)

    def head(self, key: str) -> StoredObject | None:
        versions = self.files.get(key)
        return self._object(versions[-1]) if versions else None

    def read(self, key: str) -> bytes | None:
        versions = self.files.get(key)
        return versions[-1].data if versions else None

    def confirm(self, key: str, version_id: str | None) -> None:
        for stored in self.files.get(key, []):
            if version_id is None or stored.version_id == version_id:
                stored.pending = False

    def delete(self, key: str) -> None:
        self.files.pop(key, None)

    def delete_other_versions(self, key: str, kept_version_id: str) -> int:
        versions = self.files.get(key, [])
        kept = [stored for stored in versions if stored.version_id == kept_version_id]
        self.files[key] = kept
        return len(versions) - len(kept)

    def delete_prefix(self, prefix: str) -> int:
        keys = [key for key in self.files if key.startswith(prefix)]
        for key in keys:
            del self.files[key]
        return len(keys)

    @staticmethod
    def _object(stored: StoredFile) -> StoredObject:
        return StoredObject(size=len(stored.data), content_type=stored.content_type, version_id=stored.version_id,
                            etag=hashlib.md5(stored.data).hexdigest())
