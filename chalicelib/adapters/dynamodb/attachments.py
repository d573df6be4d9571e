"""Attachment records as items of their ticket's collection (the repository is attachment_records)."""
from chalicelib.adapters.dynamodb.keys import attachment_sk, ticket_pk
from chalicelib.adapters.dynamodb.models import AttachmentItem
from chalicelib.domain.attachments import Attachment


def to_attachment_item(attachment: Attachment) -> AttachmentItem:
    return AttachmentItem(
        ticket_pk(attachment.ticket_id), attachment_sk(attachment.id), attachment_id=attachment.id,
        ticket_id=attachment.ticket_id, project_id=attachment.project_id, file_name=attachment.file_name,
        content_type=attachment.content_type, size=attachment.size, status=attachment.status,
        uploaded_by=attachment.uploaded_by, created_at=attachment.created_at, uploaded_at=attachment.uploaded_at,
        expires_at=attachment.expires_at, version_id=attachment.version_id, etag=attachment.etag,
    )


def to_attachment(item: AttachmentItem) -> Attachment:
    return Attachment(
        id=item.attachment_id, ticket_id=item.ticket_id, project_id=item.project_id, file_name=item.file_name,
        content_type=item.content_type, size=int(item.size), status=item.status, uploaded_by=item.uploaded_by,
        created_at=item.created_at, uploaded_at=item.uploaded_at,
        expires_at=int(item.expires_at) if item.expires_at is not None else None,
        version_id=item.version_id, etag=item.etag,
    )
