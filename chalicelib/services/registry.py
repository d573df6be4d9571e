"""The use cases with their adapters, built once per process (a warm Lambda keeps them). `build`
wires them to any storage with the ports' methods: DynamoDB here, memory in tests."""
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator

from chalicelib import config
from chalicelib.adapters import mailer
from chalicelib.adapters.attachment_store import AttachmentStore
from chalicelib.adapters.client_secrets import ClientSecrets
from chalicelib.adapters.dynamodb.account_sessions import DynamoAccountSessions
from chalicelib.adapters.dynamodb.attachment_records import AttachmentRepository
from chalicelib.adapters.dynamodb.tables import DirectoryRepository, TicketRepository
from chalicelib.adapters.dynamodb.views import ViewRepository
from chalicelib.adapters.dynamodb.webhooks import WebhooksRepository
from chalicelib.adapters.oidc_client import HttpOidcClient
from chalicelib.adapters.raw_mail import S3RawMail
from chalicelib.domain.oidc import parse_providers
from chalicelib.services import ports
from chalicelib.services.attachments import AttachmentService
from chalicelib.services.auth import Authenticator
from chalicelib.services.digests import DigestService
from chalicelib.services.inbound import InboundService
from chalicelib.services.inbox import InboxService
from chalicelib.services.mail import Mail, RawMail
from chalicelib.services.mail_threads import MailThreadService
from chalicelib.services.mailbox import MailboxService
from chalicelib.services.notifications import NotificationService
from chalicelib.services.oidc import OidcSignIn
from chalicelib.services.overdue import OverdueService
from chalicelib.services.people import PeopleService
from chalicelib.services.presenter import TicketPresenter
from chalicelib.services.reports import ReportService
from chalicelib.services.search_index import SearchIndexService
from chalicelib.services.sessions import SessionService
from chalicelib.services.sign_in import SignInService
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
from chalicelib.services.watchers import WatcherService
from chalicelib.services.webhooks import WebhookService


class TicketsTable(ports.TicketStore, ports.Search, ports.Comments, ports.TicketBackfill, ports.TermIndex,
                   ports.Markers, ports.Notified, ports.Watchers, ports.Digests, ports.MailThreads,
                   ports.ReceivedMarks):
    """Every port of the tickets table, as one storage offers them."""


class DirectoryTable(ports.PeopleDirectory, ports.SlaPolicies, ports.WrongKeyCounts, ports.PartitionCounts,
                     ports.ReportDays, ports.AccountMigration, ports.SignInChallenges, ports.SignInRates,
                     ports.OidcStates, ports.Inbox, ports.ReceivedMail):
    """Every port of the directory table's projects, people, counts, sign-in items (OIDC's too),
    inboxes and the email channel's items."""


@dataclass(frozen=True)
class Storage:
    """One storage's repositories, by table."""
    tickets: TicketsTable
    directory: DirectoryTable
    attachments: ports.Attachments
    views: ports.Views
    webhooks: ports.Webhooks
    sessions: ports.Sessions


@dataclass(frozen=True)
class Services:
    ticket_reads: TicketReads
    ticket_creation: TicketCreation
    ticket_changes: TicketChanges
    bulk_changes: BulkChanges
    ticket_deletion: TicketDeletion
    ticket_search: TicketSearchService
    comments: CommentService
    mail_threads: MailThreadService
    watchers: WatcherService
    workflow: WorkflowService
    people: PeopleService
    directory: DirectoryTable
    ticket_repo: TicketsTable
    webhooks: WebhookService
    overdue: OverdueService
    attachments: AttachmentService
    search_index: SearchIndexService
    views: ViewService
    sla: SlaService
    reports: ReportService
    auth: Authenticator
    sessions: SessionService
    sign_in: SignInService
    oidc: OidcSignIn
    inbox: InboxService
    digests: DigestService
    mailbox: MailboxService
    inbound: InboundService
    # A fresh one per stream batch: it caches members and teams for that long (NotificationService).
    notifications_for_batch: Callable[[], NotificationService]


def build(storage: Storage, store: AttachmentStore, notifications: Callable[[], NotificationService],
          mail: Callable[[], Mail] | None = None, raw_mail: RawMail | None = None) -> Services:
    """Every use case on `storage`; `notifications` makes the sender of ticket email and `mail` the
    sender of the use cases' own (invitations, sign-in codes, acknowledgements), each when first
    needed (SES unless given); `raw_mail` holds received messages (the inbound bucket unless given)."""
    raw_mail = raw_mail if raw_mail is not None else S3RawMail()
    directory, tickets = storage.directory, storage.tickets
    people = PeopleService(directory, mail or mailer.from_settings)
    attachments = AttachmentService(tickets, storage.attachments, store)
    webhooks = WebhookService(storage.webhooks,
                              on_disabled=lambda subscription: notifications().webhook_disabled(subscription))
    sla = SlaService(directory, tickets)
    presenter = TicketPresenter(sla)
    changes = TicketChanges(tickets, people, sla, presenter)
    search = TicketSearchService(tickets, directory, presenter)
    sessions = SessionService(storage.sessions, directory)
    return Services(
        ticket_reads=TicketReads(tickets, attachments, presenter),
        ticket_creation=TicketCreation(tickets, people, sla, presenter, directory),
        ticket_changes=changes,
        bulk_changes=BulkChanges(tickets, people, changes),
        ticket_deletion=TicketDeletion(tickets, attachments),
        ticket_search=search,
        comments=CommentService(tickets, tickets, presenter, people),
        mail_threads=MailThreadService(tickets, directory),
        watchers=WatcherService(tickets, directory),
        workflow=WorkflowService(directory),
        people=people, directory=directory, ticket_repo=tickets, webhooks=webhooks,
        overdue=OverdueService(tickets), attachments=attachments, search_index=SearchIndexService(tickets),
        views=ViewService(storage.views, search), sla=sla, reports=ReportService(directory),
        auth=Authenticator(directory, sessions), sessions=sessions,
        sign_in=SignInService(directory, sessions, mail or mailer.from_settings),
        oidc=OidcSignIn(lambda: parse_providers(config.oidc_providers_json()), HttpOidcClient(), ClientSecrets(),
                        directory, directory, sessions, secret_key=config.sign_in_secret,
                        public_url=config.public_url(), self_sign_up=config.allow_self_sign_up()),
        inbox=InboxService(directory, directory),
        digests=DigestService(tickets, mail or mailer.from_settings, config.public_url),
        mailbox=MailboxService(directory, raw_mail),
        inbound=InboundService(tickets, directory, attachments, people, sla, raw_mail, mail or mailer.from_settings),
        notifications_for_batch=notifications,
    )


def dynamodb_storage() -> Storage:
    return Storage(TicketRepository(), DirectoryRepository(), AttachmentRepository(), ViewRepository(),
                   WebhooksRepository(), DynamoAccountSessions())


def memory_storage(store=None) -> Storage:
    """Every port in memory, over one `MemoryStore` (a new one by default): for tests."""
    from chalicelib.adapters import memory

    store = store if store is not None else memory.MemoryStore()
    return Storage(memory.MemoryTicketsTable(store), memory.MemoryDirectory(store), memory.MemoryAttachments(store),
                   memory.MemoryViews(store), memory.MemoryWebhooks(store), memory.MemoryAccountSessions(store))


def on(storage: Storage, mail: Callable[[], Mail] | None = None) -> Services:
    """Every use case on `storage`, with this stage's bucket and mailer (or `mail`, e.g. an outbox in
    memory, for the use cases' own email)."""
    return build(storage, AttachmentStore(), lambda: NotificationService(
        storage.directory, storage.tickets, mailer.from_settings(), config.public_url()), mail)


# The services `serving` put in place of DynamoDB's, innermost last.
_serving: list[Services] = []


@lru_cache(maxsize=1)
def services() -> Services:
    """The process's services: on DynamoDB, unless `serving` has put others in their place."""
    return _serving[-1] if _serving else on(dynamodb_storage())


@contextmanager
def serving(replacement: Services) -> Iterator[Services]:
    """Every caller of `services()` (routes, event handlers) gets `replacement` until the block ends:
    how tests run the whole app on other storage, e.g. `serving(on(memory_storage()))`."""
    _serving.append(replacement)
    services.cache_clear()
    try:
        yield replacement
    finally:
        _serving.remove(replacement)
        services.cache_clear()
