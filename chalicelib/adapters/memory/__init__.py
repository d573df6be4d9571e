"""Every storage port in memory, over one shared `MemoryStore`: the same conditions, transactions,
orders and pages as DynamoDB, for fast service tests and as a third backend of the repository
contract. TTL is ignored."""
from chalicelib.adapters.memory.account_sessions import MemoryAccountSessions
from chalicelib.adapters.memory.attachments import MemoryAttachments
from chalicelib.adapters.memory.contacts import MemoryContacts
from chalicelib.adapters.memory.digests import MemoryDigests
from chalicelib.adapters.memory.directory import (
    MemoryAccounts,
    MemoryApiKeys,
    MemoryCounts,
    MemoryMembers,
    MemoryProjects,
    MemoryTeams,
)
from chalicelib.adapters.memory.inbox import MemoryInbox
from chalicelib.adapters.memory.mail_threads import MemoryMailThreads
from chalicelib.adapters.memory.mailbox import MemoryMailbox
from chalicelib.adapters.memory.oidc_states import MemoryOidcStates
from chalicelib.adapters.memory.search import MemorySearchIndex
from chalicelib.adapters.memory.sign_in import MemorySignIn
from chalicelib.adapters.memory.store import MemoryStore
from chalicelib.adapters.memory.tickets import (
    MemoryComments,
    MemoryHistory,
    MemoryIdempotency,
    MemoryMarkers,
    MemoryNotified,
    MemoryNumbers,
    MemoryReceivedMarks,
    MemoryTickets,
)
from chalicelib.adapters.memory.views import MemoryViews
from chalicelib.adapters.memory.watchers import MemoryWatchers
from chalicelib.adapters.memory.webhooks import MemoryWebhooks

__all__ = ["MemoryAccountSessions", "MemoryAttachments", "MemoryDirectory", "MemoryStore", "MemoryTicketsTable",
           "MemoryViews", "MemoryWebhooks"]


class MemoryTicketsTable(MemoryTickets, MemoryHistory, MemoryComments, MemorySearchIndex, MemoryMarkers,
                         MemoryIdempotency, MemoryNumbers, MemoryNotified, MemoryWatchers, MemoryDigests,
                         MemoryMailThreads, MemoryReceivedMarks):
    """Every repository of the tickets table at once, over one store."""


class MemoryDirectory(MemoryProjects, MemoryMembers, MemoryTeams, MemoryApiKeys, MemoryAccounts, MemoryCounts,
                      MemorySignIn, MemoryOidcStates, MemoryInbox, MemoryContacts, MemoryMailbox):
    """Every repository of the directory's projects, people, accounts, counts and sign-in items (OIDC's too),
    inboxes and the email channel's items at once, over one store."""
