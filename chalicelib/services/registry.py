"""The use cases with their adapters, built once per process (a warm Lambda keeps them)."""
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from chalicelib import config
from chalicelib.adapters import mailer
from chalicelib.adapters.attachment_store import AttachmentStore
from chalicelib.adapters.attachments_repo import AttachmentRepository
from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.adapters.tickets_repo import TicketRepository
from chalicelib.adapters.views_repo import ViewRepository
from chalicelib.adapters.webhooks_repo import WebhooksRepository
from chalicelib.services.attachments import AttachmentService
from chalicelib.services.auth import Authenticator
from chalicelib.services.notifications import NotificationService
from chalicelib.services.overdue import OverdueService
from chalicelib.services.people import PeopleService
from chalicelib.services.reports import ReportService
from chalicelib.services.search_index import SearchIndexService
from chalicelib.services.sla import SlaService
from chalicelib.services.tickets import TicketService
from chalicelib.services.views import ViewService
from chalicelib.services.webhooks import WebhookService


@dataclass(frozen=True)
class Services:
    tickets: TicketService
    people: PeopleService
    directory: DirectoryRepository
    webhooks: WebhookService
    overdue: OverdueService
    attachments: AttachmentService
    search_index: SearchIndexService
    views: ViewService
    sla: SlaService
    reports: ReportService
    auth: Authenticator
    # A fresh one per stream batch: it caches members and teams for that long (NotificationService).
    notifications_for_batch: Callable[[], NotificationService]


@lru_cache(maxsize=1)
def services() -> Services:
    directory = DirectoryRepository()
    people = PeopleService(directory)
    tickets = TicketRepository()
    attachments = AttachmentService(tickets, AttachmentRepository(), AttachmentStore())

    def notifications() -> NotificationService:
        return NotificationService(directory, tickets, mailer.from_settings(), config.public_url())

    webhooks = WebhookService(WebhooksRepository(),
                              on_disabled=lambda subscription: notifications().webhook_disabled(subscription))
    sla = SlaService(directory, tickets)
    ticket_service = TicketService(tickets, people, attachments, sla)
    return Services(ticket_service, people, directory, webhooks, OverdueService(tickets), attachments,
                    SearchIndexService(tickets), ViewService(ViewRepository(), ticket_service), sla,
                    ReportService(directory), Authenticator(directory), notifications)
