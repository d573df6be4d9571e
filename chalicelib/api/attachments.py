"""Attachment routes: start an upload, confirm it, list, read (with a download link) and remove."""
from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.api.tickets import TICKET
from chalicelib.schemas import attachments as s
from chalicelib.schemas.tickets import AttachmentOut

bp = Blueprint(__name__)
ATTACHMENTS = TICKET + "/attachments"
ATTACHMENT = ATTACHMENTS + "/{attachment_id}"


@endpoint(bp, "POST", ATTACHMENTS, summary="Start an upload: a presigned S3 form for one file, valid 15 minutes",
          status=201, role="member", body=s.AttachmentCreate, response=s.AttachmentUpload, tag="attachments")
def start_upload(call: Call, project_id: str, ticket_id: str):
    return services().attachments.start_upload(call.principal, ticket_id, call.body)


@endpoint(bp, "POST", ATTACHMENT + "/complete", summary="Confirm an upload once the file is in S3",
          role="member", response=AttachmentOut, tag="attachments")
def complete_upload(call: Call, project_id: str, ticket_id: str, attachment_id: str):
    return services().attachments.complete(call.principal, ticket_id, attachment_id)


@endpoint(bp, "GET", ATTACHMENTS, summary="A ticket's attachments, with download links",
          response=s.AttachmentPage, tag="attachments")
def list_attachments(call: Call, project_id: str, ticket_id: str):
    return services().attachments.list_all(call.principal, ticket_id)


@endpoint(bp, "GET", ATTACHMENT, summary="One attachment, with a download link valid 5 minutes",
          response=AttachmentOut, tag="attachments")
def get_attachment(call: Call, project_id: str, ticket_id: str, attachment_id: str):
    return services().attachments.get(call.principal, ticket_id, attachment_id)


@endpoint(bp, "DELETE", ATTACHMENT, summary="Remove an attachment and its file", status=204, role="member",
          tag="attachments")
def remove_attachment(call: Call, project_id: str, ticket_id: str, attachment_id: str):
    services().attachments.remove(call.principal, ticket_id, attachment_id)
    return Reply(None)
