"""The registry's services on the in-memory ports: use cases tested without DynamoDB, S3 or HTTP,
each test in a project of its own with its admin's principal."""
import json
import time

import pytest

from chalicelib.adapters.attachment_store import AttachmentStore
from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.domain.people import Principal
from chalicelib.schemas import comments as comment_schemas
from chalicelib.schemas import tickets as schemas
from chalicelib.services import registry


def _no_email():
    raise AssertionError("a service test sent email; give it a mailer of its own")


class Desk:
    """One project's admin at the services: the calls the API makes, answered as JSON would be."""

    def __init__(self, services: registry.Services, principal: Principal):
        self.services = services
        self.principal = principal

    @property
    def project_id(self) -> str:
        return self.principal.project.id

    @staticmethod
    def _next_request() -> None:
        """History is ordered by its entries' millisecond, then by their random ids: a request
        over HTTP never shares a millisecond with the one before, and neither does a call here."""
        time.sleep(0.002)

    def create_ticket(self, **fields) -> dict:
        self._next_request()
        body = {"title": "Disk full on db-1", "description": "", "severity": "high"} | fields
        outcome = self.services.ticket_creation.create(self.principal, _body(schemas.TicketCreate, body), None)
        assert outcome.status_code == 201, outcome.body
        return _json(outcome.body)

    def patch(self, ticket_id: str, body: dict, if_match: str | None = None) -> dict:
        self._next_request()
        answer, _ = self.services.ticket_changes.update(self.principal, ticket_id, _body(schemas.TicketPatch, body),
                                                        if_match)
        return _json(answer)

    def detail(self, ticket_id: str) -> dict:
        answer, _ = self.services.ticket_reads.detail(self.principal, ticket_id)
        return _json(answer)

    def history(self, ticket_id: str, **query) -> dict:
        return _json(self.services.ticket_reads.history(self.principal, ticket_id, schemas.HistoryQuery(**query)))

    def comment(self, ticket_id: str, text: str) -> dict:
        self._next_request()
        return _json(self.services.comments.add(self.principal, ticket_id, _body(comment_schemas.CommentCreate,
                                                                                 {"comment": text})))

    def edit_comment(self, ticket_id: str, comment_id: str, text: str, if_match: str) -> dict:
        self._next_request()
        answer, _ = self.services.comments.edit(self.principal, ticket_id, comment_id,
                                                _body(comment_schemas.CommentEdit, {"comment": text}), if_match)
        return _json(answer)

    def comments(self, ticket_id: str, **query) -> dict:
        return _json(self.services.comments.page(self.principal, ticket_id, comment_schemas.CommentsQuery(**query)))


def _body(model, data: dict):
    """As the API reads a body: strictly, from JSON text."""
    return model.model_validate_json(json.dumps(data), strict=True)


def _json(answer) -> dict:
    return json.loads(json.dumps(answer))


@pytest.fixture
def outbox() -> MemoryOutbox:
    """The email the services send (invitations), kept for the test to read."""
    return MemoryOutbox()


@pytest.fixture
def memory_services(outbox) -> registry.Services:
    return registry.build(registry.memory_storage(), AttachmentStore(bucket="no-bucket-in-service-tests"),
                          notifications=_no_email, mail=lambda: outbox)


@pytest.fixture
def desk(memory_services) -> Desk:
    project, admin, issued = memory_services.people.create_project(
        "Operations", "OPS", "admin@example.com", "Ada Admin")
    principal = memory_services.auth.authenticate(f"Bearer {issued.token}", project.id, "127.0.0.1")
    assert principal.user_id == admin.user_id
    return Desk(memory_services, principal)
