"""Comment routes: comment on a ticket, list its comments, read, edit and delete one, read an
edited one's revisions, and the ticket's email thread (where public comments go)."""
from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.api.tickets import TICKET
from chalicelib.schemas import comments as s
from chalicelib.schemas.mail_threads import MailThreadOut
from chalicelib.schemas.tickets import HistoryOut
from chalicelib.services.tickets.common import etag

bp = Blueprint(__name__)
COMMENTS = TICKET + "/comments"
COMMENT = COMMENTS + "/{comment_id}"
ETAG = {"ETag": 'The comment\'s version in quotes (`"2"`): send it as If-Match to edit or delete it'}


@endpoint(bp, "POST", COMMENTS, summary="Comment on a ticket (an internal note, or a reply mailed to its requester)",
          status=201, role="member", body=s.CommentCreate, response=HistoryOut,
          more_errors={"409": "A public comment on a ticket without a requester (`no_requester`)"})
def add_comment(call: Call, project_id: str, ticket_id: str):
    return services().comments.add(call.principal, ticket_id, call.body)


@endpoint(bp, "GET", COMMENTS, summary="A ticket's comments, oldest first", query=s.CommentsQuery,
          response=s.CommentPage)
def list_comments(call: Call, project_id: str, ticket_id: str):
    return services().comments.page(call.principal, ticket_id, call.query)


@endpoint(bp, "GET", COMMENT, summary="A comment", response=s.CommentOut, response_headers=ETAG)
def get_comment(call: Call, project_id: str, ticket_id: str, comment_id: str):
    body, version = services().comments.get(call.principal, ticket_id, comment_id)
    return Reply(body, headers={"ETag": etag(version)})


@endpoint(bp, "PATCH", COMMENT, summary="Edit your comment (its earlier text is kept as a revision)",
          role="member", body=s.CommentEdit, response=s.CommentOut, headers=s.CommentEditHeaders,
          response_headers=ETAG,
          more_errors={"403": "Only the comment's author may edit it, whatever their role",
                       "409": "The comment was deleted (`comment_deleted`), has been edited 50 times "
                              "(`too_many_revisions`), or would be too large to store with its earlier versions "
                              "(`comment_too_large`)",
                       "428": "If-Match is missing (`precondition_required`)"})
def edit_comment(call: Call, project_id: str, ticket_id: str, comment_id: str):
    body, version = services().comments.edit(call.principal, ticket_id, comment_id, call.body, call.headers.if_match)
    return Reply(body, headers={"ETag": etag(version)})


@endpoint(bp, "DELETE", COMMENT, summary="Delete a comment (its author or an admin): a placeholder without "
          "its text stays", status=204, role="member", headers=s.CommentDeleteHeaders,
          more_errors={"403": "Only the comment's author or an admin may delete it"})
def delete_comment(call: Call, project_id: str, ticket_id: str, comment_id: str):
    services().comments.delete(call.principal, ticket_id, comment_id, call.headers.if_match)
    return Reply(None)


@endpoint(bp, "GET", COMMENT + "/revisions", summary="A comment's earlier texts, oldest first",
          response=s.RevisionList)
def comment_revisions(call: Call, project_id: str, ticket_id: str, comment_id: str):
    return services().comments.revisions(call.principal, ticket_id, comment_id)


@endpoint(bp, "GET", TICKET + "/mail-thread", summary="A ticket's email thread: its requester, CC and reply address",
          response=MailThreadOut)
def mail_thread(call: Call, project_id: str, ticket_id: str):
    return services().mail_threads.view(call.principal, ticket_id)
