"""The use cases with their adapters, built once per process (a warm Lambda keeps them)."""
from dataclasses import dataclass
from functools import lru_cache

from chalicelib import config
from chalicelib.adapters import mailer
from chalicelib.adapters.attachment_store import AttachmentStore
from chalicelib.adapters.attachments_repo import AttachmentRepository
from chalicelib.adapters.comments_repo import CommentRepository
from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.adapters.tickets_repo import TicketRepository
from chalicelib.adapters.views_repo import ViewRepository
from chalicelib.adapters.webhooks_repo import WebhooksRepository
from chalicelib.services.attachments import AttachmentService
from chalicelib.services.auth import Authenticator
from chalicelib.services.notifications import NotificationService
from chalicelib.services.overdue import OverdueService
from chalicelib.services.people import PeopleService
from chalicelib.services.presenter import TicketPresenter
from chalicelib.services.reports import ReportService
from chalicelib.services.search_index import SearchIndexService
from chalicelib.services.sla import SlaService
from chalicelib.services.tickets.bulk import BulkChanges
from chalicelib.services.tickets.change import TicketChanges
from chalicelib.services.tickets.comments import CommentService
from chalicelib.services.tickets.create import TicketCreation
from chalicelib.services.tickets.delete import TicketDeletion
from chalicelib.services.tickets.reads import TicketReads
from chalicelib.services.tickets.search import TicketSearchService
from chalicelib.services.tickets.workflow import WorkflowService
from chalicelib.services.views import ViewService
from chalicelib.services.webhooks import WebhookService


@dataclass(frozen=True)
class Services:
    ticket_reads: TicketReads
    ticket_creation: TicketCreation
    ticket_changes: TicketChanges
    bulk_changes: BulkChanges
    ticket_deletion: TicketDeletion
    ticket_search: TicketSearchService
    comments: CommentService
    workflow: WorkflowService
    people: PeopleService
    directory: DirectoryRepository
    ticket_repo: TicketRepository
    webhooks: WebhookService
    overdue: OverdueService
    attachments: AttachmentService
    search_index: SearchIndexService
    views: ViewService
    sla: SlaService
    reports: ReportService
    auth: Authenticator


@lru_cache(maxsize=1)
def services() -> Services:
    directory = DirectoryRepository()
    people = PeopleService(directory)
    tickets = TicketRepository()
    attachments = AttachmentService(tickets, AttachmentRepository(), AttachmentStore())
    webhooks = WebhookService(WebhooksRepository(), on_disabled=lambda subscription: NotificationService(
        directory, tickets, mailer.from_settings(), config.public_url()).webhook_disabled(subscription))
    sla = SlaService(directory, tickets)
    presenter = TicketPresenter(sla)
    changes = TicketChanges(tickets, people, sla, presenter)
    search = TicketSearchService(tickets, directory, presenter)
    return Services(
        ticket_reads=TicketReads(tickets, attachments, presenter),
        ticket_creation=TicketCreation(tickets, people, sla, presenter),
        ticket_changes=changes,
        bulk_changes=BulkChanges(tickets, people, changes),
        ticket_deletion=TicketDeletion(tickets, attachments),
        ticket_search=search,
        comments=CommentService(tickets, CommentRepository(), presenter),
        workflow=WorkflowService(directory),
        people=people, directory=directory, ticket_repo=tickets, webhooks=webhooks,
        overdue=OverdueService(tickets), attachments=attachments, search_index=SearchIndexService(tickets),
        views=ViewService(ViewRepository(), search), sla=sla, reports=ReportService(directory),
        auth=Authenticator(directory),
    )
