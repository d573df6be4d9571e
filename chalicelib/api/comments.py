"""Comment routes: comment on a ticket, and list its comments."""
from chalice import Blueprint

from chalicelib.api.routing import Call, endpoint, services
from chalicelib.api.tickets import TICKET
from chalicelib.schemas import comments as s
from chalicelib.schemas.tickets import HistoryOut

bp = Blueprint(__name__)
COMMENTS = TICKET + "/comments"


@endpoint(bp, "POST", COMMENTS, summary="Comment on a ticket", status=201, role="member",
          body=s.CommentCreate, response=HistoryOut)
def add_comment(call: Call, project_id: str, ticket_id: str):
    return services().comments.add(call.principal, ticket_id, call.body)


@endpoint(bp, "GET", COMMENTS, summary="A ticket's comments, oldest first", query=s.CommentsQuery,
          response=s.CommentPage)
def list_comments(call: Call, project_id: str, ticket_id: str):
    return services().comments.page(call.principal, ticket_id, call.query)
